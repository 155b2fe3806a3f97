"""Playground replies remembered as trials: metrics only, never the prompt or the reply's text."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from catalog.chat.errors import GatewayError
from catalog.chat.messages import ChatRequest, ChatResult
from catalog.chat.trials import trial_from_error, trial_from_result
from catalog.measured import Speed, speed_by_model
from catalog.store import StoreError
from catalog.store.trials import TrialStore
from pages.common import history

logger = logging.getLogger(__name__)


def remember(request: ChatRequest, outcome: ChatResult | GatewayError, origin: str = "playground") -> None:
    """Record one reply's tokens, cost, speed and outcome; a store that cannot be written never breaks the chat."""
    store, _ = history.history_store()
    if store is None:
        return
    chars = sum(len(message.content) for message in request.messages)
    if isinstance(outcome, GatewayError):
        trial = trial_from_error(outcome, request.record, origin=origin, prompt_chars=chars)
    else:
        trial = trial_from_result(outcome, request.record, origin=origin, prompt_chars=chars)
    try:
        TrialStore(store).record(trial)
    except StoreError as error:
        logger.warning("a playground reply was not recorded: %s", error)


def measured_speeds() -> dict[tuple[str, str], Speed]:
    """Every model's measured speed from all recorded trials (empty when the store is unavailable)."""
    store, _ = history.history_store()
    if store is None:
        return {}
    try:
        return speed_by_model(TrialStore(store).measured())
    except StoreError:
        return {}


def remember_all(requests: Sequence[ChatRequest], results: Sequence[ChatResult]) -> None:
    for request, result in zip(requests, results, strict=True):
        remember(request, result, "side_by_side")
