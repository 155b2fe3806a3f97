"""A finished reply (or a failed request) as a store `Trial`: metrics always, text only when asked for."""

from __future__ import annotations

import re
from typing import Any

from catalog.chat.errors import GatewayError
from catalog.chat.messages import ChatResult
from catalog.records import ModelRecord
from catalog.store.trials import Trial

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
        cost_usd=result.cost_usd,
        estimated_cost_usd=None if usage is None else usage.estimated_cost_usd,
        request_id=result.request_id,
        prompt_chars=prompt_chars,
        reply_chars=len(result.content),
        reasoning_chars=len(result.reasoning),
        reply_text=result.content if keep_text else None,
    )


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
