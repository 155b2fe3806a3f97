"""Fetch + parse of a provider page on loopback, 0.31 → 5 MB (the byte cap): still linear, beside a bare httpx GET.

Run: python bench/bench_fetch.py [--repeat N]   (~3 min)
A loopback server sends generated provider pages of doubling sizes, plain and gzip-compressed. For each size,
the median CPU time of the calling thread over N runs of: a bare `httpx.Client.get(url).content` (the least
work that reads the body), our `fetch_text` (streamed, decoded here step by bounded step, every bound
checked), `fetch_text` + `parse_page`, and `parse_page` alone.
The ratio per doubling says whether time stays linear (about 2×); the ratio to the bare GET is what the bounds
cost. All in one run, alternating, so the ratios hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_catalog import generated_page  # noqa: E402

from catalog.fetch import DEFAULT_MAX_BYTES, FetchLimits, fetch_text  # noqa: E402
from catalog.parser import parse_page  # noqa: E402

#: Bytes of each page: doubling up to just under the 5 MB cap.
SIZES = (312_500, 625_000, 1_250_000, 2_500_000, 4_950_000)
ROW_BYTES = 62  # about, in the generated page


def page_of(size: int) -> bytes:
    """A generated provider page of about `size` bytes (rows added until it is that large)."""
    rows = max(1, size // ROW_BYTES)
    data = generated_page(rows).encode()
    while len(data) > size:
        rows = int(rows * size / len(data)) - 1
        data = generated_page(rows).encode()
    return data


def serve(pages: dict[str, tuple[bytes, dict[str, str]]]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers: connection set-up is not what is measured

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body, headers = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def medians(tasks: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median CPU milliseconds of this thread for each task, the tasks alternating run by run, after one warm-up.

    The thread's own CPU time, so neither the server's threads (in this process) nor waiting for a core the other
    engineers' tests hold is counted: what is left is the work the client does, which is what must stay linear.
    """
    times: dict[str, list[float]] = {name: [] for name in tasks}
    for task in tasks.values():
        task()
    for _ in range(repeat):
        for name, task in tasks.items():
            started = time.thread_time()
            task()
            times[name].append((time.thread_time() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    pages: dict[str, tuple[bytes, dict[str, str]]] = {}
    sizes = {}
    for size in SIZES:
        data = page_of(size)
        sizes[size] = len(data)
        pages[f"/{size}.md"] = (data, {"Content-Type": "text/markdown; charset=utf-8"})
        pages[f"/{size}.md.gz"] = (gzip.compress(data, 6), {"Content-Encoding": "gzip"})
    server, url = serve(pages)
    limits = FetchLimits(max_bytes=DEFAULT_MAX_BYTES, deadline_s=60)
    versions = f"Python {sys.version.split()[0]}, httpx {httpx.__version__}"
    print(f"median CPU ms (this thread) of {args.repeat} alternating runs each, {versions}")
    header = f"{'page':<16}{'bare GET':>10}{'fetch':>16}{'× bare':>8}{'fetch+parse':>20}{'parse alone':>14}"
    try:
        with httpx.Client() as client:
            for suffix, label in (("", "plain"), (".gz", "gzip")):
                print(f"\n{label}\n{header}")
                before: dict[str, float] | None = None
                for size in SIZES:
                    path = f"{url}/{size}.md{suffix}"
                    text = fetch_text(path, client=client, limits=limits)
                    found = medians(
                        {
                            "bare": lambda path=path: client.get(path).content,
                            "fetch": lambda path=path: fetch_text(path, client=client, limits=limits),
                            "both": lambda path=path: parse_page(fetch_text(path, client=client, limits=limits)),
                            "parse": lambda text=text: parse_page(text),
                        },
                        args.repeat,
                    )
                    grow = (
                        {name: f"({found[name] / before[name]:.1f}×)" for name in found}
                        if before
                        else dict.fromkeys(found, "")
                    )
                    print(
                        f"{sizes[size] / 1e6:>6.2f} MB{'':<7}{found['bare']:>8.1f}"
                        f"{found['fetch']:>9.1f} {grow['fetch']:>6}{found['fetch'] / found['bare']:>7.2f}×"
                        f"{found['both']:>12.1f} {grow['both']:>7}{found['parse']:>8.1f} {grow['parse']:>6}"
                    )
                    before = found
    finally:
        server.shutdown()
    print("\ntarget: linear up to the cap (each doubling about 2×); fetch within a small factor of the bare GET")


if __name__ == "__main__":
    main()
