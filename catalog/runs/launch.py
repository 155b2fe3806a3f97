"""Starting a run from the dashboard, or resuming one, in a background thread: every check before anything is
recorded or sent, then the run recorded with its owner, its lease taken, and its thread started.

The page resolves the credential and who pays (`Sending`) and shows a `LaunchError`'s message; the order of the
steps, and what each one refuses, is here:

- a new run (`start_run`): the operator's bounds on a visitor's run, the operator's prices for every model when
  the operator pays, the run's settings and targets (`check_run`) and its checks' judges; then the run, its
  prompts' checks and its owner are recorded, and it is launched;
- a resumed run (`resumable`, then `launch`): only its owner resumes it, never while it runs anywhere, and only
  when its prompts' text was kept and its models are still in the catalog;
- `launch`: the same checks again, with the run's own settings and checks (a resumed run may predate the bounds,
  or come from the CLI), then the runner, held by its lease, in its thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from catalog.gateway.client import GatewayClient
from catalog.gateway.config import GatewayConfig
from catalog.gateway.messages import ReplyLimits
from catalog.history.store import Store, StoreError
from catalog.records import Catalog, CatalogError, ModelRecord
from catalog.runs.check_store import CheckStore
from catalog.runs.checks import Check
from catalog.runs.judge import JudgeError, judges_for_run, prompt_checks, run_checks_for
from catalog.runs.owners import GONE_SETTING, LEASE_SETTING, RunOwners, leased
from catalog.runs.prompts import Prompt
from catalog.runs.runner import (
    RETRY_BUDGET_SETTING,
    RUN_RETRY,
    BackgroundRun,
    RunError,
    Runner,
    check_run,
    resolve_models,
    run_prompts,
)
from catalog.runs.store import TrialStore
from catalog.runs.trials import Run, RunSettings
from catalog.settings import Settings
from catalog.spend import Unpriced, Visitor, anonymous, session_owner
from catalog.spend.paying import Spending


class Problem(StrEnum):
    """Which step refused a launch (the page picks its icon by it)."""

    NOT_OWNER = "not_owner"
    RUNNING = "running"
    NO_TEXT = "no_text"
    BOUNDS = "bounds"
    UNPRICED = "unpriced"
    CHECK = "check"  # a model, a setting, a target, a budget or a judge (`RunError`, `JudgeError`)


class LaunchError(CatalogError):
    """A run that cannot start or resume, and why, in the visitor's words; model ids in it are untrusted text."""

    def __init__(self, message: str, problem: Problem) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class Sending:
    """How a dashboard visitor's run is sent and paid: the credential, the reply limits and trusted hosts, who pays
    (`Spending`), the visitor starting it, and the operator's settings (the lease, owner-gone time, retry budget)."""

    config: GatewayConfig
    limits: ReplyLimits
    hosts: frozenset[str]
    spending: Spending
    visitor: Visitor
    settings: Settings


def start_run(
    store: Store, models: Catalog, records: Sequence[ModelRecord], prompts: Sequence[Prompt], repeat: int,
    settings: RunSettings, name: str, sending: Sending,
) -> BackgroundRun:  # fmt: skip
    """Check everything, record the run (its prompts' checks and its owner too), and start it in a thread;
    `LaunchError` before anything is recorded when it cannot."""
    _ready(models, records, prompts, repeat, settings, prompt_checks(prompts), sending)
    trials = TrialStore(store)
    run = trials.create_run(name, [(r.provider, r.model) for r in records], run_prompts(prompts), repeat, settings)
    CheckStore(store).save_prompt_checks(run.id, prompt_checks(prompts))
    RunOwners(store).claim(run.id, sending.visitor.owner)
    return launch(store, models, run, prompts, records, sending)


