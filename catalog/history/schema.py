"""The store's tables, and the recorded schema version with its upgrade steps.

Upgrades are plain, numbered steps in this module rather than Alembic: the schema is a handful of tables
(price history, runs and their checks, the spend ledger and its locks), declared here so that one numbered
sequence upgrades them all; each feature's store module owns every read and write of its own tables. The
steps must run unattended when any process opens the database, and a recorded version plus steps tested on
SQLite and PostgreSQL (tests/history/test_store_schema.py) is less machinery than an Alembic environment
shipped inside the package. A step runs in the same transaction as the version bump, so an upgrade either
completes or leaves the database as it was. Steps only ever add: no step drops or rewrites a user's rows.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

metadata = sa.MetaData()

#: Each page as read, once per distinct text: the text itself, so a price's source line still points into
#: the exact page. `seen_date` is the day the text was first recorded as seen.
snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(200), nullable=False),
    sa.Column("source", sa.String(2000), nullable=False),
    sa.Column("seen_date", sa.Date, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # Added by schema 2: when the page was imported (seen_date is the day it describes).
    sa.Column("recorded_at", sa.DateTime, nullable=True),
    sa.Index("ix_snapshots_provider_seen", "provider", "seen_date"),
)

#: What a model cost on a provider from `from_date` (inclusive) to `to_date` (exclusive; NULL = still current).
price_ranges = sa.Table(
    "price_ranges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(200), nullable=False),
    sa.Column("model", sa.String(500), nullable=False),
    sa.Column("input_usd_per_mtok", sa.Double, nullable=False),
    sa.Column("output_usd_per_mtok", sa.Double, nullable=False),
    sa.Column("from_date", sa.Date, nullable=False),
    sa.Column("to_date", sa.Date, nullable=True),
    sa.Index("ix_price_ranges_provider_from", "provider", "from_date"),
    sa.Index("ix_price_ranges_provider_to", "provider", "to_date"),
    # Added by schema 2: `history MODEL` looks a model up across providers.
    sa.Index("ix_price_ranges_model", "model"),
)

#: Added by schema 2: every day a page was seen, pointing at its stored text. Seeing the same text again
#: stores no new snapshot, but the day is kept, so a backfilled older page between two sightings of the same
#: text still ends where that text was seen again (ranges come out the same in any import order).
sightings = sa.Table(
    "sightings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(200), nullable=False),
    sa.Column("seen_date", sa.Date, nullable=False),
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id"), nullable=False),
    sa.Index("ix_sightings_provider_seen", "provider", "seen_date"),
)

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))

#: Added by schema 3: a run of prompts × models × repeats, with the settings it was started with.
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("prompts", sa.Integer, nullable=False),
    sa.Column("repeat", sa.Integer, nullable=False),
    #: JSON: [[provider, model], ...] in the order asked.
    sa.Column("models", sa.Text, nullable=False),
    #: JSON: max_tokens, temperature, concurrency, max_usd, keep_text.
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("message", sa.String(1000), nullable=True),
)

#: Added by schema 3: a run's prompts by number: their digest always, their text unless text-keeping is off.
run_prompts = sa.Table(
    "run_prompts",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("chars", sa.Integer, nullable=False),
    #: JSON: [[role, content], ...]; NULL when the operator turned text-keeping off.
    sa.Column("messages", sa.Text, nullable=True),
)

#: Added by schema 3: every measured reply (playground, side by side, or a run's trial), metrics first.
trials = sa.Table(
    "trials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("origin", sa.String(20), nullable=False),  # playground, side_by_side, run
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=True),
    sa.Column("prompt_number", sa.Integer, nullable=True),
    sa.Column("repetition", sa.Integer, nullable=True),
    sa.Column("provider", sa.String(200), nullable=False),
    sa.Column("model", sa.String(500), nullable=False),
    sa.Column("model_key", sa.String(500), nullable=True),
    sa.Column("outcome", sa.String(40), nullable=False),  # ok, incomplete, or the error's kind
    sa.Column("error", sa.String(1000), nullable=True),
    sa.Column("input_tokens", sa.Integer, nullable=True),
    sa.Column("output_tokens", sa.Integer, nullable=True),
    sa.Column("reasoning_tokens", sa.Integer, nullable=True),
    sa.Column("cached_input_tokens", sa.Integer, nullable=True),
    sa.Column("ttft_ms", sa.Double, nullable=True),
    sa.Column("total_ms", sa.Double, nullable=True),
    sa.Column("output_tokens_per_s", sa.Double, nullable=True),
    sa.Column("cost_usd", sa.Double, nullable=True),
    sa.Column("estimated_cost_usd", sa.Double, nullable=True),
    sa.Column("request_id", sa.String(200), nullable=True),
    sa.Column("prompt_chars", sa.Integer, nullable=False),
    sa.Column("reply_chars", sa.Integer, nullable=False),
    sa.Column("reasoning_chars", sa.Integer, nullable=False),
    #: A run's reply (NULL for playground replies, and when text-keeping is off).
    sa.Column("reply_text", sa.Text, nullable=True),
    #: What Lava billed, a decimal string as Lava writes it; `billed_final` once the record is no longer pending.
    sa.Column("billed_usd", sa.String(40), nullable=True),
    sa.Column("billed_final", sa.Boolean, nullable=True),
    sa.Column("billed_checked_at", sa.DateTime, nullable=True),
    # A run's trial is recorded once: a failed one is replaced when the run is resumed, an ok one never.
    sa.UniqueConstraint("run_id", "prompt_number", "repetition", "provider", "model", name="uq_trials_run_cell"),
    sa.Index("ix_trials_provider_model", "provider", "model"),
)

#: Added by schema 4: the checks each prompt of a run carries (`expect`), so `--resume` and re-judging have them.
run_prompt_checks = sa.Table(
    "run_prompt_checks",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    #: JSON: [{"type", "value"[, "judge"]}, ...] as the prompt file wrote them.
    sa.Column("checks", sa.Text, nullable=False),
)

#: Added by schema 4: what the checks said of one ok trial's answer, per judging (1: the run's own; each
#: `report --rejudge` adds the next). Keyed by the trial's run cell: an ok trial is never replaced, and a resumed
#: run or a re-judging never judges the same answer twice in one judging. The judge's tokens and cost are its own,
#: apart from the answer's.
trial_checks = sa.Table(
    "trial_checks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("prompt_number", sa.Integer, nullable=False),
    sa.Column("repetition", sa.Integer, nullable=False),
    sa.Column("provider", sa.String(200), nullable=False),
    sa.Column("model", sa.String(500), nullable=False),
    sa.Column("judging", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    #: True: every check held; False: one failed; NULL: one was not judged (and none failed).
    sa.Column("passed", sa.Boolean, nullable=True),
    #: JSON: [{"type", "passed", "reason"}, ...] in the prompt's order of checks.
    sa.Column("results", sa.Text, nullable=False),
    sa.Column("judge_input_tokens", sa.Integer, nullable=True),
    sa.Column("judge_output_tokens", sa.Integer, nullable=True),
    sa.Column("judge_cost_usd", sa.Double, nullable=True),
    sa.UniqueConstraint(
        "run_id", "prompt_number", "repetition", "provider", "model", "judging", name="uq_trial_checks_judging"
    ),
)


#: Added by schema 4: every request made with the operator's credential, reserved at its worst case before it is
#: sent and settled to what it cost (`catalog.spend.ledger`). `session` is an opaque digest, never a visitor's id.
spend_reservations = sa.Table(
    "spend_reservations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("session", sa.String(64), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("run_id", sa.Integer, nullable=True),
    sa.Column("worst_usd", sa.Double, nullable=False),
    #: What the request counts against the caps: its worst case until settled, then what it cost.
    sa.Column("amount_usd", sa.Double, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),  # reserved, settled, billed
    sa.Column("request_id", sa.String(200), nullable=True),
    sa.Column("settled_at", sa.DateTime, nullable=True),
    sa.Index("ix_spend_day", "day"),
    sa.Index("ix_spend_session_created", "session", "created_at"),
    sa.Index("ix_spend_run", "run_id"),
)

#: Added by schema 4: one row per named lock (`ledger`, `refresh`), locked with SELECT … FOR UPDATE on
#: PostgreSQL so that checking the totals and reserving is one step across replicas (SQLite: BEGIN IMMEDIATE).
#: `holder` and `started_at` say who holds a single-flight job; `finished_at` starts its cooldown.
app_locks = sa.Table(
    "app_locks",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("holder", sa.String(64), nullable=True),
    sa.Column("started_at", sa.DateTime, nullable=True),
    sa.Column("finished_at", sa.DateTime, nullable=True),
)

#: Added by schema 4: who started a run (an opaque session digest, or the person) and whether the operator shared it.
run_owners = sa.Table(
    "run_owners",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=True),  # NULL: started from the CLI
    sa.Column("shared", sa.Boolean, nullable=False),
    #: Who runs it now and when they last said so: a run with a lease renewed within its time is running.
    sa.Column("lease_holder", sa.String(64), nullable=True),
    sa.Column("lease_renewed_at", sa.DateTime, nullable=True),
)

#: Added by schema 4: when each dashboard session was last seen, so a run whose owner left can stop.
session_seen = sa.Table(
    "session_seen",
    metadata,
    sa.Column("session", sa.String(64), primary_key=True),
    sa.Column("seen_at", sa.DateTime, nullable=False),
)


def create_first_schema(connection: Connection) -> None:
    """Create the schema exactly as version 1 did (kept to build old databases in the upgrade tests)."""
    first = sa.MetaData()
    sa.Table(
        "snapshots", first,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("source", sa.String(2000), nullable=False),
        sa.Column("seen_date", sa.Date, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Index("ix_snapshots_provider_seen", "provider", "seen_date"),
    )  # fmt: skip
    sa.Table(
        "price_ranges", first,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("model", sa.String(500), nullable=False),
        sa.Column("input_usd_per_mtok", sa.Double, nullable=False),
        sa.Column("output_usd_per_mtok", sa.Double, nullable=False),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date, nullable=True),
        sa.Index("ix_price_ranges_provider_from", "provider", "from_date"),
        sa.Index("ix_price_ranges_provider_to", "provider", "to_date"),
    )  # fmt: skip
    version = sa.Table("schema_version", first, sa.Column("version", sa.Integer, nullable=False))
    first.create_all(connection)
    connection.execute(version.insert().values(version=1))


def _to_2(connection: Connection) -> None:
    """Schema 2: sightings (one per existing snapshot, on its day); snapshots say when they were imported
    (old rows: the day they describe); an index for looking a model up across providers."""
    sightings.create(connection)
    connection.execute(
        sa.text(
            "INSERT INTO sightings (provider, seen_date, snapshot_id) "
            "SELECT provider, seen_date, id FROM snapshots ORDER BY seen_date, id"
        )
    )
    connection.execute(sa.text("ALTER TABLE snapshots ADD COLUMN recorded_at TIMESTAMP"))
    connection.execute(sa.text("UPDATE snapshots SET recorded_at = seen_date"))
    connection.execute(sa.text("CREATE INDEX ix_price_ranges_model ON price_ranges (model)"))


def _to_3(connection: Connection) -> None:
    """Schema 3: runs, their prompts, and trials (measured replies); nothing existing is touched."""
    for table in (runs, run_prompts, trials):
        table.create(connection)


def _to_4(connection: Connection) -> None:
    """Schema 4: answer checks (issue 19): each run prompt's checks, each trial's check results per judging."""
    for table in (run_prompt_checks, trial_checks):
        table.create(connection)


def _to_5(connection: Connection) -> None:
    """Schema 5: the spend ledger, named locks, run owners and leases, sessions last seen; nothing existing is
    touched (a run from before has no owner row: it was started from the CLI, and is not shared)."""
    for table in (spend_reservations, app_locks, run_owners, session_seen):
        table.create(connection)


#: Upgrade steps: UPGRADES[n] takes a database from version n to n + 1.
UPGRADES: dict[int, Callable[[Connection], None]] = {1: _to_2, 2: _to_3, 3: _to_4, 4: _to_5}
SCHEMA_VERSION = 5


def current_version(connection: Connection) -> int | None:
    """The recorded schema version, or None for an empty database."""
    if not sa.inspect(connection).has_table("schema_version"):
        return None
    found = connection.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    return int(found) if found is not None else None


def prepare(connection: Connection) -> None:
    """Create the schema in an empty database, or upgrade an older one in place (inside the caller's transaction)."""
    version = current_version(connection)
    if version is None:
        metadata.create_all(connection)
        connection.execute(schema_version.insert().values(version=SCHEMA_VERSION))
        return
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"the database has schema {version}, newer than this program's {SCHEMA_VERSION}")
    while version < SCHEMA_VERSION:
        UPGRADES[version](connection)
        version += 1
        connection.execute(schema_version.update().values(version=version))
