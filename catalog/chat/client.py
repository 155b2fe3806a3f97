"""A typed chat-completions client for Lava's forward proxy (or DeepInfra directly), with timing and cost.

Usage::

    with GatewayClient(config) as client, client.stream(request) as reply:
        for delta in reply:
            print(delta.content, end="")
    print(reply.result.cost_usd)

Retries happen only before any byte of a reply arrived; a stream that breaks later keeps its partial text
and reports the failure in `ChatResult.error` instead of raising.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError

from catalog.chat.config import GatewayConfig
from catalog.chat.errors import (
    Cancelled,
    ConnectionFailed,
    GatewayError,
    GatewayTimeout,
    MalformedChunk,
    RateLimited,
    StreamInterrupted,
    UpstreamError,
    error_for_status,
    provider_message,
)
from catalog.costs import request_cost
from catalog.records import ModelRecord

logger = logging.getLogger(__name__)

USER_AGENT = "llm-price-catalog-playground/0.1"
REQUEST_ID_HEADER = "x-lava-request-id"
#: Most of an error body read to find the provider's message.
MAX_ERROR_BODY = 64 * 1024
ROLES = ("system", "user", "assistant")
NOT_JSON = "The reply contained a chunk that is not valid JSON; the reply is incomplete."
NOT_TEXT = "A reply chunk had non-text content; the reply is incomplete."


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
class Usage:
    """Token counts the provider reported, and its own cost estimate when it sent one."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    estimated_cost_usd: float | None = None
    cached_tokens: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Usage:
        """Usage from a reply's `usage` object; MalformedChunk when a token count is not a count."""
        prompt, completion = _token_count(data, "prompt_tokens"), _token_count(data, "completion_tokens")
        estimated = data.get("estimated_cost")
        details = data.get("prompt_tokens_details")
        cached = details.get("cached_tokens") if isinstance(details, dict) else None
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=_token_count(data, "total_tokens") or prompt + completion,
            estimated_cost_usd=float(estimated) if isinstance(estimated, int | float) else None,
            cached_tokens=int(cached) if isinstance(cached, int) else None,
        )


def _token_count(usage: dict[str, Any], name: str) -> int:
    """A whole, non-negative token count (absent or null counts as 0)."""
    value = usage.get(name)
    if value is None:
        return 0
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or value < 0:
        raise MalformedChunk("The reply's token usage is not a count; the reply is incomplete.")
    return value


class Delta(NamedTuple):
    """A piece of the reply: answer text, reasoning text, or both (a tuple: cheap on the hot path)."""

    content: str = ""
    reasoning: str = ""


#: Builds a Delta without NamedTuple's keyword-handling `__new__`: measurably faster per chunk.
_new_delta = tuple.__new__


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
    #: Set when the reply is incomplete (cut off, malformed, timed out, cancelled); the text is what arrived.
    error: GatewayError | None = field(default=None, compare=False)
    streamed_deltas: int = 0

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


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to connect, and to wait for each next byte (reasoning models can think for a while)."""

    connect: float = 5.0
    read: float = 60.0
    write: float = 10.0
    pool: float = 5.0

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries before any reply byte: exponential backoff, and Retry-After honoured up to a cap."""

    attempts: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 4.0
    max_retry_after_s: float = 10.0
    statuses: frozenset[int] = frozenset({429, 502, 503})

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after_s else None
        return min(self.backoff_s * 2.0 ** (attempt - 1), self.max_backoff_s)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_RETRY = RetryPolicy()


