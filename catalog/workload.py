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
from typing import Literal

from catalog.costs import rank_by_cost, request_cost
from catalog.limits import window_of
from catalog.records import ModelRecord

#: Days in a billing month, by this dashboard's convention.
DAYS_PER_MONTH = 30
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


@dataclass(frozen=True, slots=True)
class WorkloadCost:
    """One model's cost for a workload, against the cheapest model, a baseline and a budget.

    `budget_left_usd_per_month` is the headroom a monthly budget leaves (negative: the overrun).
    `overflowed_window` is the model's cited context window when one request's tokens in and out exceed it
    (such a model is never "the cheapest"); None when the request fits or the window is unknown. One field,
    not two: Compare builds a line per model on every rerun (bench/bench_interop.py).
    """

    record: ModelRecord
    per_request_usd: float
    per_day_usd: float
    per_month_usd: float
    times_cheapest: float | None
    savings_usd_per_month: float | None
    savings_pct: float | None
    requests_per_month_in_budget: int | None
    budget_left_usd_per_month: float | None
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


def requests_within_budget(per_request_usd: float, budget_usd_per_month: float) -> int | None:
    """Whole requests a monthly budget pays for, at most `MAX_REQUESTS_IN_BUDGET`; None when requests are free."""
    if budget_usd_per_month < 0:
        raise ValueError("a budget cannot be negative")
    if per_request_usd <= 0:
        return None
    # The tiny tolerance keeps $10 ÷ $0.001 at 10,000 despite binary floating point.
    count = budget_usd_per_month / per_request_usd + 1e-9
    return MAX_REQUESTS_IN_BUDGET if count >= MAX_REQUESTS_IN_BUDGET else math.floor(count)


def savings(cost_usd: float, baseline_usd: float) -> tuple[float, float | None]:
    """What choosing a model saves against the baseline: $ (positive = cheaper) and % of the baseline."""
    saved = baseline_usd - cost_usd
    return saved, (100.0 * saved / baseline_usd if baseline_usd > 0 else None)


def workload_costs(
    records: Iterable[ModelRecord],
    workload: Workload,
    baseline: ModelRecord | None = None,
    budget_usd_per_month: float | None = None,
) -> list[WorkloadCost]:
    """Every model's cost for the workload, cheapest first, with savings against `baseline` (in the list or not)."""
    lines = rank_by_cost(records, workload.input_tokens, workload.output_tokens, 1)
    overflows = overflowed_windows([line.record for line in lines], workload)
    cheapest = next((line.per_request_usd for line, over in zip(lines, overflows, strict=True) if over is None), 0.0)
    base_month = (
        request_cost(baseline, workload.input_tokens, workload.output_tokens) * workload.requests_per_month
        if baseline is not None
        else None
    )
    result = []
    for line, overflowed in zip(lines, overflows, strict=True):
        per_month = line.per_request_usd * workload.requests_per_month
        saved, saved_pct = savings(per_month, base_month) if base_month is not None else (None, None)
        in_budget = (
            requests_within_budget(line.per_request_usd, budget_usd_per_month)
            if budget_usd_per_month is not None
            else None
        )
        result.append(
            WorkloadCost(
                record=line.record,
                per_request_usd=line.per_request_usd,
                per_day_usd=line.per_request_usd * workload.requests_per_day,
                per_month_usd=per_month,
                times_cheapest=line.per_request_usd / cheapest if cheapest > 0 else None,
                savings_usd_per_month=saved,
                savings_pct=saved_pct,
                requests_per_month_in_budget=in_budget,
                budget_left_usd_per_month=None if budget_usd_per_month is None else budget_usd_per_month - per_month,
                overflowed_window=overflowed,
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
