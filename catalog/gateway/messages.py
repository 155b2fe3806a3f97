"""The values a chat exchange is made of: messages, sampling parameters, the request, and the reply's parts.

Plain frozen data: nothing here opens a socket or knows a credential.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from catalog.gateway.errors import GatewayError, MalformedChunk
from catalog.records import ModelRecord

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message as the API takes it."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {self.role!r}")


@dataclass(frozen=True, slots=True)
class ChatParams:
    """Sampling parameters, checked against the ranges DeepInfra accepts."""

    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int | None = 1024
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError(f"temperature must be between 0 and 2, got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be above 0 and at most 1, got {self.top_p}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")
        if len(self.stop) > 4 or not all(self.stop):
            raise ValueError("stop takes up to 4 non-empty sequences")


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A chat request for one catalog model; `target_url` comes from the catalog's provider metadata."""

    record: ModelRecord
    target_url: str
    messages: tuple[Message, ...]
    params: ChatParams = ChatParams()

    def body(self, *, stream: bool) -> dict[str, Any]:
        """The JSON body sent upstream."""
        body: dict[str, Any] = {
            "model": self.record.model,
            "messages": [{"role": message.role, "content": message.content} for message in self.messages],
            "stream": stream,
            "temperature": self.params.temperature,
            "top_p": self.params.top_p,
        }
        if self.params.max_tokens is not None:
            body["max_tokens"] = self.params.max_tokens
        if self.params.stop:
            body["stop"] = list(self.params.stop)
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body


@dataclass(frozen=True, slots=True)
class ReplyLimits:
    """How long a reply may take in all (keep-alive waits included) and how much text it may hold."""

    deadline_s: float = 600.0
    max_chars: int = 1_000_000


#: The largest token count a reply's usage may report; anything above (or not a whole number) is not believed.
MAX_REPORTED_TOKENS = 10**9
#: The largest cost estimate believed for one reply, in USD.
MAX_REPORTED_USD = 1e6


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts the provider reported, and its own cost estimate when it sent one.

    Usage is untrusted input: every count is a whole number from 0 to `MAX_REPORTED_TOKENS` and the estimate a
    finite amount ≥ 0, or the reply is marked incomplete (`problem`): a count is not guessed, an estimate dropped.
    """

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    estimated_cost_usd: float | None = None
    cached_tokens: int | None = None
    #: Hidden reasoning tokens (counted in `completion_tokens`), where the upstream reports them.
    reasoning_tokens: int | None = None
    #: Why part of this usage was not believed (an estimate out of bounds); None when all of it was.
    problem: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Usage:
        """Usage from a reply's `usage` object; MalformedChunk when a token count is not a count within bounds."""
        prompt, completion = _token_count(data, "prompt_tokens"), _token_count(data, "completion_tokens")
        estimated, problem = _estimate(data.get("estimated_cost"))
        details = data.get("prompt_tokens_details")
        output_details = data.get("completion_tokens_details")
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=_token_count(data, "total_tokens") or prompt + completion,
            estimated_cost_usd=estimated,
            cached_tokens=_optional_count(details.get("cached_tokens")) if isinstance(details, dict) else None,
            reasoning_tokens=(
                _optional_count(output_details.get("reasoning_tokens")) if isinstance(output_details, dict) else None
            ),
            problem=problem,
        )


def _whole_count(value: Any) -> int | None:
    """`value` as a token count (an int, or a float with no fraction) from 0 to MAX_REPORTED_TOKENS; else None."""
    if type(value) is float and value.is_integer() and 0 <= value <= MAX_REPORTED_TOKENS:
        return int(value)  # NaN and ±inf are not `is_integer`; the bound is checked before any int() of a huge float
    if type(value) is int and 0 <= value <= MAX_REPORTED_TOKENS:
        return value
    return None


def _token_count(usage: dict[str, Any], name: str) -> int:
    """A whole token count within bounds (absent or null counts as 0)."""
    value = usage.get(name)
    if value is None:
        return 0
    count = _whole_count(value)
    if count is None:
        raise MalformedChunk(
            f"The reply's usage gave {name} that is not a whole number from 0 to {MAX_REPORTED_TOKENS:,}; its "
            "tokens and cost are unknown and the reply is marked incomplete."
        )
    return count


def _optional_count(value: Any) -> int | None:
    """A detail count (cached, reasoning): within bounds, or unknown."""
    return None if type(value) is bool else _whole_count(value)


def _estimate(value: Any) -> tuple[float | None, str | None]:
    """The provider's cost estimate if it is a finite amount ≥ 0 (None when absent), and what was wrong with it."""
    if value is None:
        return None, None
    if type(value) in (int, float) and 0 <= value <= MAX_REPORTED_USD:  # NaN fails both comparisons, ±inf one
        return float(value), None
    return None, "The provider's cost estimate is not a finite amount of at least $0; it is recorded as unknown."


class Delta(NamedTuple):
    """A piece of the reply: answer text, reasoning text, or both (a tuple: cheap on the hot path)."""

    content: str = ""
    reasoning: str = ""


@dataclass(frozen=True, slots=True)
class ChatResult:
    """A finished (or abandoned) reply with its usage, timing and cost."""

    model: str
    content: str
    reasoning: str
    usage: Usage | None
    finish_reason: str | None
    request_id: str | None
    ttft_s: float | None
    total_s: float
    cost_usd: float | None
    #: Set when the reply is incomplete (cut off, malformed, timed out, too long, cancelled); the text is what arrived.
    error: GatewayError | None = field(default=None, compare=False)
    streamed_deltas: int = 0
    provider: str = ""

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def tokens_per_s(self) -> float | None:
        """Output tokens per second of generation: after the first token when streamed, else over the call."""
        if self.usage is None or self.usage.completion_tokens == 0:
            return None
        generation = self.total_s
        if self.ttft_s is not None and self.streamed_deltas > 1 and self.total_s > self.ttft_s:
            generation = self.total_s - self.ttft_s
        return self.usage.completion_tokens / generation if generation > 0 else None
