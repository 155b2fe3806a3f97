"""Browse as plain HTML: no grid on the way to the first content, the sort shown where it is claimed, at most
`HTML_ROWS` rows with a note, the interactive grid and the downloads holding every row on demand."""

from __future__ import annotations

import json

import pytest
from apps import load_many_models, opened
from html_tables import page_table, read_tables

from catalog import load_catalog
from catalog.dashboard.html_table import html_table
from catalog.dashboard.model_page import SHORT_NAME_IN_LINK
from catalog.dashboard.tables import HTML_ROWS, SORTED_COLUMN, browse_table, host_counts
from catalog.dashboard.view import DashboardView
from catalog.query import SORT_KEYS
from catalog.runs.report import Speed


def test_browse_draws_no_grid_until_the_grid_toggle_is_on():
    at = opened()
    assert len(at.dataframe) == 0 and len(page_table(at, "Models").rows) == 52
    grid = at.toggle(key="b_grid")
    assert grid.value is False and grid.label == "Interactive grid (all 52 rows)"
    grid.set_value(True).run()
    assert not at.exception and len(at.dataframe) == 1 and len(at.dataframe[0].value) == 52
    assert not [element for element in at.get("html") if 'aria-label="Models"' in element.value]
    name = json.loads(at.dataframe[0].proto.columns)["name"]  # the grid keeps its pinned short-name links
    assert name["pinned"] is True and name["type_config"]["display_text"] == SHORT_NAME_IN_LINK
    assert any("re-sort this screen only" in item.value for item in at.caption)  # true of the grid, said there
    at.multiselect(key="f_vendor").set_value(["google"]).run()
    assert at.toggle(key="b_grid").value is True and len(at.dataframe[0].value) == 3
    assert at.toggle(key="b_grid").label == "Interactive grid (all 3 rows)"
    at.toggle(key="b_grid").set_value(False).run()
    assert len(at.dataframe) == 0 and len(page_table(at, "Models").rows) == 3


def test_the_measured_speed_toggle_adds_its_columns_to_the_plain_table():
    at = opened()
    assert "Replies" not in page_table(at, "Models").columns
    at.toggle(key="b_measured").set_value(True).run()
    table = page_table(at, "Models")
    assert table.columns[4:7] == ["Replies", "TTFT p50", "Tok/s p50"] and len(at.dataframe) == 0
    assert all(text == "—" or text.isdigit() for text in table.column("Replies"))
    assert all(text == "—" or text.endswith(" ms") for text in table.column("TTFT p50"))


def test_over_the_cap_browse_shows_the_first_rows_with_a_note_and_the_grid_holds_all(tmp_path, monkeypatch):
    load_many_models(tmp_path, monkeypatch, 450)
    at = opened({"sort": "-input"}, timeout=120)
    table = page_table(at, "Models")
    assert len(table.rows) == HTML_ROWS == 200
    prices = [float(text.lstrip("$")) for text in table.column("Input $/1M ▼")]
    assert prices == sorted(prices, reverse=True)
    captions = [item.value for item in at.caption]
    assert "Showing the first 200 of 502, sorted by input price, descending; the grid and the downloads hold all." in (
        captions
    )
    assert at.toggle(key="b_grid").label == "Interactive grid (all 502 rows)" and len(at.dataframe) == 0
    at.toggle(key="b_grid").set_value(True).run()
    assert len(at.dataframe[0].value) == 502 and not any("Showing the first" in item.value for item in at.caption)


def test_at_the_cap_there_is_no_note():
    at = opened()
    assert not any("Showing the first" in item.value for item in at.caption)


def test_each_sort_order_marks_one_header():
    assert set(SORTED_COLUMN) == set(SORT_KEYS)
    records = load_catalog().models
    hosts = host_counts(records)
    for key in SORT_KEYS:
        for descending in (False, True):
            view = DashboardView(sort=key, descending=descending)
            columns, _ = browse_table(records[:3], view, hosts=hosts)
            marked = [column.label for column in columns if column.label.endswith(("▲", "▼"))]
            assert len(marked) == 1 and marked[0].endswith("▼" if descending else "▲"), (key, marked)


def test_sizes_and_measured_speeds_are_written_without_float_noise():
    records = {record.model: record for record in load_catalog().models}
    chosen = [records["deepseek-ai/DeepSeek-R1-0528"], records["meta-llama/Meta-Llama-3.1-8B-Instruct"]]
    speeds = {(chosen[0].provider, chosen[0].model): Speed(3, 412.49999, 53.309999999999995)}
    columns, rows = browse_table(chosen, DashboardView(), speeds=speeds)
    (table,) = read_tables(html_table(columns, rows, label="t"))
    first, second = table.rows
    assert (first["Params (B)"], first["Active (B)"], second["Params (B)"]) == ("671", "37", "8")
    assert (first["Replies"], first["TTFT p50"], first["Tok/s p50"]) == ("3", "412 ms", "53.3")
    assert (second["Replies"], second["TTFT p50"], second["Tok/s p50"]) == ("—", "—", "—")
    assert (first["Input $/1M"], first["Output $/1M"]) == ("$0.500", "$2.15")


@pytest.mark.parametrize(("size", "text"), [(0.135, "0.135"), (1000.0, "1,000"), (17.0, "17"), (0.1 + 0.2, "0.3")])
def test_a_size_reads_as_people_write_it(size, text):
    record = load_catalog().models[0]._replace(params_b=size, active_params_b=None)
    columns, rows = browse_table([record], DashboardView())
    (table,) = read_tables(html_table(columns, rows, label="t"))
    assert (table.rows[0]["Params (B)"], table.rows[0]["Active (B)"]) == (text, "—")


def test_browse_rows_stay_one_line_the_id_left_to_the_grid_and_flags_short_with_their_meaning():
    records = {record.model: record for record in load_catalog().models}
    flagged = records["microsoft/phi-4"]._replace(flags=("free", "output-cheaper-than-input"))
    columns, rows = browse_table([flagged, records["google/gemma-3-4b-it"]], DashboardView())
    assert "Model id" not in [column.label for column in columns]  # on its page, in the link, the grid, the CSV
    assert not [column.label for column in columns if column.wrap]  # no cell wraps onto a second line
    (table,) = read_tables(html_table(columns, rows, label="t"))
    assert table.rows[0]["Data quality"] == "free, output < input" and table.rows[1]["Data quality"] == "—"
    assert table.titles[0]["Data quality"] == "the page lists it as free\noutput is cheaper than input"
    assert table.model_ids() == ["microsoft/phi-4", "google/gemma-3-4b-it"]
    sorted_by_id = browse_table([flagged], DashboardView(sort="model"))[0]
    assert sorted_by_id[0].label == "Model ▲"  # the id's sort marks the name's header, the id column gone
