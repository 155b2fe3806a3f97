"""A run's request on the operator's credential: its worst case held in the spend ledger before it is sent.

The runner calls `paid_attempt` instead of sending directly when a dashboard visitor's run spends the
operator's credential. A request the ledger refuses is not sent: it is recorded as a `spend_cap` trial whose
error is the refusal (which cap, what is left, when it resets), and the run stops there for the budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from catalog.gateway.config import GatewayConfig
from catalog.history.store import Store
from catalog.records import ModelRecord
from catalog.runs.billing import reconcile_run
from catalog.runs.store import TrialStore
from catalog.runs.trials import Trial
from catalog.spend import CapReached, Spender, settle_billed

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


def settle_billed_trials(store: Store, trials: Iterable[Trial]) -> int:
    """Settle the spend ledger to what Lava billed for each trial whose billing record is final; a trial the
    ledger never held (a visitor's own credential, the CLI) changes nothing. How many reservations changed."""
    billed = [
        (trial.request_id, float(trial.billed_usd))
        for trial in trials
        if trial.request_id and trial.billed_final and trial.billed_usd is not None
    ]
    return settle_billed(store, billed) if billed else 0


def reconcile_and_settle(
    trials: TrialStore, run_id: int, settings: Mapping[str, str], config: GatewayConfig | None
) -> None:
    """Fetch what Lava billed for the run's trials not final yet (`reconcile_run`), then count it in the spend
    ledger in place of the measured cost: the caps then hold what the operator really paid."""
    reconcile_run(trials, run_id, settings, config)
    settle_billed_trials(trials.store, trials.trials(run_id, with_text=False))
