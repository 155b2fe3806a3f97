"""Issue 18 on the pages (AppTest through app.py, the loopback fake gateway, an SQLite store): off mode sends
nothing on the operator's credential, the passphrase unlocks it (5 tries a minute), caps refuse plainly, a
visitor sees only their own runs, and Refresh prices is single-flight with a cooldown."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import GATEWAY_VARIABLES
from fake_gateway import Profile, running_fake
from static_server import Site, serving
from storedb import PAGES
from streamlit.testing.v1 import AppTest

from catalog.spend import hash_passphrase

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fwd_tok_SPEND_PAGES_OPERATOR"
OWN = "fwd_tok_SPEND_PAGES_VISITORS_OWN"
TERSE = "meta-llama/Meta-Llama-3.1-8B-Instruct"
PASSPHRASE = "a long operator passphrase"
STORED = hash_passphrase(PASSPHRASE)


@pytest.fixture
def fake(monkeypatch, tmp_path):
    for name in (*GATEWAY_VARIABLES, "CATALOG_SPEND_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}")
    with running_fake(forward_tokens={TOKEN, OWN}, profiles={TERSE: Profile(words=8)}) as server:
        monkeypatch.setenv("LAVA_BASE_URL", server.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        yield server


def opened(page: str | None, session: str | None = None, **state: object) -> AppTest:
    """The dashboard on `page` (None: the first page, whose run draws the router's shared sidebar under AppTest)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if session is not None:
        at.session_state["spend_session"] = session
    for key, value in state.items():
        at.session_state[key] = value
    at.query_params["model"] = TERSE
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


def unlock(at: AppTest, passphrase: str) -> None:
    """Type into the sidebar's passphrase field and press Unlock."""
    at.text_input(key="spend_passphrase").set_value(passphrase)
    at.button(key="spend_unlock").click().run()
    assert not at.exception


def bearers(fake) -> list[str]:
    """The credential each request to the gateway carried."""
    return [entry["headers"].get("Authorization", "").removeprefix("Bearer ") for entry in fake.requests]


def test_off_mode_sends_nothing_on_the_operators_credential_from_playground_or_runs(fake):
    at = opened("pages/playground.py")
    # A visitor without leave gets the Playground's preview (issue 21): prices and cost as typed, nothing sent.
    assert len(at.chat_input) == 0 and "pg_preview" in [box.key for box in at.text_input]
    runs = opened("pages/runs.py")
    runs.text_area(key="runs_text").set_value("one\ntwo")
    runs.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    runs.number_input(key="runs_budget").set_value(1.0).run()
    assert runs.button(key="runs_start").disabled  # told to paste a credential first; nothing can be sent
    assert any("To send prompts, paste" in caption.value for caption in runs.caption)
    time.sleep(0.3)
    assert fake.requests == [] and fake.chat_requests == 0


def test_a_credential_pasted_on_the_playground_holds_on_runs(fake):
    at = opened("pages/playground.py")
    at.text_input(key="pg_credential").input(OWN).run()
    at.switch_page("pages/runs.py").run()  # Streamlit forgets the Playground's own widgets here
    assert at.text_input(key="runs_own_credential").value == OWN
    at.text_area(key="runs_text").set_value("one")
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    at.button(key="runs_start").click().run()
    deadline = time.monotonic() + 30
    while "runs_job" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert not at.exception and fake.chat_requests == 1 and bearers(fake) == [OWN]


def test_off_mode_sends_with_the_visitors_own_pasted_credential(fake):
    at = opened("pages/playground.py", pg_credential=OWN)
    at.chat_input(key="pg_prompt").set_value("hello").run()
    assert not at.exception and fake.chat_requests == 1 and bearers(fake) == [OWN]


def test_passphrase_mode_keeps_the_operators_credential_locked_until_this_session_unlocks(fake, monkeypatch):
    """The field itself (wrong passphrase, sixth try) is driven in Chromium (tests/browser/test_spend_browser.py):
    AppTest does not rerun the router's sidebar widgets after the first run."""
    monkeypatch.setenv("CATALOG_SPEND_MODE", "passphrase")
    monkeypatch.setenv("CATALOG_SPEND_PASSPHRASE_HASH", STORED)
    locked = opened("pages/playground.py")
    assert len(locked.chat_input) == 0 and "pg_preview" in [box.key for box in locked.text_input]
    unlocked = opened("pages/playground.py", spend_unlocked=True)
    unlocked.chat_input(key="pg_prompt").set_value("hello").run()
    assert not unlocked.exception and fake.chat_requests == 1


def test_a_request_past_a_cap_is_not_sent_and_says_which_cap_and_when(fake, monkeypatch):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    monkeypatch.setenv("CATALOG_SPEND_SESSION_HOURLY_USD", "0.00001")  # below one request's worst case
    at = opened("pages/playground.py")
    at.chat_input(key="pg_prompt").set_value("hello").run()
    assert not at.exception and fake.chat_requests == 0
    refusal = [e.value for e in at.error if "Not sent" in e.value]
    assert refusal and "this session's hourly cap is $0.00001" in refusal[0].replace("\\", "")
    assert "of it is left" in refusal[0] and "never fits in the cap" in refusal[0]
    monkeypatch.setenv("CATALOG_SPEND_SESSION_HOURLY_USD", "1")
    at.chat_input(key="pg_prompt").set_value("again").run()
    assert fake.chat_requests == 1  # within every cap now
    monkeypatch.setenv("CATALOG_SPEND_DAILY_USD", "0.00001")
    at.chat_input(key="pg_prompt").set_value("and again").run()
    assert fake.chat_requests == 1 and any("the daily cap for all visitors" in e.value for e in at.error)


def test_a_visitor_s_max_tokens_and_run_bounds_are_the_operators(fake, monkeypatch):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    at = opened("pages/runs.py")
    at.text_area(key="runs_text").set_value("one\ntwo")
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    at.number_input(key="runs_repeat").set_value(10)
    at.button(key="runs_start").click().run()
    problem = at.error[-1].value
    assert "at most 3 repeats, not 10" in problem and "a budget above $0.00" in problem.replace("\\", "")
    assert fake.chat_requests == 0


def test_session_b_does_not_see_session_a_s_run_its_prompts_or_its_downloads(fake, monkeypatch):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    a = opened("pages/runs.py", session="session-a")
    a.text_area(key="runs_text").set_value("A's secret prompt")
    a.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    a.number_input(key="runs_budget").set_value(1.0)
    a.number_input(key="runs_concurrency").set_value(2)
    a.button(key="runs_start").click().run()
    deadline = time.monotonic() + 30
    while "runs_job" in a.session_state and time.monotonic() < deadline:
        time.sleep(0.2)
        a.run()
    assert fake.chat_requests == 1 and [b.label for b in a.get("download_button")][:2] == [
        "Report (JSON)",
        "Report (CSV)",
    ]
    b = opened("pages/runs.py", session="session-b")
    assert "No runs yet" in b.info[0].value  # the empty page: its only download is the starter prompt file
    assert [button.key for button in b.get("download_button")] == ["runs_starter"]
    assert "secret prompt" not in str(b._tree) and not [s for s in b.selectbox if s.key == "runs_pick"]


def test_refresh_is_for_an_unlocked_session_and_a_press_in_the_cooldown_fetches_nothing(fake, monkeypatch):
    site = Site({"/acme.md": (PAGES / "v2.md").read_text()})
    with serving(site):
        monkeypatch.setenv("CATALOG_SOURCES", site.url + "/acme.md")
        monkeypatch.setenv("CATALOG_SPEND_MODE", "passphrase")
        assert not [b for b in opened(None).button if b.key == "history_refresh"]  # not for a locked visitor
        first = opened(None, spend_unlocked=True)
        first.button(key="history_refresh").click().run()
        assert not first.exception and len(site.requested) == 1
        second = opened(None, spend_unlocked=True)  # another unlocked session, in the cooldown
        second.button(key="history_refresh").click().run()
        assert len(site.requested) == 1
        assert (
            not second.exception
        )  # its message ("the next refresh is allowed at …"): tests/history/test_refresh_flight.py
