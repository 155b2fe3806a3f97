"""What Lava billed for a request: `GET {LAVA_BASE_URL}/v1/requests/{id}` with the Lava secret key.

Lava logs usage asynchronously, so a record may be missing (404) or `pending` right after the reply: that
trial is left not final and fetched again later (`report --reconcile`, or when the Runs page opens the run).
Money is read as `Decimal` from Lava's decimal strings, never through float.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from catalog import json_text
from catalog.fetch import FetchError, FetchLimits, fetch_text
from catalog.gateway.config import DEFAULT_LAVA_BASE_URL, GatewayConfig
from catalog.parser import plain_number
from catalog.runs.store import TrialStore

#: Statuses of a request record whose cost may still change.
from catalog.runs.trials import Trial
from catalog.settings import Settings

NOT_FINAL = frozenset({"pending", "processing", "queued"})
#: A request record is about a kilobyte: the most of one read (after decoding), and the longest one fetch may take.
MAX_RECORD_BYTES = 1_000_000
RECORD_DEADLINE_S = 10.0
#: The longest one reconciliation (a run's pending trials, one record each) may take, and how many records in a row
#: may fail to be read before it gives up: what is not read stays pending and is fetched again on the next visit, so
#: a slow or failing Lava costs a page or a command seconds, never a record's deadline per trial.
RECONCILE_DEADLINE_S = 20.0
FAILURES_IN_A_ROW = 3


@dataclass(frozen=True, slots=True)
class Billed:
    """One request record: the amount (None while Lava has none yet) and whether it is final."""

    amount: Decimal | None
    final: bool


#: The largest amount one request record is believed to bill.
MAX_BILLED_USD = Decimal(10**6)


def billed_amount(record: dict[str, Any]) -> Decimal | None:
    """The request's cost from a record: `cost`, else `model_usage.total_cost`, else the older `total_request_cost`.

    Each is read by the page parser's number rules (ASCII digits, finite, no sign: `"١٢"` and `"1_0"` are no
    amount, though `Decimal()` reads 12 and 10) and believed only up to `MAX_BILLED_USD`.
    """
    usage = record.get("model_usage")
    for value in (
        record.get("cost"),
        usage.get("total_cost") if isinstance(usage, dict) else None,
        record.get("total_request_cost"),
    ):
        amount = plain_number(value)
        if amount is not None and amount <= MAX_BILLED_USD:  # untrusted too: never a negative or huge bill
            return amount
    return None


def record_limits(settings: Settings | None = None) -> FetchLimits:
    """The operator's fetch bounds, held to `MAX_RECORD_BYTES` and `RECORD_DEADLINE_S`: a record is small."""
    limits = FetchLimits.from_settings(settings)
    return FetchLimits(min(limits.max_bytes, MAX_RECORD_BYTES), min(limits.deadline_s, RECORD_DEADLINE_S))


def fetch_billed(http: httpx.Client, base_url: str, secret_key: str, request_id: str) -> Billed | None:
    """The record of one request; None when it could not be read now (network, auth, server error, a bound).

    It is read by the one bounded fetch (`catalog.fetch`), held to `record_limits`, and parsed with nesting
    bounded and numbers as exact decimals: no Lava answer can take memory, time or the stack without end.
    """
    url = f"{base_url}/v1/requests/{quote(request_id, safe='')}"
    headers = {"Authorization": f"Bearer {secret_key}"}
    try:
        text = fetch_text(url, client=http, limits=record_limits(), headers=headers)
    except FetchError as error:
        return Billed(None, False) if error.status == 404 else None  # 404: not logged yet
    try:
        record = json_text.loads(text, parse_float=json_text.exact_number, parse_int=json_text.exact_number)
    except ValueError:  # not JSON, or nested too deeply
        return None
    if not isinstance(record, dict):
        return None
    amount = billed_amount(record)
    status = str(record.get("status") or "").lower()
    return Billed(amount, amount is not None and status not in NOT_FINAL)


def reconcile(
    trials: Iterable[Trial],
    base_url: str,
    secret_key: str,
    *,
    transport: httpx.BaseTransport | None = None,
    deadline_s: float = RECONCILE_DEADLINE_S,
) -> list[tuple[int, Decimal | None, bool]]:
    """Billed figures for the trials with a request id and no final figure yet: (trial id, amount, final). It stops
    at `deadline_s` in all, or after `FAILURES_IN_A_ROW` records that could not be read; the rest wait for next time."""
    updates: list[tuple[int, Decimal | None, bool]] = []
    ends, failures = time.monotonic() + deadline_s, 0
    with httpx.Client(transport=transport, follow_redirects=False) as http:
        for trial in trials:
            if trial.id is None or not trial.request_id or trial.billed_final:
                continue
            if time.monotonic() >= ends or failures >= FAILURES_IN_A_ROW:
                break
            billed = fetch_billed(http, base_url, secret_key, trial.request_id)
            failures = failures + 1 if billed is None else 0
            if billed is not None:
                updates.append((trial.id, billed.amount, billed.final))
    return updates


def reconcile_run(trials: TrialStore, run_id: int, settings: Mapping[str, str], config: GatewayConfig | None) -> None:
    """Fetch and keep what Lava billed for a run's ok trials not final yet, where a Lava secret key is
    configured (a forward token cannot read request records); nothing otherwise."""
    secret = settings.get("LAVA_SECRET_KEY")
    if not secret or (config is not None and not config.uses_lava):
        return
    base_url = config.lava_base_url if config is not None else settings.get("LAVA_BASE_URL", DEFAULT_LAVA_BASE_URL)
    trials.set_billed(reconcile([t for t in trials.trials(run_id, with_text=False) if t.ok], base_url, secret))
