"""The one way the product reads a URL: streamed, and bounded in bytes, time and decompression.

Every address the product fetches goes through `fetch_text`: `refresh --source`, `--index` and the pages it
links, `CATALOG_SOURCES`, and LiteLLM's map. The server is not trusted to be small, fast or honest about
compression, so the body is read in chunks and the fetch stops, with a `FetchError` naming the (redacted) URL
and the bound, as soon as one bound is passed:

- `max_bytes`: the body after content decoding (default 5 MB, `CATALOG_FETCH_MAX_BYTES`). A page that
  never ends stops there, never in a `MemoryError`.
- `deadline_s`: the whole fetch, connection to last byte (default 30 s, `CATALOG_FETCH_DEADLINE_S`). The
  clock is read after every read, and each read waits at most `READ_TIMEOUT_S` (or the deadline, if shorter),
  so a page sent a byte a second ends at the deadline, and a silent one at most one read timeout after it.
- `MAX_RATIO`: decoded bytes per byte received, past the first `RATIO_GRACE_BYTES`. Content is decoded here
  (gzip and deflate only: the request offers nothing else), each step bounded by the room left, so a gzip
  bomb is refused after a few hundred kilobytes of output, not after its whole expansion.

Errors, all `SourceError`s (so every caller's existing handling applies):

    SourceError
    └── FetchError            the fetch failed: no connection, a timeout, an HTTP error status …
        └── FetchLimitError   … or it passed a bound (`bound` says which: bytes, deadline, ratio)
"""

from __future__ import annotations

import codecs
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import httpx

from catalog.records import SourceError
from catalog.settings import BY_NAME, Settings, in_force

MAX_BYTES_VARIABLE = "CATALOG_FETCH_MAX_BYTES"
DEADLINE_VARIABLE = "CATALOG_FETCH_DEADLINE_S"
DEFAULT_MAX_BYTES = int(BY_NAME[MAX_BYTES_VARIABLE].default)
DEFAULT_DEADLINE_S = float(BY_NAME[DEADLINE_VARIABLE].default)
#: Each read (and the connection) waits at most this long, within the deadline.
READ_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 5.0
#: Decoded bytes per byte received: text compresses 3–10×, LiteLLM's JSON about 8×; a bomb, 1,000× and more.
MAX_RATIO = 100
#: The ratio is checked only past this much output, so a small page's gzip header cannot trip it.
RATIO_GRACE_BYTES = 1_000_000
#: Most bytes one decompression step may write: the room left, but never more than this at once.
STEP_BYTES = 256 * 1024
#: What the request offers: only what is decoded here, with a bound on every step.
ACCEPT_ENCODING = "gzip, deflate"

Bound = Literal["bytes", "deadline", "ratio"]


class FetchError(SourceError):
    """A URL could not be read; the message names it (redacted) and says why, and `status` is the HTTP status
    that said so (None when no status did: no connection, a timeout, a bound)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FetchLimitError(FetchError):
    """A URL passed one of the bounds of `FetchLimits` (`bound`); nothing it sent is kept."""

    def __init__(self, message: str, bound: Bound) -> None:
        super().__init__(message)
        self.bound: Bound = bound


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """The most one fetch may read (bytes after decoding) and take (seconds, all told)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    deadline_s: float = DEFAULT_DEADLINE_S
    max_ratio: int = MAX_RATIO

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> FetchLimits:
        """The operator's `CATALOG_FETCH_MAX_BYTES` and `CATALOG_FETCH_DEADLINE_S` (default: the settings in
        force); a value that does not fit falls back to its default (`Settings.warnings` names it)."""
        settings = in_force() if settings is None else settings
        return cls(max_bytes=settings.whole(MAX_BYTES_VARIABLE), deadline_s=settings.number(DEADLINE_VARIABLE))


