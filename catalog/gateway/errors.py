"""Typed gateway errors with a message a person can act on, and the provider's own message when it sent one.

    GatewayError (CatalogError)         what a caller catches; `str()` is the human message
    ├── AuthenticationFailed            401/403
    ├── PaymentRequired                 402
    ├── RequestRejected                 other 4xx
    ├── RateLimited                     429 after the retries allowed
    ├── UpstreamError                   5xx, a redirect, or an error chunk mid-reply
    ├── GatewayTimeout                  no bytes within the read timeout
    │   └── ConnectTimeout              no connection within the connect timeout
    ├── ConnectionFailed                refused, unreachable, reset before any reply
    ├── StreamInterrupted               the stream ended or broke before the reply was complete
    ├── MalformedChunk                  a chunk that is not the JSON the protocol promises
    ├── ReplyLimitReached               the operator's bounds on a reply
    │   ├── DeadlineExceeded            the reply took longer than the total deadline
    │   └── ReplyTooLarge               the reply (or one chunk of it) is larger than allowed
    └── Cancelled                       the caller stopped reading

Messages are built from status codes, setting names and the provider's text (the client redacts that text
before it is cut or quoted): never from the credential itself. Errors are raised without a chained cause,
since an httpx error holds the request, and the request holds the credential in its headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from catalog.records import CatalogError

#: Longest piece of a provider's error body quoted in a message.
MAX_QUOTE = 300
#: Most `{"error": {"error": …}}` levels searched for the message: the documented shapes have two.
MAX_ERROR_DEPTH = 8
_TAG = re.compile(r"<[^>]*>")


class GatewayError(CatalogError):
    """A chat request failed; `str()` is the human message."""

    title = "The request failed"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        #: Seconds the server asked to wait (a Retry-After header), when it asked.
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthenticationFailed(GatewayError):
    """401/403: the credential is missing, wrong, expired or not allowed."""

    title = "Authentication failed"


class PaymentRequired(GatewayError):
    """402: no balance or credit left."""

    title = "Payment required"


class RequestRejected(GatewayError):
    """400/404/422 and other 4xx: unknown model or bad parameters."""

    title = "Request rejected"


class RateLimited(GatewayError):
    """429 after the retries allowed."""

    title = "Rate limited"


class UpstreamError(GatewayError):
    """5xx from the gateway or the provider."""

    title = "Upstream error"


class GatewayTimeout(GatewayError):
    """No connection or no bytes within the timeout."""

    title = "Timed out"


class ConnectTimeout(GatewayTimeout):
    """No connection within the connect timeout (so no request was sent: safe to retry)."""


class ConnectionFailed(GatewayError):
    """The gateway could not be reached (refused, DNS, reset before any reply)."""

    title = "Connection failed"


class StreamInterrupted(GatewayError):
    """The reply stream ended or broke before the reply was complete."""

    title = "Reply incomplete"


class MalformedChunk(GatewayError):
    """A stream chunk or response body was not the JSON the protocol promises."""

    title = "Malformed reply"


class ReplyLimitReached(GatewayError):
    """The reply went past a bound the operator set; what arrived before is kept."""

    title = "Reply stopped"


class DeadlineExceeded(ReplyLimitReached):
    """The reply took longer than the total deadline (waiting on keep-alives counts)."""

    title = "Reply took too long"


class ReplyTooLarge(ReplyLimitReached):
    """The reply, or one chunk of it, is larger than the operator allows."""

    title = "Reply too long"


class Cancelled(GatewayError):
    """The caller cancelled the request."""

    title = "Cancelled"


def detached(error: GatewayError) -> GatewayError:
    """`error` without what it chains to (an httpx error's request holds the credential) or its traceback."""
    error.__cause__ = error.__context__ = None
    error.__traceback__ = None
    return error


def provider_message(body: bytes | str, redact: Callable[[str], str] | None = None) -> str | None:
    """The provider's message from an error body, whichever documented shape it has; None when empty.

    `redact` scrubs secrets from the whole message before it is cut to `MAX_QUOTE` characters.
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:  # not JSON, or a number past Python's digits limit
        found = _TAG.sub(" ", text)  # an HTML error page from a proxy: keep its words
    except RecursionError:
        return None  # nested past the parser: no message a person could read is in it
    else:
        found = _message_in(data) or text
    return _quote(redact(found) if redact is not None else found)


def _message_in(data: Any, depth: int = 0) -> str | None:
    if isinstance(data, str):
        return data
    if not isinstance(data, dict) or depth >= MAX_ERROR_DEPTH:
        return None
    error = data.get("error")
    if isinstance(error, dict):
        return _message_in(error, depth + 1) or (str(error.get("type")) if error.get("type") else None)
    if isinstance(error, str) and error:
        return error
    detail = data.get("detail")
    if isinstance(detail, list) and detail:
        return "; ".join(_detail_item(item) for item in detail)
    if isinstance(detail, str) and detail:
        return detail
    message = data.get("message")
    return message if isinstance(message, str) and message else None


def _detail_item(item: Any) -> str:
    """One FastAPI-style validation detail: `body.temperature: must be <= 2`."""
    if not isinstance(item, dict):
        return str(item)
    location = ".".join(str(part) for part in item.get("loc") or ())
    message = str(item.get("msg") or item.get("message") or item)
    return f"{location}: {message}" if location else message


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def error_for_status(
    status: int,
    body: bytes | str,
    *,
    source: str,
    request_id: str | None = None,
    retry_after: float | None = None,
    redact: Callable[[str], str] | None = None,
) -> GatewayError:
    """The typed error for an HTTP error reply; `source` names where the credential came from."""
    quoted = provider_message(body, redact)
    said = f" The provider said: {quoted}" if quoted else ""
    kwargs: dict[str, Any] = {"status": status, "request_id": request_id, "retry_after": retry_after}
    if status in (401, 403):
        reason = "was rejected" if status == 401 else "is not allowed to make this request"
        message = f"Authentication failed (HTTP {status}): the credential from {source} {reason}. Check that it is"
        return AuthenticationFailed(f"{message} correct and not expired.{said}", **kwargs)
    if status == 402:
        message = f"Payment required (HTTP 402): the Lava wallet or DeepInfra account has no balance left.{said}"
        return PaymentRequired(message, **kwargs)
    if status == 429:
        wait = f" The provider asks to wait {retry_after:g} s." if retry_after is not None else ""
        return RateLimited(f"Rate limited (HTTP 429): too many requests; try again shortly.{said}{wait}", **kwargs)
    if status >= 500:
        return UpstreamError(f"The gateway or provider failed (HTTP {status}); try again later.{said}", **kwargs)
    what = "unknown model or endpoint" if status == 404 else "bad request or parameters"
    return RequestRejected(f"Request rejected (HTTP {status}, {what}).{said}", **kwargs)
