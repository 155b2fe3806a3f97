"""A run's request on the operator's credential: its worst case held in the spend ledger before it is sent.

The runner calls `paid_attempt` instead of sending directly when a dashboard visitor's run spends the
operator's credential. A request the ledger refuses is not sent: it is recorded as a `spend_cap` trial whose
error is the refusal (which cap, what is left, when it resets), and the run stops there for the budget.
"""

from __future__ import annotations

from collections.abc import Callable

from catalog.records import ModelRecord
from catalog.runs.trials import Trial
from catalog.spend import CapReached, Spender

SPEND_CAP = "spend_cap"


def settled_cost(trial: Trial) -> float | None:
    """What a trial cost, for the ledger: its measured cost; nothing for an error that got no reply at all;
    None (the worst case stays counted) for a reply that broke off without reporting its usage."""
    if trial.cost_usd is not None:
        return trial.cost_usd
    if not trial.ok and trial.outcome != "incomplete" and not trial.reply_chars and not trial.reasoning_chars:
        return 0.0
    return None


def paid_attempt(
    spender: Spender,
    worst_usd: float,
    attempt: Callable[[], Trial | None],
    record: ModelRecord,
    where: tuple[int, int, int],
    prompt_chars: int,
) -> Trial | None:
    """Hold `worst_usd`, send with `attempt`, settle to what it cost; a refusal becomes a `spend_cap` trial.

    `where` is (run id, prompt number, repetition)."""
    try:
        with spender.hold(worst_usd) as hold:
            trial = attempt()
            if trial is not None:
                hold.spent(settled_cost(trial), trial.request_id)
            return trial
    except CapReached as refused:
        run_id, number, repetition = where
        return Trial(
            record.provider, record.model, SPEND_CAP, "run", run_id, number, repetition, record.model_key or None,
            str(refused), prompt_chars=prompt_chars,
        )  # fmt: skip
