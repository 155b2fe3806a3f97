"""Image disarming in a streamed reply: time per number of chunks, to show it grows linearly.

Run: python bench/bench_disarm.py [--repeat N]
For each shape of reply, the chunks are fed to `stream_without_images` at 1,250 → 10,000 chunks;
medians of N rounds, and the ratio to the previous size (2.0 is linear, 4.0 quadratic). The whole-reply
`without_images` on the same text is the reference: one parse of everything.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.gateway.safe_markdown import stream_without_images, without_images  # noqa: E402

SHAPES = {
    "images on one line": ("", "![a](b) "),
    "one image a line": ("", "![a](b)\n"),
    "inside a fence": ("```\n", "vec![1]\n"),
    "list items": ("", "- ![a](b)\n"),
    "paragraphs": ("", "![a](b)\n\n"),
    "one long quote": ("", "> ![a](b)\n"),
}
SIZES = (1250, 2500, 5000, 10_000)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def drain(chunks: list[str]) -> None:
    for _ in stream_without_images(chunks):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds per figure (default 5)")
    args = parser.parse_args()
    print(f"bench_disarm: medians of {args.repeat} rounds; ms per reply, and × the previous size")
    print(f"{'shape':<20}" + "".join(f"{n:>16,}" for n in SIZES) + f"{'whole 10,000':>16}")
    for name, (head, piece) in SHAPES.items():
        cells, previous = [], None
        for size in SIZES:
            chunks = [head] + [piece] * size
            median = statistics.median(timed(lambda chunks=chunks: drain(chunks)) for _ in range(args.repeat))
            ratio = "" if previous is None else f" ×{median / previous:.2f}"
            cells.append(f"{median * 1000:.1f}{ratio}")
            previous = median
        whole = head + piece * SIZES[-1]
        reference = statistics.median(timed(lambda whole=whole: without_images(whole)) for _ in range(args.repeat))
        print(f"{name:<20}" + "".join(f"{cell:>16}" for cell in cells) + f"{reference * 1000:>16.1f}")


if __name__ == "__main__":
    main()
