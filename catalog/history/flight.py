"""Single-flight jobs with a cooldown, shared by every replica through the store (the dashboard's refresh).

A job is a named row of `app_locks`: taking it is one transaction that locks the row (`SELECT … FOR UPDATE` on
PostgreSQL, `BEGIN IMMEDIATE` on SQLite), and starts the job only when none is running and the last one ended
at least the cooldown ago. A job whose holder died is taken over once it has run `STALE_S` without ending; each
take-off holds the job under a token of its own, and only that token lands it, so a holder that was only slow
cannot end (and start the cooldown of) the job that took over.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from catalog.history.refresh import SourceOutcome, refresh
from catalog.history.schema import app_locks
from catalog.history.store import Store

#: A job running longer than this is taken to have died with its process.
STALE_S = 15 * 60


def utc_now() -> dt.datetime:
    """UTC without a time zone, as the store keeps it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def lock_row(connection: Connection, name: str) -> None:
    """Hold the named row of `app_locks` until the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already holds the whole database). The row is made on first use; a racing insert is harmless."""
    query = sa.select(app_locks.c.name).where(app_locks.c.name == name)
    if connection.dialect.name != "sqlite":
        query = query.with_for_update()
    if connection.execute(query).first() is None:
        try:
            with connection.begin_nested():
                connection.execute(app_locks.insert().values(name=name))
        except IntegrityError:
            pass  # another replica made it first
        connection.execute(query)


@dataclass(frozen=True, slots=True)
class Flight:
    """Whether this press started the job (and the token it holds it under); if not, why, and when the next one
    is allowed."""

    started: bool
    message: str = ""
    next_at: dt.datetime | None = None
    holder: str = ""


def take_off(store: Store, name: str, holder: str, cooldown_s: float, now: dt.datetime | None = None) -> Flight:
    """Start the job `name` for `holder`, unless one is running or the last one ended less than `cooldown_s` ago.
    A started `Flight` holds the job under `holder` plus a random suffix: what `land` needs."""
    now = now or utc_now()
    token = f"{holder[:47]}#{secrets.token_hex(8)}"  # 64 characters at most, unique to this take-off
    with store._connect("written", write=True) as connection:
        lock_row(connection, name)
        row = connection.execute(sa.select(app_locks).where(app_locks.c.name == name)).one()
        running = row.started_at is not None and (row.finished_at is None or row.finished_at < row.started_at)
        if running and (now - row.started_at).total_seconds() < STALE_S:
            return Flight(False, "Another refresh is running now; its prices show when it ends.")
        if not running and row.finished_at is not None:
            next_at = row.finished_at + dt.timedelta(seconds=cooldown_s)
            if now < next_at:
                wait = math.ceil((next_at - now).total_seconds())
                return Flight(False, f"Prices were refreshed recently; the next refresh is allowed at "
                                     f"{next_at:%H:%M:%S} UTC (in {_wait(wait)}).", next_at)  # fmt: skip
        connection.execute(app_locks.update().where(app_locks.c.name == name).values(holder=token, started_at=now))
    return Flight(True, holder=token)


def land(store: Store, name: str, holder: str, now: dt.datetime | None = None) -> bool:
    """End the job `name` held under `holder` (a started `Flight`'s): its cooldown starts now. Nothing changes
    when another take-off holds it now (this one was taken over); whether it landed."""
    table = app_locks
    with store._connect("written", write=True) as connection:
        done = connection.execute(
            table.update()
            .where(table.c.name == name, table.c.holder == holder)
            .values(holder=None, finished_at=now or utc_now())
        )
    return bool(done.rowcount)


@contextmanager
def single_flight(store: Store, name: str, holder: str, cooldown_s: float) -> Iterator[Flight]:
    """Run the block as job `name` if it may start (`flight.started`); it lands when the block ends, even on error."""
    flight = take_off(store, name, holder, cooldown_s)
    try:
        yield flight
    finally:
        if flight.started:
            land(store, name, flight.holder)


def _wait(seconds: int) -> str:
    if seconds >= 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{seconds} s"


#: The job name of the dashboard's "Refresh prices".
REFRESH = "refresh"


def refresh_once(
    store: Store,
    urls: Sequence[str],
    holder: str,
    cooldown_s: float,
    progress: Callable[[SourceOutcome], None] | None = None,
) -> tuple[Flight, list[SourceOutcome]]:
    """Refresh `urls` as the single `refresh` job: nothing is fetched while another refresh runs or in the
    cooldown after one (the `Flight` says why and when the next is allowed)."""
    with single_flight(store, REFRESH, holder, cooldown_s) as flight:
        if not flight.started:
            return flight, []
        return flight, refresh(store, list(urls), progress=progress)
