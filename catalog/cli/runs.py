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
from catalog.runs.check_store import CheckStore, graded_run_report
from catalog.runs.grading import DEFAULT_MIN_PASS_RATE, best_sentence
from catalog.runs.judge import RunChecks, judges_for_run, prompt_checks, rejudge, resolve_judges, run_checks_for
from catalog.runs.owners import LEASE_SETTING, RunOwners, leased
from catalog.runs.paid import reconcile_and_settle
from catalog.runs.prompts import FORMATS_TEXT, Prompt, read_prompts
from catalog.runs.report import ModelSummary, RunReport, run_report
from catalog.runs.runner import (
    MAX_REPLY_TOKENS,
    RETRY_BUDGET_SETTING,
    RUN_RETRY,
    Progress,
    RunError,
    Runner,
    check_run,
    clamp_notes,
    resolve_models,
    run_prompts,
)
from catalog.runs.store import TrialStore
from catalog.runs.trials import FINISHED, INTERRUPTED, STOPPED_BUDGET, Run, RunSettings
from catalog.settings import Settings, in_force
from catalog.words import counted

COMMANDS = ("run", "runs", "report")
#: Operator setting: "0" keeps no prompt or reply text in runs (metrics only).
KEEP_TEXT_VARIABLE = "CATALOG_RUNS_KEEP_TEXT"
NO_CREDENTIAL = (
    "no gateway credential: set LAVA_FORWARD_TOKEN, or LAVA_SECRET_KEY (optionally with DEEPINFRA_API_KEY), "
    "or DEEPINFRA_API_KEY alone, as for the playground"
)


#: The largest id a run (or any row) can have: the store's 64-bit integer keys.
MAX_ID = 2**63 - 1


def _whole(low: int, high: int) -> Any:
    """A whole number from `low` to `high` (ASCII digits, at most 30 of them), or argparse's one-line error."""

    def convert(text: str) -> int:
        shown = repr(text if len(text) <= 30 else text[:30] + "…")
        digits = text.strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 30):
            raise argparse.ArgumentTypeError(f"{shown} is not a whole number")
        value = int(digits)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{shown} must be between {low:,} and {high:,}")
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


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a share from 0 to 1 (0.9 is 90%)")
    return value


def add_commands(commands: Any, sources: argparse.ArgumentParser) -> None:
    run = commands.add_parser("run", parents=[sources], help="send prompts to models and record every reply")
    run.add_argument("prompts", metavar="PROMPTS", help=f"a prompt file: {FORMATS_TEXT}")
    run.add_argument("--model", action="append", default=[], metavar="M", help="a model id, or PROVIDER:MODEL")
    run.add_argument("--repeat", type=_whole(1, 1000), default=1, metavar="N", help="send each prompt N times")
    run.add_argument("--concurrency", type=_whole(1, 32), default=4, metavar="N", help="requests in flight (≤ 32)")
    run.add_argument(
        "--max-tokens",
        type=_whole(1, MAX_REPLY_TOKENS),
        default=1024,
        metavar="N",
        help="most tokens per reply (a prompt's own max_tokens is clamped to it)",
    )
    run.add_argument("--temperature", type=float, default=1.0, metavar="T")
    run.add_argument("--max-usd", type=_amount, metavar="X", help="stop before a request could pass this budget")
    run.add_argument("--name", help="a name for the run (default: the file's name)")
    run.add_argument("--resume", type=_whole(1, MAX_ID), metavar="RUN_ID", help="run only this run's trials not yet ok")
    run.add_argument("--format", choices=("table", "json"), default="table")
    _check_flags(run)
    run.add_argument("--share", action="store_true", help="show the run, read-only, to every dashboard visitor")
    listing = commands.add_parser("runs", help="list the runs, newest first; `runs share N` shares run N")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.add_argument("action", nargs="?", choices=("share", "unshare"), help="share a run with every visitor")
    listing.add_argument("run_id", nargs="?", type=_whole(1, MAX_ID), metavar="RUN_ID")
    report = commands.add_parser("report", parents=[sources], help="what a run measured, per model")
    report.add_argument("run_id", type=_whole(1, MAX_ID), metavar="RUN_ID", nargs="?")
    report.add_argument("--format", choices=("table", "json", "csv"), default="table")
    report.add_argument(
        "--reconcile", action="store_true", help="fetch what Lava billed for trials not final yet (LAVA_SECRET_KEY)"
    )
    report.add_argument(
        "--rejudge", type=_whole(1, MAX_ID), metavar="RUN_ID", help="grade the run's stored answers again"
    )
    report.add_argument("--max-usd", type=_amount, metavar="X", help="with --rejudge: the judge calls' budget")
    _check_flags(report)


