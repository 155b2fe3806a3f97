"""Compare's results table: money as the issue writes it, the summary line literal, big catalogs bounded."""

from __future__ import annotations

import html
import re

from apps import load_many_models, opened
from html_tables import page_table, read_tables
from hypothesis import given
from hypothesis import strategies as st

from catalog.dashboard.workload_table import SHOWN_ROWS, money, percent, workload_summary, workload_table
from catalog.records import ModelRecord
from catalog.workload import Workload, workload_costs

HOSTILE = "evil/![i](http://evil.test/id.png) <img src=x> **b**"


def record(model: str, input_usd: float, output_usd: float) -> ModelRecord:
    return ModelRecord("P & <Q>", model, "m", input_usd, output_usd, 0.0, None, None, (), 1)


def test_money_is_to_the_cent_or_two_significant_digits_with_a_true_minus():
    assert [money(v) for v in (63.0, 1500, -877.5, 0.0715, 0.00215, 0.0, -0.004, 0.0183, 0.00009)] == [
        "$63.00", "$1,500.00", "\u2212$877.50", "$0.071", "$0.0022", "$0.00", "\u2212$0.0040", "$0.018", "$0.000090",
    ]  # fmt: skip


@given(st.floats(min_value=1e-9, max_value=0.0999, allow_nan=False))
def test_a_small_amount_always_shows_exactly_two_significant_digits(value):
    digits = money(value).lstrip("$").replace(".", "").lstrip("0")
    assert len(digits) == 2, money(value)
    assert [percent(v) for v in (89.88, -141.0, -0.01, 0.0)] == ["89.9%", "\u2212141.0%", "0.0%", "0.0%"]


def test_a_hostile_id_is_literal_in_the_table_and_the_summary():
    lines = workload_costs([record(HOSTILE, 0.1, 0.2), record("a/b", 1, 2)], Workload(2000, 500, 10_000), None, 5.0)
    (table,) = read_tables(workload_table(lines))
    first = table.rows[0]
    assert table.model_ids()[0] == HOSTILE and first["Model"] == HOSTILE.rsplit("/", 1)[-1]
    assert table.titles[0]["Model"] == HOSTILE and table.links[0]["Model"].startswith("/model?id=evil%2F")
    # No id column (rows stay one line): the full id is the name's tooltip and its link's `id=`.
    assert "Saves $/mo" not in table.columns and table.columns[-2:] == ["Req/mo in budget", "Budget left $/mo"]
    assert "Model id" not in table.columns
    summary = workload_summary(Workload(2000, 500, 10_000), lines)
    tags = re.findall(r"<(\w+)", summary)
    assert tags == ["p", "strong", "a", "strong"] and "<img" not in summary
    assert re.search(r'<a href="/model\?id=evil%2F[^"]*" target="_blank" rel="noopener" title="evil/!\[i\]', summary)
    text = html.unescape(re.sub(r"<[^>]+>", "", summary))
    assert text == (
        "2,000 in + 500 out tokens × 10,000 requests a day: cheapest is id.png) <img src=x> **b** at $90.00 a month "
        "(2 models priced below)."
    )


def test_a_big_catalog_draws_the_cheapest_rows_and_says_so(tmp_path, monkeypatch):
    load_many_models(tmp_path, monkeypatch, 400)
    at = opened(page="pages/compare.py", timeout=120)
    assert len(page_table(at, "Workload costs").rows) == SHOWN_ROWS
    assert any(f"The cheapest {SHOWN_ROWS} of 452 models" in caption.value for caption in at.caption)
