"""Compare's headers sort its table (a cost, a price, the name), the link keeps the order and the workload, and every
row is one line: the name links to its page, its full id in the tooltip, no id column."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from apps import opened
from html_tables import page_table, read_tables

from catalog import load_catalog
from catalog.dashboard.model_page import short_name
from catalog.dashboard.view import COMPARE_SORTS, DashboardView, parse_params
from catalog.dashboard.workload_table import SORTED_HEADER, sort_lines, table_title, workload_table
from catalog.workload import Workload, workload_costs

WORKLOAD = Workload(2000, 500, 10_000)
LINES = workload_costs(load_catalog().models, WORKLOAD)
ALWAYS = ("in", "out", "req", "per")


def header_links(view: DashboardView) -> dict[str, dict[str, list[str]]]:
    """The headers that sort, each with its link's query parameters."""
    (table,) = read_tables(workload_table(LINES, view=view, always=ALWAYS))
    return {label: parse_qs(urlsplit(href).query) for label, href in table.header_links.items() if href}


def test_each_order_sorts_its_column_and_ties_keep_the_cost_order():
    values = {
        "month": lambda line: line.per_month_usd,
        "request": lambda line: line.per_request_usd,
        "day": lambda line: line.per_day_usd,
        "input": lambda line: Decimal(str(line.record.input_usd_per_mtok)),
        "output": lambda line: Decimal(str(line.record.output_usd_per_mtok)),
        "model": lambda line: short_name(line.record.model).casefold(),
    }
    assert set(values) == set(COMPARE_SORTS) == set(SORTED_HEADER)
    for key, value in values.items():
        for descending in (False, True):
            ranked = sort_lines(LINES, key, descending)
            shown = [value(line) for _, line in ranked]
            assert shown == sorted(shown, reverse=descending), (key, descending)
            assert sorted(rank for rank, _ in ranked) == list(range(1, len(LINES) + 1))
            for (rank, line), (next_rank, next_line) in zip(ranked, ranked[1:], strict=False):
                if value(line) == value(next_line):
                    assert rank < next_rank  # a tie keeps the cheaper first, either way
    with pytest.raises(ValueError, match="choose one of"):
        sort_lines(LINES, "blended")


def test_a_header_links_to_its_order_keeping_the_workload_and_the_sorted_one_reverses():
    links = header_links(DashboardView())
    assert set(links) == {"Model", "Per month ▲", "Per request", "Per day", "Input $/1M", "Output $/1M"}
    assert links["Input $/1M"]["csort"] == ["input"] and links["Model"]["csort"] == ["model"]
    assert links["Per month ▲"]["csort"] == ["-month"]  # sorted by it already: the click reverses it
    for params in links.values():  # the workload rides along, even at its defaults
        assert (params["in"], params["out"], params["req"], params["per"]) == (["2000"], ["500"], ["10000"], ["day"])
    reversed_links = header_links(DashboardView(compare_sort="input", compare_descending=True, budget_usd=50.0))
    assert reversed_links["Input $/1M ▼"]["csort"] == ["input"] and reversed_links["Per month"].get("csort") is None
    assert reversed_links["Per month"]["budget"] == ["50"]  # the rest of the view kept
    assert parse_params({"csort": ["-output"]}).view == DashboardView(compare_sort="output", compare_descending=True)


def test_the_table_keeps_each_rows_cost_rank_and_says_its_order():
    view = DashboardView(compare_sort="output", compare_descending=True)
    (table,) = read_tables(workload_table(LINES, view=view, always=ALWAYS))
    prices = [float(text.lstrip("$")) for text in table.column("Output $/1M ▼")]
    assert prices == sorted(prices, reverse=True) and table.column("#")[0] == str(len(LINES))  # GLM: the dearest
    cheapest = LINES[0].record.model
    assert table.column("#")[table.model_ids().index(cheapest)] == "1"
    assert table_title(52, view) == "52 models, by output price, descending"
    assert table_title(52, DashboardView()) == "52 models, cheapest first"
    assert table_title(1, DashboardView(compare_sort="day", compare_descending=True)) == "1 model, dearest first"


def test_compare_opened_with_a_sort_shows_it_and_writes_it_back_into_the_link():
    at = opened({"csort": "model"}, page="pages/compare.py")
    table = page_table(at, "Workload costs")
    names = [name.casefold() for name in table.column("Model ▲")]
    assert names == sorted(names) and len(names) == 52
    assert "Model id" not in table.columns  # the id is the name's tooltip and link: rows stay one line
    assert [title["Model ▲"] for title in table.titles] == table.model_ids("Model ▲")
    assert any(item.value == "52 models, by name" for item in at.subheader)
    assert at.query_params["csort"] == "model" and at.query_params["in"] == "2000"
    bad = opened({"csort": "blended"})  # the link's first page says what it set aside
    assert any("sort by one of month, request, day, input, output, model" in item.value for item in bad.warning)
    bad.switch_page("pages/compare.py").run()
    assert "csort" not in bad.query_params and "Per month ▲" in page_table(bad, "Workload costs").columns