def _check_flags(parser: argparse.ArgumentParser) -> None:
    """The answer checks' flags, shared by `run` and `report` (issue 19)."""
    parser.add_argument("--judge", metavar="M", help="the model grading judge checks (a model id or PROVIDER:MODEL)")
    parser.add_argument(
        "--min-pass-rate", type=_share, default=DEFAULT_MIN_PASS_RATE, metavar="R",
        help="the best model is the cheapest per passing answer among those passing this share (default 0.9)",
    )  # fmt: skip


def settings_from_environment() -> Settings:
    return in_force()  # read once by `main`


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
                max_usd=args.max_usd, keep_text=settings.flag(KEEP_TEXT_VARIABLE), judge=args.judge,
            )  # fmt: skip
            check_run(models, records, prompts, run_settings, hosts=hosts)
            checks = prompt_checks(prompts)
            judges = judges_for_run(models, checks, run_settings, resolve_models, hosts)
            name = args.name or Path(args.prompts).name
            model_names = [(r.provider, r.model) for r in records]
            run = trials.create_run(name, model_names, run_prompts(prompts), args.repeat, run_settings)
            CheckStore(store).save_prompt_checks(run.id, checks)
            RunOwners(store).claim(run.id, None, shared=args.share)
        if args.resume is not None:
            checks = CheckStore(store).prompt_checks(run.id)  # the run's own checks, as it was started with
            judges = judges_for_run(models, checks, run.settings, resolve_models, hosts)
        for note in clamp_notes(prompts, run.settings.max_tokens, [record.model for record in records]):
            print(f"run {run.id}: {note}", file=err)
        with GatewayClient(config, limits=limits, retry=RUN_RETRY) as client:
            hook = run_checks_for(store, run, checks, judges, prompts, client, models, hosts)
            runner = Runner(
                trials, client, models, run, prompts, records, on_progress=_progress_printer(err), hosts=hosts,
                retry_budget_s=settings.whole(RETRY_BUDGET_SETTING), checks=hook,
            )  # fmt: skip
            with leased(
                RunOwners(store), run.id, f"cli-{uuid.uuid4().hex}", settings.whole(LEASE_SETTING), runner.stop
            ):
                outcome = runner.execute()
        live = err.isatty()
        if live:
            print(file=err)
        recorded = counted(outcome.recorded, "trial")
        print(f"run {run.id}: {outcome.status}; {recorded} recorded, {_spent(outcome.spent_usd, hook)}", file=err)
        if outcome.message:
            print(f"run {run.id}: {outcome.message}", file=err)
        reconcile_and_settle(trials, run.id, settings, config)
        _print_report(trials, run.id, args.format, out, args.min_pass_rate)
    if outcome.status in (FINISHED, STOPPED_BUDGET):
        return 0
    return 130 if outcome.status == INTERRUPTED else 1


def _spent(spent_usd: float, checks: RunChecks | None) -> str:
    """What the run spent at catalog prices; with judge checks, the answers' part and the judge's apart."""
    if checks is None or not checks.grader.judges:
        return f"{usd(spent_usd, 6)} at catalog prices"
    judge = checks.spent_usd
    return f"answers {usd(spent_usd - judge, 6)} + judge {usd(judge, 6)} at catalog prices"


def _progress_printer(err: TextIO) -> Any:
    """On a terminal, the progress line rewritten in place; elsewhere, only each new rate-limit wait, a line each."""
    live, said = err.isatty(), [""]

    def show(progress: Progress) -> None:
        if live:
            print(f"\r{progress.line()}\033[K", end="", file=err, flush=True)
        elif progress.waiting and progress.waiting.split(" for ")[-1] != said[0]:
            said[0] = progress.waiting.split(" for ")[-1]
            print(progress.waiting, file=err, flush=True)
        elif not progress.waiting:
            said[0] = ""

    return show


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
        return _share_run(args, out)
    with _open_store() as store:
        trials = TrialStore(store)
        found = trials.runs()
        counts = {run.id: trials.trials(run.id, with_text=False) for run in found}
    if args.format == "json":
        rows = [run_report(run, counts[run.id]).run_json() for run in found]
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


def _share_run(args: argparse.Namespace, out: TextIO) -> int:
    if args.run_id is None:
        raise RunError(f"name the run: runs {args.action} RUN_ID")
    with _open_store() as store:
        if TrialStore(store).run(args.run_id) is None:
            raise CatalogError(f"no run {args.run_id} (python -m catalog runs lists them)")
        RunOwners(store).share(args.run_id, args.action == "share")
    what = "shared, read-only, with every dashboard visitor" if args.action == "share" else "no longer shared"
    print(f"run {args.run_id}: {what}", file=out)
    return 0


