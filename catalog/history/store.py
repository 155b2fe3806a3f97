"""The price-history store on SQLAlchemy Core: record page snapshots, read ranges, changes and old catalogs."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from catalog.history.location import DB_URL_VARIABLE, parse_url, shown_url, sqlite_path
from catalog.history.ranges import Change, PriceRange, Prices, changes_from_ranges, rebuild, with_names
from catalog.history.schema import SCHEMA_VERSION, current_version, prepare, price_ranges, sightings, snapshots
from catalog.parser import parse_page
from catalog.records import CatalogError, ParsedPage

#: How long an SQLite writer waits for another one before giving up, in seconds.
SQLITE_BUSY_TIMEOUT = 15
#: How long a read waits for a lock (SQLite's busy timeout, PostgreSQL's lock_timeout), in seconds: reading is
#: what `list` and the dashboard do before showing anything, so a locked database is told, not waited for.
#: (In WAL mode a writer never blocks a reader; only an exclusive lock or a recovery does.)
READ_LOCK_TIMEOUT = 2
#: How long connecting to a database server may take, in seconds.
CONNECT_TIMEOUT = 5


class StoreError(CatalogError):
    """The history database cannot be opened, read or written; the message names `CATALOG_DB_URL`."""


class NoHistoryYet(StoreError):
    """The default SQLite file does not exist yet and the caller only wanted to read it."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A stored page: which provider, where it was read, the day it describes, and its text's digest."""

    id: int
    provider: str
    source: str
    seen_date: dt.date
    sha256: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording one page did: a new snapshot (with the changes it made) or nothing, as it was known."""

    provider: str
    seen_date: dt.date
    outcome: Literal["new", "unchanged"]
    changes: tuple[Change, ...] = ()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store:
    """Page snapshots and price ranges in one database (SQLite file or server), created or upgraded on open."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.shown_url = shown_url(url)
        try:
            parsed = parse_url(url)
        except ValueError as error:
            raise StoreError(str(error)) from None
        path = sqlite_path(url)
        if path is not None:
            if not create and not path.exists():
                raise NoHistoryYet(f"no history database yet at {path} (python -m catalog refresh makes it)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise self._error("cannot be created", error) from None
        self.dialect = parsed.get_backend_name()
        try:
            self.engine = _engine(url, self.dialect)
            self._prepare()
        except (SQLAlchemyError, RuntimeError, OSError, ModuleNotFoundError) as error:
            raise self._error("cannot be opened", error) from None

    def _prepare(self) -> None:
        """Create or upgrade the schema; a database already current is only read, so opening one to read it
        never waits behind a writer's lock."""
        with self.engine.connect() as connection:
            connection.execution_options(catalog_write=False)
            with connection.begin():
                self._read_lock_timeout(connection)
                if current_version(connection) == SCHEMA_VERSION:
                    return
        with self.engine.begin() as connection:
            prepare(connection)

    def _read_lock_timeout(self, connection: Connection) -> None:
        if self.dialect == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{READ_LOCK_TIMEOUT}s'")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _error(self, what: str, error: BaseException) -> StoreError:
        reason = getattr(error, "orig", None) or error
        text = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
        return StoreError(f"the history database ({DB_URL_VARIABLE}={self.shown_url}) {what}: {text[:300]}")

    @contextmanager
    def _connect(self, what: str, *, write: bool = False) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                connection.execution_options(catalog_write=write)
                with connection.begin():
                    if not write:
                        self._read_lock_timeout(connection)
                    yield connection
        except SQLAlchemyError as error:
            raise self._error(f"cannot be {'written' if write else 'read'}", error) from None

    # Recording -----------------------------------------------------------------------------------------------

    def record(self, text: str, source: str, seen_date: dt.date) -> Recorded:
        """Record a page as seen on `seen_date`, in one transaction; a page that does not parse raises `ParseError`.

        Nothing is stored when the page in force that day has the same text (same sha256).
        """
        page = parse_page(text, source=source, snapshot_date=seen_date.isoformat())
        return self.record_parsed(page, text, source, seen_date)

    def record_parsed(self, page: ParsedPage, text: str, source: str, seen_date: dt.date) -> Recorded:
        provider = page.provider.name
        sha = digest(text)
        prices = {row.model: (row.input_usd_per_mtok, row.output_usd_per_mtok) for row in page.rows}
        with self._connect("written", write=True) as connection:
            self._lock(connection, provider)
            in_force = connection.execute(
                sa.select(snapshots.c.sha256, sightings.c.snapshot_id)
                .join(snapshots, snapshots.c.id == sightings.c.snapshot_id)
                .where(sightings.c.provider == provider, sightings.c.seen_date <= seen_date)
                .order_by(sightings.c.seen_date.desc(), sightings.c.id.desc())
                .limit(1)
            ).first()
            if in_force is not None and in_force.sha256 == sha:
                self._sighted(connection, provider, seen_date, in_force.snapshot_id)
                return Recorded(provider, seen_date, "unchanged")
            before = self._neighbour(connection, provider, seen_date, later=False)
            after = self._neighbour(connection, provider, seen_date, later=True)
            known = connection.execute(
                sa.select(snapshots.c.id).where(snapshots.c.provider == provider, snapshots.c.sha256 == sha).limit(1)
            ).scalar()
            if known is None:
                known = connection.execute(
                    snapshots.insert()
                    .values(
                        provider=provider, source=source, seen_date=seen_date, sha256=sha, text=text,
                        recorded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    )
                    .returning(snapshots.c.id)
                ).scalar_one()  # fmt: skip
            connection.execute(sightings.insert().values(provider=provider, seen_date=seen_date, snapshot_id=known))
            self._update_ranges(connection, provider, prices, seen_date, before, after)
            first = self._first_seen(connection, [provider])
            touched = [day for day in (seen_date, after) if day is not None]
            changes = changes_from_ranges(self._ranges_touching(connection, provider, touched), first)
        return Recorded(provider, seen_date, "new", tuple(c for c in changes if c.date in touched))

    @staticmethod
    def _sighted(connection: Connection, provider: str, day: dt.date, snapshot_id: int) -> None:
        """Keep the day an unchanged page was seen (once a day), so later backfills know the text was still there."""
        table = sightings
        seen = connection.execute(
            sa.select(table.c.id).where(
                table.c.provider == provider, table.c.seen_date == day, table.c.snapshot_id == snapshot_id
            )
        ).first()
        if seen is None:
            connection.execute(table.insert().values(provider=provider, seen_date=day, snapshot_id=snapshot_id))

    def _lock(self, connection: Connection, provider: str) -> None:
        """Serialise writers of one provider (SQLite: the BEGIN IMMEDIATE of every transaction does it)."""
        if self.dialect == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:p))"), {"p": provider})

    @staticmethod
    def _neighbour(connection: Connection, provider: str, day: dt.date, *, later: bool) -> dt.date | None:
        column = sightings.c.seen_date
        query = sa.select(sa.func.min(column) if later else sa.func.max(column)).where(
            sightings.c.provider == provider, column > day if later else column < day
        )
        found: dt.date | None = connection.execute(query).scalar()
        return found

    def _update_ranges(
        self,
        connection: Connection,
        provider: str,
        prices: dict[str, Prices],
        day: dt.date,
        before: dt.date | None,
        after: dt.date | None,
    ) -> None:
        low, high = before or day, after or day
        table = price_ranges
        rows = connection.execute(
            sa.select(table).where(
                table.c.provider == provider,
                table.c.from_date <= high,
                sa.or_(table.c.to_date.is_(None), table.c.to_date > low),
            )
        ).all()
        old: dict[str, list[tuple[int, PriceRange]]] = {}
        for row in rows:
            old.setdefault(row.model, []).append((row.id, _range(row)))
        doomed: list[int] = []
        fresh: list[dict[str, Any]] = []
        for model in old.keys() | prices.keys():
            current = old.get(model, [])
            before_ranges = [item for _, item in current]
            replaced = with_names(rebuild(before_ranges, day, prices.get(model), after), provider, model)
            if replaced == before_ranges:
                continue
            doomed += [row_id for row_id, _ in current]
            fresh += [
                {"provider": provider, "model": model, "input_usd_per_mtok": item.input_usd_per_mtok,
                 "output_usd_per_mtok": item.output_usd_per_mtok, "from_date": item.from_date, "to_date": item.to_date}
                for item in replaced
            ]  # fmt: skip
        if doomed:
            connection.execute(table.delete().where(table.c.id.in_(doomed)))
        if fresh:
            connection.execute(table.insert(), fresh)

    @staticmethod
    def _ranges_touching(connection: Connection, provider: str, days: Sequence[dt.date]) -> list[PriceRange]:
        table = price_ranges
        rows = connection.execute(
            sa.select(table).where(
                table.c.provider == provider, sa.or_(table.c.from_date.in_(days), table.c.to_date.in_(days))
            )
        ).all()
        return [_range(row) for row in rows]

    @staticmethod
    def _first_seen(connection: Connection, providers: Sequence[str] | None = None) -> dict[str, dt.date]:
        query = sa.select(sightings.c.provider, sa.func.min(sightings.c.seen_date)).group_by(sightings.c.provider)
        if providers is not None:
            query = query.where(sightings.c.provider.in_(providers))
        return {provider: day for provider, day in connection.execute(query).all()}

    # Reading -------------------------------------------------------------------------------------------------

    def changes(self, since: dt.date | None = None, provider: str | None = None) -> list[Change]:
        """Every change on or after `since` (on `provider`), newest first."""
        table = price_ranges
        query = sa.select(table)
        if since is not None:
            query = query.where(sa.or_(table.c.from_date >= since, table.c.to_date >= since))
        if provider is not None:
            query = query.where(table.c.provider == provider)
        with self._connect("read") as connection:
            rows = connection.execute(query).all()
            first = self._first_seen(connection)
        return changes_from_ranges((_range(row) for row in rows), first, since)

    def history(self, model: str, provider: str | None = None) -> list[PriceRange]:
        """The price ranges of one model (on `provider`), oldest first."""
        table = price_ranges
        query = sa.select(table).where(table.c.model == model)
        if provider is not None:
            query = query.where(table.c.provider == provider)
        with self._connect("read") as connection:
            rows = connection.execute(query.order_by(table.c.from_date, table.c.provider)).all()
        return [_range(row) for row in rows]

    def all_ranges(self) -> list[PriceRange]:
        table = price_ranges
        with self._connect("read") as connection:
            rows = connection.execute(sa.select(table).order_by(table.c.provider, table.c.model, table.c.from_date))
            return [_range(row) for row in rows]

    def snapshots(self) -> list[Snapshot]:
        """Every stored snapshot (one per distinct page text), oldest first."""
        table = snapshots
        columns = (table.c.id, table.c.provider, table.c.source, table.c.seen_date, table.c.sha256)
        with self._connect("read") as connection:
            rows = connection.execute(sa.select(*columns).order_by(table.c.seen_date, table.c.id)).all()
        return [Snapshot(*row) for row in rows]

    def newest_date(self) -> dt.date | None:
        with self._connect("read") as connection:
            found: dt.date | None = connection.execute(sa.select(sa.func.max(sightings.c.seen_date))).scalar()
        return found

    def revision(self) -> int:
        """A number that grows with every recorded sighting: a cache key for anything read from the store."""
        with self._connect("read") as connection:
            found = connection.execute(sa.select(sa.func.max(sightings.c.id))).scalar()
        return int(found or 0)

    def models(self) -> list[tuple[str, str]]:
        """Every (provider, model) with stored prices."""
        table = price_ranges
        with self._connect("read") as connection:
            rows = connection.execute(
                sa.select(table.c.provider, table.c.model).distinct().order_by(table.c.provider, table.c.model)
            ).all()
        return [(provider, model) for provider, model in rows]

    def oldest_date(self) -> dt.date | None:
        with self._connect("read") as connection:
            found: dt.date | None = connection.execute(sa.select(sa.func.min(sightings.c.seen_date))).scalar()
        return found

    def pages_as_of(self, day: dt.date | None = None) -> list[ParsedPage]:
        """Each provider's page in force on `day` (the newest when None), parsed from the stored text."""
        table = sightings
        ranked = sa.select(
            table.c.snapshot_id,
            table.c.seen_date,
            sa.func.row_number()
            .over(partition_by=table.c.provider, order_by=(table.c.seen_date.desc(), table.c.id.desc()))
            .label("rank"),
        )
        if day is not None:
            ranked = ranked.where(table.c.seen_date <= day)
        inner = ranked.subquery()
        query = (
            sa.select(snapshots.c.text, snapshots.c.source, inner.c.seen_date)
            .join(inner, inner.c.snapshot_id == snapshots.c.id)
            .where(inner.c.rank == 1)
            .order_by(snapshots.c.provider)
        )
        with self._connect("read") as connection:
            rows = connection.execute(query).all()
        return [parse_page(text, source=source, snapshot_date=seen.isoformat()) for text, source, seen in rows]


