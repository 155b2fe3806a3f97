"""Issue 18 on the pages (AppTest through app.py, the loopback fake gateway, an SQLite store): off mode sends
nothing on the operator's credential, the passphrase unlocks it (5 tries a minute), caps refuse plainly, a
visitor sees only their own runs, and Refresh prices is single-flight with a cooldown."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from apps import rerun_until_the_run_ends
from conftest import GATEWAY_VARIABLES
from fake_gateway import Profile, running_fake
from static_server import Site, serving
from storedb import PAGES
from streamlit.testing.v1 import AppTest

from catalog.dashboard.uploads import catalog_with_extras
from catalog.history import Store
from catalog.history.schema import session_seen, spend_reservations
from catalog.records import Catalog
from catalog.runs.owners import RunOwners
from catalog.runs.prompts import parse_prompts
from catalog.runs.runner import run_prompts
from catalog.runs.store import TrialStore
from catalog.runs.trials import INTERRUPTED, RunSettings
from catalog.spend import Caps, SpendLedger, Visitor, anonymous, hash_passphrase

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


def run_on_the_page(at: AppTest, prompts: str) -> None:
    """Start a run of `prompts` (a line each) on the terse model from the Runs page, within $1 and two at a time,
    and rerun the page until it ends."""
    at.text_area(key="runs_text").set_value(prompts)
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    at.number_input(key="runs_budget").set_value(1.0)
    at.number_input(key="runs_concurrency").set_value(2)
    at.button(key="runs_start").click().run()
    rerun_until_the_run_ends(at)


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
    rerun_until_the_run_ends(at)
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
    run_on_the_page(a, "A's secret prompt")
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


def test_a_blank_pasted_credential_in_off_mode_sends_nothing_on_the_operators(fake):
    """A space typed into the Credential field is no credential: the visitor gets the preview, not the operator's
    token behind a label that says "yours"."""
    at = opened("pages/playground.py", pg_credential=" ")
    assert len(at.chat_input) == 0 and "pg_preview" in [box.key for box in at.text_input]
    runs = opened("pages/runs.py", runs_own_credential="   ")
    runs.text_area(key="runs_text").set_value("one")
    runs.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    runs.number_input(key="runs_budget").set_value(1.0).run()
    assert runs.button(key="runs_start").disabled
    time.sleep(0.3)
    assert fake.requests == [] and fake.chat_requests == 0


def test_a_blank_pasted_credential_in_public_mode_is_held_in_the_ledger(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    at = opened("pages/playground.py", session="blank-paste", pg_credential=" ")
    assert "credential: the operator's" in " ".join(caption.value for caption in at.caption)
    at.chat_input(key="pg_prompt").set_value("hello").run()
    assert not at.exception and fake.chat_requests == 1 and bearers(fake) == [TOKEN]
    with Store(f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}") as store:
        lines = SpendLedger(store, Caps(1, 1, 1)).today("session")
    assert [line.key for line in lines] == [anonymous("blank-paste")] and lines[0].requests == 1
    monkeypatch.setenv("CATALOG_SPEND_SESSION_HOURLY_USD", "0.00001")  # and the caps apply to it
    at.chat_input(key="pg_prompt").set_value("again").run()
    assert fake.chat_requests == 1 and any("Not sent" in error.value for error in at.error)


def uploaded_page(**rows: str) -> Catalog:
    """The catalog a session sees once it uploaded a DeepInfra page with the given model rows changed or added
    (model id → "input | output" prices), as the router's uploader builds it (`catalog_with_extras`).

    AppTest runs only the page after its first run, not the router that draws the uploader, so the tests put this
    catalog where the router keeps the session's (`dashboard_catalog`)."""
    page = (ROOT / "catalog" / "data" / "lava-deepinfra.md").read_text(encoding="utf-8")
    lines = page.splitlines()
    for model, prices in rows.items():
        row = f"| {model} | {prices} |"
        found = [n for n, line in enumerate(lines) if line.startswith(f"| {model} ")]
        if found:
            lines[found[0]] = row
        else:
            lines.insert(next(n for n, line in enumerate(lines) if line.startswith("| zai-org/GLM-5.2")), row)
    return catalog_with_extras(uploads=[("deepinfra.md", "\n".join(lines).encode())])


