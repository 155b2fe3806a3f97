"""Who a run belongs to, who may see it, and whether it is running anywhere right now.

- **Owner.** A run started in the dashboard records its owner (`catalog.spend.Visitor.owner`: the person, or
  an opaque digest of the session); a CLI run has none. A visitor sees only their own runs and the runs the
  operator shared (`run --share`, `runs share N`), those read-only; the CLI sees every run.
- **Lease.** A runner holds its run's lease and renews it every third of `CATALOG_RUN_LEASE_S`; a run whose
  lease was renewed within that time is running somewhere, on any replica, and cannot be resumed.
- **Owner gone.** Every dashboard page marks a session whose run is going as seen (the router, every 30 s at
  most); a dashboard run whose owner's session was last seen more than `CATALOG_RUN_OWNER_GONE_S` ago (default
  300 s: 5 minutes) is stopped by its keeper.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from catalog.history.flight import utc_now
from catalog.history.schema import run_owners, session_seen
from catalog.history.store import Store, StoreError
from catalog.records import CatalogError
from catalog.runs.trials import Run, Trial
from catalog.spend.modes import SESSION_PREFIX, anonymous

LEASE_SETTING, GONE_SETTING = "CATALOG_RUN_LEASE_S", "CATALOG_RUN_OWNER_GONE_S"
#: How often a session with a run going marks itself seen, from any page (the run's keeper stops it after
#: CATALOG_RUN_OWNER_GONE_S without): one write to the store at most this often, not one a rerun.
SEEN_EVERY_S = 30.0


@dataclass(frozen=True, slots=True)
class Ownership:
    """A run's owner (None: started from the CLI) and whether the operator shared it."""

    owner: str | None
    shared: bool


class RunOwners:
    """Owners, sharing, leases and sessions last seen, in the store."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.store, self.clock = store, clock

    def claim(self, run_id: int, owner: str | None, *, shared: bool = False) -> None:
        """Record who started `run_id` (once, when it is created)."""
        with self.store._connect("written", write=True) as connection:
            connection.execute(run_owners.insert().values(run_id=run_id, owner=owner, shared=shared))

    def share(self, run_id: int, shared: bool = True) -> None:
        """Mark a run shared (read-only for every visitor) or private again; a run without a row gets one."""
        with self.store._connect("written", write=True) as connection:
            done = connection.execute(run_owners.update().where(run_owners.c.run_id == run_id).values(shared=shared))
            if not done.rowcount:
                connection.execute(run_owners.insert().values(run_id=run_id, owner=None, shared=shared))

    def ownership(self, run_ids: Sequence[int]) -> dict[int, Ownership]:
        """Each run's ownership (a run without a row: from the CLI, not shared)."""
        query = sa.select(run_owners.c.run_id, run_owners.c.owner, run_owners.c.shared)
        with self.store._connect("read") as connection:
            rows = connection.execute(query.where(run_owners.c.run_id.in_(list(run_ids)))).all()
        found = {row.run_id: Ownership(row.owner, bool(row.shared)) for row in rows}
        return {run_id: found.get(run_id, Ownership(None, False)) for run_id in run_ids}

    def visible(self, runs: Sequence[Run], viewer: str) -> list[Run]:
        """The runs `viewer` (a visitor's owner) may see: their own, and the shared ones."""
        owned = self.ownership([run.id for run in runs])
        return [run for run in runs if owned[run.id].owner == viewer or owned[run.id].shared]

    def owns(self, run_id: int, viewer: str) -> bool:
        """Whether `viewer` started the run (a shared run is read-only for everyone else)."""
        return self.ownership([run_id])[run_id].owner == viewer

    # Leases --------------------------------------------------------------------------------------------------

    def take_lease(self, run_id: int, holder: str, lease_s: float) -> bool:
        """Hold the run's lease, unless another holder renewed it within `lease_s`: one locked transaction."""
        now = self.clock()
        table = run_owners
        with self.store._connect("written", write=True) as connection:
            query = sa.select(table.c.lease_holder, table.c.lease_renewed_at).where(table.c.run_id == run_id)
            if connection.dialect.name != "sqlite":
                query = query.with_for_update()
            row = connection.execute(query).first()
            if row is None:
                connection.execute(table.insert().values(run_id=run_id, owner=None, shared=False))
            elif _alive(row.lease_renewed_at, now, lease_s) and row.lease_holder != holder:
                return False
            connection.execute(
                table.update().where(table.c.run_id == run_id).values(lease_holder=holder, lease_renewed_at=now)
            )
        return True

    def renew(self, run_id: int, holder: str) -> None:
        with self.store._connect("written", write=True) as connection:
            connection.execute(
                run_owners.update()
                .where(run_owners.c.run_id == run_id, run_owners.c.lease_holder == holder)
                .values(lease_renewed_at=self.clock())
            )

    def release(self, run_id: int, holder: str) -> None:
        with self.store._connect("written", write=True) as connection:
            connection.execute(
                run_owners.update()
                .where(run_owners.c.run_id == run_id, run_owners.c.lease_holder == holder)
                .values(lease_holder=None, lease_renewed_at=None)
            )

    def running_anywhere(self, run_id: int, lease_s: float) -> bool:
        query = sa.select(run_owners.c.lease_renewed_at).where(run_owners.c.run_id == run_id)
        with self.store._connect("read") as connection:
            renewed = connection.execute(query).scalar()
        return _alive(renewed, self.clock(), lease_s)

    # Sessions ------------------------------------------------------------------------------------------------

    def seen(self, session: str) -> None:
        """Mark a dashboard session (an `anonymous` digest) as open now."""
        now = self.clock()
        with self.store._connect("written", write=True) as connection:
            done = connection.execute(
                session_seen.update().where(session_seen.c.session == session).values(seen_at=now)
            )
            if not done.rowcount:
                connection.execute(session_seen.insert().values(session=session[:64], seen_at=now))

    def gone_for_s(self, owner: str | None) -> float:
        """How long the session owning a run has been gone (0 for a person, a CLI run, or a session still open)."""
        if owner is None or not owner.startswith(SESSION_PREFIX):
            return 0.0
        query = sa.select(session_seen.c.seen_at).where(session_seen.c.session == owner[len(SESSION_PREFIX) :])
        with self.store._connect("read") as connection:
            seen: dt.datetime | None = connection.execute(query).scalar()
        if seen is None:
            return 0.0  # never marked seen: nothing to go by, so it is not stopped on a guess
        return max(0.0, (self.clock() - seen).total_seconds())


