"""Refresh prices is one job for every replica: two presses at once fetch once, a press in the cooldown fetches
nothing and says when the next is allowed; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

from static_server import Site, serving
from storedb import PAGES, db_url, pg_url  # noqa: F401  (fixtures)

from catalog.history import Store
from catalog.history.flight import REFRESH, land, refresh_once, take_off


def test_two_concurrent_presses_fetch_once_and_a_press_in_the_cooldown_fetches_nothing(db_url):  # noqa: F811
    site = Site({"/acme.md": (PAGES / "v2.md").read_text()}, delay_s=0.5)
    with serving(site), Store(db_url) as store:
        url = site.url + "/acme.md"
        flights, barrier = [], threading.Barrier(2)

        def press(holder: str) -> None:
            barrier.wait()
            flights.append(refresh_once(store, [url], holder, cooldown_s=600))

        threads = [threading.Thread(target=press, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(site.requested) == 1
        assert sorted(flight.started for flight, _ in flights) == [False, True]
        refused = next(flight for flight, _ in flights if not flight.started)
        assert refused.message.startswith("Another refresh is running now")
        later, outcomes = refresh_once(store, [url], "c", cooldown_s=600)
        assert not later.started and outcomes == [] and len(site.requested) == 1
        assert "the next refresh is allowed at" in later.message and "(in 10 min)" in later.message


def test_the_cooldown_ends_and_a_job_whose_holder_died_is_taken_over(db_url):  # noqa: F811
    start = dt.datetime(2026, 12, 3, 12, 0)
    with Store(db_url) as store:
        assert take_off(store, REFRESH, "a", 60, start).started
        assert not take_off(store, REFRESH, "b", 60, start + dt.timedelta(minutes=5)).started  # still running
        took_over = take_off(store, REFRESH, "b", 60, start + dt.timedelta(minutes=16))
        assert took_over.started  # "a" died
        land(store, REFRESH, took_over.holder, start + dt.timedelta(minutes=17))
        cooling = take_off(store, REFRESH, "c", 60, start + dt.timedelta(minutes=17, seconds=20))
        assert not cooling.started and cooling.next_at == start + dt.timedelta(minutes=18)
        assert "(in 40 s)" in cooling.message
        assert take_off(store, REFRESH, "c", 60, start + dt.timedelta(minutes=18)).started


def test_a_late_holder_landing_does_not_end_the_job_that_took_over(db_url):  # noqa: F811
    start = dt.datetime(2026, 12, 3, 12, 0)
    with Store(db_url) as store:
        first = take_off(store, REFRESH, "passphrase", 0, start)
        second = take_off(store, REFRESH, "passphrase", 0, start + dt.timedelta(minutes=16))  # the first looked dead
        assert first.started and second.started and first.holder != second.holder  # one person, two jobs
        land(store, REFRESH, first.holder, start + dt.timedelta(minutes=17))  # the first ends after all, late
        third = take_off(store, REFRESH, "c", 0, start + dt.timedelta(minutes=17, seconds=1))
        assert not third.started and third.message.startswith("Another refresh is running now")
        land(store, REFRESH, second.holder, start + dt.timedelta(minutes=18))
        assert take_off(store, REFRESH, "c", 0, start + dt.timedelta(minutes=18, seconds=1)).started
