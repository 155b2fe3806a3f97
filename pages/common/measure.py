"""Playground replies remembered as trials: metrics only, never the prompt or the reply's text."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import streamlit as st

from catalog.dashboard.runs import TokensChoice
from catalog.gateway.errors import GatewayError
from catalog.gateway.messages import ChatRequest, ChatResult
from catalog.history import StoreError
from catalog.runs.owners import public_metrics
from catalog.runs.report import MeasuredTokens, Speed, speed_by_model
from catalog.runs.store import TrialStore
from catalog.runs.trials import reply_trial
from pages.common.spending import visible_runs
from pages.common.store import history_store

logger = logging.getLogger(__name__)


def remember(request: ChatRequest, outcome: ChatResult | GatewayError, origin: str = "playground") -> None:
    """Record one reply's tokens, cost, speed and outcome; a store that cannot be written never breaks the chat."""
    store, _ = history_store()
    if store is None:
        return
    try:  # no prompt length, nothing that points at a visitor
        TrialStore(store).record(public_metrics(reply_trial(request, outcome, origin)))
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
        choice = TokensChoice.of(visible_runs(store, trials.runs()))
    except StoreError:
        choice = TokensChoice.of([])
    if not choice.runs:
        return None, lambda: None  # no run to choose from: nothing to draw

    def picker() -> None:
        st.selectbox(
            "Tokens per request", choice.options, key="w_measured", format_func=choice.label,
            help="A run's measured input and output tokens (reasoning included) for each model it ran; the others "
            "keep the assumed pair.",
        )  # fmt: skip

    return choice.measured(trials, st.session_state.get("w_measured")), picker
