"""A loopback HTTP server whose pages misbehave: endless, slow, huge, or compressed into a bomb."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: A body is a function of the handler that writes it; it stops when the client goes away.
Body = Callable[[BaseHTTPRequestHandler], None]
BLOCK = b"| x | $1 | $2 |\n" * 4096  # 64 KB of page-like text


def _headers(handler: BaseHTTPRequestHandler, headers: dict[str, str]) -> None:
    handler.send_response(200)
    for name, value in {"Content-Type": "text/markdown; charset=utf-8", **headers}.items():
        handler.send_header(name, value)
    handler.end_headers()


def endless(handler: BaseHTTPRequestHandler) -> None:
    """64 KB blocks for ever, with no length: only the client can end it."""
    _headers(handler, {})
    while True:
        handler.wfile.write(BLOCK)


def trickle(handler: BaseHTTPRequestHandler, per_second: int = 1) -> None:
    """A 10,000-byte page sent `per_second` bytes a second: each read is quick, the whole never ends in time."""
    _headers(handler, {"Content-Length": "10000"})
    for _ in range(10_000 // per_second):
        handler.wfile.write(b"x" * per_second)
        handler.wfile.flush()
        time.sleep(1)


def drip(interval_s: float) -> Body:
    """A page of a byte every `interval_s` seconds, for ever: every read is quick, the whole never ends."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, {})
        while True:
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(interval_s)

    return write


@functools.cache
def gzip_bomb(expanded_mb: int = 200) -> bytes:
    """About 200 KB of gzip that expands to `expanded_mb` MB of zeros, made a megabyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    megabyte = bytes(1_000_000)
    return b"".join(packer.compress(megabyte) for _ in range(expanded_mb)) + packer.flush()


def sized(data: bytes, headers: dict[str, str] | None = None) -> Body:
    """A body of fixed bytes, with its length and any headers (`Content-Encoding: gzip`, say)."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, {"Content-Length": str(len(data)), **(headers or {})})
        handler.wfile.write(data)

    return write


def huge_index(megabytes: int, own: Callable[[], str]) -> Body:
    """An index of `megabytes` MB: provider links to its own host, written a line at a time."""

    def write(handler: BaseHTTPRequestHandler) -> None:
        line = f"- [p]({own()}/docs/gateway/providers/p.md)\n".encode()
        count = megabytes * 1_000_000 // len(line)
        _headers(handler, {"Content-Length": str(count * len(line))})
        block = line * 1000
        for _ in range(count // 1000):
            handler.wfile.write(block)
        handler.wfile.write(line * (count % 1000))

    return write


@contextlib.contextmanager
def hostile(pages: dict[str, Body]) -> Iterator[str]:
    """Serve `pages` (path → body) on a free loopback port; yield the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                body(self)

        def log_message(self, format: str, *args: object) -> None:
            return None

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
