"""Answer checks on the dashboard (AppTest, issue 19): the Runs page's pass rates, best model, front and per-prompt
verdicts; Compare's ranking by cost per passing answer; the model page's pass rates; a run without checks as
before."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from apps import let_visitors_spend, rerun_until_the_run_ends
from conftest import GATEWAY_VARIABLES
from fake_gateway import running_fake
from fake_models import COUNTRIES, JUDGE, SLOPPY, SOLID, capital_prompts, quality_models, right
from streamlit.testing.v1 import AppTest

from catalog.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fwd_tok_RUN_CHECKS_PAGE"


@pytest.fixture
def checked_run(monkeypatch, tmp_path):
    """A database with one run whose prompts carry checks (a judge one too), run by the CLI on the fake."""
    for name in GATEWAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'checks.sqlite3'}")
    lines = capital_prompts("word")
    lines[0]["expect"].append({"type": "judge", "value": "Names Paris as the capital of France."})
    lines[1]["id"] = "<b>japan</b>"  # a label is shown literally
    path = tmp_path / "capitals.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with quality_models(), running_fake(forward_tokens={TOKEN}) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        args = [
            "run",
            str(path),
            "--model",
            SLOPPY,
            "--model",
            SOLID,
            "--judge",
            JUDGE,
            "--name",
            "capitals",
            "--share",
        ]
        assert cli(args, stdout=io.StringIO(), stderr=io.StringIO()) == 0
        yield fake


def page(fake, route: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": fake.url})
    at.run()
    at.switch_page(route).run()
    assert not at.exception
    return at


def test_the_runs_page_shows_pass_rates_the_best_model_and_who_passed_each_prompt(checked_run):
    at = page(checked_run, "pages/runs.py")
    assert "Is the cheaper model good enough?" in [s.value for s in at.subheader]
    texts = [t.value for t in at.text]
    half = sum(right(country) for country in COUNTRIES)
    assert any(text.startswith(f"Best: DeepInfra:{SOLID},") for text in texts)
    passes = at.dataframe[1].value  # results, then the pass table
    assert list(passes["model"]) == [SLOPPY, SOLID]
    assert list(passes["passed"]) == [f"{half} of 8", "8 of 8"]
    assert list(passes["pass rate"]) == [f"{half / 8:.0%}", "100%"]
    assert all("None" not in str(value) for value in passes.to_numpy().ravel())
    chart = json.loads(at.get("plotly_chart")[1].proto.spec)
    names = [trace.get("name") for trace in chart["data"]]
    assert names == ["Pareto front", "models", "best"]
    # SLOPPY is cheaper per pass, SOLID passes more: neither beats the other, both are on the front.
    assert chart["data"][0]["x"] == [half / 8, 1.0]
    assert chart["data"][2]["x"] == [1.0]  # the best ringed: SOLID
    prompts = at.dataframe[2].value
    assert list(prompts["prompt"])[:2] == ["france-word", "<b>japan</b>"]
    assert list(prompts[SOLID]) == ["✓ pass"] * 8
    # Only the failing answers, with their reasons.
    at.toggle(key="runs_failing").set_value(True).run()
    failing = at.dataframe[3].value
    assert len(failing) == 8 - half and set(failing["model"]) == {SLOPPY}
    assert all("is not in the answer" in reason for reason in failing["reasons"])
    # A stricter or looser bar changes the best model.
    at.slider(key="runs_min_pass").set_value(0.5).run()
    assert any(t.value.startswith(f"Best: DeepInfra:{SLOPPY},") for t in at.text)


def test_compare_ranks_by_cost_per_passing_answer_and_the_model_page_shows_its_pass_rates(checked_run):
    at = page(checked_run, "pages/compare.py")
    at.selectbox(key="compare_pass_run").set_value(1).run()
    assert not at.exception
    ranking = next(df.value for df in at.dataframe if "cost per passing answer" in df.value.columns)
    assert list(ranking["model"]) == [SLOPPY, SOLID] or list(ranking["model"]) == [SOLID, SLOPPY]
    costs = [float(text.replace("$", "")) for text in ranking["cost per passing answer"]]
    assert costs == sorted(costs)
    model = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    model.query_params["id"] = SOLID
    model.query_params["provider"] = "DeepInfra"
    model.switch_page("pages/model.py").run()
    assert not model.exception
    assert "Pass rates in your runs" in [s.value for s in model.subheader]
    rates = next(df.value for df in model.dataframe if "pass rate" in df.value.columns)
    assert list(rates["pass rate"]) == ["100%"] and list(rates["run"]) == ["#1 · capitals"]


def test_a_run_started_on_the_page_applies_its_checks_with_the_chosen_judge(monkeypatch, tmp_path):
    for name in GATEWAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'page-run.sqlite3'}")
    let_visitors_spend(monkeypatch)  # the page's run spends the operator's credential (issue 18)
    lines = capital_prompts("word", judge=True)[:4]
    with quality_models(), running_fake(forward_tokens={TOKEN}) as fake:
        at = page(fake, "pages/runs.py")
        at.selectbox(key="runs_kind").set_value("jsonl")
        at.text_area(key="runs_text").set_value("\n".join(json.dumps(line) for line in lines))
        at.multiselect(key="runs_models").set_value([("DeepInfra", SLOPPY), ("DeepInfra", SOLID)]).run()
        at.number_input(key="runs_budget").set_value(1.0)  # a visitor's run on the operator's credential needs one
        at.button(key="runs_start").click().run()
        assert not at.exception and "a judge check needs a judge" in at.error[0].value  # nothing sent
        assert fake.chat_requests == 0
        at.selectbox(key="runs_judge").set_value(("DeepInfra", JUDGE)).run()
        at.button(key="runs_start").click().run()
        assert not at.exception
        rerun_until_the_run_ends(at)
        at.run()
        assert not at.exception
        assert fake.chat_requests == 16  # 8 answers, 8 judge calls
        passes = at.dataframe[1].value
        assert list(passes["passed"]) == [f"{sum(right(c) for c in COUNTRIES[:4])} of 4", "4 of 4"]


def test_with_repeats_the_prompt_grid_counts_every_repetition(monkeypatch, tmp_path):
    for name in GATEWAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'repeats.sqlite3'}")
    path = tmp_path / "capitals.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in capital_prompts("word")[:2]), encoding="utf-8")
    with quality_models(), running_fake(forward_tokens={TOKEN}) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        args = ["run", str(path), "--model", SLOPPY, "--model", SOLID, "--repeat", "3", "--share"]
        assert cli(args, stdout=io.StringIO(), stderr=io.StringIO()) == 0
        at = page(fake, "pages/runs.py")
    grid = at.dataframe[2].value
    assert list(grid["prompt"]) == ["france-word", "japan-word"]
    assert list(grid[SLOPPY]) == ["3/3 passed", "0/3 passed"]  # right on France, wrong on Japan, every time
    assert list(grid[SOLID]) == ["3/3 passed", "3/3 passed"]
    assert list(grid["passed"]) == ["6 of 6 answers", "3 of 6 answers"]
