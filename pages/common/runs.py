"""The Runs page's glue: reading the prompts a visitor gave, and starting a run in the background."""

from __future__ import annotations

import uuid

import streamlit as st

from catalog.gateway.client import GatewayClient
from catalog.gateway.config import ConfigError, resolve_config
from catalog.history import Store, StoreError
from catalog.literal import markdown_text
from catalog.records import Catalog, ModelRecord
from catalog.runs.check_store import CheckStore
from catalog.runs.judge import JudgeError, judges_for_run, prompt_checks, run_checks_for
from catalog.runs.owners import GONE_SETTING, LEASE_SETTING, RunOwners, leased
from catalog.runs.paid import reconcile_and_settle
from catalog.runs.prompts import FORMATS, WRONG_SUFFIX, Prompt, PromptFileError, parse_prompts
from catalog.runs.runner import RUN_RETRY, BackgroundRun, RunError, Runner, check_run, resolve_models, run_prompts
from catalog.runs.store import TrialStore
from catalog.runs.trials import Run, RunSettings
from catalog.spend import Unpriced
from pages.common import chat, spending
from pages.common.settings import settings as operator_settings

JOB_KEY = spending.RUN_JOB_KEY
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def prompts_from_input(pasted: str, kind: str, upload: object | None) -> list[Prompt] | None:
    """The prompts from an upload (by its suffix) or the pasted text; an error shown (and None) if they are bad."""
    try:
        if upload is not None:
            name = str(getattr(upload, "name", "upload.txt"))
            suffix = name.rsplit(".", 1)[-1].lower()
            data: bytes = upload.getvalue()  # type: ignore[attr-defined]
            if suffix not in FORMATS:
                raise PromptFileError(f"{name}: {WRONG_SUFFIX}")
            if len(data) > MAX_UPLOAD_BYTES:
                raise PromptFileError(f"{name}: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise PromptFileError(f"{name}: not UTF-8 text") from None
            return parse_prompts(text, suffix, name)
        return parse_prompts(pasted, kind, "the pasted prompts")
    except PromptFileError as error:
        st.error(markdown_text(str(error)), icon=":material/error:")
        return None


def start(
    store: Store, models: Catalog, records: list[ModelRecord], prompts: list[Prompt], repeat: int,
    settings: RunSettings, name: str,
) -> BackgroundRun | None:  # fmt: skip
    """Check everything, record the run, and start it in a thread; an error is shown (and None) when it cannot."""
    config, _, hosts = chat.require_config(chat.pasted_credential())
    paying = spending.gate(config)
    if not _within_bounds(paying, len(prompts), repeat, settings) or _operators(paying, models, records) is None:
        return None  # before the run is recorded
    try:
        check_run(models, records, prompts, settings, hosts=hosts)
        judges_for_run(models, prompt_checks(prompts), settings, resolve_models, hosts)  # checks: before anything
    except (RunError, JudgeError) as error:
        st.error(markdown_text(str(error)), icon=":material/error:")
        return None
    trials = TrialStore(store)
    run = trials.create_run(name, [(r.provider, r.model) for r in records], run_prompts(prompts), repeat, settings)
    CheckStore(store).save_prompt_checks(run.id, prompt_checks(prompts))
    RunOwners(store).claim(run.id, spending.visitor().owner)
    return _launch(trials, models, run, prompts, records)


def resume(store: Store, models: Catalog, run: Run) -> BackgroundRun | None:
    """Run again the trials of `run` not yet ok (never one twice), as `run --resume` does; None and an error
    shown when it cannot (its prompts' text was not kept, or a model is no longer in the catalog)."""
    owners, lease_s = RunOwners(store), operator_settings().whole(LEASE_SETTING)
    if not spending.owns(store, run):
        st.error("Only the session that started this run may resume it.", icon=":material/lock:")
        return None
    if owners.running_anywhere(run.id, lease_s):
        st.error(f"Run {run.id} is running now; resume it once it stops.", icon=":material/sync_lock:")
        return None
    trials = TrialStore(store)
    stored = trials.prompts(run.id)
    if any(not prompt.messages for prompt in stored):
        st.error("This run kept no prompt text, so it cannot be resumed here.", icon=":material/error:")
        return None
    prompts = [Prompt(prompt.label, prompt.messages, prompt.max_tokens) for prompt in stored]
    try:
        records = resolve_models(models, [f"{provider}:{model}" for provider, model in run.models])
    except RunError as error:
        st.error(markdown_text(str(error)), icon=":material/error:")
        return None
    return _launch(trials, models, run, prompts, records)


def _within_bounds(paying: spending.Spending, prompts: int, repeat: int, settings: RunSettings) -> bool:
    """Whether a run fits the operator's bounds on a visitor's run (always on the visitor's own credential);
    why not is shown."""
    problems = spending.run_problems(paying, prompts=prompts, repeat=repeat, concurrency=settings.concurrency,
                                     max_tokens=settings.max_tokens or 0, max_usd=settings.max_usd)  # fmt: skip
    if problems:
        st.error("On the operator's credential a run needs " + markdown_text("; ".join(problems), limit=None) + ".")
    return not problems


def _operators(
    paying: spending.Spending, models: Catalog, records: list[ModelRecord]
) -> tuple[Catalog, list[ModelRecord]] | None:
    """The catalog and models a run is sent and priced from: the operator's own when the operator pays (never a
    page uploaded in this session), else the visitor's view; None, and why shown, for a model it does not list."""
    try:
        return paying.prices(models), [paying.priced(record) for record in records]
    except Unpriced as error:
        st.error(markdown_text(str(error), limit=None), icon=":material/sell:")
        return None


def _launch(
    trials: TrialStore, models: Catalog, run: Run, prompts: list[Prompt], records: list[ModelRecord]
) -> BackgroundRun | None:
    config, limits, hosts = chat.require_config(chat.pasted_credential())
    paying = spending.gate(config)
    # Checked here too, so a resume is held to them: the run may predate the bounds, or come from the CLI.
    if not _within_bounds(paying, len(prompts), run.repeat, run.settings):
        return None
    if (operators := _operators(paying, models, records)) is None:
        return None
    models, records = operators
    checks = CheckStore(trials.store).prompt_checks(run.id)  # the run's own (issue 19), also on a resume
    try:
        check_run(models, records, prompts, run.settings, hosts=hosts)
        judges = judges_for_run(models, checks, run.settings, resolve_models, hosts)
    except (RunError, JudgeError) as error:
        st.error(markdown_text(str(error)), icon=":material/error:")
        return None
    client = GatewayClient(config, limits=limits, retry=RUN_RETRY)
    hook = run_checks_for(trials.store, run, checks, judges, prompts, client, models, hosts)
    budget_s = operator_settings().whole("CATALOG_RUNS_RETRY_BUDGET_S")
    runner = Runner(
        trials, client, models, run, prompts, records, hosts=hosts, retry_budget_s=budget_s, checks=hook,
        spender=paying.spender,
    )  # fmt: skip
    chosen = operator_settings()
    lease_s, gone_s, owner = chosen.whole(LEASE_SETTING), chosen.whole(GONE_SETTING), spending.session_owner()
    owners = RunOwners(trials.store)
    spending.mark_seen(owners)  # seen from the start: a session never marked seen is never taken to have left
    job = BackgroundRun(runner, lambda: leased(owners, run.id, uuid.uuid4().hex, lease_s, runner.stop, owner, gone_s))
    job.start()
    st.session_state[JOB_KEY] = job
    st.session_state["runs_next"] = run.id
    return job


def reconcile_billed(trials: TrialStore, run_id: int) -> None:
    """What Lava billed for the run's trials not final yet, fetched when the run is opened (a secret key only),
    and counted in the spend ledger."""
    settings = operator_settings()
    try:
        reconcile_and_settle(trials, run_id, settings, resolve_config(settings))
    except (ConfigError, StoreError) as error:
        st.caption(f"What Lava billed could not be fetched: {markdown_text(str(error))}")
