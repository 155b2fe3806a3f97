"""The Runs page through app.py (AppTest): paste prompts, pick models, run against the loopback fake gateway,
see progress, results beside the list estimate, answers side by side, and the past runs."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from apps import let_visitors_spend
from conftest import GATEWAY_VARIABLES
from fake_gateway import Profile, running_fake
from html_tables import page_table
from streamlit.testing.v1 import AppTest

from catalog.cli import main as cli
from catalog.costs import request_cost, usd
from catalog.dashboard.model_page import model_link
from catalog.history import Store
from catalog.runs.owners import RunOwners
from catalog.runs.store import TrialStore
from catalog.sources import load_catalog
from catalog.spend import Visitor

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fwd_tok_RUNS_PAGE_SECRET"
TERSE = "meta-llama/Meta-Llama-3.1-8B-Instruct"
THINKER = "Qwen/Qwen3-235B-A22B-Thinking-2507"
PROFILES = {TERSE: Profile(words=8), THINKER: Profile(words=8, reasoning_tokens=200, delay_s=0.02)}


@pytest.fixture
def fake(monkeypatch, tmp_path):
    for name in GATEWAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'runs-page.sqlite3'}")
    let_visitors_spend(monkeypatch)
    with running_fake(forward_tokens={TOKEN}, profiles=PROFILES) as server:
        yield server


def runs_page(fake) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": fake.url})
    at.run()
    at.switch_page("pages/runs.py").run()
    assert not at.exception
    return at


def wait_for_the_run(at: AppTest) -> None:
    """Rerun the page, as its one-second poll does, until the background run has ended (30 s at most)."""
    deadline = time.monotonic() + 30
    while "runs_job" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
        assert not at.exception
    assert "runs_job" not in at.session_state


def test_a_run_started_on_the_page_shows_progress_then_results_and_answers(fake):
    at = runs_page(fake)
    assert "No runs yet" in at.info[0].value
    at.text_area(key="runs_text").set_value("What is **2+2**?\nName a colour <b>now</b>\nSay hi")
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE), ("DeepInfra", THINKER)]).run()
    at.number_input(key="runs_budget").set_value(1.0)  # a visitor's run on the operator's credential needs one
    at.button(key="runs_start").click().run()
    assert not at.exception
    wait_for_the_run(at)
    at.run()
    assert fake.chat_requests == 6
    results = at.dataframe[0].value
    assert list(results["model"]) == [TERSE, THINKER]
    assert list(results["page"]) == [model_link(TERSE, "DeepInfra"), model_link(THINKER, "DeepInfra")]
    thinker = results[results["model"] == THINKER].iloc[0]
    assert thinker["ok"] == "3 of 3" and thinker["reasoning tokens"] == "200.0"
    assert thinker["ratio"].endswith("×") and "None" not in results.to_string()
    assert results[results["model"] == TERSE].iloc[0]["reasoning tokens"] == "—"
    past = at.dataframe[1].value
    assert list(past["status"]) == ["finished"]
    # Answers side by side: the replies are markdown without images, model ids shown literally.
    at.selectbox(key="runs_prompt").set_value(1).run()
    assert not at.exception
    texts = [element.value for element in at.markdown]
    assert any("w0 w1" in text for text in texts)


def test_bad_pasted_prompts_and_a_budget_below_one_request_are_explained(fake):
    at = runs_page(fake)
    at.selectbox(key="runs_kind").set_value("jsonl")
    at.text_area(key="runs_text").set_value('{"prompt": "fine"}\n{"prompt": 3}')
    at.multiselect(key="runs_models").set_value([("DeepInfra", THINKER)]).run()
    at.button(key="runs_start").click().run()
    assert not at.exception
    assert "line 2" in at.error[0].value and fake.chat_requests == 0
    at.text_area(key="runs_text").set_value('{"prompt": "fine"}')
    at.number_input(key="runs_budget").set_value(0.000001)
    at.button(key="runs_start").click().run()
    assert not at.exception and "below the worst case" in at.error[0].value
    assert fake.chat_requests == 0


def test_playground_replies_are_recorded_without_text_and_shown_in_browse(fake, tmp_path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": fake.url})
    at.run()
    at.query_params["model"] = TERSE
    at.switch_page("pages/playground.py").run()
    at.chat_input(key="pg_prompt").set_value("A secret plan for <b>lunch</b>").run()
    assert not at.exception
    at.chat_input(key="pg_prompt").set_value("!fake:500 again").run()
    assert not at.exception
    with Store(os.environ["CATALOG_DB_URL"]) as store:
        trials = TrialStore(store).trials(origin="playground")
    assert [t.outcome for t in trials] == ["ok", "upstream_error"]
    assert trials[0].model == TERSE and trials[0].output_tokens == 8 and trials[0].reply_text is None
    assert trials[0].prompt_chars == 0 and trials[0].ttft_ms is not None  # no prompt length kept (issue 18)
    assert trials[0].created_at.minute == 0 and trials[0].request_id is None and trials[1].error is None
    at.switch_page("pages/browse.py").run()
    at.toggle(key="b_measured").set_value(True).run()
    assert not at.exception
    table = page_table(at, "Models")
    rows = dict(zip(table.model_ids(), table.rows, strict=True))
    assert rows[TERSE]["Replies"] == "1" and float(rows[TERSE]["Tok/s"].replace(",", "")) > 0
    assert rows[TERSE]["TTFT"].endswith(" ms")
    assert rows[THINKER]["Replies"] == "—"  # never measured: an empty cell


def test_compare_switches_to_the_tokens_a_run_measured(fake, tmp_path, monkeypatch):
    prompts = tmp_path / "p.txt"
    prompts.write_text("one two three\nfour five\n", encoding="utf-8")
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    result = cli(
        ["run", str(prompts), "--model", TERSE, "--model", THINKER, "--share"],  # shared: visitors see it (issue 18)
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert result == 0
    monkeypatch.delenv("LAVA_FORWARD_TOKEN")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("pages/compare.py").run()
    at.radio(key="w_scope").set_value("all").run()
    assumed = page_table(at, "Workload costs")
    assert "Tokens" not in assumed.columns
    at.selectbox(key="w_measured").set_value(1).run()
    assert not at.exception
    table = page_table(at, "Workload costs")
    rows = dict(zip(table.model_ids(), table.rows, strict=True))
    marks = {model: row["Tokens"] for model, row in rows.items()}
    assert marks[TERSE] == marks[THINKER] == "measured" and set(marks.values()) == {"measured", "assumed"}
    catalog = load_catalog()
    # The thinker's 200 reasoning tokens + 8 words, at its prices, with the prompts' mean input tokens.
    with Store(os.environ["CATALOG_DB_URL"]) as store:
        trials = TrialStore(store).trials(1)
    inputs = [t.input_tokens for t in trials if t.model == THINKER]
    expected = request_cost(catalog.find(THINKER), sum(inputs) / len(inputs), 208)
    assert rows[THINKER]["Per request"] == usd(expected, 6, significant=3)
    other = next(model for model, mark in marks.items() if mark == "assumed")
    assert rows[other]["Per request"] == usd(request_cost(catalog.find(other), 2000, 500), 6, significant=3)


def test_an_unfinished_run_resumes_from_the_page_without_sending_a_finished_trial_again(fake):
    from catalog.runs.prompts import parse_prompts
    from catalog.runs.runner import run_prompts
    from catalog.runs.trials import INTERRUPTED, RunSettings, Trial

    prompts = parse_prompts("one\ntwo\nthree", "txt", "prompts.txt")
    with Store(os.environ["CATALOG_DB_URL"]) as store:
        trials = TrialStore(store)
        settings = RunSettings(max_usd=1.0)  # on the operator's credential, a resumed run needs a budget too
        run = trials.create_run("half done", [("DeepInfra", TERSE)], run_prompts(prompts), 1, settings)
        trials.record(Trial("DeepInfra", TERSE, "ok", run_id=run.id, prompt_number=0, repetition=0))
        trials.set_status(run.id, INTERRUPTED)
        RunOwners(store).claim(run.id, Visitor("session-one").owner)  # started by the session below
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": fake.url})
    at.session_state["spend_session"] = "session-one"
    at.run()
    at.switch_page("pages/runs.py").run()
    at.button(key="runs_resume").click().run()
    assert not at.exception
    wait_for_the_run(at)
    assert fake.chat_requests == 2  # prompts two and three only
    with Store(os.environ["CATALOG_DB_URL"]) as store:
        done = TrialStore(store)
        assert done.run(run.id).status == "finished"
        assert sorted(t.prompt_number for t in done.trials(run.id, with_text=False)) == [0, 1, 2]


def test_opening_a_run_fetches_what_lava_billed_for_its_pending_trials(monkeypatch, tmp_path):
    for name in GATEWAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'billed.sqlite3'}")
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("one\ntwo\n")
    secret = "aks_test_RUNS_PAGE_BILLING_SECRET"
    with running_fake(secret_key=secret, profiles=PROFILES) as server:
        monkeypatch.setenv("LAVA_SECRET_KEY", secret)
        monkeypatch.setenv("LAVA_BASE_URL", server.url)
        assert cli(["run", str(prompts), "--model", TERSE], stdout=io.StringIO(), stderr=io.StringIO()) == 0
        with Store(os.environ["CATALOG_DB_URL"]) as store:
            assert not any(t.billed_final for t in TrialStore(store).trials(1, with_text=False))  # still pending
        assert cli(["runs", "share", "1"], stdout=io.StringIO(), stderr=io.StringIO()) == 0  # a CLI run, shown
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.switch_page("pages/runs.py").run()
        assert not at.exception
        billed = at.dataframe[0].value.iloc[0]["billed"]
        assert billed.startswith("$") and "pending" not in billed
        assert secret not in str(at.dataframe[0].value.to_dict())


def test_a_prompts_own_max_tokens_is_clamped_on_the_page_with_a_note(fake):
    at = runs_page(fake)
    at.selectbox(key="runs_kind").set_value("jsonl")
    at.text_area(key="runs_text").set_value('{"id": "greedy", "prompt": "hi", "max_tokens": 5000000}')
    at.number_input(key="runs_max_tokens").set_value(100)
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    at.number_input(key="runs_budget").set_value(1.0)  # a visitor's run on the operator's credential needs one
    at.button(key="runs_start").click().run()
    wait_for_the_run(at)
    at.run()
    assert [entry["body"]["max_tokens"] for entry in fake.requests if "body" in entry] == [100]
    notes = [caption.value for caption in at.caption]
    assert any("prompt 'greedy' asks for max\\_tokens 5,000,000; 100 are sent" in note for note in notes), notes


def test_the_progress_line_says_which_models_rate_limit_the_run_waits_for(fake):
    fake.rate_limit_next, fake.retry_after = 1, "3"
    at = runs_page(fake)
    at.text_area(key="runs_text").set_value("one\ntwo")
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    at.number_input(key="runs_budget").set_value(1.0)  # a visitor's run on the operator's credential needs one
    at.button(key="runs_start").click().run()
    deadline, seen = time.monotonic() + 10, []
    while time.monotonic() < deadline and not any("rate limit" in text for text in seen):
        time.sleep(0.3)
        at.run()
        assert not at.exception
        seen = [str(getattr(bar, "text", "") or bar.proto.text) for bar in at.get("progress")]
    assert any(f"for the rate limit of {TERSE}".replace("-", "\\-").replace(".", "\\.") in text or
               f"for the rate limit of {TERSE}" in text for text in seen), seen  # fmt: skip
    wait_for_the_run(at)


PROMPTFOO = """\
prompts: ['Say {{word}}']
tests:
  - vars: {word: hello}
    assert: [{type: icontains, value: w0}]
  - vars: {word: bye}
"""


def test_a_pasted_promptfoo_config_runs_and_the_upload_names_yaml(fake):
    at = runs_page(fake)
    assert "yaml" in at.selectbox(key="runs_kind").options
    at.selectbox(key="runs_kind").set_value("yaml")
    at.text_area(key="runs_text").set_value(PROMPTFOO)
    at.multiselect(key="runs_models").set_value([("DeepInfra", TERSE)]).run()
    at.number_input(key="runs_budget").set_value(1.0)  # a visitor's run on the operator's credential needs one
    at.button(key="runs_start").click().run()
    assert not at.exception and not at.error
    wait_for_the_run(at)
    at.run()
    assert sorted(entry["prompt"] for entry in fake.sent.values()) == ["Say bye", "Say hello"]
    at.tabs[1].radio(key="runs_source").set_value("Upload a file").run()
    assert not at.exception
    (uploader,) = at.get("file_uploader")
    assert ".yaml" in uploader.proto.label and {".yaml", ".yml"} <= set(uploader.proto.type)