def seen_due(last: float | None, now: float) -> bool:
    """Whether a session last marked seen at `last` (None: never) is due to be marked again at `now` (both read
    from one monotonic clock): every `SEEN_EVERY_S` at most."""
    return last is None or now - last >= SEEN_EVERY_S


def mark_seen(owners: RunOwners, session: str, last: float | None, now: float) -> float | None:
    """Tell the store a dashboard session (its random id) is still open, unless it did within `SEEN_EVERY_S`;
    when it was last marked: `now` once written, else `last` (a store that cannot be written is tried again on the
    next call: the owner-gone time is minutes)."""
    if not seen_due(last, now):
        return last
    try:
        owners.seen(anonymous(session))
    except StoreError:
        return last
    return now


def _alive(renewed: dt.datetime | None, now: dt.datetime, lease_s: float) -> bool:
    return renewed is not None and (now - renewed).total_seconds() < lease_s


class ResumeRefused(CatalogError):
    """The run is running somewhere (its lease is alive), so it cannot be started again."""


@contextmanager
def leased(
    owners: RunOwners,
    run_id: int,
    holder: str,
    lease_s: float,
    stop: Callable[[], None],
    owner: str | None = None,
    gone_s: float | None = None,
) -> Iterator[None]:
    """Hold the run's lease while the block runs, renewing it from a thread every third of `lease_s`; that thread
    also calls `stop` once the owner's session has been gone `gone_s` (None: never). `ResumeRefused` when another
    holder's lease is alive."""
    if not owners.take_lease(run_id, holder, lease_s):
        raise ResumeRefused(
            f"run {run_id} is running now (its runner renewed its lease in the last {lease_s:g} s); resume it once "
            f"it stops, or {lease_s:g} s after a runner that was killed"
        )
    ended = threading.Event()

    def keep() -> None:
        while not ended.wait(lease_s / 3):
            try:
                owners.renew(run_id, holder)
                if gone_s is not None and owners.gone_for_s(owner) > gone_s:
                    stop()
            except StoreError:
                continue  # a database hiccup: the next beat tries again (the lease lasts three beats)

    keeper = threading.Thread(target=keep, name=f"lease-{run_id}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        ended.set()
        keeper.join()
        owners.release(run_id, holder)


def public_metrics(trial: Trial) -> Trial:
    """What the store keeps of a Playground reply, which every visitor's measured speeds are drawn from: the model,
    outcome, tokens, timings and cost; no prompt length, no error text, no request id, and the hour it ended
    rather than its second, so no row points back at one visitor's conversation."""
    at = trial.created_at or utc_now()
    return trial._replace(
        prompt_chars=0, error=None, request_id=None, created_at=at.replace(minute=0, second=0, microsecond=0)
    )
