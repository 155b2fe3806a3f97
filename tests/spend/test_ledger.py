"""The spend ledger on SQLite and PostgreSQL: reserve first, settle after, refuse plainly at each cap."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from storedb import db_url, pg_url  # noqa: F401  (fixtures)

from catalog.costs import prompt_token_bound, request_cost
from catalog.history import Store
from catalog.history.schema import SCHEMA_VERSION
from catalog.sources import load_catalog
from catalog.spend import CapReached, Caps, Spender, SpendLedger, worst_case_usd

NOON = dt.datetime(2026, 12, 3, 12, 0)


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


def test_a_reservation_counts_its_worst_case_until_settled(db_url):  # noqa: F811
    with Store(db_url) as store:
        ledger = SpendLedger(store, Caps(1.0, 1.0, 1.0), Clock(NOON))
        held = ledger.reserve(session="a", mode="public", worst_usd=0.4)
        assert ledger.spent_today() == pytest.approx(0.4)
        ledger.settle(held, 0.01, "req-1")
        assert ledger.spent_today() == pytest.approx(0.01)
        ledger.settle_billed("req-1", 0.02)
        assert ledger.spent_today() == pytest.approx(0.02)


def test_the_daily_cap_refuses_with_what_is_left_and_when_it_resets(db_url):  # noqa: F811
    with Store(db_url) as store:
        ledger = SpendLedger(store, Caps(10.0, 1.0, 10.0), Clock(NOON))
        ledger.reserve(session="a", mode="public", worst_usd=0.9)
        with pytest.raises(CapReached) as refused:
            ledger.reserve(session="b", mode="public", worst_usd=0.2)
        text = str(refused.value)
        assert "the daily cap for all visitors is $1.00" in text and "$0.10 of it is left" in text
        assert "resets at 00:00 UTC (in 12 h 0 min)" in text
        assert ledger.spent_today() == pytest.approx(0.9)  # the refused request reserved nothing


def test_the_session_cap_is_per_session_and_rolls_after_an_hour(db_url):  # noqa: F811
    clock = Clock(NOON)
    with Store(db_url) as store:
        ledger = SpendLedger(store, Caps(0.5, 100.0, 100.0), clock)
        ledger.reserve(session="a", mode="public", worst_usd=0.4)
        with pytest.raises(CapReached, match="this session's hourly cap is \\$0.50.*resets at 13:00 UTC"):
            ledger.reserve(session="a", mode="public", worst_usd=0.2)
        ledger.reserve(session="b", mode="public", worst_usd=0.4)  # another session has its own hour
        clock.at = NOON + dt.timedelta(hours=1, seconds=1)
        ledger.reserve(session="a", mode="public", worst_usd=0.4)


def test_the_run_cap_never_resets(db_url):  # noqa: F811
    with Store(db_url) as store:
        spender = Spender(SpendLedger(store, Caps(100.0, 100.0, 0.3), Clock(NOON)), "a", "public").for_run(7)
        spender.reserve(0.2)
        with pytest.raises(CapReached, match="this run's cap is \\$0.30.*Start a new run"):
            spender.reserve(0.2)
        spender.for_run(8).reserve(0.2)


def test_a_hold_settles_to_the_measured_cost_or_keeps_the_worst_case(db_url):  # noqa: F811
    with Store(db_url) as store:
        ledger = SpendLedger(store, Caps(10.0, 10.0, 10.0), Clock(NOON))
        spender = Spender(ledger, "a", "public")
        with spender.hold(1.0) as hold:
            hold.spent(0.25, "r1")
        assert ledger.spent_today() == pytest.approx(0.25)
        with pytest.raises(RuntimeError), spender.hold(1.0):
            raise RuntimeError("the reply broke before any usage came")
        assert ledger.spent_today() == pytest.approx(1.25)


def test_threads_racing_for_the_last_dollar_take_it_once(db_url):  # noqa: F811
    with Store(db_url) as store:
        ledger = SpendLedger(store, Caps(100.0, 1.0, 100.0))
        granted, barrier = [], threading.Barrier(8)

        def take(n: int) -> None:
            barrier.wait()
            try:
                ledger.reserve(session=f"s{n}", mode="public", worst_usd=0.3)
                granted.append(n)
            except CapReached:
                pass

        threads = [threading.Thread(target=take, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(granted) == 3 and ledger.spent_today() == pytest.approx(0.9)


def test_today_by_mode_and_session(db_url):  # noqa: F811
    with Store(db_url) as store:
        ledger = SpendLedger(store, Caps(10.0, 10.0, 10.0), Clock(NOON))
        ledger.settle(ledger.reserve(session="aaa", mode="public", worst_usd=0.5), 0.1)
        ledger.reserve(session="bbb", mode="passphrase", worst_usd=0.2)
        by_mode = {line.key: line for line in ledger.today("mode")}
        assert by_mode["public"].settled_usd == pytest.approx(0.1) and by_mode["public"].reserved_usd == 0
        assert by_mode["passphrase"].reserved_usd == pytest.approx(0.2) and by_mode["passphrase"].requests == 1
        assert [line.key for line in ledger.today("session")] == ["bbb", "aaa"]
        assert SCHEMA_VERSION == 5  # the spend ledger came with schema 5 (answer checks took 4)


def test_a_request_larger_than_the_cap_itself_says_so_instead_of_a_reset_time(db_url):  # noqa: F811
    with Store(db_url) as store:
        ledger = SpendLedger(store, Caps(0.00001, 1.0, 1.0), Clock(NOON))
        with pytest.raises(CapReached) as refused:
            ledger.reserve(session="a", mode="public", worst_usd=0.00005)
        text = str(refused.value)
        assert "hourly cap is $0.00001," in text and "never fits in the cap" in text and "resets" not in text


def test_a_requests_worst_case_counts_every_utf8_byte_of_its_messages_as_a_token():
    record = load_catalog().find("meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert record is not None
    assert prompt_token_bound(["\U0001f600" * 10, "hi"]) == 40 + 8 + 2 + 8  # 4 bytes an emoji, 8 a message
    assert worst_case_usd(record, ["\U0001f600" * 1000], 0) == pytest.approx(float(request_cost(record, 4008, 0)))
    assert worst_case_usd(record, [], 100) == pytest.approx(float(request_cost(record, 8, 100)))
