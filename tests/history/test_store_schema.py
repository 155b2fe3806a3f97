"""A database made by the first schema opens upgraded with its rows intact; a bad database is one clear error."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from storedb import PAGES, db_url, pg_url  # noqa: F401  (fixtures)

from catalog.history import Store, StoreError, catalog_as_of
from catalog.history.schema import SCHEMA_VERSION, create_first_schema, current_version
from catalog.history.store import digest

V1_TEXT = (PAGES / "v1.md").read_text(encoding="utf-8")
V2_TEXT = (PAGES / "v2.md").read_text(encoding="utf-8")


def make_first_schema_database(url: str) -> None:
    """What version 1 wrote after importing v1.md as of 2026-11-01: its DDL, one snapshot and three ranges."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        create_first_schema(connection)
        connection.execute(
            sa.text(
                "INSERT INTO snapshots (provider, source, seen_date, sha256, text) "
                "VALUES ('Acme', 'v1.md', :day, :sha, :text)"
            ),
            {"day": dt.date(2026, 11, 1), "sha": digest(V1_TEXT), "text": V1_TEXT},
        )
        for model, input_usd, output_usd in (("acme/alpha-7b", 0.1, 0.2), ("acme/beta-70b", 0.5, 1.0),
                                             ("acme/gamma-1b", 0.01, 0.02)):  # fmt: skip
            connection.execute(
                sa.text(
                    "INSERT INTO price_ranges (provider, model, input_usd_per_mtok, output_usd_per_mtok, from_date) "
                    "VALUES ('Acme', :model, :i, :o, :day)"
                ),
                {"model": model, "i": input_usd, "o": output_usd, "day": dt.date(2026, 11, 1)},
            )
    engine.dispose()


def test_a_first_schema_database_opens_upgraded_with_its_rows(db_url):  # noqa: F811
    make_first_schema_database(db_url)
    with Store(db_url) as store:
        with store.engine.connect() as connection:
            assert current_version(connection) == SCHEMA_VERSION
        assert [s.sha256 for s in store.snapshots()] == [digest(V1_TEXT)]
        assert [(r.model, r.input_usd_per_mtok, r.to_date) for r in store.all_ranges()] == [
            ("acme/alpha-7b", 0.1, None), ("acme/beta-70b", 0.5, None), ("acme/gamma-1b", 0.01, None),
        ]  # fmt: skip
        assert len(catalog_as_of(store, dt.date(2026, 11, 5))) == 3  # the stored text is still read
        # The upgraded database keeps working: the old sighting is there, so v1 again is unchanged, v2 is new.
        assert store.record(V1_TEXT, "v1.md", dt.date(2026, 11, 2)).outcome == "unchanged"
        assert len(store.record(V2_TEXT, "v2.md", dt.date(2026, 11, 20)).changes) == 3
    with Store(db_url) as again:  # opening an up-to-date database changes nothing
        assert len(again.history("acme/beta-70b")) == 2


def test_a_database_from_a_newer_program_is_refused_not_downgraded(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    Store(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}")
    engine.dispose()
    with pytest.raises(StoreError, match=r"CATALOG_DB_URL=sqlite:///.*newer than this program"):
        Store(url)


def test_an_unreachable_server_is_one_message_naming_the_variable_without_the_password():
    with pytest.raises(StoreError) as raised:
        Store("postgresql+psycopg://reader:s3cret-pw@127.0.0.1:1/history?connect_timeout=2")
    message = str(raised.value)
    assert "CATALOG_DB_URL=postgresql+psycopg://reader:***@127.0.0.1:1/history" in message
    assert "s3cret-pw" not in message and "\n" not in message


def test_a_crash_mid_snapshot_leaves_the_database_as_it_was(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with Store(url) as store:
        store.record(V1_TEXT, "v1.md", dt.date(2026, 11, 1))
        with store.engine.begin() as connection:  # the database itself fails the ranges write, after the snapshot
            connection.exec_driver_sql(
                "CREATE TRIGGER fail_ranges BEFORE INSERT ON price_ranges BEGIN SELECT RAISE(ABORT, 'disk gone'); END"
            )
        with pytest.raises(StoreError, match="cannot be written: disk gone"):
            store.record(V2_TEXT, "v2.md", dt.date(2026, 11, 20))
        assert [s.seen_date for s in store.snapshots()] == [dt.date(2026, 11, 1)]
        assert store.newest_date() == dt.date(2026, 11, 1)
        assert len(store.history("acme/beta-70b")) == 1 and store.changes() == []
