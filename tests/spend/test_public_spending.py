"""`public` mode: many sessions hammering the operator's credential spend at most the daily cap plus one
request's worst case, on SQLite and on PostgreSQL, in one process and in two processes sharing PostgreSQL.

Tested at the ledger + gateway level (threads standing for sessions, real HTTP to the loopback fake), not with
20 browsers: the Playground and Runs hold each request in the same `Spender.hold` these threads use.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fake_gateway import running_fake
from hammer import TOKEN, hammer
from storedb import db_url, pg_url  # noqa: F401  (fixtures)

from catalog.history import Store
from catalog.spend import Caps, SpendLedger

HAMMER = Path(__file__).with_name("hammer.py")
SESSIONS, SECONDS, DAILY_USD = 20, 30.0, 0.005


def test_twenty_sessions_spend_at_most_the_daily_cap(db_url):  # noqa: F811
    with running_fake(forward_tokens={TOKEN}) as fake:
        totals = hammer(db_url, fake.url, SESSIONS, SECONDS, DAILY_USD)
    assert totals.refused > 0 and totals.sent > 10  # the cap was reached, after real spending
    assert totals.spent_usd <= DAILY_USD + totals.worst_usd
    with Store(db_url) as store:  # what the ledger counts is at least what was spent
        assert SpendLedger(store, Caps(1, DAILY_USD, 1)).spent_today() >= totals.spent_usd - 1e-12


def test_two_app_processes_sharing_postgresql_spend_at_most_the_daily_cap(pg_url):  # noqa: F811
    with Store(pg_url):
        pass  # create the schema once, as the first replica to start would
    with running_fake(forward_tokens={TOKEN}) as fake:
        command = [sys.executable, str(HAMMER), pg_url, fake.url, str(SESSIONS // 2), str(SECONDS), str(DAILY_USD)]
        processes = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [process.communicate(timeout=SECONDS + 60)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes)
    totals = [json.loads(output) for output in outputs]
    spent = sum(total["spent_usd"] for total in totals)
    assert all(total["sent"] > 0 for total in totals) and sum(total["refused"] for total in totals) > 0
    assert spent <= DAILY_USD + totals[0]["worst_usd"]
