"""A run's records, and a finished reply (or a failed request) as a `Trial`: metrics always, text only when asked."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from catalog.gateway.errors import GatewayError
from catalog.gateway.messages import ChatRequest, ChatResult
from catalog.records import ModelRecord

ORIGINS = ("playground", "side_by_side", "run")
#: A run's status while it runs, and the ways it ends.
RUNNING, FINISHED = "running", "finished"
STOPPED_BUDGET, STOPPED_PAYMENT, STOPPED_AUTH, INTERRUPTED = (
    "stopped: budget",
    "stopped: payment required",
    "stopped: authentication failed",
    "interrupted",
)

ModelName = tuple[str, str]  # (provider, model id)


def now() -> dt.datetime:
    """UTC, without a time zone (the store's DateTime columns are naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How a run was started; kept so that `--resume` sends the same requests."""

    max_tokens: int | None = 1024
    temperature: float = 1.0
    concurrency: int = 4
    max_usd: float | None = None
    keep_text: bool = True
    #: `--judge`: the model that grades judge checks without a judge of their own (issue 19).
    judge: str | None = None


@dataclass(frozen=True, slots=True)
class RunPrompt:
    """One prompt of a run: its number, a label (the file's `id`, or its line), digest, size and messages."""

    number: int
    label: str
    sha256: str
    chars: int
    #: ((role, content), ...); empty when the run kept no text.
    messages: tuple[tuple[str, str], ...] = ()
    max_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    name: str
    created_at: dt.datetime
    status: str
    prompts: int
    repeat: int
    models: tuple[ModelName, ...]
    settings: RunSettings
    message: str | None = None


class Trial(NamedTuple):
    """One measured reply. Token counts and timings are None where the upstream did not report them.

    A NamedTuple rather than a frozen dataclass: a run's report builds one per trial from its row, and a frozen
    dataclass's `__init__` (a `object.__setattr__` per field) was most of the time to read a 10,000-trial run.
    """

    provider: str
    model: str
    outcome: str  # "ok", "incomplete", or the error's kind ("rate_limited", "upstream_error", ...)
    origin: str = "run"
    run_id: int | None = None
    prompt_number: int | None = None
    repetition: int | None = None
    model_key: str | None = None
    error: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None
    ttft_ms: float | None = None
    total_ms: float | None = None
    output_tokens_per_s: float | None = None
    cost_usd: float | None = None
    estimated_cost_usd: float | None = None
    request_id: str | None = None
    prompt_chars: int = 0
    reply_chars: int = 0
    reasoning_chars: int = 0
    reply_text: str | None = None
    billed_usd: Decimal | None = None
    billed_final: bool | None = None
    created_at: dt.datetime | None = None
    id: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def cell(self) -> tuple[int | None, int | None, str, str]:
        """Where the trial sits in its run: (prompt, repetition, provider, model)."""
        return self.prompt_number, self.repetition, self.provider, self.model


_CAPITAL = re.compile(r"(?<!^)([A-Z])")


def error_kind(error: GatewayError) -> str:
    """`RateLimited` → `rate_limited`: the outcome a failed trial is recorded with."""
    return _CAPITAL.sub(r"_\1", type(error).__name__).lower()


def trial_from_result(
    result: ChatResult,
    record: ModelRecord,
    *,
    origin: str,
    prompt_chars: int,
    keep_text: bool = False,
    run_id: int | None = None,
    prompt_number: int | None = None,
    repetition: int | None = None,
) -> Trial:
    """A reply's metrics as a trial; its text only with `keep_text` (a run's answers, never a playground chat)."""
    usage = result.usage
    return Trial(
        **_which(record, origin, run_id, prompt_number, repetition),
        outcome="ok" if result.complete else "incomplete",
        error=None if result.error is None else str(result.error),
        input_tokens=None if usage is None else usage.prompt_tokens,
        output_tokens=None if usage is None else usage.completion_tokens,
        reasoning_tokens=None if usage is None else usage.reasoning_tokens,
        cached_input_tokens=None if usage is None else usage.cached_tokens,
        ttft_ms=None if result.ttft_s is None else result.ttft_s * 1000,
        total_ms=result.total_s * 1000,
        output_tokens_per_s=result.tokens_per_s,
        cost_usd=_amount(result.cost_usd),
        estimated_cost_usd=None if usage is None else _amount(usage.estimated_cost_usd),
        request_id=result.request_id,
        prompt_chars=prompt_chars,
        reply_chars=len(result.content),
        reasoning_chars=len(result.reasoning),
        reply_text=result.content if keep_text else None,
    )


def _amount(value: float | None) -> float | None:
    """A cost as the store keeps it: finite and ≥ 0, else unknown (the gateway checks usage; this is the last guard
    before a figure reaches a report, JSON or the screen)."""
    return value if value is not None and 0.0 <= value < math.inf else None


def _which(
    record: ModelRecord, origin: str, run_id: int | None, prompt_number: int | None, repetition: int | None
) -> dict[str, Any]:
    """Which model, and where the request came from: the fields every trial starts with."""
    return {
        "provider": record.provider, "model": record.model, "model_key": record.model_key, "origin": origin,
        "run_id": run_id, "prompt_number": prompt_number, "repetition": repetition,
    }  # fmt: skip


def trial_from_error(
    error: GatewayError,
    record: ModelRecord,
    *,
    origin: str,
    prompt_chars: int,
    total_s: float | None = None,
    run_id: int | None = None,
    prompt_number: int | None = None,
    repetition: int | None = None,
) -> Trial:
    """A request that got no reply: its kind and message (already redacted by the client)."""
    return Trial(
        **_which(record, origin, run_id, prompt_number, repetition),
        outcome=error_kind(error),
        error=str(error),
        total_ms=None if total_s is None else total_s * 1000,
        request_id=error.request_id,
        prompt_chars=prompt_chars,
    )


def reply_trial(request: ChatRequest, outcome: ChatResult | GatewayError, origin: str = "playground") -> Trial:
    """A Playground reply (or its failure) as a trial, with the prompt's length: `origin` says which part of the
    Playground sent it (`playground`, `side_by_side`). Metrics only, never the text."""
    chars = sum(len(message.content) for message in request.messages)
    if isinstance(outcome, GatewayError):
        return trial_from_error(outcome, request.record, origin=origin, prompt_chars=chars)
    return trial_from_result(outcome, request.record, origin=origin, prompt_chars=chars)
