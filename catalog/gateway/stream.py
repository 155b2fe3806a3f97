"""A reply being read: the thin layer that owns the socket, the deadline, cancel and close.

It decodes server-sent events itself, piece by piece as bytes arrive, so that the total deadline is
checked on every arrival (keep-alive comments included) and no event can grow past the size limit.
The reply's meaning is `ReplyState`'s; once read, a reply can be iterated again and replays its deltas.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx
import orjson

from catalog.gateway.errors import (
    Cancelled,
    DeadlineExceeded,
    GatewayError,
    GatewayTimeout,
    MalformedChunk,
    ReplyTooLarge,
    StreamInterrupted,
    detached,
)
from catalog.gateway.messages import ChatRequest, ChatResult, Delta, ReplyLimits
from catalog.gateway.reply import ReplyState

REQUEST_ID_HEADER = "x-lava-request-id"
NOT_JSON = "The reply contained a chunk that is not valid JSON; the reply is incomplete."
#: Python's parser gives up about 1,000 levels down (with a RecursionError); no reply nests past a few.
NESTED = "A reply chunk is nested too deeply to read; the reply is incomplete."
#: Room for JSON framing around the text of one event, beyond 4 bytes a character of the reply's limit.
EVENT_OVERHEAD = 64 * 1024
#: Events read past `[DONE]` to reach the end of a stream before its connection is given up instead.
DRAIN_EVENTS = 8


class ChatStream:
    """An open reply: iterate for `Delta`s (again after the end: it replays); `result` at any time.

    `cancel()` may be called from another thread: reading stops at the next piece of data.
    """

    def __init__(
        self,
        request: ChatRequest,
        response: httpx.Response,
        started: float,
        *,
        limits: ReplyLimits,
        where: str,
        redact: Callable[[str], str],
    ) -> None:
        self.request = request
        self._response = response
        self._state = ReplyState(request.record, started, max_chars=limits.max_chars, redact=redact)
        self._limits = limits
        self._deadline = started + limits.deadline_s
        self._where = where
        self._cancelled = False  # set from any thread; a bool write is atomic
        self._done = False
        self._complete = False

    @property
    def request_id(self) -> str | None:
        return self._response.headers.get(REQUEST_ID_HEADER) or self._state.response_id

    @property
    def partial_text(self) -> str:
        return self._state.content

    @property
    def result(self) -> ChatResult:
        """The reply so far; after iteration, the whole reply (with `error` set if it is incomplete)."""
        return self._state.result(self.request_id)

    def cancel(self) -> None:
        self._cancelled = True

    def close(self) -> None:
        """Stop reading; a reply not read to its end is marked cancelled."""
        self._finish()

    def text(self, on_reasoning: Callable[[str], None] | None = None) -> Iterator[str]:
        """Only the answer text, for `st.write_stream`; reasoning goes to `on_reasoning` as it arrives."""
        for delta in self:
            if delta.reasoning and on_reasoning is not None:
                on_reasoning(delta.reasoning)
            if delta.content:
                yield delta.content

    def __iter__(self) -> Iterator[Delta]:
        if self._done:
            yield from self._state.deltas
            return
        self._done = True
        state, loads = self._state, orjson.loads  # the hot path of a stream: local names
        try:
            events = self._events()
            for data in events:
                if data == b"[DONE]":
                    self._complete = True
                    _drain(events)
                    break
                try:
                    chunk = loads(data)
                except ValueError:
                    chunk = _slow_chunk(data)
                if type(chunk) is not dict:
                    raise MalformedChunk("A reply chunk is not a JSON object; the reply is incomplete.")
                delta = state.apply(chunk)
                if delta is not None:
                    yield delta
                if state.full:
                    raise self._too_large()
                if self._cancelled:
                    break
            else:
                if state.finish_reason is None:
                    cut = f"The reply stream ended early, after {len(state.content)} characters"
                    raise StreamInterrupted(f"{cut}; the reply is incomplete.")
                self._complete = True
        except GatewayError as error:
            state.fail(detached(error))
        finally:
            self._finish()

    def _events(self) -> Iterator[bytes]:
        """The data of each event; a whole JSON reply (stream false, or ignored by the server) counts as one."""
        try:
            if "text/event-stream" in self._response.headers.get("content-type", ""):
                yield from self._sse()
            else:
                yield bytes(self._body())
                yield b"[DONE]"
        except httpx.TimeoutException:
            if time.perf_counter() >= self._deadline:
                raise self._too_slow() from None
            read = self._read_timeout()
            message = f"No data from {self._where} for {read:g} s; the reply is incomplete."
            raise GatewayTimeout(message) from None
        except httpx.HTTPError as exc:
            cut = f"The reply stream was cut off after {len(self._state.content)} characters ({type(exc).__name__})"
            raise StreamInterrupted(f"{cut}; the reply is incomplete.") from None

    def _sse(self) -> Iterator[bytes]:
        """Server-sent events' data fields, read as bytes arrive; comments and other fields are skipped."""
        limit = 4 * self._limits.max_chars + EVENT_OVERHEAD
        buffer, size = bytearray(), 0
        data: list[bytes] = []
        for piece in self._response.iter_bytes():
            self._check_time()
            if not buffer and not data and piece.endswith(b"\n\n") and b"\r" not in piece:
                whole = _whole_events(piece, limit)  # the usual piece: whole events of one data line each
                if whole is not None:
                    yield from whole
                    continue
            if b"\n" not in piece:
                buffer += piece
                if len(buffer) + size > limit:
                    raise self._too_large()
                continue
            buffer += piece
            *lines, rest = buffer.split(b"\n")
            buffer = bytearray(rest)
            for line in lines:
                if line.endswith(b"\r"):
                    line = line[:-1]
                if not line:
                    if data:
                        yield data[0] if len(data) == 1 else b"\n".join(data)
                        data, size = [], 0
                elif line.startswith(b"data:"):
                    value = line[6:] if line.startswith(b"data: ") else line[5:]
                    data.append(bytes(value))
                    size += len(value)
            if len(buffer) + size > limit:
                raise self._too_large()
        if data:
            yield b"\n".join(data)

    def _body(self) -> bytearray:
        """A whole JSON reply, read within the size limit and the deadline."""
        limit, body = 4 * self._limits.max_chars + EVENT_OVERHEAD, bytearray()
        for piece in self._response.iter_bytes():
            self._check_time()
            body += piece
            if len(body) > limit:
                raise self._too_large()
        return body

    def _check_time(self) -> None:
        if self._cancelled:
            raise Cancelled(f"Cancelled after {len(self._state.content)} characters; the reply is incomplete.")
        if time.perf_counter() > self._deadline:
            raise self._too_slow()

    def _too_slow(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"The reply took longer than the {_duration(self._limits.deadline_s)} allowed (the operator's "
            f"PLAYGROUND_REPLY_DEADLINE_S); it was stopped after {len(self._state.content)} characters and is "
            "incomplete."
        )

    def _too_large(self) -> ReplyTooLarge:
        return ReplyTooLarge(
            f"The reply grew past the {self._limits.max_chars:,} characters allowed (the operator's "
            f"PLAYGROUND_MAX_REPLY_CHARS); it was stopped there and is incomplete."
        )

    def _read_timeout(self) -> float:
        timeout: dict[str, float | None] = self._response.request.extensions.get("timeout", {})
        return timeout.get("read") or 0.0

    def _finish(self) -> None:
        if self._state.finished_at is None:
            self._state.finish()
            self._done = True
            if not self._complete:
                chars = len(self._state.content)
                self._state.fail(Cancelled(f"Cancelled after {chars} characters; the reply is incomplete."))
        self._response.close()


