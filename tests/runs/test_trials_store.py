"""Runs and trials in the store: a schema-2 database upgrades with its rows; trials are recorded once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from storedb import PAGES, db_url, pg_url  # noqa: F401  (fixtures)

from catalog.history import Store
from catalog.history.schema import SCHEMA_VERSION, UPGRADES, create_first_schema, current_version
from catalog.history.store import digest
from catalog.runs.store import AlreadyRecorded, TrialStore
from catalog.runs.trials import RunPrompt, RunSettings, Trial

V1_TEXT = (PAGES / "v1.md").read_text(encoding="utf-8")


def make_second_schema_database(url: str) -> None:
    """A database as schema 2 left it: one page recorded, its sighting and a range."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        create_first_schema(connection)
        UPGRADES[1](connection)
        connection.execute(sa.text("UPDATE schema_version SET version = 2"))
        snapshot = connection.execute(
            sa.text(
                "INSERT INTO snapshots (provider, source, seen_date, sha256, text, recorded_at) "
                "VALUES ('Acme', 'v1.md', :day, :sha, :text, :day) RETURNING id"
            ),
            {"day": dt.date(2026, 11, 1), "sha": digest(V1_TEXT), "text": V1_TEXT},
        ).scalar_one()
        connection.execute(
            sa.text("INSERT INTO sightings (provider, seen_date, snapshot_id) VALUES ('Acme', :day, :id)"),
            {"day": dt.date(2026, 11, 1), "id": snapshot},
        )
        connection.execute(
            sa.text(
                "INSERT INTO price_ranges (provider, model, input_usd_per_mtok, output_usd_per_mtok, from_date) "
                "VALUES ('Acme', 'acme/alpha-7b', 0.1, 0.2, :day)"
            ),
            {"day": dt.date(2026, 11, 1)},
        )
    engine.dispose()


def trial(run_id: int | None, prompt: int, outcome: str = "ok", **extra) -> Trial:
    return Trial(
        provider="Acme", model="acme/alpha-7b", outcome=outcome, run_id=run_id, prompt_number=prompt, repetition=0,
        input_tokens=10, output_tokens=20, cost_usd=0.000005, prompt_chars=40, reply_chars=80, **extra,
    )  # fmt: skip


def test_a_second_schema_database_upgrades_with_its_rows_and_takes_trials(db_url):  # noqa: F811
    make_second_schema_database(db_url)
    with Store(db_url) as store:
        with store.engine.connect() as connection:
            assert current_version(connection) == SCHEMA_VERSION == 4  # through schema 4 (issue 18) too
        assert [s.sha256 for s in store.snapshots()] == [digest(V1_TEXT)]
        assert [(r.model, r.input_usd_per_mtok) for r in store.all_ranges()] == [("acme/alpha-7b", 0.1)]
        trials = TrialStore(store)
        run = trials.create_run(
            "upgraded", [("Acme", "acme/alpha-7b")], [RunPrompt(0, "p0", "ab" * 32, 5, (("user", "hello"),))], 1,
            RunSettings(max_usd=1.0),
        )  # fmt: skip
        trials.record(trial(run.id, 0, billed_usd=Decimal("0.0000051234"), billed_final=True))
        trials.record(trial(None, 0, origin="playground"))
    with Store(db_url) as again:
        trials = TrialStore(again)
        stored = trials.trials(run.id)
        assert [(t.outcome, t.billed_usd, t.billed_final) for t in stored] == [("ok", Decimal("0.0000051234"), True)]
        assert trials.run(run.id).settings == RunSettings(max_usd=1.0)
        assert trials.prompts(run.id)[0].messages == (("user", "hello"),)
        assert len(trials.trials(origin="playground")) == 1


def test_a_failed_trial_is_replaced_and_an_ok_one_never_recorded_twice(db_url):  # noqa: F811
    with Store(db_url) as store:
        trials = TrialStore(store)
        run = trials.create_run("r", [("Acme", "acme/alpha-7b")], [], 1, RunSettings(keep_text=False))
        trials.record(trial(run.id, 0, "upstream_error", error="HTTP 500"))
        trials.record(trial(run.id, 0))
        assert [t.outcome for t in trials.trials(run.id)] == ["ok"]
        with pytest.raises(AlreadyRecorded):
            trials.record(trial(run.id, 0))
        assert trials.ok_cells(run.id) == {(0, 0, "Acme", "acme/alpha-7b")}
        # Playground replies have no run cell: any number of them.
        for _ in range(3):
            trials.record(trial(None, 0, origin="playground"))
        assert len(trials.trials()) == 4
