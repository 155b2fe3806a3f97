"""Browse as plain HTML: no grid on the way to the first content, the sort shown where it is claimed, at most
`HTML_ROWS` rows with a note, the interactive grid and the downloads holding every row on demand."""

from __future__ import annotations

import json
import re

import pytest
from apps import load_many_models, opened
from html_tables import page_table, read_tables
from hypothesis import given
from hypothesis import strategies as st

from catalog import load_catalog
from catalog.dashboard.html_table import html_table
from catalog.dashboard.model_page import SHORT_NAME_IN_LINK
from catalog.dashboard.tables import HTML_ROWS, SORTED_COLUMN, browse_table, host_counts, window_text
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
    assert table.columns[5:8] == ["Replies", "TTFT", "Tok/s"] and len(at.dataframe) == 0  # short: the table fits
    assert all(text == "—" or text.isdigit() for text in table.column("Replies"))
    assert all(text == "—" or text.endswith(" ms") for text in table.column("TTFT"))


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
    assert (first["Replies"], first["TTFT"], first["Tok/s"]) == ("3", "412 ms", "53.3")
    assert (second["Replies"], second["TTFT"], second["Tok/s"]) == ("—", "—", "—")
    assert (first["Input $/1M"], first["Output $/1M"]) == ("$0.500", "$2.15")


@pytest.mark.parametrize(("size", "text"), [(0.135, "0.135"), (1000.0, "1,000"), (17.0, "17"), (0.1 + 0.2, "0.3")])
def test_a_size_reads_as_people_write_it(size, text):
    record = load_catalog().models[0]._replace(params_b=size, active_params_b=None)
    columns, rows = browse_table([record], DashboardView())
    (table,) = read_tables(html_table(columns, rows, label="t"))
    assert (table.rows[0]["Params (B)"], table.rows[0]["Active (B)"]) == (text, "—")


def test_browse_rows_stay_one_line_the_id_left_to_the_grid_and_flags_marked_on_the_prices_with_their_meaning():
    records = {record.model: record for record in load_catalog().models}
    flagged = records["microsoft/phi-4"]._replace(input_usd_per_mtok=0.0, output_usd_per_mtok=0.0, flags=("free",))
    doubted = records["google/gemma-3-12b-it"]._replace(
        input_usd_per_mtok=0.5, output_usd_per_mtok=0.0, flags=("zero-price", "output-cheaper-than-input")
    )
    columns, rows = browse_table([flagged, doubted, records["google/gemma-3-4b-it"]], DashboardView())
    assert "Model id" not in [column.label for column in columns]  # on its page, in the link, the grid, the CSV
    assert "Data quality" not in [column.label for column in columns]  # a mostly empty column: on the cells now
    assert not [column.label for column in columns if column.wrap]  # no cell wraps onto a second line
    (table,) = read_tables(html_table(columns, rows, label="t"))
    # What the page says (free) is told, not doubted; what looks wrong is marked ⚠ on the price concerned.
    assert (table.rows[0]["Input $/1M"], table.rows[0]["Output $/1M"]) == ("Free", "Free")
    assert table.titles[0]["Output $/1M"] == table.titles[0]["Input $/1M"] == "the page lists it as free"
    assert (table.rows[1]["Input $/1M"], table.rows[1]["Output $/1M"]) == ("$0.500", "Free ⚠")
    assert table.titles[1]["Output $/1M"] == "a price is zero\noutput is cheaper than input"
    assert table.titles[1]["Input $/1M"] is None
    assert "⚠" not in "".join(table.rows[2].values())
    assert table.model_ids() == ["microsoft/phi-4", "google/gemma-3-12b-it", "google/gemma-3-4b-it"]
    sorted_by_id = browse_table([flagged], DashboardView(sort="model"))[0]
    assert sorted_by_id[0].label == "Model ▲"  # the id's sort marks the name's header, the id column gone


