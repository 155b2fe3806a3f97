"""Parse + enrich speed: the seed page and generated pages beside a bare regex scan; growth up to 1 MB pages.

Run: python bench/bench_catalog.py [--repeat N]
Each figure is the median of N runs, all measured in this one run, so the ratios hold on a noisy machine.
The growth tables double the page from 64 KB to 1 MB, for ordinary pages and for adversarial shapes (the
inputs that made the old regexes backtrack), and print the time ratio per doubling: linear is about 2×.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.enrich import clear_word_cache  # noqa: E402
from catalog.parser import parse_page  # noqa: E402
from catalog.sources import DEFAULT_PAGE, build_catalog  # noqa: E402

# The least work that still finds every row and both prices: one regex over the whole text.
BARE_ROW = re.compile(r"^\|\s*([^|\n]+?)\s*\|\s*\\?\$([\d.,]+)\s*\|\s*\\?\$([\d.,]+)\s*\|", re.MULTILINE)

VENDORS = ["meta-llama", "Qwen", "deepseek-ai", "google", "microsoft", "mistralai", "nvidia", None]
STEMS = ["Llama-3.3", "Qwen3", "DeepSeek-R1", "gemma-3", "phi-4", "Mistral", "Nemotron-Nano", "GLM-5"]
SUFFIXES = ["", "-Instruct", "-Instruct-Turbo", "-Thinking-2507", "-Coder-Instruct", "-FP8", "-it", "-Distill"]


def generated_page(rows: int, seed: int = 7) -> str:
    """A provider page shaped like the seed page, with `rows` distinct models."""
    rng = random.Random(seed)
    lines = [
        "# Generated",
        "",
        f"Generated offers {rows} models through Lava's AI Gateway.",
        "",
        "| Model | Input / 1M tokens | Output / 1M tokens |",
        "| --- | --- | --- |",
    ]
    for index in range(rows):
        vendor = rng.choice(VENDORS)
        size = rng.choice(["7B", "14B", "70B", "30B-A3B", "8x22B", "17B-128E", ""])
        name = f"{rng.choice(STEMS)}-{size}-v{index}{rng.choice(SUFFIXES)}".replace("--", "-")
        model = f"{vendor}/{name}" if vendor else name
        price_in = rng.randrange(1, 300_000) / 1000
        price_out = price_in * rng.uniform(1, 5)
        lines.append(f"| {model} | \\${price_in:,.3f} | \\${price_out:,.3f} |")
    return "\n".join(lines) + "\n"


def parse_and_enrich(text: str) -> int:
    clear_word_cache()  # every run starts as a fresh process does: nothing learnt from the last run
    return len(build_catalog([parse_page(text)]))


def bare_scan(text: str) -> int:
    return len(BARE_ROW.findall(text))


def paired_medians(text: str, repeat: int) -> tuple[float, float, float, int]:
    """Median ms of parse+enrich and of the bare scan, and the median of their per-run ratios.

    The two alternate run by run, so a slow moment of the machine hits both alike.
    """
    rows, bare_rows = parse_and_enrich(text), bare_scan(text)  # warm up regex compilation
    if rows != bare_rows:
        raise SystemExit(f"the parser found {rows} rows, the bare scan {bare_rows}")
    ours, bare = [], []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            parse_and_enrich(text)
            middle = time.perf_counter()
            bare_scan(text)
            ours.append(middle - start)
            bare.append(time.perf_counter() - middle)
    finally:
        gc.enable()
    ratio = statistics.median(a / b for a, b in zip(ours, bare, strict=True))
    return statistics.median(ours) * 1000, statistics.median(bare) * 1000, ratio, rows


HEADER = "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n"
TABLE = HEADER + "| m | $1 | $2 |\n"
# Each shape: one line of a page, by its number. Pages are these lines, repeated up to the size wanted.
ADVERSARIAL = {
    "ids padded with spaces": lambda i: f"| a{i}" + " " * 200 + f"b | $1 | \\$ {i} |",
    "prices with spaced signs": lambda i: f"| r{i} | $ " + " " * 200 + "1 | 2 |",
    "headings of # and spaces": lambda i: "## " + "#" * 100 + " " * 200 + "x",
    "unclosed code spans": lambda i: "Authentication uses `" + "a" * 300 + " **Target URL:** `" + "b" * 300,
    "pipes that are no table": lambda i: "x | Model | Input / 1M tokens " + "|" * 200,
    "backtick non-fences": lambda i: "``` a`b" + "`" * 300,
}
ROW_SHAPES = {"ids padded with spaces", "prices with spaced signs"}


def shaped_page(shape: str, size: int) -> str:
    """A page of about `size` characters: a valid table, then lines of the adversarial `shape`."""
    unit = ADVERSARIAL[shape]
    lines = ["# X", "", TABLE] + ([HEADER.rstrip("\n")] if shape in ROW_SHAPES else [])
    total, index = sum(map(len, lines)), 0
    while total < size:
        line = unit(index)
        lines.append(line)
        total += len(line) + 1
        index += 1
    text = "\n".join(lines) + "\n"
    if shape in ROW_SHAPES and len(parse_page(text).rows) != index + 1:
        raise SystemExit(f"{shape}: the rows were not read as rows")
    return text


def sized_page(size: int) -> str:
    """A generated provider page of about `size` characters."""
    rows = max(1, size // 75)
    return generated_page(rows)


def median_ms(text: str, repeat: int) -> float:
    """Median CPU milliseconds of parse+enrich: CPU time, so the growth ratios hold on a busy shared machine."""
    parse_and_enrich(text)
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            parse_and_enrich(text)
            times.append(time.process_time() - start)
    finally:
        gc.enable()
    return statistics.median(times) * 1000


def growth(label: str, make: Callable[[int], str], repeat: int) -> None:
    """Median parse+enrich time of the page at each size, and the ratio to the size before."""
    cells, previous = [], None
    for size in SIZES:
        ms = median_ms(make(size), repeat)
        cells.append(f"{ms:9.1f}" + (f" ({ms / previous:.1f}×)" if previous else "       "))
        previous = ms
    print(f"{label:<26}" + "".join(cells))


SIZES = (64_000, 128_000, 256_000, 512_000, 1_024_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--skip-growth", action="store_true", help="only the seed and generated pages")
    args = parser.parse_args()

    pages = {
        "seed page (52 rows)": DEFAULT_PAGE.text(),
        "generated 1,000 rows": generated_page(1_000),
        "generated 10,000 rows": generated_page(10_000),
    }
    print(f"median of {args.repeat} paired runs each, Python {sys.version.split()[0]}")
    print(f"{'page':<24}{'parse+enrich':>14}{'bare regex':>12}{'ratio':>8}{'per row':>10}")
    results = {}
    for label, text in pages.items():
        ours, bare, ratio, rows = paired_medians(text, args.repeat)
        results[label] = (ours, rows)
        print(f"{label:<24}{ours:>11.3f} ms{bare:>9.3f} ms{ratio:>7.1f}×{ours / rows * 1000:>7.2f} µs")
    (small, small_rows), (big, big_rows) = results["generated 1,000 rows"], results["generated 10,000 rows"]
    print(f"growth 1,000 → 10,000 rows: {big / small:.1f}× time for {big_rows / small_rows:.0f}× rows")
    print("targets: seed page < 2 ms; 10,000 rows < 100 ms, linear, within 5× of the bare scan")
    if args.skip_growth:
        return
    repeat = max(5, args.repeat // 5)
    print(f"\ngrowth, median CPU ms of {repeat} runs (× the size before; linear is 2.0×)")
    print(f"{'page':<26}" + "".join(f"{size // 1000:>9} KB       " for size in SIZES))
    growth("generated provider page", sized_page, repeat)
    for shape in ADVERSARIAL:
        growth(shape, lambda size, shape=shape: shaped_page(shape, size), repeat)


if __name__ == "__main__":
    main()
