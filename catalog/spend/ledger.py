"""The spend ledger: every request made with the operator's credential, reserved before it is sent.

`SpendLedger.reserve` is one transaction that reads the totals and inserts the reservation, so two replicas
cannot both take the last dollar: on PostgreSQL it first locks the `ledger` row of `app_locks` with
`SELECT … FOR UPDATE` (every reserver queues on that row; READ COMMITTED then shows each the totals the one
before committed), on SQLite the store's write transactions are `BEGIN IMMEDIATE` (one writer at a time).
A reservation counts at its worst case until `settle` replaces it with what the request cost (or what Lava
billed, later). A process that dies between the two leaves the worst case counted: the caps err on the side
of the operator's money.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from catalog.history.flight import lock_row, utc_now
from catalog.history.schema import spend_reservations
from catalog.history.store import Store
from catalog.spend.caps import DAILY, PER_RUN, SESSION_HOURLY, CapReached, Caps, Refusal

RESERVED, SETTLED, BILLED = "reserved", "settled", "billed"
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A request's worst case, counted against the caps until it is settled."""

    id: int
    worst_usd: float


@dataclass(frozen=True, slots=True)
class SpendLine:
    """What one mode or one (anonymised) session spent today: settled, still reserved, and how many requests."""

    key: str
    settled_usd: float
    reserved_usd: float
    requests: int