def test_browse_shows_each_context_window_short_with_its_source_and_sorts_by_it():
    at = opened({"sort": "-context"})
    table = page_table(at, "Models")
    rows = dict(zip(table.model_ids(), zip(table.rows, table.titles, strict=True), strict=True))
    row, titles = rows["meta-llama/Llama-3.2-1B-Instruct"]
    assert row["Context ▼"] == "128k"
    assert titles["Context ▼"] == "131,072 tokens (from https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct)"
    row, titles = rows["mistralai/Mistral-7B-Instruct-v0.3"]  # nobody we know states it
    assert row["Context ▼"] == "—" and "Unknown" in (titles["Context ▼"] or "")
    windows = table.column("Context ▼")
    assert windows[:2] == ["1M", "1M"] and windows[-1] == "—"  # the largest first, the unknown last either way
    assert table.columns[:5] == ["Model", "Blended $/1M", "Input $/1M", "Output $/1M", "Context ▼"]
    assert table.header_links["Context ▼"] == "?sort=context"  # a second click: ascending
    assert table.header_links["Blended $/1M"] == "?"  # the default order: a bare link
    opened_ascending = page_table(opened({"sort": "context"}), "Models").column("Context ▲")
    assert opened_ascending[:2] == ["4k", "8k"] and opened_ascending[-1] == "—"


@pytest.mark.parametrize(
    ("tokens", "text"),
    [(4096, "4k"), (131_072, "128k"), (128_000, "128k"), (163_840, "160k"), (200_000, "200k"), (1_048_576, "1M"),
     (1_000_000, "1M"), (1_500_000, "1.5M"), (33_333, "33.3k"), (999, "999"), (1_047_552, "1,023k")],
)  # fmt: skip
def test_a_context_window_reads_as_people_say_it(tokens, text):
    assert window_text(tokens) == text


@given(st.integers(1, 10**10))
def test_a_context_window_is_short_and_close_to_its_size(tokens):
    text = window_text(tokens)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?[kM]?", text), text
    number, unit = float(text.rstrip("kM").replace(",", "")), text[-1]
    sizes = {"k": (1000, 1024), "M": (1000**2, 1024**2)}.get(unit, (1, 1))
    assert any(abs(number * size - tokens) <= 0.005 * tokens for size in sizes), (tokens, text)


def test_the_grid_writes_prices_and_windows_as_the_table_does_and_keeps_the_numbers_to_sort(tmp_path, monkeypatch):
    # its own empty history: the session's holds replies earlier tests recorded
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'never-measured.sqlite3'}")
    at = opened()
    at.toggle(key="b_grid").set_value(True).run()
    assert not at.exception
    grid = at.dataframe[0]
    numbers = grid.value.set_index("model")
    assert numbers.loc["meta-llama/Llama-3.2-1B-Instruct", "blended_usd_per_mtok"] == pytest.approx(0.00625)
    assert str(numbers["input_usd_per_mtok"].dtype) == "float64"  # the grid's header sorts numbers, not text
    assert str(numbers["context_window"].dtype) == "Int64"
    import pyarrow as pa

    shown = pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()
    shown = shown.set_index(grid.value["model"].to_numpy())
    llama = shown.loc["meta-llama/Llama-3.2-1B-Instruct"]
    assert (llama["blended_usd_per_mtok"], llama["input_usd_per_mtok"], llama["output_usd_per_mtok"]) == (
        "$0.00625", "$0.00500", "$0.0100",
    )  # fmt: skip
    assert (
        llama["context_window"] == "128k" and shown.loc["mistralai/Mistral-7B-Instruct-v0.3", "context_window"] == "—"
    )
    assert shown.loc["zai-org/GLM-5.2", "output_usd_per_mtok"] == "$4.40"
    at.toggle(key="b_measured").set_value(True).run()
    grid = at.dataframe[0]
    shown = pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()
    assert set(shown["replies"]) == set(shown["ttft_ms_p50"]) == {"—"}  # never measured: empty, not 0 or nan
    assert json.loads(grid.proto.columns)["ttft_ms_p50"].get("type_config", {}).get("format") is None
