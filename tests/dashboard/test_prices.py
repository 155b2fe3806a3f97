"""One shape for prices per 1M tokens down a column, on a bar and on an axis: three significant digits below a dollar,
cents above, so a column's values line up ($0.00625 / $0.0225 / $0.0350, never $0.00625 / $0.0225 / $0.035)."""

from __future__ import annotations

import math
import re

from bar_charts import read_bar_charts
from html_tables import read_tables
from hypothesis import given
from hypothesis import strategies as st

from catalog import load_catalog
from catalog.dashboard.bars import ranked_bars
from catalog.dashboard.figures import monthly_cost_bars
from catalog.dashboard.html_table import html_table
from catalog.dashboard.prices import PRICE_DIGITS, column_price, price_cell
from catalog.dashboard.providers import in_browse_order, providers_table
from catalog.dashboard.tables import browse_table, visible_models
from catalog.dashboard.view import DashboardView
from catalog.dashboard.workload_table import money, workload_table
from catalog.hosts import host_groups
from catalog.workload import Workload, workload_costs

CATALOG = load_catalog()
#: A price in the column's shape: under a dollar, its significant digits (zeros kept); from a dollar, cents.
SHAPE = re.compile(r"^\$(?:0\.(?P<zeros>0*)(?P<digits>[1-9]\d*)|[1-9][\d,]*\.\d\d)$")


def significant(text: str) -> int | None:
    """How many significant digits a price under a dollar shows (None from a dollar up)."""
    found = SHAPE.match(text.split(" ")[0])
    assert found is not None, text
    return len(found["digits"]) if found["digits"] else None


@given(st.floats(min_value=1e-9, max_value=0.9949, allow_nan=False))
def test_a_price_under_a_dollar_shows_exactly_three_significant_digits(price):
    text = column_price(price)
    assert significant(text) == PRICE_DIGITS, text
    assert abs(float(text.lstrip("$")) - price) <= 0.5 * 10 ** (math.floor(math.log10(price)) - 2) * (1 + 1e-9)


@given(st.floats(min_value=1.0, max_value=1e6, allow_nan=False))
def test_a_price_from_a_dollar_shows_its_cents(price):
    assert SHAPE.match(column_price(price)) and column_price(price).split(".")[1].isdigit()
    assert len(column_price(price).split(".")[1]) == 2


def test_examples_of_one_shape():
    assert [column_price(p) for p in (0.00625, 0.0225, 0.035, 0.1, 0.5, 1.2, 15)] == [
        "$0.00625", "$0.0225", "$0.0350", "$0.100", "$0.500", "$1.20", "$15.00"
    ]  # fmt: skip
    assert price_cell(0).text == "Free" and price_cell(0.0225).title is None  # exact: nothing to add
    rounded = price_cell(0.2625)  # a blended price: 3 digits shown, the exact one in the tooltip
    assert rounded.text in ("$0.262", "$0.263") and rounded.title == "$0.2625 exactly"


def uniform(texts: list[str]) -> bool:
    """Every price under a dollar of the column shows the same number of significant digits."""
    return {significant(text) for text in texts if text not in ("Free", "—", "$0.00")} <= {PRICE_DIGITS, None}


def test_browse_compare_and_providers_price_columns_line_up():
    columns, rows = browse_table(visible_models(CATALOG.models, DashboardView()), DashboardView())
    (browse,) = read_tables(html_table(columns, rows, label="Models"))
    for label in ("Blended $/1M ▲", "Input $/1M", "Output $/1M"):
        assert uniform(browse.column(label)), label
    assert browse.column("Blended $/1M ▲")[:4] == ["$0.00625", "$0.0225", "$0.0345", "$0.0350"]
    (compare,) = read_tables(workload_table(workload_costs(CATALOG.models, Workload(2000, 500, 10_000))))
    for label in ("Input $/1M", "Output $/1M"):
        assert uniform(compare.column(label)), label
    (providers,) = read_tables(
        providers_table(
            in_browse_order(host_groups(CATALOG.models), visible_models(CATALOG.models, DashboardView())),
            ["DeepInfra"],
            0.25,
            Workload(2000, 500, 10_000),
            lambda _: True,
        )  # fmt: skip
    )
    assert uniform(providers.column("DeepInfra"))
    assert providers.column("DeepInfra")[:3] == ["$0.00625 ★", "$0.0225 ★", "$0.0345 ★"]


def test_the_ranked_bars_ticks_read_like_their_labels():
    (bars,) = read_bar_charts(ranked_bars(CATALOG.models))
    assert uniform(bars.values) and uniform(bars.ticks)
    assert "$0.1" not in bars.ticks and "$0.100" in bars.values + bars.ticks


def test_the_monthly_chart_writes_its_ticks_as_its_labels():
    lines = workload_costs(CATALOG.models[:15], Workload(200, 50, 100))  # small: amounts under $0.10 a month
    (bars,) = monthly_cost_bars(lines).data
    axis = monthly_cost_bars(lines).layout.xaxis
    assert list(bars.text) == [money(line.per_month_usd) for line in lines]
    assert list(axis.ticktext) == [money(tick) for tick in axis.tickvals] and axis.ticktext[0] == "$0.00"
    assert all(re.fullmatch(r"\$\d[\d,]*\.\d\d|\$0\.0*[1-9]\d", text) for text in axis.ticktext), axis.ticktext