def ledger_lines(tmp_path) -> list:
    with Store(f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}") as store:
        return SpendLedger(store, Caps(1, 1, 1)).today("session")


def test_an_uploaded_page_does_not_set_the_prices_the_operators_credential_is_reserved_at(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    # At the real price ($0.03 in, $0.05 out), "hello" with 1,024 max tokens may cost $0.0000516: above this cap.
    monkeypatch.setenv("CATALOG_SPEND_SESSION_HOURLY_USD", "0.00004")
    at = opened("pages/playground.py", session="uploader")
    at.session_state["dashboard_catalog"] = uploaded_page(**{TERSE: r"\$0.00 | \$0.00"})
    at.selectbox(key="pg_model").set_value(("DeepInfra", TERSE)).run()
    at.chat_input(key="pg_prompt").set_value("hello").run()
    assert not at.exception and fake.chat_requests == 0  # a $0 page would have reserved $0, and sent
    refusal = next(error.value for error in at.error if "Not sent" in error.value).replace("\\", "")
    assert "could cost up to $0.0000516" in refusal
    monkeypatch.setenv("CATALOG_SPEND_SESSION_HOURLY_USD", "1")
    at.chat_input(key="pg_prompt").set_value("hello").run()
    assert not at.exception and fake.chat_requests == 1
    [line] = ledger_lines(tmp_path)
    assert line.settled_usd > 0  # settled at what the host bills, not at the page's $0


def test_a_model_only_an_uploaded_page_lists_is_not_sent_on_the_operators_credential(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    at = opened("pages/playground.py", session="uploader")
    at.session_state["dashboard_catalog"] = uploaded_page(**{"acme/free-for-all": r"\$0.00 | \$0.00"})
    at.run()
    at.selectbox(key="pg_model").set_value(("DeepInfra", "acme/free-for-all")).run()
    at.chat_input(key="pg_prompt").set_value("hello").run()
    assert not at.exception and fake.chat_requests == 0 and ledger_lines(tmp_path) == []
    assert any("is not in this server's own catalog" in error.value for error in at.error)
    at.session_state["pg_credential"] = OWN  # the visitor's own credential may send it
    at.chat_input(key="pg_prompt").set_value("hello").run()
    assert not at.exception and fake.chat_requests == 1 and bearers(fake) == [OWN]


def test_a_run_on_the_operators_credential_is_priced_from_the_operators_catalog(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    at = opened("pages/runs.py", session="uploader")
    at.session_state["dashboard_catalog"] = uploaded_page(**{TERSE: r"\$0.00 | \$0.00"})
    at.run()
    run_on_the_page(at, "one\ntwo")
    assert not at.exception and fake.chat_requests == 2
    [line] = ledger_lines(tmp_path)
    assert line.requests == 2 and line.settled_usd > 0
    with Store(f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}") as store:
        costs = [trial.cost_usd for trial in TrialStore(store).trials(TrialStore(store).runs()[0].id)]
    assert all(cost and cost > 0 for cost in costs) and line.settled_usd == pytest.approx(sum(costs))


def test_resuming_a_run_on_the_operators_credential_is_held_to_the_visitor_bounds(fake, monkeypatch, tmp_path):
    """A run recorded with more repeats than a visitor may ask for (from before the bounds, or the CLI's), resumed
    from the page by its owner: refused, nothing sent."""
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    prompts = parse_prompts("one\ntwo", "txt", "prompts.txt")
    with Store(f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}") as store:
        trials = TrialStore(store)
        settings = RunSettings(max_tokens=64, concurrency=8, max_usd=1.0)
        run = trials.create_run("big", [("DeepInfra", TERSE)], run_prompts(prompts), 10, settings)
        trials.set_status(run.id, INTERRUPTED)
        RunOwners(store).claim(run.id, Visitor("resumer").owner)
    at = opened("pages/runs.py", session="resumer")
    at.button(key="runs_resume").click().run()
    assert not at.exception and "runs_job" not in at.session_state
    problem = next(error.value for error in at.error if "On the operator's credential" in error.value)
    assert "at most 3 repeats, not 10" in problem and "at most 2 requests in flight, not 8" in problem
    time.sleep(0.3)
    assert fake.chat_requests == 0


def seen_at(tmp_path, session: str) -> dt.datetime | None:
    with Store(f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}") as store, store._connect("read") as connection:
        query = sa.select(session_seen.c.seen_at).where(session_seen.c.session == anonymous(session))
        return connection.execute(query).scalar()


def test_a_session_with_a_run_going_is_seen_on_every_page_not_only_on_runs(fake, monkeypatch, tmp_path):
    """The run's keeper stops a run whose owner's session has not been seen for CATALOG_RUN_OWNER_GONE_S: reading
    Browse meanwhile must count. AppTest runs the router (app.py) on an AppTest's first run only, so a fresh one
    holding the session's state stands for the next page the visitor opens."""
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    fake.model_delays[TERSE] = 5.0  # the run is still going while the visitor reads Browse
    runs = opened("pages/runs.py", session="reader")
    runs.text_area(key="runs_text").set_value("one")
    runs.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    runs.number_input(key="runs_budget").set_value(1.0)
    runs.number_input(key="runs_concurrency").set_value(1)
    runs.button(key="runs_start").click().run()
    job = runs.session_state["runs_job"]
    try:
        started = seen_at(tmp_path, "reader")
        assert job.running and started is not None
        time.sleep(0.05)
        browse = opened(None, session="reader", runs_job=job)  # the router, then Browse: seen again
        assert not browse.exception and (seen_at(tmp_path, "reader") or started) > started
        idle = opened(None, session="idle")  # a session without a run writes nothing
        assert not idle.exception and seen_at(tmp_path, "idle") is None
    finally:
        job.stop()
        job.join(10)


def test_a_session_unlocked_with_the_passphrase_sees_operator_text(fake, monkeypatch):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "passphrase")
    monkeypatch.setenv("CATALOG_SPEND_PASSPHRASE_HASH", STORED)
    captions = [caption.value for caption in opened("pages/playground.py", spend_unlocked=True).caption]
    assert any("credential from LAVA_FORWARD_TOKEN" in caption for caption in captions)
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")  # an unlocked flag means nothing in another mode
    captions = [caption.value for caption in opened("pages/playground.py", spend_unlocked=True).caption]
    assert not any("LAVA_FORWARD_TOKEN" in caption for caption in captions)


def test_an_unusable_spend_mode_counts_as_off_browsing_goes_on_and_only_the_operator_is_told(fake, monkeypatch):
    monkeypatch.setenv("CATALOG_SPEND_MODE", "everyone")
    browse = opened(None)
    assert not browse.exception and not browse.error and not browse.warning  # a visitor browses, told nothing
    assert browse.markdown[0].value == "### 52 of 52 models"
    playground = opened("pages/playground.py", pg_preview="hi")
    assert len(playground.chat_input) == 0 and fake.chat_requests == 0  # off: the operator's credential unspent
    monkeypatch.setenv("OPERATOR_UI", "1")
    [operator_sees] = [warning.value for warning in opened(None).warning]
    assert "CATALOG_SPEND_MODE must be one of" in operator_sees.replace("\\", "")


def _unlock_alone() -> None:
    from pages.common.spending import unlock_control

    unlock_control()


@pytest.mark.parametrize("operator", [False, True])
def test_a_missing_or_broken_passphrase_hash_names_its_setting_to_the_operator_only(fake, monkeypatch, operator):
    """The sidebar's unlock field alone (AppTest reruns the router's sidebar on its first run only)."""
    monkeypatch.setenv("CATALOG_SPEND_MODE", "passphrase")
    if operator:
        monkeypatch.setenv("OPERATOR_UI", "1")
    for stored in ("", "scrypt$not-a-hash"):
        monkeypatch.setenv("CATALOG_SPEND_PASSPHRASE_HASH", stored)
        at = AppTest.from_function(_unlock_alone, default_timeout=30)
        at.run()
        unlock(at, "a guess")
        [said] = [error.value.replace("\\", "") for error in at.error]
        assert said.startswith("Spending cannot be unlocked on this server now")
        assert ("CATALOG_SPEND_PASSPHRASE_HASH" in said) is operator


def test_the_ledger_counts_what_lava_billed_once_the_run_is_reopened(fake, monkeypatch, tmp_path):
    secret = "aks_test_SPEND_PAGES_BILLED"
    fake.secret_key = secret
    monkeypatch.delenv("LAVA_FORWARD_TOKEN")
    monkeypatch.setenv("LAVA_SECRET_KEY", secret)  # a secret key reads Lava's request records
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    at = opened("pages/runs.py", session="billed")
    run_on_the_page(at, "one\ntwo")
    assert not at.exception and fake.chat_requests == 2
    url = f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}"
    with Store(url) as store:
        measured = {trial.request_id: trial.cost_usd for trial in TrialStore(store).trials(1)}
        assert SpendLedger(store, Caps(1, 1, 1)).spent_today() == pytest.approx(sum(measured.values()))
    for _ in range(2):  # opened again: Lava's first record of a request is pending, a later one final
        opened("pages/runs.py", session="billed")
    with Store(url) as store:
        assert all(trial.billed_final for trial in TrialStore(store).trials(1))
        billed = {trial.request_id: float(trial.billed_usd or 0) for trial in TrialStore(store).trials(1)}
        assert all(billed.values()) and sum(billed.values()) != pytest.approx(sum(measured.values()))
        with store._connect("read") as connection:
            rows = connection.execute(sa.select(spend_reservations.c.request_id, spend_reservations.c.amount_usd,
                                                spend_reservations.c.state)).all()  # fmt: skip
    assert {row.request_id: row.amount_usd for row in rows} == pytest.approx(billed)
    assert {row.state for row in rows} == {"billed"}


def test_a_judge_call_a_stop_cuts_off_keeps_its_worst_case_in_the_ledger(fake, monkeypatch, tmp_path):
    """The judge may have been billed for what it read before the stop: its reservation is not settled at $0."""
    judge = "deepseek-ai/DeepSeek-V3.1"
    fake.model_delays[judge] = 3.0  # the judge is still thinking when the visitor presses Stop
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    at = opened("pages/runs.py", session="judged")
    at.selectbox(key="runs_kind").set_value("jsonl").run()
    at.text_area(key="runs_text").set_value('{"prompt": "Say hi", "expect": [{"type": "judge", "value": "Says hi."}]}')
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    at.selectbox(key="runs_judge").set_value(("DeepInfra", judge))
    at.number_input(key="runs_budget").set_value(1.0).run()
    at.number_input(key="runs_concurrency").set_value(1)
    at.button(key="runs_start").click().run()
    job = at.session_state["runs_job"]
    deadline = time.monotonic() + 20
    while not any(entry.get("body", {}).get("model") == judge for entry in fake.requests):
        assert time.monotonic() < deadline, "the judge was never called"
        time.sleep(0.05)
    job.stop()
    job.join(20)
    assert not job.running
    with Store(f"sqlite:///{tmp_path / 'spend-pages.sqlite3'}") as store, store._connect("read") as connection:
        table = spend_reservations
        rows = connection.execute(sa.select(table.c.request_id, table.c.worst_usd, table.c.amount_usd)).all()
    [judged] = [row for row in rows if row.request_id is None]  # the answer's row carries its request id
    assert judged.worst_usd > 0 and judged.amount_usd == judged.worst_usd


def test_an_emoji_prompt_is_reserved_at_its_utf8_bytes_not_half_a_token_a_character(fake, monkeypatch):
    """1,000 emoji are 4,000 UTF-8 bytes: up to 4,008 prompt tokens, which 0.5 a character counted as 508."""
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    # $0.0001 fits 508 + 1,024 tokens at $0.03 / $0.05 per 1M ($0.0000664), not 4,008 + 1,024 ($0.000171).
    monkeypatch.setenv("CATALOG_SPEND_SESSION_HOURLY_USD", "0.0001")
    at = opened("pages/playground.py")
    at.selectbox(key="pg_model").set_value(("DeepInfra", TERSE)).run()
    at.chat_input(key="pg_prompt").set_value("\U0001f600" * 1000).run()
    assert not at.exception and fake.chat_requests == 0
    refusal = next(error.value for error in at.error if "Not sent" in error.value).replace("\\", "")
    assert "could cost up to $0.000171" in refusal
