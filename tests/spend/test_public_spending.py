"""`public` mode: many sessions hammering the operator's credential spend at most the daily cap plus one
request's worst case, on SQLite and on PostgreSQL, in one process and in two processes sharing PostgreSQL.

Tested at the ledger + gateway level (threads standing for sessions, real HTTP to the loopback fake), in two
processes sharing PostgreSQL, and through the real Playground page (20 AppTest sessions, interleaved); not with 20
browsers, which a 2-core machine cannot drive: the pages hold each request in the same `Spender.hold`.
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


def test_twenty_playground_sessions_spend_at_most_the_daily_cap(monkeypatch, tmp_path):
    """The same bound through the real Playground page: 20 AppTest sessions (each its own visitor, their runs
    interleaved: AppTest swaps Streamlit's global runtime per run, so runs cannot overlap; the ledger's own
    concurrency is the test above) send prompts for 15 s; what the fake gateway answered, at catalog prices,
    stays within the daily cap plus one request's worst case, and the sessions are told the cap is reached."""
    import threading
    import time

    from streamlit.testing.v1 import AppTest

    from catalog.costs import request_cost
    from catalog.sources import load_catalog

    one_run_at_a_time = threading.Lock()  # AppTest swaps Streamlit's global runtime for each run it makes
    daily = 0.0003
    for name, value in {
        "CATALOG_DB_URL": f"sqlite:///{tmp_path / 'spend.sqlite3'}",
        "CATALOG_SPEND_MODE": "public",
        "CATALOG_SPEND_DAILY_USD": str(daily),
        "CATALOG_SPEND_SESSION_HOURLY_USD": "1",
    }.items():
        monkeypatch.setenv(name, value)  # fmt: skip
    told, failures = [], []
    with running_fake(forward_tokens={TOKEN}) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)

        def visitor(number: int) -> None:
            at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
            with one_run_at_a_time:
                at.run()
                at.switch_page("pages/playground.py").run()
            end, sent = time.monotonic() + 15, 0
            while time.monotonic() < end:
                boxes = [box for box in at.chat_input if box.key == "pg_prompt"]
                if at.exception or not boxes:
                    break  # refused: the page stopped before its prompt box
                with one_run_at_a_time:
                    boxes[0].set_value(f"Hello from visitor {number}, prompt {sent}").run()
                sent += 1
            if at.exception:
                failures.append(str(at.exception))
            told.extend(error.value for error in at.error)

        threads = [threading.Thread(target=visitor, args=(n,)) for n in range(SESSIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    catalog = load_catalog()

    def cost(entry: dict, prompt_tokens: int, completion_tokens: int) -> float:
        return float(request_cost(catalog.find(entry["model"]), prompt_tokens, completion_tokens))

    answered = list(fake.sent.values())
    spent = sum(cost(entry, entry["usage"]["prompt_tokens"], entry["usage"]["completion_tokens"]) for entry in answered)
    # One request's worst case, generously: the longest prompt sent (a chat's history grows) and the page's 1,024
    # max tokens, both well above what the page reserves.
    worst = max(cost(entry, 4 * entry["usage"]["prompt_tokens"] + 64, 1024) for entry in answered)
    assert not failures and fake.chat_requests > 10  # real spending happened, through the page
    assert spent <= daily + worst
    assert any("the daily cap for all visitors" in said for said in told)
