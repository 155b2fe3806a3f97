"""Answer checks on the Runs page in headless Chromium (issue 19): pass rates, the best model and the
cost-vs-pass-rate chart with its Pareto front, at 1440×900 and 390×844 (screenshots run-checks-*.png)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from fake_gateway import running_fake
from fake_models import JUDGE, PRICEY, PROSE, SLOPPY, SOLID, capital_prompts, quality_models

from catalog.cli import main

TOKEN = "fwd_tok_RUN_CHECKS_BROWSER"
MODELS = (SLOPPY, SOLID, PROSE, PRICEY)


@pytest.fixture(scope="module")
def checks_app(tmp_path_factory) -> Iterator[str]:
    """The dashboard on a database holding one CLI run with checks on four models of known quality."""
    folder = tmp_path_factory.mktemp("run-checks")
    url = f"sqlite:///{folder / 'runs.sqlite3'}"
    lines = capital_prompts("word")[:4] + capital_prompts("json")[4:]
    lines[0]["expect"].append({"type": "judge", "value": "Names Paris as the capital of France."})
    prompts = folder / "capitals.jsonl"
    prompts.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    with quality_models(), running_fake(forward_tokens={TOKEN}) as fake:
        env = {"CATALOG_DB_URL": url, "LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": fake.url}
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            args = [
                "run",
                str(prompts),
                *(f for m in MODELS for f in ("--model", m)),
                "--judge",
                JUDGE,
                "--name",
                "capitals",
                "--share",
            ]  # fmt: skip (shared: visitors see it, issue 18)
            assert main(args, stdout=io.StringIO(), stderr=io.StringIO()) == 0
        with run_streamlit(env) as base:
            yield base


@pytest.mark.parametrize("name,size", [("desktop", (1440, 900)), ("phone", (390, 844))])
def test_the_runs_page_shows_pass_rates_and_the_front(checks_app, browser, screenshot_dir, name, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(checks_app + "/runs")
    wait_for_app(page)
    heading = page.get_by_text("Is the cheaper model good enough?")
    heading.wait_for(timeout=30_000)
    page.get_by_text(f"Best: DeepInfra:{SOLID},").wait_for(timeout=10_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=30_000)
    traces = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[1].data.map(t => [t.name, t.x])")
    assert [trace[0] for trace in traces] == ["Pareto front", "models", "best"]
    assert traces[0][1] == [0.5, 1.0] and traces[2][1] == [1.0]  # SLOPPY and SOLID on the front, SOLID best
    heading.scroll_into_view_if_needed()
    wait_for_app(page)
    page.screenshot(path=str(screenshot_dir / f"run-checks-{name}.png"), full_page=True)
    chart = page.locator(".js-plotly-plot").nth(1)
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(screenshot_dir / f"run-checks-chart-{name}.png"))
    box = chart.bounding_box()
    assert box is not None and box["width"] <= size[0]  # the chart fits the phone's width
    assert exceptions_shown(page) == []
    context.close()


def test_compare_ranks_a_run_by_cost_per_passing_answer(checks_app, browser, screenshot_dir):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(checks_app + "/compare")
    wait_for_app(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Rank by cost per passing answer from a run")
    box.scroll_into_view_if_needed(timeout=30_000)
    box.click()
    page.get_by_role("option", name="#1 · capitals", exact=False).click()
    wait_for_app(page)
    page.get_by_text(f"Best: DeepInfra:{SOLID},").wait_for(timeout=30_000)
    page.get_by_text("Best: DeepInfra").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "run-checks-compare-desktop.png"))
    assert exceptions_shown(page) == []
    context.close()
