"""A typed chat-completions client for Lava's forward proxy (or DeepInfra directly).

Usage::

    with GatewayClient(config) as client, client.stream(request) as reply:
        for delta in reply:
            print(delta.content, end="")
    print(reply.result.cost_usd)

Layers, each with one reason to change: `stream` (the caller's view) → `_open` (retries, as
`RetryPolicy` decides) → `_send` (one HTTP attempt: a response, or a raised `GatewayError`). Retries happen
only before any byte of a reply arrived; a stream that breaks later keeps its partial text and reports
the failure in `ChatResult.error` instead of raising.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from catalog.gateway.config import GatewayConfig
from catalog.gateway.errors import (
    ConnectionFailed,
    ConnectTimeout,
    GatewayError,
    GatewayTimeout,
    UpstreamError,
    error_for_status,
)
from catalog.gateway.messages import ChatRequest, ReplyLimits
from catalog.gateway.stream import REQUEST_ID_HEADER, ChatStream

logger = logging.getLogger(__name__)

USER_AGENT = "llm-price-catalog-playground/0.1"
#: Most of an error body read to find the provider's message.
MAX_ERROR_BODY = 64 * 1024
#: Seconds to connect, and to wait for each next byte (reasoning models can think for a while).
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0, write=10.0, pool=5.0)
DEFAULT_LIMITS = ReplyLimits()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Which failures are retried and after how long: only those where no request reached a model."""

    attempts: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 4.0
    max_retry_after_s: float = 10.0
    statuses: frozenset[int] = frozenset({429, 502, 503})

    def delay(self, error: GatewayError, attempt: int) -> float | None:
        """Seconds to wait before attempt `attempt + 1` after `error`, or None to give up."""
        retryable = isinstance(error, ConnectionFailed | ConnectTimeout) or error.status in self.statuses
        if not retryable or attempt >= self.attempts:
            return None
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_retry_after_s else None
        return min(self.backoff_s * 2.0 ** (attempt - 1), self.max_backoff_s)


DEFAULT_RETRY = RetryPolicy()


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


class GatewayClient:
    """Sends chat requests as `config` says; thread-safe, so one client can serve parallel requests."""

    def __init__(
        self,
        config: GatewayConfig,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        limits: ReplyLimits = DEFAULT_LIMITS,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.retry = retry
        self.limits = limits
        # No single wait may outlast the whole reply's deadline.
        read = min(timeout.read or limits.deadline_s, limits.deadline_s)
        self.timeout = httpx.Timeout(read, connect=timeout.connect, write=timeout.write, pool=timeout.pool)
        self._sleep = sleep
        limits_http = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        self._http = httpx.Client(timeout=self.timeout, transport=transport, follow_redirects=False, limits=limits_http)

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
        reply = self._reply(request, stream=True)
        try:
            yield reply
        finally:
            reply.close()

    def _reply(self, request: ChatRequest, *, stream: bool) -> ChatStream:
        started = time.perf_counter()
        response = self._open(request, stream=stream)
        where = "the gateway" if self.config.uses_lava else "DeepInfra"
        return ChatStream(request, response, started, limits=self.limits, where=where, redact=self.config.redact)

    def _open(self, request: ChatRequest, *, stream: bool) -> httpx.Response:
        """The response of the first attempt that gets one, retrying as the policy says."""
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
            try:
                return self._send(endpoint.url, endpoint.params, headers, body)
            except GatewayError as error:
                delay = self.retry.delay(error, attempt)
                if delay is None:
                    raise
                logger.info("%s; retrying in %.2f s (attempt %d)", type(error).__name__, delay, attempt + 1)
            self._sleep(delay)

    def _send(
        self, url: str, params: tuple[tuple[str, str], ...], headers: dict[str, str], body: dict[str, Any]
    ) -> httpx.Response:
        """One try: the open response (status < 300), or a raised GatewayError with nothing chained to it."""
        where = url if self.config.uses_lava else "DeepInfra"
        request = self._http.build_request("POST", url, params=params, json=body, headers=headers)
        failure: GatewayError | None = None
        try:
            response = self._http.send(request, stream=True)
        except httpx.HTTPError as exc:  # built here, raised below: no exception context to carry the request
            failure = self._connection_error(exc, where)
        if failure is not None:
            raise failure
        if response.status_code < 300:
            return response
        status, request_id = response.status_code, response.headers.get(REQUEST_ID_HEADER)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        try:
            raw = _read_limited(response)
        finally:
            response.close()
        if status < 400:
            raise UpstreamError(f"Unexpected redirect (HTTP {status}) from {where}; not followed.", status=status)
        raise error_for_status(
            status,
            raw,
            source=self.config.source,
            request_id=request_id,
            retry_after=retry_after,
            redact=self.config.redact,
        )

    def _connection_error(self, exc: httpx.HTTPError, where: str) -> GatewayError:
        if isinstance(exc, httpx.ConnectTimeout):
            return ConnectTimeout(f"Could not connect to {where} within {self.timeout.connect:g} s.")
        if isinstance(exc, httpx.TimeoutException):
            return GatewayTimeout(f"No reply from {where} within {self.timeout.read:g} s.")
        if isinstance(exc, httpx.ConnectError):
            return ConnectionFailed(f"Could not connect to {where} (connection refused or unreachable).")
        return ConnectionFailed(f"The connection to {where} failed before any reply ({type(exc).__name__}).")


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