def resumable(
    store: Store, models: Catalog, run: Run, viewer: str, lease_s: float
) -> tuple[list[Prompt], list[ModelRecord]]:
    """The prompts and models to run again the trials of `run` not yet ok (never one twice), as `run --resume`
    does; `LaunchError` when `viewer` (a visitor's owner) did not start it, it is running somewhere, its prompts'
    text was not kept, or a model is no longer in the catalog."""
    owners = RunOwners(store)
    if not owners.owns(run.id, viewer):
        raise LaunchError("Only the session that started this run may resume it.", Problem.NOT_OWNER)
    if owners.running_anywhere(run.id, lease_s):
        raise LaunchError(f"Run {run.id} is running now; resume it once it stops.", Problem.RUNNING)
    stored = TrialStore(store).prompts(run.id)
    if any(not prompt.messages for prompt in stored):
        raise LaunchError("This run kept no prompt text, so it cannot be resumed here.", Problem.NO_TEXT)
    try:
        records = resolve_models(models, [f"{provider}:{model}" for provider, model in run.models])
    except RunError as error:
        raise LaunchError(str(error), Problem.CHECK) from None
    return [Prompt(prompt.label, prompt.messages, prompt.max_tokens) for prompt in stored], records


def launch(
    store: Store, models: Catalog, run: Run, prompts: Sequence[Prompt], records: Sequence[ModelRecord],
    sending: Sending,
) -> BackgroundRun:  # fmt: skip
    """Start a recorded run in a thread, held by its lease, its owner's session marked seen from the start (a
    session never marked seen is never taken to have left); `LaunchError` when a check refuses it now."""
    checks = CheckStore(store).prompt_checks(run.id)  # the run's own (issue 19), also on a resume
    models, records, judges = _ready(models, records, prompts, run.repeat, run.settings, checks, sending)
    trials, chosen = TrialStore(store), sending.settings
    client = GatewayClient(sending.config, limits=sending.limits, retry=RUN_RETRY)
    hook = run_checks_for(store, run, checks, judges, prompts, client, models, sending.hosts)
    runner = Runner(
        trials, client, models, run, prompts, records, hosts=sending.hosts, checks=hook,
        retry_budget_s=chosen.whole(RETRY_BUDGET_SETTING), spender=sending.spending.spender,
    )  # fmt: skip
    owners, owner = RunOwners(store), session_owner(sending.visitor.session)
    lease_s, gone_s = chosen.whole(LEASE_SETTING), chosen.whole(GONE_SETTING)
    try:
        owners.seen(anonymous(sending.visitor.session))
    except StoreError:
        pass  # the page marks its session seen again on its next run; the owner-gone time is minutes
    job = BackgroundRun(runner, lambda: leased(owners, run.id, uuid.uuid4().hex, lease_s, runner.stop, owner, gone_s))
    return job.start()


def _ready(
    models: Catalog, records: Sequence[ModelRecord], prompts: Sequence[Prompt], repeat: int, settings: RunSettings,
    checks: dict[int, tuple[Check, ...]], sending: Sending,
) -> tuple[Catalog, list[ModelRecord], dict[str | None, ModelRecord]]:  # fmt: skip
    """The catalog and models a run is sent and priced from (the operator's own when the operator pays, never a page
    uploaded in this session; else the visitor's view) and its judges, once every check passes; else `LaunchError`."""
    paying = sending.spending
    problems = paying.run_problems(prompts=len(prompts), repeat=repeat, concurrency=settings.concurrency,
                                   max_tokens=settings.max_tokens or 0, max_usd=settings.max_usd)  # fmt: skip
    if problems:
        raise LaunchError("On the operator's credential a run needs " + "; ".join(problems) + ".", Problem.BOUNDS)
    try:
        sent_from, priced = paying.prices(models), [paying.priced(record) for record in records]
    except Unpriced as error:
        raise LaunchError(str(error), Problem.UNPRICED) from None
    try:
        check_run(sent_from, priced, prompts, settings, hosts=sending.hosts)
        judges = judges_for_run(sent_from, checks, settings, resolve_models, sending.hosts)
    except (RunError, JudgeError) as error:
        raise LaunchError(str(error), Problem.CHECK) from None
    return sent_from, priced, judges
