"""Runs against the fake gateway (in its own process, on loopback): the runner and store vs a bare httpx loop.

Run: python bench/bench_runs.py [--rounds N]
Measures, in this one run:
- 2,000 trials at concurrency 16, no upstream delay: `Runner` (streaming client, budget, every trial written to
  SQLite) against a bare httpx thread pool sending the same requests and reading the same streams; rounds alternate;
- with 200 ms before each reply: concurrency 16 against concurrency 1, in trials per second;
- the report of a 10,000-trial run: read from the store, aggregated, tabled and charted as the Runs page does;
- the peak memory (max RSS) of this process, which ran every one of those runs.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.dashboard.runs import cost_speed_figure, results_frame  # noqa: E402
from catalog.gateway.client import GatewayClient  # noqa: E402
from catalog.gateway.config import resolve_config  # noqa: E402
from catalog.history import Store  # noqa: E402
from catalog.history.schema import trials as trials_table  # noqa: E402
from catalog.runs.prompts import Prompt  # noqa: E402
from catalog.runs.report import run_report  # noqa: E402
from catalog.runs.runner import RUN_RETRY, Runner, run_prompts  # noqa: E402
from catalog.runs.store import TrialStore  # noqa: E402
from catalog.runs.trials import RunSettings, now  # noqa: E402
from catalog.sources import load_catalog  # noqa: E402

TOKEN = "fwd_tok_bench_runs"
TARGET = "https://api.deepinfra.com/v1/openai/chat/completions"
FAST = "meta-llama/Meta-Llama-3.1-8B-Instruct"
SLOW = "deepseek-ai/DeepSeek-V3.1"  # answered after 200 ms by the fake below
CATALOG = load_catalog()
#: The CPU seconds of each timed run, in order: on a shared machine the client's own CPU per trial moves less than
#: the wall time (the fake gateway runs in its own process, so none of its CPU is counted here).
CPU: list[float] = []


@contextmanager
def fake_server() -> Iterator[str]:
    """The fake gateway in a child process, so it does not share this process's GIL (or its memory)."""
    command = [sys.executable, str(ROOT / "tests" / "fake_gateway.py"), f"--token={TOKEN}", f"--delay={SLOW}=0.2"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def prompts(count: int) -> list[Prompt]:
    return [Prompt(f"p{n}", (("user", f"Benchmark prompt number {n}, please answer briefly."),)) for n in range(count)]


def runner_run(url: str, folder: Path, model: str, trials: int, concurrency: int) -> float:
    """Seconds for `trials` trials through the runner, each recorded in a fresh SQLite database (its CPU seconds,
    every thread of this process, in `CPU`)."""
    config = resolve_config({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": url})
    assert config is not None
    record = CATALOG.find(model)
    assert record is not None
    asked = prompts(trials // 10)
    database = folder / f"bench-{time.perf_counter_ns()}.sqlite3"
    with Store(f"sqlite:///{database}") as store:
        store_trials = TrialStore(store)
        settings = RunSettings(concurrency=concurrency, max_tokens=256, max_usd=1000.0)
        run = store_trials.create_run("bench", [(record.provider, record.model)], run_prompts(asked), 10, settings)
        with GatewayClient(config, retry=RUN_RETRY) as client:
            started, cpu = time.perf_counter(), time.process_time()
            outcome = Runner(store_trials, client, CATALOG, run, asked, [record]).execute()
            took = time.perf_counter() - started
            CPU.append(time.process_time() - cpu)
        assert outcome.recorded == trials and outcome.status == "finished", outcome
    return took


def bare_run(url: str, model: str, trials: int, concurrency: int) -> float:
    """Seconds for the same requests from a bare httpx thread pool: send, read the stream to its end, nothing else."""
    bodies = [
        {"model": model, "messages": [{"role": "user", "content": p.messages[0][1]}], "stream": True,
         "temperature": 1.0, "top_p": 1.0, "max_tokens": 256, "stream_options": {"include_usage": True}}
        for p in prompts(trials // 10) for _ in range(10)
    ]  # fmt: skip
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "text/event-stream"}
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    with httpx.Client(limits=limits, timeout=60) as http:

        def send(body: dict[str, object]) -> int:
            with http.stream("POST", f"{url}/v1/forward", params={"u": TARGET}, json=body, headers=headers) as reply:
                return sum(len(piece) for piece in reply.iter_bytes())

        started, cpu = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(concurrency) as pool:
            sizes = list(pool.map(send, bodies))
        took = time.perf_counter() - started
        CPU.append(time.process_time() - cpu)
    assert len(sizes) == trials and all(sizes)
    return took


def report_timing(folder: Path, count: int = 10_000) -> tuple[float, float]:
    """Milliseconds to read a 10,000-trial run from SQLite, and to aggregate, table and chart it (medians of 5)."""
    record = CATALOG.find(FAST)
    assert record is not None
    models = [(r.provider, r.model) for r in CATALOG.models[:10]]
    with Store(f"sqlite:///{folder / 'report.sqlite3'}") as store:
        store_trials = TrialStore(store)
        run = store_trials.create_run("big", models, run_prompts(prompts(100)), 10, RunSettings())
        rows = [
            {"created_at": now(), "origin": "run", "run_id": run.id, "prompt_number": n // 100,
             "repetition": n // 10 % 10, "provider": models[n % 10][0], "model": models[n % 10][1], "outcome": "ok",
             "input_tokens": 40 + n % 7, "output_tokens": 200 + n % 50, "reasoning_tokens": None,
             "ttft_ms": 100.0 + n % 30, "total_ms": 900.0 + n % 90, "output_tokens_per_s": 50.0 + n % 20,
             "cost_usd": 0.0001 + (n % 13) * 1e-6, "estimated_cost_usd": 0.0001, "request_id": f"req_{n}",
             "prompt_chars": 160, "reply_chars": 900, "reasoning_chars": 0, "reply_text": "word " * 180}
            for n in range(count)
        ]  # fmt: skip
        with store.engine.begin() as connection:
            connection.execute(sa.insert(trials_table), rows)
        reads, renders = [], []
        for _ in range(5):
            started = time.perf_counter()
            stored = store_trials.trials(run.id, with_text=False)
            read = time.perf_counter()
            report = run_report(run, stored)
            results_frame(report, CATALOG, 2000, 500)
            cost_speed_figure(report).to_json()
            done = time.perf_counter()
            assert len(stored) == count
            reads.append((read - started) * 1000)
            renders.append((done - read) * 1000)
    return statistics.median(reads), statistics.median(renders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the 2,000-trial comparison")
    args = parser.parse_args()
    print(f"memory after imports (catalog, httpx, SQLAlchemy, pandas, plotly): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")  # fmt: skip
    with tempfile.TemporaryDirectory() as temp, fake_server() as url:
        folder = Path(temp)
        runner_run(url, folder, FAST, 100, 4)  # warm up both sides (imports, connections)
        bare_run(url, FAST, 100, 4)
        ours, bare, ours_cpu, bare_cpu = [], [], [], []
        for _ in range(args.rounds):
            ours.append(runner_run(url, folder, FAST, 2000, 16))
            ours_cpu.append(CPU[-1])
            bare.append(bare_run(url, FAST, 2000, 16))
            bare_cpu.append(CPU[-1])
        ratios = [a / b for a, b in zip(ours, bare, strict=True)]
        cpu_ratios = [a / b for a, b in zip(ours_cpu, bare_cpu, strict=True)]
        print("2,000 trials, concurrency 16, no upstream delay (median of", args.rounds, "alternating rounds)")
        print(f"  runner + store   {statistics.median(ours):7.2f} s   {2000 / statistics.median(ours):7.0f} trials/s")
        print(f"  bare httpx loop  {statistics.median(bare):7.2f} s   {2000 / statistics.median(bare):7.0f} trials/s")
        print(f"  ratio            {statistics.median(ratios):7.2f}×  (target ≤ 1.25×)")
        print(f"  client CPU       {statistics.median(ours_cpu) / 2:7.2f} ms a trial (runner), "
              f"{statistics.median(bare_cpu) / 2:.2f} ms (bare): {statistics.median(cpu_ratios):.2f}×")  # fmt: skip
        one = runner_run(url, folder, SLOW, 40, 1)
        sixteen = runner_run(url, folder, SLOW, 320, 16)
        speedup = (320 / sixteen) / (40 / one)
        print("200 ms before each reply")
        print(f"  concurrency 1    {40 / one:7.2f} trials/s  (40 trials)")
        print(f"  concurrency 16   {320 / sixteen:7.2f} trials/s  (320 trials)")
        print(f"  speed-up         {speedup:7.2f}×  (target ≥ 12×)")
        run_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory after every run above (before the report): {run_peak_mb:.0f} MB (target < 200 MB)")
        read_ms, render_ms = report_timing(folder)
        print("report of a 10,000-trial run (median of 5)")
        print(f"  read from SQLite {read_ms:7.1f} ms")
        print(f"  aggregate, table, chart {render_ms:7.1f} ms; total {read_ms + render_ms:7.1f} ms (target < 300 ms)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory with the 10,000-trial report too: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