class SpendLedger:
    """Reservations and settlements in the store, checked against the operator's caps."""

    def __init__(self, store: Store, caps: Caps, clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.store, self.caps, self.clock = store, caps, clock

    def reserve(self, *, session: str, mode: str, worst_usd: float, run_id: int | None = None) -> Reservation:
        """Reserve `worst_usd` for one request of `session` (an `anonymous` digest); `CapReached` if it would pass
        a cap, and then nothing is recorded."""
        now = self.clock()
        table = spend_reservations
        with self.store._connect("written", write=True) as connection:
            lock_row(connection, "ledger")
            refusal = self._refusal(connection, now, session, run_id, worst_usd)
            if refusal is not None:
                raise CapReached(refusal, now)
            found = connection.execute(
                table.insert()
                .values(
                    created_at=now, day=now.date(), session=session[:64], mode=mode[:20], run_id=run_id,
                    worst_usd=worst_usd, amount_usd=worst_usd, state=RESERVED,
                )
                .returning(table.c.id)
            ).scalar_one()  # fmt: skip
        return Reservation(int(found), worst_usd)

    def _refusal(
        self, connection: Connection, now: dt.datetime, session: str, run_id: int | None, worst: float
    ) -> Refusal | None:
        table = spend_reservations
        amount = sa.func.coalesce(sa.func.sum(table.c.amount_usd), 0.0)
        day = connection.execute(sa.select(amount).where(table.c.day == now.date())).scalar_one()
        if day + worst > self.caps.daily_usd:
            tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
            return Refusal(DAILY, self.caps.daily_usd, self.caps.daily_usd - day, worst, tomorrow)
        recent = table.c.created_at > now - HOUR
        hour, oldest = connection.execute(
            sa.select(amount, sa.func.min(table.c.created_at)).where(table.c.session == session, recent)
        ).one()
        if hour + worst > self.caps.session_hourly_usd:
            resets = (oldest or now) + HOUR
            return Refusal(SESSION_HOURLY, self.caps.session_hourly_usd, self.caps.session_hourly_usd - hour, worst,
                           resets)  # fmt: skip
        if run_id is not None:
            spent = connection.execute(sa.select(amount).where(table.c.run_id == run_id)).scalar_one()
            if spent + worst > self.caps.run_usd:
                return Refusal(PER_RUN, self.caps.run_usd, self.caps.run_usd - spent, worst, None)
        return None

    def settle(self, reservation: Reservation, cost_usd: float | None, request_id: str | None = None) -> None:
        """Count what the request cost instead of its worst case; None (not measured) keeps the worst case."""
        amount = reservation.worst_usd if cost_usd is None else max(cost_usd, 0.0)
        with self.store._connect("written", write=True) as connection:
            connection.execute(
                spend_reservations.update()
                .where(spend_reservations.c.id == reservation.id)
                .values(amount_usd=amount, state=SETTLED, request_id=request_id, settled_at=self.clock())
            )

    def settle_billed(self, request_id: str, billed_usd: float) -> None:
        """Count what Lava billed for a request, once its billing record is final."""
        settle_billed(self.store, [(request_id, billed_usd)])

    def spent_today(self) -> float:
        table = spend_reservations
        with self.store._connect("read") as connection:
            query = sa.select(sa.func.coalesce(sa.func.sum(table.c.amount_usd), 0.0))
            return float(connection.execute(query.where(table.c.day == self.clock().date())).scalar_one())

    def today(self, by: str) -> list[SpendLine]:
        """Today's spend per `mode` or per `session` (already anonymised digests), largest first."""
        table = spend_reservations
        column = table.c.mode if by == "mode" else table.c.session
        open_ = table.c.state == RESERVED
        settled = sa.func.coalesce(sa.func.sum(sa.case((open_, 0.0), else_=table.c.amount_usd)), 0.0)
        reserved = sa.func.coalesce(sa.func.sum(sa.case((open_, table.c.amount_usd), else_=0.0)), 0.0)
        query = (
            sa.select(column, settled, reserved, sa.func.count())
            .where(table.c.day == self.clock().date())
            .group_by(column)
        )
        with self.store._connect("read") as connection:
            rows = connection.execute(query).all()
        lines = [SpendLine(str(key), float(s), float(r), int(n)) for key, s, r, n in rows]
        return sorted(lines, key=lambda line: (-(line.settled_usd + line.reserved_usd), line.key))


def settle_billed(store: Store, billed: Iterable[tuple[str, float]]) -> int:
    """Count what Lava billed, (request id, USD) for requests whose billing record is final, in place of what they
    were settled to; a request the ledger never held (a visitor's own credential, the CLI) changes nothing.
    One transaction; how many reservations changed."""
    table = spend_reservations
    changed = 0
    with store._connect("written", write=True) as connection:
        for request_id, billed_usd in billed:
            done = connection.execute(
                table.update()
                .where(table.c.request_id == request_id, table.c.state != BILLED)
                .values(amount_usd=max(billed_usd, 0.0), state=BILLED)
            )
            changed += done.rowcount
    return changed


class Hold:
    """What a held request cost, told by the code that sent it (mutable: it is filled in after the reply)."""

    def __init__(self) -> None:
        self.measured = False
        self.cost_usd: float | None = None
        self.request_id: str | None = None

    def spent(self, cost_usd: float | None, request_id: str | None = None) -> None:
        """The request's measured cost (None: the reply reported no usage, so the worst case stays counted)."""
        self.measured, self.cost_usd, self.request_id = cost_usd is not None, cost_usd, request_id

    def spent_on_all(self, costs: Sequence[float | None], sent: int) -> None:
        """What the `sent` requests held together cost: the sum of `costs` when there is one measured cost for each,
        else none (a request that reported no usage, or was never sent, keeps the worst case counted)."""
        measured = len(costs) == sent and all(cost is not None for cost in costs)
        self.spent(sum(cost or 0.0 for cost in costs) if measured else None)


@dataclass(frozen=True, slots=True)
class Spender:
    """The ledger bound to one visitor's session and mode (and run): what the Playground and a run reserve with."""

    ledger: SpendLedger
    session: str
    mode: str
    run_id: int | None = None

    def reserve(self, worst_usd: float) -> Reservation:
        return self.ledger.reserve(session=self.session, mode=self.mode, worst_usd=worst_usd, run_id=self.run_id)

    def settle(self, reservation: Reservation, cost_usd: float | None, request_id: str | None = None) -> None:
        self.ledger.settle(reservation, cost_usd, request_id)

    @contextmanager
    def hold(self, worst_usd: float) -> Iterator[Hold]:
        """Reserve `worst_usd` (raising `CapReached` before anything is sent), let the caller send and say what it
        cost on the `Hold`, then settle: to that cost, or to the worst case when the caller measured none."""
        reservation = self.reserve(worst_usd)
        hold = Hold()
        try:
            yield hold
        finally:
            self.settle(reservation, hold.cost_usd if hold.measured else None, hold.request_id)

    def for_run(self, run_id: int) -> Spender:
        return Spender(self.ledger, self.session, self.mode, run_id)
