"""Thirty providers loaded: Browse and the Providers view rerun under AppTest, beside an empty page.

Run: python bench/bench_providers.py [--repeat N] [--providers 30] [--models 50]
Each provider page sells `--models` models drawn from one pool of weights (so most models have several
hosts), priced differently per host. Every figure is a median measured in this one run; the target is a
rerun under 300 ms for Browse and Providers with 30 providers × 50 models loaded.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from streamlit.testing.v1 import AppTest  # noqa: E402

POOL = [
    f"{org}/{name}-{size}B-Instruct"
    for org, name in (("meta-llama", "Llama-3.3"), ("Qwen", "Qwen3"), ("mistralai", "Mistral"), ("google", "gemma-3"))
    for size in (1, 3, 7, 8, 12, 14, 24, 27, 32, 70, 72, 123, 235, 405)
] + [f"deepseek-ai/DeepSeek-V{major}.{minor}" for major in (3, 4) for minor in range(10)]


def provider_page(number: int, models: int, rng: random.Random) -> str:
    rows = "\n".join(
        f"| {model} | ${rng.uniform(0.01, 2):.3f} | ${rng.uniform(0.02, 6):.3f} |" for model in rng.sample(POOL, models)
    )
    return (
        f"# Provider {number:02d}\n\nProvider {number:02d} offers {models} models through Lava's AI Gateway.\n\n"
        "## Chat Completions\n\n**Target URL:** `https://api.provider.test/v1/chat/completions`\n\n"
        "| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n" + rows + "\n"
    )


def reruns(at: AppTest, change, repeat: int) -> list[float]:
    change()  # warm the caches once
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        change()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--repeat", type=int, default=15)
    options.add_argument("--providers", type=int, default=30)
    options.add_argument("--models", type=int, default=50)
    args = options.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number in range(args.providers):
            path = Path(folder) / f"provider-{number:02d}.md"
            path.write_text(provider_page(number, args.models, rng))
            paths.append(str(path))
        os.environ["CATALOG_SOURCES"] = ",".join(paths)
        os.environ["CATALOG_DB_URL"] = f"sqlite:///{Path(folder) / 'history.sqlite3'}"
        empty = Path(folder) / "one_line.py"
        empty.write_text('import streamlit as st\nst.write("Hello")\n')
        reference = AppTest.from_file(str(empty), default_timeout=120)
        reference.run()
        figures = {"one-line page": reruns(reference, reference.run, args.repeat)}

        browse = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        browse.run()
        loaded = len(browse.dataframe[0].value)
        searches = iter(["instruct", ""] * (args.repeat + 1))
        figures["Browse, search changed"] = reruns(
            browse, lambda: browse.text_input(key="f_q").set_value(next(searches)).run(), args.repeat
        )

        providers = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        providers.switch_page("pages/providers.py").run()
        rows = len(providers.dataframe[0].value)
        toggles = iter([False, True] * (args.repeat + 1))
        figures["Providers, toggle changed"] = reruns(
            providers, lambda: providers.toggle(key="p_several").set_value(next(toggles)).run(), args.repeat
        )
    base = statistics.median(figures["one-line page"])
    print(
        f"median of {args.repeat} reruns; {args.providers} providers × {args.models} models "
        f"({loaded} rows in Browse, {rows} models sold by 2+ hosts)"
    )
    for name, samples in figures.items():
        median = statistics.median(samples)
        print(f"{name:<28}{median * 1000:8.1f} ms   {median / base:5.1f}× the one-line page")


if __name__ == "__main__":
    main()