class GatewayClient:
    """Sends chat requests as `config` says; thread-safe, so one client can serve parallel requests."""

    def __init__(
        self,
        config: GatewayConfig,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.timeouts = timeouts
        self.retry = retry
        self._sleep = sleep
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=8)
        self._http = httpx.Client(
            timeout=timeouts.to_httpx(), transport=transport, follow_redirects=False, limits=limits
        )

    def __repr__(self) -> str:
        return f"GatewayClient({self.config!r})"

    def __enter__(self) -> GatewayClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @contextlib.contextmanager
    def stream(self, request: ChatRequest) -> Iterator[ChatStream]:
        """Open a streaming reply (retrying as allowed); raises GatewayError if no reply starts."""
        started = time.perf_counter()
        response = self._open(request, stream=True)
        reply = ChatStream(request, response, started, self.config)
        try:
            yield reply
        finally:
            reply.close()

    def complete(self, request: ChatRequest) -> ChatResult:
        """A whole reply without streaming; raises GatewayError if it fails."""
        started = time.perf_counter()
        response = self._open(request, stream=False)
        reply = ChatStream(request, response, started, self.config)
        with contextlib.closing(reply):
            for _ in reply:
                pass
        result = reply.result
        if result.error is not None:
            raise result.error
        return result

    def _open(self, request: ChatRequest, *, stream: bool) -> httpx.Response:
        endpoint = self.config.endpoint(request.target_url)
        headers = {
            "Authorization": f"Bearer {self.config.credential}",
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": USER_AGENT,
        }
        body = request.body(stream=stream)
        attempt = 0
        while True:
            attempt += 1
            outcome, retry_after = self._attempt(endpoint.url, endpoint.params, headers, body)
            if isinstance(outcome, httpx.Response):
                return outcome
            delay = self.retry.delay(attempt, retry_after) if _retryable(outcome, self.retry) else None
            if delay is None:
                raise outcome
            logger.info("%s; retrying in %.2f s (attempt %d)", type(outcome).__name__, delay, attempt + 1)
            self._sleep(delay)

    def _attempt(
        self, url: str, params: tuple[tuple[str, str], ...], headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[httpx.Response | GatewayError, float | None]:
        """One try: the open response, or the error with the Retry-After it carried."""
        where = url if self.config.uses_lava else "DeepInfra"
        request = self._http.build_request("POST", url, params=params, json=body, headers=headers)
        try:
            response = self._http.send(request, stream=True)
        except httpx.ConnectTimeout as exc:
            message = f"Could not connect to {where} within {self.timeouts.connect:g} s."
            return _chained(GatewayTimeout(message), exc), None
        except httpx.TimeoutException as exc:
            return _chained(GatewayTimeout(f"No reply from {where} within {self.timeouts.read:g} s."), exc), None
        except httpx.ConnectError as exc:
            message = f"Could not connect to {where} (connection refused or unreachable)."
            return _chained(ConnectionFailed(message), exc), None
        except httpx.HTTPError as exc:
            message = f"The connection to {where} failed before any reply ({type(exc).__name__})."
            return _chained(ConnectionFailed(message), exc), None
        if response.status_code < 300:
            return response, None
        status, request_id = response.status_code, response.headers.get(REQUEST_ID_HEADER)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        try:
            raw = _read_limited(response)
        finally:
            response.close()
        if status < 400:
            return UpstreamError(
                f"Unexpected redirect (HTTP {status}) from {where}; not followed.", status=status
            ), None
        body_text = self.config.redact(raw.decode("utf-8", errors="replace"))
        error = error_for_status(status, body_text, source=self.config.source, request_id=request_id)
        if isinstance(error, RateLimited) and retry_after is not None:
            message = f"{error.message} The provider asks to wait {retry_after:g} s."
            error = RateLimited(message, retry_after=retry_after, status=status, request_id=request_id)
        return error, retry_after


def _retryable(error: GatewayError, policy: RetryPolicy) -> bool:
    """Only failures where no reply started: no connection, or a status the policy lists."""
    if isinstance(error, ConnectionFailed) or isinstance(error.__cause__, httpx.ConnectTimeout):
        return True
    return error.status in policy.statuses


def _chained(error: GatewayError, cause: BaseException) -> GatewayError:
    error.__cause__ = cause
    return error


def _read_limited(response: httpx.Response) -> bytes:
    """At most MAX_ERROR_BODY bytes of an error body; an unreadable body counts as empty."""
    raw = bytearray()
    try:
        for piece in response.iter_bytes():
            raw.extend(piece)
            if len(raw) >= MAX_ERROR_BODY:
                break
    except httpx.HTTPError:
        pass
    return bytes(raw[:MAX_ERROR_BODY])


class ChatStream:
    """An open reply: iterate once for `Delta`s; `result` and `partial_text` can be read at any time.

    `cancel()` may be called from another thread: reading stops at the next chunk.
    """

    def __init__(self, request: ChatRequest, response: httpx.Response, started: float, config: GatewayConfig) -> None:
        self.request = request
        self._response = response
        self._config = config
        self._started = started
        self._cancelled = False  # set from any thread; a bool write is atomic
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._usage: Usage | None = None
        self._finish_reason: str | None = None
        self._response_id: str | None = None
        self._first_token_at: float | None = None
        self._finished_at: float | None = None
        self._deltas = 0
        self._error: GatewayError | None = None
        self._read = False
        self._complete = False

    @property
    def request_id(self) -> str | None:
        return self._response.headers.get(REQUEST_ID_HEADER) or self._response_id

    @property
    def partial_text(self) -> str:
        return "".join(self._content)

    @property
    def result(self) -> ChatResult:
        """The reply so far; after iteration, the whole reply (with `error` set if it is incomplete)."""
        end = self._finished_at if self._finished_at is not None else time.perf_counter()
        usage = self._usage
        record = self.request.record
        return ChatResult(
            model=record.model,
            content="".join(self._content),
            reasoning="".join(self._reasoning),
            usage=usage,
            finish_reason=self._finish_reason,
            request_id=self.request_id,
            ttft_s=None if self._first_token_at is None else self._first_token_at - self._started,
            total_s=end - self._started,
            cost_usd=None if usage is None else request_cost(record, usage.prompt_tokens, usage.completion_tokens),
            error=self._error,
            streamed_deltas=self._deltas,
        )

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
        if self._read:
            raise RuntimeError("a reply stream can be read only once")
        self._read = True
        where = "the gateway" if self._config.uses_lava else "DeepInfra"
        loads, apply = json.loads, self._apply  # the hot path of a stream: one flat loop, local names
        try:
            for event in self._events():
                data = event.data
                if data == "[DONE]":
                    self._complete = True
                    break
                if data:
                    try:
                        chunk = loads(data)
                    except ValueError:
                        raise MalformedChunk(NOT_JSON) from None
                    if type(chunk) is not dict:
                        raise MalformedChunk("A reply chunk is not a JSON object; the reply is incomplete.")
                    delta = apply(chunk)
                    if delta is not None:
                        yield delta
                    if self._cancelled:
                        break
            else:
                if self._finish_reason is None:
                    cut = f"The reply stream ended early, after {len(self.partial_text)} characters"
                    raise StreamInterrupted(f"{cut}; the reply is incomplete.")
                self._complete = True
        except httpx.TimeoutException as exc:
            message = f"No data from {where} for {self._read_timeout():g} s; the reply is incomplete."
            self._fail(_chained(GatewayTimeout(message), exc))
        except (httpx.HTTPError, SSEError) as exc:
            cut = f"The reply stream was cut off after {len(self.partial_text)} characters ({type(exc).__name__})"
            self._fail(_chained(StreamInterrupted(f"{cut}; the reply is incomplete."), exc))
        except GatewayError as error:
            self._fail(error)
        finally:
            self._finish()

    def _events(self) -> Iterable[ServerSentEvent]:
        """The stream's events; a whole JSON reply (stream false, or ignored by the server) counts as one."""
        if "text/event-stream" in self._response.headers.get("content-type", ""):
            return EventSource(self._response).iter_sse()
        body = self._response.read().decode("utf-8", errors="replace")
        return [ServerSentEvent(data=body), ServerSentEvent(data="[DONE]")]

    def _provider_error(self, chunk: dict[str, Any]) -> UpstreamError:
        """An `{"error": …}` chunk mid-stream, as the provider's error (scrubbed of secrets)."""
        said = self._config.redact(provider_message(json.dumps(chunk)) or "no message")
        return UpstreamError(f"The provider reported an error during the reply: {said}")

    def _read_timeout(self) -> float:
        timeout: dict[str, float | None] = self._response.request.extensions.get("timeout", {})
        return timeout.get("read") or 0.0

    def _apply(self, chunk: dict[str, Any]) -> Delta | None:
        """Take one chunk's usage, finish reason and text (of choice 0); the hot path of a stream."""
        if self._response_id is None and isinstance(chunk.get("id"), str):
            self._response_id = chunk["id"]
        if "usage" in chunk and isinstance(chunk["usage"], dict):
            self._usage = Usage.from_json(chunk["usage"])
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
            self._finish_reason = str(choice["finish_reason"])
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
        if self._first_token_at is None:
            self._first_token_at = time.perf_counter()
        self._deltas += 1
        if content:
            self._content.append(content)
        if reasoning:
            self._reasoning.append(reasoning)
        return _new_delta(Delta, (content, reasoning))

    def _fail(self, error: GatewayError) -> None:
        if self._error is None:
            self._error = error

    def _finish(self) -> None:
        if self._finished_at is None:
            self._finished_at = time.perf_counter()
            if not self._complete:
                self._fail(Cancelled(f"Cancelled after {len(self.partial_text)} characters; the reply is incomplete."))
        self._response.close()


def _first_choice(choices: list[Any]) -> dict[str, Any]:
    """Choice 0 of a chunk with several choices (or an empty one when absent); every choice must be an object."""
    if not all(type(choice) is dict for choice in choices):
        raise MalformedChunk("A reply chunk had an unreadable choice; the reply is incomplete.")
    return next((choice for choice in choices if choice.get("index", 0) == 0), {})
