"""Discovery: 30 provider pages behind a loopback index, each answered after 50 ms, fetched concurrently.

Run: python bench/bench_discovery.py [--repeat N] [--pages 30] [--latency-ms 50]
Prints, measured side by side in this one run: the slowest single page alone, parsing every page, every page
fetched concurrently and parsed, the whole discovery (the index, then the pages), and the same pages fetched
one after another. The target: the pages take < 1.5 × (slowest single page + parse time), not the sum of the
pages. The whole discovery adds the index's own round trip before the pages can start.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402
from static_server import Site, serving  # noqa: E402

from catalog.discovery import discover, fetch_pages  # noqa: E402
from catalog.fetch import fetch_text  # noqa: E402
from catalog.parser import parse_page  # noqa: E402


def provider_page(number: int, models: int = 50) -> str:
    rows = "\n".join(
        f"| vendor{number}/model-{m}-{number}B-Instruct | ${m / 100:.2f} | ${m / 50:.2f} |" for m in range(models)
    )
    return (
        f"# Provider {number}\n\nProvider {number} offers {models} models through Lava's AI Gateway.\n\n"
        "## Chat Completions\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n" + rows + "\n"
    )


def serve(
    pages: dict[str, str], delay_s: float, address: multiprocessing.Queue[str], stop: multiprocessing.Event
) -> None:
    """The site in a child process, so the server's threads don't share the GIL with the client being timed."""
    with serving(Site(pages, delay_s=delay_s)) as site:
        site.pages = {**pages, "/docs/llms.txt": "\n".join(f"- [{p}]({site.url}{p})" for p in pages)}
        address.put(site.url)
        stop.wait()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--repeat", type=int, default=7)
    options.add_argument("--pages", type=int, default=30)
    options.add_argument("--latency-ms", type=float, default=50)
    args = options.parse_args()
    pages = {f"/docs/gateway/providers/p{n}.md": provider_page(n) for n in range(args.pages)}
    figures: dict[str, list[float]] = {"single": [], "parse": [], "pages": [], "discover": [], "sequential": []}
    address: Any = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(pages, args.latency_ms / 1000, address, stop), daemon=True)
    server.start()
    base = address.get(timeout=30)
    index = f"{base}/docs/llms.txt"
    urls = [f"{base}{path}" for path in pages]
    try:
        for _ in range(args.repeat):
            with httpx.Client() as client:
                singles = []
                for url in urls[:5]:
                    started = time.perf_counter()
                    fetch_text(url, client=client)
                    singles.append(time.perf_counter() - started)
                figures["single"].append(max(singles))
            started = time.perf_counter()
            for text in pages.values():
                parse_page(text)
            figures["parse"].append(time.perf_counter() - started)
            with httpx.Client() as client:
                started = time.perf_counter()
                for result in fetch_pages(urls, client):
                    parse_page(result.text or "")
                figures["pages"].append(time.perf_counter() - started)
            started = time.perf_counter()
            _, fetched = discover(index)
            for result in fetched:
                parse_page(result.text or "")
            figures["discover"].append(time.perf_counter() - started)
            with httpx.Client() as client:
                started = time.perf_counter()
                fetch_text(index, client=client)
                for result in fetch_pages(urls, client, concurrency=1):
                    parse_page(result.text or "")
                figures["sequential"].append(time.perf_counter() - started)
    finally:
        stop.set()
        server.join(timeout=10)
    single, parse, paged, found, sequential = (
        median_ms(figures[name]) for name in ("single", "parse", "pages", "discover", "sequential")
    )
    print(f"median of {args.repeat} runs, {args.pages} pages × 50 models, {args.latency_ms:g} ms per response")
    print(f"slowest single page            {single:8.1f} ms")
    print(f"parse all {args.pages} pages             {parse:8.1f} ms")
    print(f"all pages, concurrently, parsed {paged:7.1f} ms   {paged / (single + parse):.2f}× (single page + parse)")
    print(f"discover (index, then pages)   {found:8.1f} ms   {found / (single + parse):.2f}× (single page + parse)")
    print(f"one after another              {sequential:8.1f} ms   {sequential / found:.1f}× the concurrent discovery")


if __name__ == "__main__":
    main()
