"""What exact money costs Compare and Browse: this checkout's `workload_costs`, Compare's CSV and Browse's
filter + sort beside the same functions at `BASE` (read from git), on the seed page and a generated 5,000-model
page, alternating run by run.

Run: python bench/bench_interop.py [--repeat N] [--base COMMIT]
Times are CPU time of this thread (`time.thread_time`): on a shared machine, waiting for a core is not counted.
Each sample runs a call enough times to take a few milliseconds; the ratio is the median of per-round ratios.
`BASE` is the commit issue 20's exact-money work started from (86d2e7f): its costs were floats. Browse's code
is the same on both sides, so its ratio is this machine's noise floor.
"""

from __future__ import annotations

import argparse
import gc
import os
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

from catalog.dashboard.tables import costs_frame, to_csv  # noqa: E402
from catalog.parser import parse_page  # noqa: E402
from catalog.query import ModelFilter, filter_models, sort_models  # noqa: E402
from catalog.sources import DEFAULT_PAGE, build_catalog  # noqa: E402
from catalog.workload import Workload, workload_costs  # noqa: E402

#: The commit before exact money (`git merge-base` of the branch): costs in floats.
BASE = "86d2e7f"
#: Each timed sample repeats its call until it has taken at least this much CPU time.
SAMPLE_S = 0.004


def base_module(commit: str, path: str, name: str, uses: dict[str, types.ModuleType] | None = None) -> types.ModuleType:
    """The module at `path` as `commit` has it, run against this checkout's other modules, except `uses`
    (module name → module), which its imports get instead (`catalog.costs` of the same commit, say)."""
    source = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True)
    module = types.ModuleType(name)
    swapped = uses or {}
    saved = {key: sys.modules.get(key) for key in swapped}
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    sys.modules.update(swapped)
    try:
        exec(compile(source.stdout, f"{commit}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own file, from git
    finally:
        for key, old in saved.items():
            if old is None:
                del sys.modules[key]
            else:
                sys.modules[key] = old
    return module


def loops_for(call: Callable[[], object]) -> int:
    """How many calls make one sample of about `SAMPLE_S` of CPU time."""
    start = time.thread_time()
    call()
    took = max(time.thread_time() - start, 1e-6)
    return max(1, round(SAMPLE_S / took))


def sample(call: Callable[[], object], loops: int) -> float:
    """CPU ms per call, over `loops` calls."""
    gc.collect()
    start = time.thread_time()
    for _ in range(loops):
        call()
    return (time.thread_time() - start) * 1000 / loops


def paired(ours: Callable[[], object], theirs: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Medians of both (CPU ms per call) and the median of per-round ratios, alternating which runs first."""
    loops = max(loops_for(ours), loops_for(theirs))
    mine, base, ratios = [], [], []
    for index in range(repeat):
        if index % 2 == 0:
            now, then = sample(ours, loops), sample(theirs, loops)
        else:
            then, now = sample(theirs, loops), sample(ours, loops)
        mine.append(now)
        base.append(then)
        ratios.append(now / then)
    return statistics.median(mine), statistics.median(base), statistics.median(ratios)


def run(repeat: int, commit: str) -> None:
    old_costs = base_module(commit, "catalog/costs.py", "base_costs")
    old_cells = base_module(commit, "catalog/formats/cells.py", "base_cells")
    old_workload = base_module(commit, "catalog/workload.py", "base_workload", {"catalog.costs": old_costs})
    old_tables = base_module(
        commit,
        "catalog/dashboard/tables.py",
        "base_tables",
        {"catalog.costs": old_costs, "catalog.formats.cells": old_cells, "catalog.workload": old_workload},
    )
    old_query = base_module(commit, "catalog/query.py", "base_query")
    pages = {
        "seed page (52 models)": build_catalog([parse_page(DEFAULT_PAGE.text())]).models,
        "generated 5,000 models": build_catalog([parse_page(generated_page(5_000))]).models,
    }
    daily = Workload(2_000, 500, 10_000, "day")
    monthly = Workload(1_234, 567, 250_000, "month")  # 30 does not divide it: a day is a quotient per model
    print(f"median of {repeat} paired rounds each, CPU time, Python {sys.version.split()[0]}, base {commit}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'what':80} {'exact':>11} {'base':>11} {'ratio':>7}")
    budget = 100.0
    for label, records in pages.items():
        base_line = records[3]
        new_lines = workload_costs(records, monthly, base_line, budget)
        old_lines = old_workload.workload_costs(records, monthly, base_line, budget)
        cases = {
            f"Compare: workload_costs, per day, {label}": (
                lambda r=records: workload_costs(r, daily),
                lambda r=records: old_workload.workload_costs(r, daily),
            ),
            f"Compare: workload_costs, per month + baseline + budget, {label}": (
                lambda r=records, b=base_line: workload_costs(r, monthly, b, budget),
                lambda r=records, b=base_line: old_workload.workload_costs(r, monthly, b, budget),
            ),
            f"Compare: its CSV (costs_frame + to_csv), {label}": (
                lambda lines=new_lines: to_csv(costs_frame(lines)),
                lambda lines=old_lines: old_tables.to_csv(old_tables.costs_frame(lines)),
            ),
            f"Browse: filter_models + sort_models (no filter), {label}": (
                lambda r=records: sort_models(filter_models(r, ModelFilter())),
                lambda r=records: old_query.sort_models(old_query.filter_models(r, old_query.ModelFilter())),
            ),
        }
        for name, (ours, theirs) in cases.items():
            mine, base, ratio = paired(ours, theirs, repeat)
            print(f"{name:80} {mine:8.3f} ms {base:8.3f} ms {ratio:6.2f}×")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=41)
    parser.add_argument("--base", default=BASE, help="the commit to compare with (default: %(default)s)")
    arguments = parser.parse_args()
    run(arguments.repeat, arguments.base)
