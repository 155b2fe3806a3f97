"""A run with judge checks against the same run without checks, on the loopback fake gateway with 200 ms latency.

Run: python bench/bench_judge.py [--rounds N] [--prompts N]
The target (issue 19): at concurrency 16, with 200 ms before every reply (the answers' and the judge's), the run
with a judge check on every prompt takes at most 1.3× the run without checks, plus the judge's own latency
(200 ms): judge calls overlap with the answers' requests. Both runs go through `Runner` (streaming client,
budget, every trial and verdict written to SQLite) in this one process; rounds alternate, medians are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_gateway import running_fake  # noqa: E402
from fake_models import CAPITALS, COUNTRIES, JUDGE, SOLID, quality_models  # noqa: E402

from catalog.gateway.client import GatewayClient  # noqa: E402
from catalog.gateway.config import resolve_config  # noqa: E402
from catalog.history import Store  # noqa: E402
from catalog.runs.check_store import CheckStore  # noqa: E402
from catalog.runs.judge import judges_for_run, prompt_checks, run_checks_for  # noqa: E402
from catalog.runs.prompts import Prompt, parse_prompts  # noqa: E402
from catalog.runs.runner import RUN_RETRY, Runner, resolve_models, run_prompts  # noqa: E402
from catalog.runs.store import TrialStore  # noqa: E402
from catalog.runs.trials import RunSettings  # noqa: E402
from catalog.sources import load_catalog  # noqa: E402

TOKEN = "fwd_tok_bench_judge"
LATENCY_S = 0.2
CONCURRENCY = 16
CATALOG = load_catalog()


def prompts(count: int, judged: bool) -> list[Prompt]:
    lines = []
    for n in range(count):
        country = COUNTRIES[n % len(COUNTRIES)]
        line: dict[str, object] = {"id": f"p{n}", "prompt": f"Capital of {country}? One word. (question {n})"}
        if judged:
            line["expect"] = [{"type": "judge", "value": f"Names {CAPITALS[country]} as the capital of {country}."}]
        lines.append(json.dumps(line))
    return parse_prompts("\n".join(lines), "jsonl")


def one_run(url: str, folder: Path, count: int, judged: bool) -> float:
    """Seconds for one run of `count` prompts on SOLID, with a judge check on each when `judged`."""
    config = resolve_config({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": url})
    assert config is not None
    records = resolve_models(CATALOG, [SOLID])
    asked = prompts(count, judged)
    settings = RunSettings(concurrency=CONCURRENCY, max_tokens=256, max_usd=1000.0, judge=JUDGE if judged else None)
    with Store(f"sqlite:///{folder / f'bench-{time.perf_counter_ns()}.sqlite3'}") as store:
        trials = TrialStore(store)
        checks = prompt_checks(asked)
        judges = judges_for_run(CATALOG, checks, settings, resolve_models)
        run = trials.create_run("bench", [(r.provider, r.model) for r in records], run_prompts(asked), 1, settings)
        CheckStore(store).save_prompt_checks(run.id, checks)
        with GatewayClient(config, retry=RUN_RETRY) as client:
            hook = run_checks_for(store, run, checks, judges, asked, client, CATALOG)
            started = time.perf_counter()
            outcome = Runner(trials, client, CATALOG, run, asked, records, checks=hook).execute()
            took = time.perf_counter() - started
        assert outcome.recorded == count and outcome.status == "finished", outcome
        if judged:
            verdicts = CheckStore(store).verdicts(run.id)
            assert len(verdicts) == count and all(v.passed for v in verdicts.values())
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--prompts", type=int, default=96)
    args = parser.parse_args()
    plain, judged = [], []
    delays = {SOLID: LATENCY_S, JUDGE: LATENCY_S}
    fake_models = running_fake(forward_tokens={TOKEN}, model_delays=delays)
    with tempfile.TemporaryDirectory() as folder, quality_models(), fake_models as fake:
        one_run(fake.url, Path(folder), 16, True)  # warm up: imports, connections
        for _ in range(args.rounds):
            plain.append(one_run(fake.url, Path(folder), args.prompts, False))
            judged.append(one_run(fake.url, Path(folder), args.prompts, True))
    a, b = statistics.median(plain), statistics.median(judged)
    bound = 1.3 * a + LATENCY_S
    print(f"{args.prompts} prompts at concurrency {CONCURRENCY}, {LATENCY_S * 1000:.0f} ms latency, "
          f"{args.rounds} rounds")  # fmt: skip
    print(f"without checks:          median {a:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in plain)})")
    print(f"with a judge per prompt: median {b:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in judged)})")
    verdict = "met" if b <= bound else "NOT met"
    print(f"ratio {b / a:.2f}×; target ≤ 1.3 × {a:.3f} + {LATENCY_S:.1f} = {bound:.3f} s: {verdict}")


if __name__ == "__main__":
    main()
