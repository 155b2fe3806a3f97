"""A workload's monthly cost on each model: presets, savings against a baseline, budgets, token estimates.

Conventions, shown in the dashboard next to the figures they produce:

- a month is `DAYS_PER_MONTH` = 30 days, so a daily cost × 30 is the monthly cost a person can check by hand;
- a pasted prompt's tokens are estimated as characters ÷ 4 (rounded up), OpenAI's rule of thumb for
  English text; other tokenizers and languages differ, so the figure is labelled approximate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal, NamedTuple

from catalog.costs import (
    EXACT,
    PER_TOKEN_CACHE,
    QUOTIENT_QUANTUM,
    Number,
    exact,
    per_token_usd,
    request_cost,
)
from catalog.limits import window_of
from catalog.records import ModelRecord

#: Days in a billing month, by this dashboard's convention.
DAYS_PER_MONTH = 30
THIRTY = Decimal(DAYS_PER_MONTH)
#: Characters per token in the rough estimate of a pasted prompt's size.
CHARS_PER_TOKEN = 4
#: How the token estimate is made, in words, for the page to show.
TOKEN_ESTIMATE_RULE = "about 4 characters per token (OpenAI's rule of thumb for English; other tokenizers differ)"

#: Most requests a budget is said to buy: a count past any use, and one every table and export can hold
#: (a 64-bit integer); a near-free model under a large budget shows this.
MAX_REQUESTS_IN_BUDGET = 10**15

Period = Literal["day", "month"]
PERIODS: tuple[Period, ...] = ("day", "month")


@dataclass(frozen=True, slots=True)
class Workload:
    """Tokens per request and how many requests are made per `period`."""

    input_tokens: int
    output_tokens: int
    requests: float
    period: Period = "day"

    def __post_init__(self) -> None:
        if min(self.input_tokens, self.output_tokens, self.requests) < 0:
            raise ValueError("token and request counts cannot be negative")
        if self.period not in PERIODS:
            raise ValueError(f"period must be one of {PERIODS}, got {self.period!r}")

    @property
    def requests_per_day(self) -> float:
        return self.requests if self.period == "day" else self.requests / DAYS_PER_MONTH

    @property
    def requests_per_month(self) -> float:
        return self.requests * DAYS_PER_MONTH if self.period == "day" else self.requests


@dataclass(frozen=True, slots=True)
class Preset:
    """A typical request shape people start from."""

    name: str
    input_tokens: int
    output_tokens: int
    description: str


#: Request shapes for the calculator's preset menu, in the order shown.
PRESETS: tuple[Preset, ...] = (
    Preset("Chat turn", 1_000, 300, "a chat message with some history, a short answer"),
    Preset("RAG answer", 4_000, 400, "a question with retrieved passages, a grounded answer"),
    Preset("Long-document summary", 50_000, 1_000, "a long report in, a one-page summary out"),
    Preset("Code generation", 2_000, 1_500, "a file of context and an instruction, a function out"),
    Preset("Batch classification", 300, 5, "a short text in, a label out"),
)


def preset(name: str) -> Preset:
    """The preset called `name`."""
    for candidate in PRESETS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


# A NamedTuple, not a frozen dataclass, as `ModelRecord` is: as immutable and typed, and made several times
# faster (a frozen dataclass sets each field through `object.__setattr__`). Compare makes one per model on every
# rerun, and that time now pays for exact amounts (bench/bench_interop.py).
class WorkloadCost(NamedTuple):
    """One model's cost for a workload, against the cheapest model, a baseline and a budget.

    Amounts are exact `Decimal`s from the page's digits (`catalog.costs`); a day's cost when the workload is
    counted per month is a month's ÷ 30, cut at 1e-12 USD when 30 does not divide the count. The ratios
    (`times_cheapest`, `savings_pct`) are floats, the quotients of the amounts' nearest floats: shown to 2 and 1
    decimals, they are not amounts.
    `budget_left_usd_per_month` is the headroom a monthly budget leaves (negative: the overrun).
    `overflowed_window` is the model's cited context window when one request's tokens in and out exceed it
    (such a model is never "the cheapest"); None when the request fits or the window is unknown. One field,
    not two: Compare builds a line per model on every rerun.
    """

    record: ModelRecord
    per_request_usd: Decimal
    per_day_usd: Decimal
    per_month_usd: Decimal
    times_cheapest: float | None
    savings_usd_per_month: Decimal | None
    savings_pct: float | None
    requests_per_month_in_budget: int | None
    budget_left_usd_per_month: Decimal | None
    overflowed_window: int | None = None

    @property
    def fits(self) -> bool:
        """Whether one request fits the model's context window (an unknown window is not held against it)."""
        return self.overflowed_window is None


def overflowed_windows(records: Iterable[ModelRecord], workload: Workload) -> list[int | None]:
    """Per record, its cited context window where one request (tokens in + out) overflows it, else None."""
    tokens = workload.input_tokens + workload.output_tokens
    found = [window_of(record) for record in records]
    return [window if window is not None and tokens > window else None for window in found]


