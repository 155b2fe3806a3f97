"""The state of a reply as its chunks arrive: pure, so it is tested chunk by chunk without a socket.

`ReplyState.apply(chunk)` takes one decoded chunk (a JSON object) and returns the new text as a `Delta`
(or None); it raises a `GatewayError` for a chunk that breaks the protocol or reports an error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from catalog.costs import request_cost
from catalog.gateway.errors import GatewayError, MalformedChunk, UpstreamError, provider_message
from catalog.gateway.messages import ChatResult, Delta, Usage
from catalog.records import ModelRecord

NOT_TEXT = "A reply chunk had non-text content; the reply is incomplete."
#: Builds a Delta without NamedTuple's keyword-handling `__new__`: measurably faster per chunk.
_new_delta = tuple.__new__


def _no_redaction(text: str) -> str:
    return text


class ReplyState:
    """Text, reasoning, usage, finish reason and timing of one reply, built from its chunks."""

    def __init__(
        self,
        record: ModelRecord,
        started: float,
        *,
        max_chars: int = 1_000_000,
        redact: Callable[[str], str] = _no_redaction,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.record = record
        self.started = started
        self.max_chars = max_chars
        self.deltas: list[Delta] = []
        self.usage: Usage | None = None
        self.finish_reason: str | None = None
        self.response_id: str | None = None
        self.first_token_at: float | None = None
        self.finished_at: float | None = None
        self.error: GatewayError | None = None
        #: Set when the text reached `max_chars`: the last delta was cut to fit and nothing more is taken.
        self.full = False
        self._chars = 0
        self._redact = redact
        self._clock = clock

    @property
    def content(self) -> str:
        return "".join(delta.content for delta in self.deltas)

    def apply(self, chunk: dict[str, Any]) -> Delta | None:
        """Take one chunk's usage, finish reason and text (of choice 0); the hot path of a stream."""
        if self.response_id is None and isinstance(chunk.get("id"), str):
            self.response_id = chunk["id"]
        if "usage" in chunk and isinstance(chunk["usage"], dict):
            self.usage = Usage.from_json(chunk["usage"])
            if self.usage.problem is not None:
                self.fail(MalformedChunk(self.usage.problem))
        choices = chunk.get("choices")
        if not choices:
            if "error" in chunk:
                raise self._provider_error(chunk)
            return None
        if type(choices) is not list:
            raise MalformedChunk("A reply chunk had no readable choices; the reply is incomplete.")
        choice = choices[0]
        if len(choices) > 1 or type(choice) is not dict or choice.get("index", 0) != 0:
            choice = _first_choice(choices)
        delta = choice.get("delta") or choice.get("message")
        if choice.get("finish_reason"):
            self.finish_reason = str(choice["finish_reason"])
        if not delta:
            return None
        if type(delta) is not dict:
            raise MalformedChunk(NOT_TEXT)
        content = delta.get("content") or ""
        reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
        if not content and not reasoning:
            return None
        if type(content) is not str or type(reasoning) is not str:
            raise MalformedChunk(NOT_TEXT)
        if self.first_token_at is None:
            self.first_token_at = self._clock()
        size = len(content) + len(reasoning)
        if self._chars + size > self.max_chars:
            room = self.max_chars - self._chars
            reasoning = reasoning[:room]
            content = content[: room - len(reasoning)]
            size, self.full = len(content) + len(reasoning), True
            if not size:
                return None
        self._chars += size
        new = _new_delta(Delta, (content, reasoning))
        self.deltas.append(new)
        return new

    def fail(self, error: GatewayError) -> None:
        """Mark the reply incomplete (the first reason given is kept)."""
        if self.error is None:
            self.error = error

    def finish(self) -> None:
        if self.finished_at is None:
            self.finished_at = self._clock()

    def result(self, request_id: str | None) -> ChatResult:
        """The reply so far; once finished, the whole reply (with `error` set if it is incomplete)."""
        end = self.finished_at if self.finished_at is not None else self._clock()
        usage, record = self.usage, self.record
        return ChatResult(
            model=record.model,
            content=self.content,
            reasoning="".join(delta.reasoning for delta in self.deltas),
            usage=usage,
            finish_reason=self.finish_reason,
            request_id=request_id or self.response_id,
            ttft_s=None if self.first_token_at is None else self.first_token_at - self.started,
            total_s=end - self.started,
            cost_usd=None if usage is None else _cost(record, usage),
            error=self.error,
            streamed_deltas=len(self.deltas),
            provider=record.provider,
        )

    def _provider_error(self, chunk: dict[str, Any]) -> UpstreamError:
        """An `{"error": …}` chunk mid-stream: the provider's message, redacted whole and only then cut."""
        try:
            body = json.dumps(chunk, ensure_ascii=False)
        except (RecursionError, ValueError):  # nested past what the encoder can write
            body = ""
        said = provider_message(body, self._redact) or "no message"
        return UpstreamError(f"The provider reported an error during the reply: {said}")


def _first_choice(choices: list[Any]) -> dict[str, Any]:
    """Choice 0 of a chunk with several choices (or an empty one when absent); every choice must be an object."""
    if not all(type(choice) is dict for choice in choices):
        raise MalformedChunk("A reply chunk had an unreadable choice; the reply is incomplete.")
    return next((choice for choice in choices if choice.get("index", 0) == 0), {})


def _cost(record: ModelRecord, usage: Usage) -> float:
    """The reply's cost at the catalog's prices: the nearest float to the exact cost, which the spend ledger, the
    run's budget and the store's `cost_usd` column (a double) keep; its repr is the exact decimal for any cost
    of up to 15 significant digits, so a report reads the exact cost back (`catalog.costs.exact`)."""
    return float(request_cost(record, usage.prompt_tokens, usage.completion_tokens))
