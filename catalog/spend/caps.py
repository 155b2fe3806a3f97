"""The operator's caps on spending, the bounds on what a visitor may set, and a request's worst case.

A refusal says which cap, how much of it is left and when it resets, in words a visitor reads as is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.costs import prompt_token_bound, request_cost, usd
from catalog.records import Catalog, CatalogError, ModelRecord
from catalog.settings import Settings

SESSION_HOURLY, DAILY, PER_RUN = "session_hourly", "daily", "per_run"
#: The settings of `Caps` and of `VisitorBounds`, in their fields' order.
CAP_SETTINGS = ("CATALOG_SPEND_SESSION_HOURLY_USD", "CATALOG_SPEND_DAILY_USD", "CATALOG_SPEND_RUN_USD")
BOUND_SETTINGS = tuple(f"CATALOG_VISITOR_MAX_{name}" for name in ("TOKENS", "REPEATS", "PROMPTS", "CONCURRENCY"))
CAP_NAMES = {
    SESSION_HOURLY: "this session's hourly cap",
    DAILY: "the daily cap for all visitors",
    PER_RUN: "this run's cap",
}


def worst_case_usd(record: ModelRecord, contents: Sequence[str], max_tokens: int) -> float:
    """The most one request can cost: every token its messages' `contents` can count as (the runner's bound,
    `catalog.costs.prompt_token_bound`), plus every token it may write."""
    return float(
        request_cost(record, prompt_token_bound(contents or [""]), max_tokens)
    )  # a guard, in the ledger's floats


class Unpriced(CatalogError):
    """A model the operator's own catalog does not list: it is not sent on the operator's credential."""


def operators_record(catalog: Catalog, record: ModelRecord) -> ModelRecord:
    """`record` as the operator's `catalog` lists it (its price and its provider's address are what the operator's
    credential pays and sends to), whatever page the visitor's view was read from; `Unpriced` when it has none."""
    found = catalog.find(record.model, record.provider)
    if found is None:
        raise Unpriced(
            f"{record.model} ({record.provider}) is not in this server's own catalog (a page uploaded in this "
            "session lists it), so it is not sent on the operator's credential: paste your own credential to try it."
        )
    return found


@dataclass(frozen=True, slots=True)
class Caps:
    """What the operator's credential may spend in the dashboard: per session per hour, per UTC day, per run."""

    session_hourly_usd: float
    daily_usd: float
    run_usd: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Caps:
        return cls(*(settings.number(name) for name in CAP_SETTINGS))


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request not sent: the cap it would pass, that cap, what is left of it, and when it resets (None: never)."""

    cap: str
    limit_usd: float
    left_usd: float
    worst_usd: float
    resets_at: dt.datetime | None

    def message(self, now: dt.datetime) -> str:
        left = max(self.left_usd, 0.0)
        text = (
            f"Not sent: {CAP_NAMES[self.cap]} is {usd(self.limit_usd, significant=3)}, {usd(left, significant=3)} "
            f"of it is left, and this request could cost up to {usd(self.worst_usd, significant=3)}."
        )
        if self.worst_usd > self.limit_usd:
            return text + " A request this large never fits in the cap: lower the max tokens or shorten the prompt."
        if self.resets_at is None:
            return text + " Start a new run, or lower the max tokens."
        wait = max(0, math.ceil((self.resets_at - now).total_seconds() / 60))
        return text + f" It resets at {self.resets_at:%H:%M} UTC (in {_minutes(wait)})."


def _minutes(minutes: int) -> str:
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min"


class CapReached(CatalogError):
    """A request would pass one of the operator's caps, so it is not sent."""

    def __init__(self, refusal: Refusal, now: dt.datetime) -> None:
        super().__init__(refusal.message(now))
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class VisitorBounds:
    """The most a visitor spending the operator's credential may ask for (the operator's settings)."""

    max_tokens: int
    max_repeats: int
    max_prompts: int
    max_concurrency: int

    @classmethod
    def from_settings(cls, settings: Settings) -> VisitorBounds:
        return cls(*(settings.whole(name) for name in BOUND_SETTINGS))

    def too_many_tokens(self, max_tokens: int | None) -> str | None:
        """Why a reply of up to `max_tokens` may not be asked for on the operator's credential (None: it may)."""
        if max_tokens is None or max_tokens <= self.max_tokens:
            return None
        return f"On the operator's credential a reply may have at most {self.max_tokens:,} max tokens."


def visitor_run_problems(
    bounds: VisitorBounds, *, prompts: int, repeat: int, concurrency: int, max_tokens: int, max_usd: float | None
) -> list[str]:
    """Why a visitor's run on the operator's credential may not start, one plain sentence each (none: it may)."""
    problems = []
    if prompts > bounds.max_prompts:
        problems.append(f"at most {bounds.max_prompts:,} prompts per run, not {prompts:,}")
    if repeat > bounds.max_repeats:
        problems.append(f"at most {bounds.max_repeats:,} repeats, not {repeat:,}")
    if concurrency > bounds.max_concurrency:
        problems.append(f"at most {bounds.max_concurrency:,} requests in flight, not {concurrency:,}")
    if max_tokens > bounds.max_tokens:
        problems.append(f"at most {bounds.max_tokens:,} max tokens, not {max_tokens:,}")
    if not max_usd or max_usd <= 0:
        problems.append("a budget above $0.00")
    return problems