def report_command(args: argparse.Namespace, out: TextIO, catalog_for: Any = None, err: TextIO | None = None) -> int:
    if args.rejudge is not None and args.run_id not in (None, args.rejudge):
        raise CatalogError("give the run once: `report --rejudge RUN_ID` (or `report RUN_ID --rejudge RUN_ID`)")
    args.run_id = args.run_id or args.rejudge
    if args.run_id is None:
        raise CatalogError("name a run: `report RUN_ID` (python -m catalog runs lists them)")
    with _open_store() as store:
        trials = TrialStore(store)
        if trials.run(args.run_id) is None:
            raise CatalogError(f"no run {args.run_id} (python -m catalog runs lists them)")
        if args.reconcile:
            settings = settings_from_environment()
            if not settings.get("LAVA_SECRET_KEY"):
                raise ConfigError("--reconcile reads Lava's request records, which needs LAVA_SECRET_KEY")
            reconcile_and_settle(trials, args.run_id, settings, resolve_config(settings))
        if args.rejudge is not None:
            _rejudge(trials, args, catalog_for, err)
        _print_report(trials, args.run_id, args.format, out, args.min_pass_rate)
    return 0


def _rejudge(trials: TrialStore, args: argparse.Namespace, catalog_for: Any, err: TextIO | None) -> None:
    """`report --rejudge`: the stored answers graded again as a new judging, through the run's own gateway."""
    run = trials.run(args.run_id)
    assert run is not None and catalog_for is not None
    settings = settings_from_environment()
    config, limits = gateway(settings), reply_limits(settings)
    hosts = trusted_hosts(settings, through_lava=config.uses_lava)
    models = catalog_for(args.source, args.as_of, err)
    checks = CheckStore(trials.store)
    found = checks.prompt_checks(run.id)
    # --judge: another judge for every judge check, its own included, trusted or refused as any judge
    judges = resolve_judges(models, (c for cs in found.values() for c in cs), run.settings.judge, resolve_models,
                            hosts, instead=args.judge)  # fmt: skip
    with GatewayClient(config, limits=limits, retry=RUN_RETRY) as client:
        outcome = rejudge(trials, checks, client, models, run, judges, hosts=hosts, max_usd=args.max_usd)
    print(
        f"run {run.id}: judging {outcome.judging}, {outcome.verdicts} answers graded, judge cost "
        f"{usd(outcome.judge_cost_usd, 6)}; {outcome.not_judged} checks not judged",
        file=err,
    )


def _open_store() -> Store:
    try:
        return Store(configured_url(), create=False)
    except NoHistoryYet:
        raise CatalogError("no runs yet: the database does not exist (python -m catalog run makes it)") from None


def _print_report(
    trials: TrialStore, run_id: int, form: str, out: TextIO, min_pass_rate: float = DEFAULT_MIN_PASS_RATE
) -> None:
    run = trials.run(run_id)
    assert run is not None
    report = graded_run_report(trials, run, trials.trials(run_id, with_text=False), min_pass_rate)
    if form == "json":
        out.write(report.json_text() + "\n")
        return
    if form == "csv":
        out.write(report.csv_text())
        return
    print(f"run {run.id} · {run.name} · {run.status} · {run.prompts} prompts × {run.repeat}", file=out)
    header = ["provider", "model", "ok", "failed", "in tok", "out tok", "reasoning", "cost/prompt", "provider est.",
              "billed", "TTFT p50", "TTFT p95", "tok/s p50"]  # fmt: skip
    rows = [
        [
            line.provider, line.model, str(line.ok), str(line.failed), _number(line.input_tokens_mean),
            _number(line.output_tokens_mean), _number(line.reasoning_tokens_mean), _money(line.cost_usd_mean),
            _money(line.estimated_cost_usd_mean), _billed(line), _ms(line.ttft_ms_p50), _ms(line.ttft_ms_p95),
            _number(line.output_tokens_per_s_p50),
        ]
        for line in report.models
    ]  # fmt: skip
    if report.grading is not None:
        header, rows = _with_pass_columns(report, header, rows)
    print_table(header, rows, out, numeric=set(header[2:]))
    if report.grading is not None:
        print("\n" + best_sentence(report.grading), file=out)
    print("\ncost/prompt: measured tokens at catalog prices; provider est.: the provider's own (usage.estimated_cost); "
          "billed: what Lava billed; —: not reported", file=out)  # fmt: skip


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def _money(value: float | None) -> str:
    return "—" if value is None else usd(value, 6, significant=3)


def _billed(line: ModelSummary) -> str:
    if line.billed_usd_mean is None:
        return "—"
    shown = usd(float(line.billed_usd_mean), 6, significant=3)
    return shown if line.billed_final else f"{shown} (pending)"


def _with_pass_columns(
    report: RunReport, header: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]]]:
    """The table's `pass` (passed/decided) and `cost/pass` columns, after `failed`."""
    assert report.grading is not None
    extra = []
    for grade in report.grading.grades:
        decided = grade.checked - grade.not_judged
        shown = f"{grade.passed}/{decided}" + (f" ({grade.not_judged} not judged)" if grade.not_judged else "")
        extra.append([shown, _money(grade.cost_per_pass_usd)])
    joined = [row[:4] + more + row[4:] for row, more in zip(rows, extra, strict=True)]
    return header[:4] + ["pass", "cost/pass"] + header[4:], joined
