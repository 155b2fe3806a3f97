"""Issue 20, exact money: every cost is the exact rational cost of the page's digits × the tokens, to the last
digit at 1e-12 USD, in `request_cost`, `rank_by_cost`, `workload_costs`, Compare's CSV and a run report's JSON.

The reference is `fractions.Fraction` of the very strings the page was written with, never a float.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.costs import rank_by_cost, request_cost, usd
from catalog.dashboard.tables import costs_frame, to_csv
from catalog.gateway.reply import ReplyState
from catalog.parser import parse_page
from catalog.records import ModelRecord
from catalog.runs.report import run_report
from catalog.runs.trials import Run, RunSettings, trial_from_result
from catalog.sources import DEFAULT_PAGE, build_catalog, load_catalog
from catalog.workload import DAYS_PER_MONTH, MAX_REQUESTS_IN_BUDGET, Workload, workload_costs

MILLION = 10**6
#: A price row of a page as written: the model id, then the input and output prices' digits.
PAGE_ROW = re.compile(r"^\|\s*([^|\n]+?)\s*\|\s*\\?\$([\d.,]+)\s*\|\s*\\?\$([\d.,]+)\s*\|", re.MULTILINE)
#: The digit every cost is checked to: 1e-12 USD.
LAST_DIGIT = 10**12
#: Compare's amounts, as `costs_frame` names its columns.
AMOUNTS = ("per_request_usd", "per_day_usd", "per_month_usd", "savings_usd_per_month", "budget_left_usd_per_month")


def at_last_digit(value: Fraction) -> Fraction:
    """`value` rounded half to even at 1e-12 USD."""
    return Fraction(round(value * LAST_DIGIT), LAST_DIGIT)


def same_to_last_digit(found: object, exact: Fraction) -> bool:
    """Whether an amount (a Decimal, or a CSV or JSON number's text) is `exact` to the last digit at 1e-12 USD."""
    return at_last_digit(Fraction(str(found))) == at_last_digit(exact)


def page(prices: list[tuple[str, str]]) -> str:
    """A provider page listing one model per (input, output) price, each written as given."""
    rows = "".join(f"| vendor/model-{n} | \\${p_in} | \\${p_out} |\n" for n, (p_in, p_out) in enumerate(prices))
    return (
        "# Exact\n\nExact offers its models through Lava's AI Gateway.\n\n"
        "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n" + rows
    )


def written(text: str) -> Fraction:
    """A price as the page wrote it, exactly."""
    return Fraction(text.replace(",", ""))


# A price as a page writes one, up to the parser's $1,000,000: up to 6 decimals (zeros kept), sometimes a comma.
places = st.integers(0, 6)
price_text = st.builds(
    lambda amount, comma: f"{amount:{',' if comma else ''}f}",
    places.flatmap(lambda digits: st.decimals(0, 999_999, places=digits)),
    st.booleans(),
)
prices = st.lists(st.tuples(price_text, price_text), min_size=1, max_size=8)
tokens = st.integers(0, 100_000_000)  # Compare's bound on tokens per request
# Compare's requests are whole (up to its bound); the library takes a float too, read by its repr.
requests = st.one_of(st.integers(0, 10**12), st.decimals(0, 10**9, places=3).map(float))
budgets = st.one_of(st.none(), st.integers(0, 10**9), st.decimals(0, 10**9, places=2).map(float))


def exact_request(p_in: str, p_out: str, tokens_in: int, tokens_out: int) -> Fraction:
    return (written(p_in) * tokens_in + written(p_out) * tokens_out) / MILLION


def test_the_seed_costs_for_1234_in_and_567_out_are_exact_where_floats_were_off_for_24_of_52():
    catalog = load_catalog()
    on_page = {model: (p_in, p_out) for model, p_in, p_out in PAGE_ROW.findall(DEFAULT_PAGE.text())}
    assert len(catalog.models) == len(on_page) == 52
    lines = workload_costs(catalog.models, Workload(1_234, 567, 1_000, "month"))
    for line in lines:
        record = line.record
        exact = exact_request(*on_page[record.model], 1_234, 567)
        assert Fraction(request_cost(record, 1_234, 567)) == exact, record.model
        assert Fraction(line.per_request_usd) == exact and Fraction(line.per_month_usd) == exact * 1_000, record.model
    # The example: a float made this $0.06537000000000001 a month.
    found = next(line for line in lines if line.record.model == "meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert found.per_month_usd == Decimal("0.06537") and usd(found.per_month_usd, 6) == "$0.06537"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prices=prices,
    tokens_in=tokens,
    tokens_out=tokens,
    count=requests,
    period=st.sampled_from(["day", "month"]),
    budget=budgets,
    baseline_at=st.one_of(st.none(), st.integers(0, 7)),
)
def test_every_compare_cost_and_its_csv_are_the_exact_rational_cost(
    prices, tokens_in, tokens_out, count, period, budget, baseline_at
):
    records = build_catalog([parse_page(page(prices))]).models
    written_as = {f"vendor/model-{n}": pair for n, pair in enumerate(prices)}
    baseline = records[baseline_at % len(records)] if baseline_at is not None else None
    workload = Workload(tokens_in, tokens_out, count, period)
    lines = workload_costs(records, workload, baseline, budget)

    def per_request(record: ModelRecord) -> Fraction:
        return exact_request(*written_as[record.model], tokens_in, tokens_out)

    requests_exact = Fraction(repr(count)) if isinstance(count, float) else Fraction(count)
    month = requests_exact if period == "month" else requests_exact * DAYS_PER_MONTH
    day = requests_exact if period == "day" else requests_exact / DAYS_PER_MONTH
    budget_exact = None if budget is None else Fraction(repr(budget)) if isinstance(budget, float) else Fraction(budget)
    expected: dict[str, dict[str, Fraction | None]] = {}
    for record in records:
        cost = per_request(record)
        expected[record.model] = {
            "per_request_usd": cost,
            "per_day_usd": cost * day,
            "per_month_usd": cost * month,
            "savings_usd_per_month": None if baseline is None else (per_request(baseline) - cost) * month,
            "budget_left_usd_per_month": None if budget_exact is None else budget_exact - cost * month,
        }
    # Cheapest first by the exact cost, ties by model id.
    assert [line.record.model for line in lines] == sorted(expected, key=lambda m: (expected[m]["per_request_usd"], m))
    for line in lines:
        want = expected[line.record.model]
        for name in AMOUNTS:
            found, exact = getattr(line, name), want[name]
            if exact is None:
                assert found is None, name
            elif name == "per_day_usd" and period == "month":
                assert same_to_last_digit(found, exact), name  # a month ÷ 30 may not end: cut at 1e-12 USD
            else:
                assert Fraction(found) == exact, name  # every other amount ends, and is exact to its last digit
        cost = want["per_request_usd"]
        assert cost is not None
        if budget_exact is not None:
            bought = None if cost == 0 else min(MAX_REQUESTS_IN_BUDGET, math.floor(budget_exact / cost))
            assert line.requests_per_month_in_budget == bought
    # Compare's CSV: every amount's digits, no exponent, no float noise.
    table = list(csv.DictReader(io.StringIO(to_csv(costs_frame(lines)).decode())))
    assert [row["model"] for row in table] == [line.record.model for line in lines]
    for row in table:
        want = expected[row["model"]]
        for name in AMOUNTS:
            exact = want[name]
            if exact is None:
                assert name not in row or row[name] == "", name
                continue
            assert "E" not in row[name] and "e" not in row[name], row[name]
            if name == "per_day_usd" and period == "month":
                assert same_to_last_digit(row[name], exact), name
            else:
                assert Fraction(row[name]) == exact, name
    # rank_by_cost and request_cost: the same exact figures.
    ranked = rank_by_cost(records, tokens_in, tokens_out, count)
    for line in ranked:
        cost = per_request(line.record)
        assert Fraction(line.per_request_usd) == cost and Fraction(line.total_usd) == cost * requests_exact
        assert Fraction(request_cost(line.record, tokens_in, tokens_out)) == cost
    order = [(line.total_usd, line.record.model) for line in ranked]
    assert order == sorted(order)


def replied(record: ModelRecord, tokens_in: int, tokens_out: int, number: int):
    """A trial of `record` as the gateway client records one: a reply whose usage reports these tokens."""
    state = ReplyState(record, 0.0, clock=lambda: 1.0)
    state.apply({"id": f"r{number}", "choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]})
    state.apply({"choices": [], "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out}})
    state.finish()
    return trial_from_result(state.result(None), record, origin="run", prompt_chars=2, run_id=1, prompt_number=number)


# A run report's JSON number keeps 15 significant digits: costs under $1,000 a request, cut at 1e-12 USD.
small_price = places.flatmap(lambda digits: st.decimals(0, 100, places=digits)).map(str)
report_prices = st.lists(st.tuples(small_price, small_price), min_size=1, max_size=3)
usages = st.lists(st.tuples(st.integers(0, 1_000_000), st.integers(0, 100_000)), min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(prices=report_prices, usages=usages)
def test_a_run_reports_json_and_csv_cost_is_the_exact_mean_of_each_replys_cost(prices, usages):
    records = build_catalog([parse_page(page(prices))]).models
    trials = [replied(record, i, o, n) for record in records for n, (i, o) in enumerate(usages)]
    run = Run(1, "exact", dt.datetime(2026, 12, 7), "finished", len(usages), 1,
              tuple((r.provider, r.model) for r in records), RunSettings())  # fmt: skip
    report = run_report(run, trials)
    document = json.loads(report.json_text(), parse_float=Decimal)
    rows = {row["model"]: row for row in csv.DictReader(io.StringIO(report.csv_text()))}
    for line, (p_in, p_out) in zip(document["models"], prices, strict=True):
        exact = sum(exact_request(p_in, p_out, i, o) for i, o in usages) / len(usages)
        assert isinstance(line["cost_usd_mean"], Decimal | int)  # a JSON number, not a string
        assert same_to_last_digit(line["cost_usd_mean"], exact), line["model"]
        assert same_to_last_digit(rows[line["model"]]["cost_usd_mean"], exact), line["model"]
