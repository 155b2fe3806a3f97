"""A real HTTP server on loopback that serves fixed pages, optionally slowly, and records what was asked."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Site:
    """Pages by path (`/docs/llms.txt` → text); a missing path is a 404."""

    pages: Mapping[str, str]
    delay_s: float = 0.0
    redirects: Mapping[str, str] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)
    url: str = ""
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, path: str) -> None:
        with self.lock:
            self.requested.append(path)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # http.server's 5 would drop simultaneous connections, as no real server does


@contextlib.contextmanager
def serving(site: Site, host: str = "127.0.0.1") -> Iterator[Site]:
    """Serve `site` on a free port of `host` (any 127.x.y.z address is loopback) until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            site.enter(self.path)
            try:
                time.sleep(site.delay_s)
            finally:
                site.leave()  # before the first byte of the answer: the client cannot have sent its next request
            self.answer()

        def answer(self) -> None:
            if self.path in site.redirects:
                self.send_response(302)
                self.send_header("Location", site.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = site.pages.get(self.path)
            data = (body if body is not None else "not found").encode()
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/markdown; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = _Server((host, 0), Handler)
    site.url = f"http://{host}:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
