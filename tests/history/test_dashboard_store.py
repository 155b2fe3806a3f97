"""The dashboard's database: opened once per server and kept; a failure remembered a minute, then tried again."""

from __future__ import annotations

from catalog.history.opener import RETRY_AFTER_S, Opener


class Clock:
    """A monotonic clock the test moves on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_database_is_opened_once_and_a_failure_is_tried_again_a_minute_later(tmp_path):
    clock = Clock()
    blocker = tmp_path / "data"
    blocker.write_text("a file where the database's folder should be")
    opener = Opener(f"sqlite:///{blocker / 'history.sqlite3'}", clock=clock.monotonic)
    store, problem = opener.open()
    assert store is None and problem is not None and "CATALOG_DB_URL" in problem
    blocker.unlink()  # the folder can be made now
    clock.now += RETRY_AFTER_S - 1
    assert opener.open() == (None, problem)  # not tried again on every rerun
    clock.now += 1
    store, problem = opener.open()
    assert store is not None and problem is None
    store.revision()
    clock.now += 24 * 3600
    assert opener.open() == (store, None)  # kept: never reopened while the server runs