def requests_within_budget(per_request_usd: Number, budget_usd_per_month: Number) -> int | None:
    """Whole requests a monthly budget pays for, at most `MAX_REQUESTS_IN_BUDGET`; None when requests are free.

    Exact: $10 at $0.001 a request buys 10,000, no float tolerance needed."""
    if budget_usd_per_month < 0:
        raise ValueError("a budget cannot be negative")
    if per_request_usd <= 0:
        return None
    with localcontext(EXACT):
        return _bought(exact(per_request_usd), exact(budget_usd_per_month))


def _bought(cost: Decimal, budget: Decimal) -> int | None:
    # In the EXACT context: the whole requests `budget` buys at `cost`, at most MAX_REQUESTS_IN_BUDGET.
    if cost <= 0:
        return None
    return MAX_REQUESTS_IN_BUDGET if cost * MAX_REQUESTS_IN_BUDGET <= budget else int(budget // cost)


def savings(cost_usd: Number, baseline_usd: Number) -> tuple[Decimal, float | None]:
    """What choosing a model saves against the baseline: $ exactly (positive = cheaper) and % of the baseline."""
    cost, baseline = exact(cost_usd), exact(baseline_usd)
    with localcontext(EXACT):
        saved = baseline - cost
        return saved, (100 * float(saved) / float(baseline) if baseline > 0 else None)


def workload_costs(
    records: Iterable[ModelRecord],
    workload: Workload,
    baseline: ModelRecord | None = None,
    budget_usd_per_month: Number | None = None,
) -> list[WorkloadCost]:
    """Every model's cost for the workload, cheapest first, with savings against `baseline` (in the list or not)."""
    tokens_in, tokens_out = exact(workload.input_tokens), exact(workload.output_tokens)
    cached, convert = PER_TOKEN_CACHE.get, per_token_usd
    with localcontext(EXACT):
        priced = [
            (
                record,
                (cached(record.input_usd_per_mtok) or convert(record.input_usd_per_mtok)) * tokens_in
                + (cached(record.output_usd_per_mtok) or convert(record.output_usd_per_mtok)) * tokens_out,
            )
            for record in records
        ]
    base = None if baseline is None else request_cost(baseline, workload.input_tokens, workload.output_tokens)
    return cost_lines(priced, workload, base, budget_usd_per_month)


def cost_lines(
    priced: Iterable[tuple[ModelRecord, Decimal]],
    workload: Workload,
    baseline_per_request_usd: Decimal | None = None,
    budget_usd_per_month: Number | None = None,
) -> list[WorkloadCost]:
    """Compare's lines from each model's exact cost of one request, cheapest first: a day's and a month's cost,
    times the cheapest model that fits, savings against the baseline's request cost, what the budget buys."""
    if budget_usd_per_month is not None and budget_usd_per_month < 0:
        raise ValueError("a budget cannot be negative")
    # Sorted as plain tuples, cheapest first, ties by model id then input order. The float leads: floats compare
    # several times faster than Decimals, and rounding keeps the order; only costs that round to the same float
    # are told apart by the exact cost. It is also what the ratio to the cheapest is taken from (below).
    ranked = sorted((float(cost), cost, record.model, index, record) for index, (record, cost) in enumerate(priced))
    overflows = overflowed_windows([item[4] for item in ranked], workload)
    cheapest = next((item[0] for item, over in zip(ranked, overflows, strict=True) if over is None), 0.0)
    requests = exact(workload.requests)
    monthly = workload.period == "month"
    budget = None if budget_usd_per_month is None else exact(budget_usd_per_month)
    result = []
    with localcontext(EXACT):
        month_requests = requests if monthly else requests * DAYS_PER_MONTH
        day_requests = requests / DAYS_PER_MONTH if monthly else requests
        # A month's count that 30 divides (300,000) makes a day's cost a product, exact; any other a quotient.
        by_product = day_requests * DAYS_PER_MONTH == month_requests
        base_month = None if baseline_per_request_usd is None else baseline_per_request_usd * month_requests
        base_month_float = None if base_month is None else float(base_month)
        for (rough, per_request, _, _, record), overflowed in zip(ranked, overflows, strict=True):
            per_month = per_request * month_requests
            if base_month is None:
                saved, saved_pct = None, None
            else:
                saved = base_month - per_month
                saved_pct = 100 * float(saved) / base_month_float if base_month_float else None
            result.append(
                WorkloadCost(
                    record,
                    per_request,
                    per_request * day_requests if by_product else (per_month / THIRTY).quantize(QUOTIENT_QUANTUM),
                    per_month,
                    rough / cheapest if cheapest else None,  # a ratio, not an amount: shown to 2 decimals
                    saved,
                    saved_pct,
                    None if budget is None or per_request <= 0 else _bought(per_request, budget),
                    None if budget is None else budget - per_month,
                    overflowed,
                )
            )
    return result


@dataclass(frozen=True, slots=True)
class TokenEstimate:
    """A rough token count of a text, with the rule that made it."""

    characters: int
    tokens: int
    rule: str = TOKEN_ESTIMATE_RULE


def estimate_tokens(text: str) -> TokenEstimate:
    """Approximate tokens in `text`: characters ÷ 4, rounded up."""
    return TokenEstimate(characters=len(text), tokens=math.ceil(len(text) / CHARS_PER_TOKEN))
