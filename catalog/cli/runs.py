"""`run`, `runs` and `report`: measure prompts on models through the gateway, and read what runs measured."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any, TextIO

from catalog.cli.tables import print_table
from catalog.costs import usd
from catalog.gateway.client import GatewayClient
from catalog.gateway.config import ConfigError, GatewayConfig, reply_limits, resolve_config
from catalog.gateway.targets import trusted_hosts
from catalog.history import NoHistoryYet, Store, configured_url
from catalog.records import CatalogError, ModelRecord
from catalog.runs.billing import reconcile_run
from catalog.runs.owners import LEASE_SETTING, RunOwners, leased
from catalog.runs.prompts import Prompt, read_prompts
from catalog.runs.report import run_report
from catalog.runs.runner import RUN_RETRY, Progress, RunError, Runner, check_run, resolve_models, run_prompts
from catalog.runs.store import TrialStore
from catalog.runs.trials import FINISHED, INTERRUPTED, STOPPED_BUDGET, Run, RunSettings
from catalog.settings import Settings, read_settings

COMMANDS = ("run", "runs", "report")
#: Operator setting: "0" keeps no prompt or reply text in runs (metrics only).
KEEP_TEXT_VARIABLE = "CATALOG_RUNS_KEEP_TEXT"
NO_CREDENTIAL = (
    "no gateway credential: set LAVA_FORWARD_TOKEN, or LAVA_SECRET_KEY (optionally with DEEPINFRA_API_KEY), "
    "or DEEPINFRA_API_KEY alone, as for the playground"
)


def _whole(low: int, high: int | None = None) -> Any:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text!r} must be between {low} and {high}" if high else
                                             f"{text!r} must be at least {low}")  # fmt: skip
        return value

    return convert


def _amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number above 0")
    return value


def add_commands(commands: Any, sources: argparse.ArgumentParser) -> None:
    run = commands.add_parser("run", parents=[sources], help="send prompts to models and record every reply")
    run.add_argument("prompts", metavar="PROMPTS", help="a .jsonl, .csv (prompt column) or .txt file")
    run.add_argument("--model", action="append", default=[], metavar="M", help="a model id, or PROVIDER:MODEL")
    run.add_argument("--repeat", type=_whole(1, 1000), default=1, metavar="N", help="send each prompt N times")
    run.add_argument("--concurrency", type=_whole(1, 32), default=4, metavar="N", help="requests in flight (≤ 32)")
    run.add_argument("--max-tokens", type=_whole(1), default=1024, metavar="N", help="most tokens per reply")
    run.add_argument("--temperature", type=float, default=1.0, metavar="T")
    run.add_argument("--max-usd", type=_amount, metavar="X", help="stop before a request could pass this budget")
    run.add_argument("--name", help="a name for the run (default: the file's name)")
    run.add_argument("--resume", type=_whole(1), metavar="RUN_ID", help="run only this run's trials not yet ok")
    run.add_argument("--format", choices=("table", "json"), default="table")
    run.add_argument("--share", action="store_true", help="show the run, read-only, to every dashboard visitor")
    listing = commands.add_parser("runs", help="list the runs, newest first; `runs share N` shares run N")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.add_argument("action", nargs="?", choices=("share", "unshare"), help="share a run with every visitor")
    listing.add_argument("run_id", nargs="?", type=_whole(1), metavar="RUN_ID")
    report = commands.add_parser("report", help="what a run measured, per model")
    report.add_argument("run_id", type=_whole(1), metavar="RUN_ID")
    report.add_argument("--format", choices=("table", "json", "csv"), default="table")
    report.add_argument(
        "--reconcile", action="store_true", help="fetch what Lava billed for trials not final yet (LAVA_SECRET_KEY)"
    )


def settings_from_environment() -> Settings:
    return read_settings()


def gateway(settings: Settings) -> GatewayConfig:
    config = resolve_config(settings)
    if config is None:
        raise ConfigError(NO_CREDENTIAL)
    return config


def run_command(args: argparse.Namespace, catalog_for: Any, out: TextIO, err: TextIO) -> int:
    prompts = read_prompts(args.prompts)  # every bad line named before anything else happens
    settings = settings_from_environment()
    config, limits = gateway(settings), reply_limits(settings)
    hosts = trusted_hosts(settings, through_lava=config.uses_lava)
    models = catalog_for(args.source, args.as_of, err)
    with Store(configured_url()) as store:
        trials = TrialStore(store)
        if args.resume is not None:
            run, records = _resumed(trials, models, prompts, args, hosts)
        else:
            if not args.model:
                raise RunError("name at least one --model (or --resume RUN_ID)")
            records = resolve_models(models, args.model)
            run_settings = RunSettings(
                max_tokens=args.max_tokens, temperature=args.temperature, concurrency=args.concurrency,
                max_usd=args.max_usd, keep_text=settings.flag(KEEP_TEXT_VARIABLE),
            )  # fmt: skip
            check_run(models, records, prompts, run_settings, hosts=hosts)
            name = args.name or Path(args.prompts).name
            model_names = [(r.provider, r.model) for r in records]
            run = trials.create_run(name, model_names, run_prompts(prompts), args.repeat, run_settings)
            RunOwners(store).claim(run.id, None, shared=args.share)
        live = err.isatty()

        def show(progress: Progress) -> None:
            print(f"\r{progress.line()}\033[K", end="", file=err, flush=True)

        with GatewayClient(config, limits=limits, retry=RUN_RETRY) as client:
            runner = Runner(
                trials, client, models, run, prompts, records, on_progress=show if live else None, hosts=hosts
            )
            with leased(
                RunOwners(store), run.id, f"cli-{uuid.uuid4().hex}", settings.whole(LEASE_SETTING), runner.stop
            ):
                outcome = runner.execute()
        if live:
            print(file=err)
        print(
            f"run {run.id}: {outcome.status}; {outcome.recorded} trials recorded, {usd(outcome.spent_usd, 6)} "
            "at catalog prices",
            file=err,
        )
        if outcome.message:
            print(f"run {run.id}: {outcome.message}", file=err)
        reconcile_run(trials, run.id, settings, config)
        _print_report(trials, run.id, args.format, out)
    if outcome.status in (FINISHED, STOPPED_BUDGET):
        return 0
    return 130 if outcome.status == INTERRUPTED else 1


def _resumed(
    trials: TrialStore, models: Any, prompts: list[Prompt], args: argparse.Namespace, hosts: frozenset[str]
) -> tuple[Run, list[ModelRecord]]:
    run = trials.run(args.resume)
    if run is None:
        raise RunError(f"no run {args.resume}")
    if args.model:
        raise RunError("--resume runs the run's own models; leave out --model")
    stored = trials.prompts(run.id)
    if [p.sha256 for p in stored] != [p.sha256 for p in prompts]:
        raise RunError(f"{args.prompts} is not the prompt file run {run.id} was started with")
    records = resolve_models(models, [f"{provider}:{model}" for provider, model in run.models])
    check_run(models, records, prompts, run.settings, hosts=hosts)
    return run, records


def runs_command(args: argparse.Namespace, out: TextIO) -> int:
    if args.action is not None:
        return _share(args, out)
    with _open_store() as store:
        trials = TrialStore(store)
        found = trials.runs()
        counts = {run.id: trials.trials(run.id, with_text=False) for run in found}
    if args.format == "json":
        rows = [run_report(run, counts[run.id])["run"] for run in found]
        json.dump(rows, out, indent=2)
        out.write("\n")
        return 0
    if not found:
        print("no runs yet (python -m catalog run PROMPTS --model M)", file=out)
        return 0
    header = ["id", "name", "created", "status", "prompts", "repeat", "models", "ok", "trials"]
    table = [
        [
            str(run.id), run.name, run.created_at.strftime("%Y-%m-%d %H:%M"), run.status, str(run.prompts),
            str(run.repeat), str(len(run.models)), str(sum(t.ok for t in counts[run.id])), str(len(counts[run.id])),
        ]
        for run in found
    ]  # fmt: skip
    print_table(header, table, out, numeric={"id", "prompts", "repeat", "models", "ok", "trials"})
    return 0


def _share(args: argparse.Namespace, out: TextIO) -> int:
    if args.run_id is None:
        raise RunError(f"name the run: runs {args.action} RUN_ID")
    with _open_store() as store:
        if TrialStore(store).run(args.run_id) is None:
            raise CatalogError(f"no run {args.run_id} (python -m catalog runs lists them)")
        RunOwners(store).share(args.run_id, args.action == "share")
    what = "shared, read-only, with every dashboard visitor" if args.action == "share" else "no longer shared"
    print(f"run {args.run_id}: {what}", file=out)
    return 0


def report_command(args: argparse.Namespace, out: TextIO) -> int:
    with _open_store() as store:
        trials = TrialStore(store)
        if trials.run(args.run_id) is None:
            raise CatalogError(f"no run {args.run_id} (python -m catalog runs lists them)")
        if args.reconcile:
            settings = settings_from_environment()
            if not settings.get("LAVA_SECRET_KEY"):
                raise ConfigError("--reconcile reads Lava's request records, which needs LAVA_SECRET_KEY")
            reconcile_run(trials, args.run_id, settings, resolve_config(settings))
        _print_report(trials, args.run_id, args.format, out)
    return 0


def _open_store() -> Store:
    try:
        return Store(configured_url(), create=False)
    except NoHistoryYet:
        raise CatalogError("no runs yet: the database does not exist (python -m catalog run makes it)") from None


def _print_report(trials: TrialStore, run_id: int, form: str, out: TextIO) -> None:
    from catalog.runs.report import report_csv

    run = trials.run(run_id)
    assert run is not None
    report = run_report(run, trials.trials(run_id, with_text=False))
    if form == "json":
        json.dump(report, out, indent=2)
        out.write("\n")
        return
    if form == "csv":
        out.write(report_csv(report))
        return
    info = report["run"]
    print(f"run {info['id']} · {info['name']} · {info['status']} · {info['prompts']} prompts × {info['repeat']}",
          file=out)  # fmt: skip
    header = ["provider", "model", "ok", "failed", "in tok", "out tok", "reasoning", "cost/prompt", "provider est.",
              "billed", "TTFT p50", "TTFT p95", "tok/s p50"]  # fmt: skip
    rows = [
        [
            line["provider"], line["model"], str(line["ok"]), str(line["failed"]), _number(line["input_tokens_mean"]),
            _number(line["output_tokens_mean"]), _number(line["reasoning_tokens_mean"]),
            _money(line["cost_usd_mean"]), _money(line["estimated_cost_usd_mean"]), _billed(line),
            _ms(line["ttft_ms_p50"]), _ms(line["ttft_ms_p95"]), _number(line["output_tokens_per_s_p50"]),
        ]
        for line in report["models"]
    ]  # fmt: skip
    print_table(header, rows, out, numeric=set(header[2:]))
    print("\ncost/prompt: measured tokens at catalog prices; provider est.: the provider's own (usage.estimated_cost); "
          "billed: what Lava billed; —: not reported", file=out)  # fmt: skip


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def _money(value: float | None) -> str:
    return "—" if value is None else usd(value, 6, significant=3)


def _billed(line: dict[str, Any]) -> str:
    if line["billed_usd_mean"] is None:
        return "—"
    shown = usd(float(line["billed_usd_mean"]), 6, significant=3)
    return shown if line["billed_final"] else f"{shown} (pending)"