def _range(row: Any) -> PriceRange:
    return PriceRange(
        row.provider, row.model, row.input_usd_per_mtok, row.output_usd_per_mtok, row.from_date, row.to_date
    )


def _engine(url: str, dialect: str) -> Engine:
    if dialect != "sqlite":
        connect_args = {"connect_timeout": CONNECT_TIMEOUT} if dialect == "postgresql" else {}
        return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    # Connecting waits only as a read does (its pragmas read the file's header); a write waits longer (below).
    engine = sa.create_engine(url, connect_args={"timeout": READ_LOCK_TIMEOUT})

    # pysqlite's own transaction handling defers BEGIN; take it over so that every transaction is
    # BEGIN IMMEDIATE (one writer at a time, waiting up to the busy timeout instead of failing mid-way).
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {READ_LOCK_TIMEOUT * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode, NORMAL syncs at checkpoints, not at every commit: a committed transaction survives the
        # process being killed (only a power cut can lose the last ones), and a run can record each trial as it
        # ends without an fsync apiece (FULL made the store, not the network, a run's bottleneck).
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("catalog_write", True)
        # A write waits its turn behind other writers; a read waits briefly (see READ_LOCK_TIMEOUT). Set only
        # when it changes: a run's writes come one after another on the same connection.
        timeout = (SQLITE_BUSY_TIMEOUT if write else READ_LOCK_TIMEOUT) * 1000
        if connection.info.get("busy_timeout") != timeout:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {timeout}")
            connection.info["busy_timeout"] = timeout
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
