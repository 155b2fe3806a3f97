"""Playground replies remembered as trials: metrics only, never the prompt or the reply's text."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import streamlit as st

from catalog.dashboard.runs import run_label
from catalog.gateway.errors import GatewayError
from catalog.gateway.messages import ChatRequest, ChatResult
from catalog.history import StoreError
from catalog.runs.owners import public_metrics
from catalog.runs.report import MeasuredTokens, Speed, measured_tokens, run_report, speed_by_model
from catalog.runs.store import TrialStore
from catalog.runs.trials import trial_from_error, trial_from_result
from pages.common.spending import visible_runs
from pages.common.store import history_store

logger = logging.getLogger(__name__)


def remember(request: ChatRequest, outcome: ChatResult | GatewayError, origin: str = "playground") -> None:
    """Record one reply's tokens, cost, speed and outcome; a store that cannot be written never breaks the chat."""
    store, _ = history_store()
    if store is None:
        return
    chars = sum(len(message.content) for message in request.messages)
    if isinstance(outcome, GatewayError):
        trial = trial_from_error(outcome, request.record, origin=origin, prompt_chars=chars)
    else:
        trial = trial_from_result(outcome, request.record, origin=origin, prompt_chars=chars)
    try:
        TrialStore(store).record(public_metrics(trial))  # no prompt length, nothing that points at a visitor
    except StoreError as error:
        logger.warning("a playground reply was not recorded: %s", error)


def measured_speeds() -> dict[tuple[str, str], Speed]:
    """Every model's measured speed from all recorded trials (empty when the store is unavailable)."""
    store, _ = history_store()
    if store is None:
        return {}
    try:
        return speed_by_model(TrialStore(store).measured())
    except StoreError:
        return {}


def remember_all(requests: Sequence[ChatRequest], results: Sequence[ChatResult]) -> None:
    for request, result in zip(requests, results, strict=True):
        remember(request, result, "side_by_side")


def tokens_choice() -> tuple[MeasuredTokens | None, Callable[[], None]]:
    """Compare's choice of tokens per request: the assumed pair (None), or each model's as one of this visitor's
    runs (or a shared one) measured them; and the function that draws its picker, which the page calls later (the
    choice is known before it)."""
    store, _ = history_store()
    if store is None:
        return None, lambda: None
    trials = TrialStore(store)
    try:
        by_id = {run.id: run for run in visible_runs(store, trials.runs())}
    except StoreError:
        by_id = {}
    if not by_id:
        return None, lambda: None  # no run to choose from: nothing to draw

    def label(run_id: int | None) -> str:
        return "as assumed above, for every model" if run_id is None else f"as run {run_label(by_id[run_id])} measured"

    def picker() -> None:
        st.selectbox(
            "Tokens per request", [None, *by_id], key="w_measured", format_func=label,
            help="A run's measured input and output tokens (reasoning included) for each model it ran; the others "
            "keep the assumed pair.",
        )  # fmt: skip

    chosen = st.session_state.get("w_measured")
    if chosen not in by_id:
        return None, picker
    return measured_tokens(run_report(by_id[chosen], trials.trials(chosen, with_text=False))), picker
