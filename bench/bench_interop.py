"""What context windows cost Compare and Browse: this branch's `workload_costs` and `filter_models` beside
`main`'s (read from git), on the seed page and a generated 5,000-model page, alternating run by run.

Run: python bench/bench_interop.py [--repeat N]
`workload_costs` now looks up each model's context window (to leave a model a request overflows out of
"cheapest"); `ModelFilter.matches` checks a context or capability filter only when one is set.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_catalog import generated_page  # noqa: E402

from catalog.parser import parse_page  # noqa: E402
from catalog.query import ModelFilter, filter_models  # noqa: E402
from catalog.sources import DEFAULT_PAGE, build_catalog  # noqa: E402
from catalog.workload import Workload, workload_costs  # noqa: E402


def main_module(path: str, name: str) -> types.ModuleType:
    """A module as `main` has it, run against this checkout's other modules (their API is unchanged)."""
    source = subprocess.run(["git", "show", f"main:{path}"], cwd=ROOT, check=True, capture_output=True, text=True)
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    exec(compile(source.stdout, f"main:{path}", "exec"), module.__dict__)  # noqa: S102 - our own file, from git
    return module


def paired(ours: Callable[[], object], theirs: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Medians of both (ms) and the median of per-run ratios, alternating which runs first."""
    mine, base, ratios = [], [], []
    for index in range(repeat):
        pair = []
        for call in (ours, theirs) if index % 2 == 0 else (theirs, ours):
            start = time.perf_counter()
            call()
            pair.append((call, (time.perf_counter() - start) * 1000))
        took = dict(pair)
        mine.append(took[ours])
        base.append(took[theirs])
        ratios.append(took[ours] / took[theirs])
    return statistics.median(mine), statistics.median(base), statistics.median(ratios)


def run(repeat: int) -> None:
    old_workload = main_module("catalog/workload.py", "main_workload")
    old_query = main_module("catalog/query.py", "main_query")
    workload = Workload(2_000, 500, 10_000, "day")
    pages = {
        "seed page (52 models)": build_catalog([parse_page(DEFAULT_PAGE.text())]).models,
        "generated 5,000 models": build_catalog([parse_page(generated_page(5_000))]).models,
    }
    print(f"median of {repeat} paired runs each, Python {sys.version.split()[0]}")
    print(f"{'what':58} {'branch':>11} {'main':>11} {'ratio':>7}")
    for label, records in pages.items():
        cases = {
            f"Compare: workload_costs, {label}": (
                lambda r=records: workload_costs(r, workload),
                lambda r=records: old_workload.workload_costs(r, workload),
            ),
            f"Browse: filter_models (no filter), {label}": (
                lambda r=records: filter_models(r, ModelFilter()),
                lambda r=records: old_query.filter_models(r, old_query.ModelFilter()),
            ),
        }
        for name, (ours, theirs) in cases.items():
            mine, base, ratio = paired(ours, theirs, repeat)
            print(f"{name:58} {mine:8.3f} ms {base:8.3f} ms {ratio:6.2f}×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    run(parser.parse_args().repeat)