def _slow_chunk(data: bytes) -> object:
    """An event orjson refused, read by Python's own parser, which also takes integers past 64 bits and `NaN`: such
    a number is then judged by the usage rules (`Usage.from_json`), not called malformed JSON."""
    try:
        return json.loads(data)
    except ValueError:
        raise MalformedChunk(NOT_JSON) from None
    except RecursionError:
        raise MalformedChunk(NESTED) from None


def _whole_events(piece: bytes, limit: int) -> list[bytes] | None:
    """The data of each event in `piece` when it holds only whole events, each one `data: ` line or a comment;
    None for anything else (several data lines, other fields, a bare `data:`), which the line reader takes."""
    found = []
    for block in piece.split(b"\n\n")[:-1]:
        if b"\n" in block:
            return None
        if block.startswith(b"data: "):
            if len(block) > limit:
                return None  # the line reader raises ReplyTooLarge with its message
            found.append(block[6:])
        elif not block.startswith(b":"):
            return None
    return found


def _drain(events: Iterator[bytes]) -> None:
    """Read a finished reply's stream to its end (after `[DONE]` only its closing chunk is left), so that its
    connection serves the next request instead of being closed and opened anew; at most `DRAIN_EVENTS` more
    events, and a failure here is the next request's concern, not this reply's."""
    try:
        for _ in zip(range(DRAIN_EVENTS), events, strict=False):
            pass
    except GatewayError:
        pass


def _duration(seconds: float) -> str:
    """`10 minutes`, `90 s`, `0.5 s`."""
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} s"
