"""The Runs page's glue: reading the prompts a visitor gave, and starting a run in the background (the steps and
their checks are `catalog.runs.launch`'s; this module resolves the credential, shows what refused, and keeps the
run in the session)."""

from __future__ import annotations

import streamlit as st

from catalog.gateway.config import ConfigError, resolve_config
from catalog.history import Store, StoreError
from catalog.literal import QUOTE_LIMIT, markdown_text
from catalog.records import Catalog, ModelRecord
from catalog.runs.launch import LaunchError, Problem, Sending, launch, resumable, start_run
from catalog.runs.owners import LEASE_SETTING
from catalog.runs.paid import reconcile_and_settle
from catalog.runs.prompts import Prompt, PromptFileError, prompts_given
from catalog.runs.runner import BackgroundRun
from catalog.runs.store import TrialStore
from catalog.runs.trials import Run, RunSettings
from pages.common import chat, spending
from pages.common.settings import settings as operator_settings

JOB_KEY = spending.RUN_JOB_KEY
#: How a refusal is shown: its icon, and where its text is cut (a model's or a judge's message quotes ids).
SHOWN = {
    Problem.NOT_OWNER: (":material/lock:", None),
    Problem.RUNNING: (":material/sync_lock:", None),
    Problem.NO_TEXT: (":material/error:", None),
    Problem.BOUNDS: (None, None),
    Problem.UNPRICED: (":material/sell:", None),
    Problem.CHECK: (":material/error:", QUOTE_LIMIT),
}


def prompts_from_input(pasted: str, kind: str, upload: object | None) -> list[Prompt] | None:
    """The prompts from an upload (by its suffix) or the pasted text; an error shown (and None) if they are bad."""
    try:
        if upload is None:
            return prompts_given(pasted, kind)
        name, data = str(getattr(upload, "name", "upload.txt")), upload.getvalue()  # type: ignore[attr-defined]
        return prompts_given(pasted, kind, (name, data))
    except PromptFileError as error:
        st.error(markdown_text(str(error)), icon=":material/error:")
        return None


def start(
    store: Store, models: Catalog, records: list[ModelRecord], prompts: list[Prompt], repeat: int,
    settings: RunSettings, name: str,
) -> BackgroundRun | None:  # fmt: skip
    """Check everything, record the run, and start it in a thread; an error is shown (and None) when it cannot."""
    try:
        return _started(start_run(store, models, records, prompts, repeat, settings, name, _sending()))
    except LaunchError as error:
        _refused(error)
        return None


def resume(store: Store, models: Catalog, run: Run) -> BackgroundRun | None:
    """Run again the trials of `run` not yet ok (never one twice), as `run --resume` does; None and an error
    shown when it cannot (its prompts' text was not kept, or a model is no longer in the catalog)."""
    try:
        lease_s = operator_settings().whole(LEASE_SETTING)
        prompts, records = resumable(store, models, run, spending.visitor().owner, lease_s)
        return _started(launch(store, models, run, prompts, records, _sending()))
    except LaunchError as error:
        _refused(error)
        return None


def _sending() -> Sending:
    """The credential a run is sent with and who pays; explains and stops the page when there is none to use."""
    config, limits, hosts = chat.require_config(chat.pasted_credential())
    paying = spending.gate(config)
    return Sending(config, limits, hosts, paying, spending.visitor(), operator_settings())


def _started(job: BackgroundRun) -> BackgroundRun:
    st.session_state[JOB_KEY] = job
    st.session_state["runs_next"] = job.run_id
    return job


def _refused(error: LaunchError) -> None:
    icon, limit = SHOWN[error.problem]
    st.error(markdown_text(str(error), limit=limit), icon=icon)


def reconcile_billed(trials: TrialStore, run_id: int) -> None:
    """What Lava billed for the run's trials not final yet, fetched when the run is opened (a secret key only),
    and counted in the spend ledger."""
    settings = operator_settings()
    try:
        reconcile_and_settle(trials, run_id, settings, resolve_config(settings))
    except (ConfigError, StoreError) as error:
        st.caption(f"What Lava billed could not be fetched: {markdown_text(str(error))}")
