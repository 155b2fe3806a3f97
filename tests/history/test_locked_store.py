"""A locked or unreadable history database: told in one line within seconds, on the CLI and in the sidebar."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from apps import opened
from cli_runner import run
from storedb import PAGES

from catalog.history import Store
from catalog.history.store import READ_LOCK_TIMEOUT


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """A history database holding one refreshed page (v2's Acme beside the embedded DeepInfra)."""
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{path}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    assert run("refresh", "--source", str(PAGES / "v2.md")).returncode == 0
    return path


@contextlib.contextmanager
def locked(path: Path, *, exclusive: bool) -> Iterator[None]:
    """Another process's lock on the database: a writer's (`BEGIN IMMEDIATE`), or one that shuts out readers too."""
    other = sqlite3.connect(path, isolation_level=None)
    if exclusive:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("DELETE FROM sightings WHERE 0")  # takes the lock on the WAL, so no reader gets in
    else:
        other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def timed_list() -> tuple[float, int, str, str]:
    started = time.monotonic()
    result = run("list")
    return time.monotonic() - started, result.returncode, result.stdout, result.stderr


def test_a_writer_holding_the_database_does_not_keep_list_from_reading_it(database):
    with locked(database, exclusive=False):
        elapsed, code, out, err = timed_list()
    assert (code, err) == (0, "")
    assert "acme/alpha-7b" in out and elapsed < 5  # read at once; it waited 15 s for the writer before


def test_a_database_locked_against_readers_is_one_warning_within_seconds(database):
    with locked(database, exclusive=True):
        elapsed, code, out, err = timed_list()
    assert code == 0 and "52 of 52 models" in out  # the embedded page
    assert err == (
        f"warning: the history database (CATALOG_DB_URL=sqlite:///{database}) cannot be opened: database is locked; "
        "showing the embedded page\n"
    )
    assert elapsed < READ_LOCK_TIMEOUT + 3


def test_a_file_that_is_not_a_database_is_one_warning(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database at all, " * 100)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{path}")
    _, code, out, err = timed_list()
    assert code == 0 and "52 of 52 models" in out
    assert err.count("\n") == 1 and err.startswith("warning: the history database")
    assert err.endswith("file is not a database; showing the embedded page\n")


def test_a_store_opened_to_read_takes_no_write_lock(database):
    with locked(database, exclusive=False):
        started = time.monotonic()
        with Store(f"sqlite:///{database}", create=False) as store:
            assert store.newest_date() is not None
    assert time.monotonic() - started < 2


def test_the_sidebar_says_in_one_line_that_the_history_was_not_read(database, monkeypatch):
    monkeypatch.setenv("OPERATOR_UI", "1")  # the reason names the database: an operator's words (issue 21)
    with locked(database, exclusive=True):
        started = time.monotonic()
        at = opened()
        elapsed = time.monotonic() - started
    warnings = [element.value for element in at.sidebar.warning]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("Price history unavailable: the history database")
    assert "database is locked" in warnings[0] and warnings[0].endswith("Browsing the embedded page, read-only.")
    assert "\n" not in warnings[0]
    assert elapsed < 3 * READ_LOCK_TIMEOUT + 10  # two reads give up after the read timeout; it was 30 s and more
