"""Another visitor's run is seen nowhere (issue 18): not on Runs, and not in Compare's "Tokens per request" picker,
Compare's "Cost per passing answer" ranking or a model's pass rates. Two AppTest sessions, one run with checks
started on the Runs page against the loopback fake gateway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apps import rerun_until_the_run_ends
from conftest import GATEWAY_VARIABLES
from fake_gateway import running_fake
from fake_models import SLOPPY, SOLID, capital_prompts, quality_models
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fwd_tok_RUN_VISIBILITY"


@pytest.fixture
def fake(monkeypatch, tmp_path):
    for name in (*GATEWAY_VARIABLES, "CATALOG_SPEND_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'visibility.sqlite3'}")
    monkeypatch.setenv("CATALOG_SPEND_MODE", "public")
    with quality_models(), running_fake(forward_tokens={TOKEN}) as server:
        monkeypatch.setenv("LAVA_BASE_URL", server.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        yield server


def session(name: str, page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state["spend_session"] = name
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception
    return at


def start_a_checked_run(name: str) -> int:
    """Session `name` runs the capitals (each answer checked) on two models from the Runs page; its run's id."""
    at = session(name, "pages/runs.py")
    at.selectbox(key="runs_kind").set_value("jsonl").run()
    at.text_area(key="runs_text").set_value("".join(json.dumps(line) + "\n" for line in capital_prompts()))
    at.multiselect(key="runs_models").set_value([("DeepInfra", SLOPPY), ("DeepInfra", SOLID)]).run()
    at.number_input(key="runs_budget").set_value(1.0)
    at.number_input(key="runs_concurrency").set_value(2)
    at.button(key="runs_start").click().run()
    rerun_until_the_run_ends(at, 60)
    assert not at.exception and "runs_job" not in at.session_state
    return int(at.session_state["runs_pick"])


def selectbox_keys(at: AppTest) -> set[str | None]:
    return {box.key for box in at.selectbox}


def test_compare_and_the_model_page_show_a_visitors_run_to_that_visitor_only(fake):
    run_id = start_a_checked_run("session-a")
    owner_compare = session("session-a", "pages/compare.py")
    assert {"w_measured", "compare_pass_run"} <= selectbox_keys(owner_compare)
    assert any(f"run #{run_id} " in option for option in owner_compare.selectbox(key="w_measured").options)
    owner_model = session("session-a", "pages/model.py", id=SOLID, provider="DeepInfra")
    assert "Pass rates in your runs" in [header.value for header in owner_model.subheader]

    other_compare = session("session-b", "pages/compare.py")
    assert not {"w_measured", "compare_pass_run"} & selectbox_keys(other_compare)
    assert "Cost per passing answer" not in [header.value for header in other_compare.subheader]
    other_model = session("session-b", "pages/model.py", id=SOLID, provider="DeepInfra")
    assert "Pass rates in your runs" not in [header.value for header in other_model.subheader]
