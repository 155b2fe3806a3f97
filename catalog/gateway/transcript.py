"""The conversation: its turns, each reply's metrics, the session's totals, and exports.

Plain data and functions, so the Streamlit page only reads widgets and renders. No credential ever enters a
`Turn`; exports take the config's `redact` as a last guard for text a model or gateway echoed back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from catalog.costs import usd
from catalog.gateway.errors import GatewayError
from catalog.gateway.messages import ChatParams, ChatResult, Message
from catalog.literal import code_span


@dataclass(frozen=True, slots=True)
class ReplyMetrics:
    """What one reply cost and how fast it came."""

    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    estimated_cost_usd: float | None
    ttft_s: float | None
    total_s: float
    tokens_per_s: float | None
    request_id: str | None

    @classmethod
    def from_result(cls, result: ChatResult) -> ReplyMetrics:
        usage = result.usage
        return cls(
            prompt_tokens=None if usage is None else usage.prompt_tokens,
            completion_tokens=None if usage is None else usage.completion_tokens,
            cost_usd=result.cost_usd,
            estimated_cost_usd=None if usage is None else usage.estimated_cost_usd,
            ttft_s=result.ttft_s,
            total_s=result.total_s,
            tokens_per_s=result.tokens_per_s,
            request_id=result.request_id,
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation; an assistant turn carries its model, metrics and any failure."""

    role: str
    content: str
    model: str | None = None
    reasoning: str = ""
    metrics: ReplyMetrics | None = None
    #: A person-readable reason when the reply failed or is incomplete.
    error: str | None = None
    provider: str | None = None


def reply_turn(result: ChatResult) -> Turn:
    """The assistant turn for a reply, complete or not."""
    error = None if result.error is None else result.error.message
    metrics = ReplyMetrics.from_result(result)
    return Turn("assistant", result.content, result.model, result.reasoning, metrics, error, result.provider or None)


def failed_turn(model: str, error: GatewayError, provider: str | None = None) -> Turn:
    """The assistant turn for a request that got no reply at all."""
    return Turn("assistant", "", model, error=error.message, provider=provider)


def request_messages(turns: Iterable[Turn], system_prompt: str = "") -> tuple[Message, ...]:
    """The messages to send: the system prompt, then every turn that has text (failed replies are left out)."""
    messages = [Message("system", system_prompt.strip())] if system_prompt.strip() else []
    messages.extend(Message(turn.role, turn.content) for turn in turns if turn.content)
    return tuple(messages)


@dataclass(frozen=True, slots=True)
class SessionTotals:
    """Running totals over the session's replies."""

    replies: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    #: DeepInfra's own estimates added up; None when no reply carried one (it may be absent from streams).
    estimated_cost_usd: float | None = None


def session_totals(turns: Iterable[Turn]) -> SessionTotals:
    """Sum the metrics of every assistant reply that reported usage."""
    metrics = [turn.metrics for turn in turns if turn.metrics is not None]
    estimates = [m.estimated_cost_usd for m in metrics if m.estimated_cost_usd is not None]
    return SessionTotals(
        replies=len(metrics),
        prompt_tokens=sum(m.prompt_tokens or 0 for m in metrics),
        completion_tokens=sum(m.completion_tokens or 0 for m in metrics),
        cost_usd=sum(m.cost_usd or 0.0 for m in metrics),
        estimated_cost_usd=sum(estimates) if estimates else None,
    )


def money(amount: float | None) -> str:
    """A reply's cost: three significant digits however small, a dash when unknown."""
    return "—" if amount is None else usd(amount, significant=3)


def metrics_line(metrics: ReplyMetrics) -> str:
    """One caption line: tokens, cost (with DeepInfra's estimate), TTFT, speed, request id."""
    parts = []
    if metrics.prompt_tokens is not None:
        parts.append(f"{metrics.prompt_tokens} tokens in · {metrics.completion_tokens} out")
    cost = money(metrics.cost_usd)
    if metrics.estimated_cost_usd is not None:
        cost += f" (DeepInfra estimate {money(metrics.estimated_cost_usd)})"
    parts.append(cost)
    if metrics.ttft_s is not None:
        parts.append(f"first token {metrics.ttft_s:.2f} s")
    parts.append(f"total {metrics.total_s:.2f} s")
    if metrics.tokens_per_s is not None:
        parts.append(f"{metrics.tokens_per_s:.1f} tokens/s")
    if metrics.request_id:
        parts.append(f"id {code_span(metrics.request_id)}")
    return " · ".join(parts)


def totals_line(totals: SessionTotals) -> str:
    """One line for the session: replies, tokens, cost (with DeepInfra's estimates when it sent any)."""
    replies = "1 reply" if totals.replies == 1 else f"{totals.replies} replies"
    line = f"{replies} · {totals.prompt_tokens} tokens in · {totals.completion_tokens} out · {money(totals.cost_usd)}"
    if totals.estimated_cost_usd is not None:
        line += f" (DeepInfra estimate {money(totals.estimated_cost_usd)})"
    return line


def _unchanged(text: str) -> str:
    return text


def export_json(
    turns: Sequence[Turn],
    *,
    system_prompt: str,
    params: ChatParams | None,
    redact: Callable[[str], str] = _unchanged,
) -> str:
    """The conversation as JSON: settings, messages with their metrics, totals."""
    document = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "system_prompt": redact(system_prompt),
        "params": asdict(params) if params is not None else None,
        "messages": [asdict(_redacted(turn, redact)) for turn in turns],
        "totals": asdict(session_totals(turns)),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _redacted(turn: Turn, redact: Callable[[str], str]) -> Turn:
    """`turn` with its texts redacted one by one (a JSON document redacted whole could lose its quotes)."""
    error = None if turn.error is None else redact(turn.error)
    return replace(turn, content=redact(turn.content), reasoning=redact(turn.reasoning), error=error)


def export_markdown(turns: Sequence[Turn], *, system_prompt: str, redact: Callable[[str], str] = _unchanged) -> str:
    """The conversation as a markdown document a person can read or paste."""
    lines = ["# Playground conversation", ""]
    if system_prompt.strip():
        lines += ["**System prompt:**", "", system_prompt.strip(), ""]
    for turn in turns:
        lines += [f"## {'You' if turn.role == 'user' else turn.model or 'Assistant'}", ""]
        if turn.reasoning:
            lines += ["> " + line for line in turn.reasoning.splitlines()] + [""]
        if turn.content:
            lines += [turn.content, ""]
        if turn.error:
            lines += [f"**{turn.error}**", ""]
        if turn.metrics is not None:
            lines += [f"_{metrics_line(turn.metrics)}_", ""]
    lines += ["---", "", f"Session: {totals_line(session_totals(turns))}", ""]
    return redact("\n".join(lines))