def redact_url(url: str) -> str:
    """The URL without user info, query or fragment, which may carry credentials."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<invalid URL>"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


def size_text(count: int) -> str:
    """`5 MB` for a whole number of megabytes, else the bytes with thousands separators."""
    return f"{count // 1_000_000:,} MB" if count % 1_000_000 == 0 else f"{count:,} bytes"


def fetch_text(
    url: str,
    *,
    client: httpx.Client | None = None,
    limits: FetchLimits | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    """The text of the page at an http(s) URL, within `limits` (default: the operator's settings).

    Any failure is a `FetchError` with one plain reason, naming the URL without its credentials (`headers`,
    an `Authorization` say, are sent and never shown); any answer but 2xx is one. `client` (one that checks
    where redirects go, say) is used as it is; without it, a client of our own follows redirects.
    """
    limits = limits or FetchLimits.from_settings()
    shown = redact_url(url)
    started = time.monotonic()
    try:
        if client is None:
            with httpx.Client(follow_redirects=True) as own:
                return _read(own, url, shown, limits, started, headers)
        return _read(client, url, shown, limits, started, headers)
    except FetchError:
        raise
    except httpx.TimeoutException:
        if time.monotonic() - started >= limits.deadline_s:
            raise _past_deadline(shown, limits) from None
        raise FetchError(f"{shown}: timed out") from None
    except httpx.ConnectError:
        raise FetchError(f"{shown}: could not connect (is the address right and reachable?)") from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise FetchError(f"{shown}: request failed ({type(error).__name__})") from None


def _read(
    client: httpx.Client, url: str, shown: str, limits: FetchLimits, started: float, extra: Mapping[str, str] | None
) -> str:
    wait = min(READ_TIMEOUT_S, limits.deadline_s)
    timeout = httpx.Timeout(wait, connect=min(CONNECT_TIMEOUT_S, wait))
    headers = {**(extra or {}), "Accept-Encoding": ACCEPT_ENCODING}
    with client.stream("GET", url, headers=headers, timeout=timeout) as response:
        if not response.is_success:  # an error, or a redirect `client` does not follow: no page either way
            status = response.status_code
            raise FetchError(f"{shown}: the server answered HTTP {status} {response.reason_phrase}", status)
        body = _body(response, shown, limits, started)
        return _decoded_text(body, response.charset_encoding)


def _body(response: httpx.Response, shown: str, limits: FetchLimits, started: float) -> bytes:
    """The body, content-decoded here step by bounded step, every bound checked after each read."""
    inflate = _decoder(response.headers.get("content-encoding", ""), shown)
    chunks: list[bytes] = []
    decoded = 0
    for raw in response.iter_raw():
        for piece in inflate(raw, limits.max_bytes - decoded):
            decoded += len(piece)
            chunks.append(piece)
            _check(shown, limits, decoded, inflate.consumed)
        if time.monotonic() - started > limits.deadline_s:
            raise _past_deadline(shown, limits)
    return b"".join(chunks)


def _check(shown: str, limits: FetchLimits, decoded: int, consumed: int) -> None:
    if decoded > limits.max_bytes:
        raise FetchLimitError(
            f"{shown}: larger than {size_text(limits.max_bytes)} (the most a fetched page may be; "
            f"{MAX_BYTES_VARIABLE} sets it), not read",
            "bytes",
        )
    if decoded > RATIO_GRACE_BYTES and decoded > limits.max_ratio * consumed:
        raise FetchLimitError(
            f"{shown}: expands more than {limits.max_ratio}× when decompressed ({decoded:,} bytes from "
            f"{consumed:,}), not read",
            "ratio",
        )


def _past_deadline(shown: str, limits: FetchLimits) -> FetchLimitError:
    return FetchLimitError(
        f"{shown}: took longer than {limits.deadline_s:g} s (the most a fetch may take; {DEADLINE_VARIABLE} "
        "sets it), not read",
        "deadline",
    )


def _decoder(encoding: str, shown: str) -> _Inflater:
    names = [name.strip().lower() for name in encoding.split(",") if name.strip()]
    names = [name for name in names if name != "identity"]
    if not names:
        return _Inflater(None)
    if len(names) == 1 and names[0] in ("gzip", "x-gzip"):
        return _Inflater(zlib.decompressobj(16 + zlib.MAX_WBITS))
    if len(names) == 1 and names[0] == "deflate":
        return _Inflater(None, deflate=True)
    raise FetchError(f"{shown}: sent in an encoding that is not read ({encoding[:40]!r}; gzip and deflate are)")


class _Inflater:
    """Content decoding with a bound on every step: never more output at once than the room left (plus one)."""

    def __init__(self, decompressor: zlib._Decompress | None, *, deflate: bool = False) -> None:
        self._decompressor = decompressor
        self._deflate = deflate  # zlib-wrapped or raw: known from the first bytes, as httpx does
        #: Bytes received and decoded so far (what is received but waits in the decompressor does not count).
        self.consumed = 0

    def __call__(self, data: bytes, room: int) -> Iterator[bytes]:
        if self._deflate and self._decompressor is None:
            wrapped = len(data) >= 2 and (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._decompressor = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._decompressor is None:
            self.consumed += len(data)
            yield data
            return
        try:
            yield from self._steps(self._decompressor, data, room)
        except zlib.error:
            raise httpx.DecodingError("the compressed body is corrupt") from None

    def _steps(self, decompressor: zlib._Decompress, data: bytes, room: int) -> Iterator[bytes]:
        while True:
            piece = decompressor.decompress(data, max(1, min(room + 1, STEP_BYTES)))
            self.consumed += len(data) - len(decompressor.unconsumed_tail)
            if piece:
                room -= len(piece)
                yield piece
            data = decompressor.unconsumed_tail
            if not data or decompressor.eof:
                return


def _decoded_text(body: bytes, charset: str | None) -> str:
    """The body as text in its declared charset (UTF-8 when none, or an unknown one), bad bytes replaced."""
    name = charset or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    return body.decode(name, errors="replace")
