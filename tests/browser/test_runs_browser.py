"""The Runs page in a real headless Chromium: a run started from the page with Browse's picks, its progress,
the results beside the list estimate, the cost-vs-speed chart and answers side by side (screenshots runs-*.png)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from fake_gateway import Profile, running_fake

from catalog.cli import main

TOKEN = "fwd_tok_RUNS_BROWSER"
TERSE = "meta-llama/Meta-Llama-3.1-8B-Instruct"
THINKER = "Qwen/Qwen3-235B-A22B-Thinking-2507"


@pytest.fixture(scope="module")
def runs_app(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """The dashboard on a database holding one CLI run, and the fake gateway it and the page call."""
    folder = tmp_path_factory.mktemp("runs")
    url = f"sqlite:///{folder / 'runs.sqlite3'}"
    prompts = folder / "prompts.jsonl"
    lines = [{"id": f"q{n}", "prompt": f"Question {n} <b>bold</b>"} for n in range(5)]
    lines[4]["max_tokens"] = 5_000_000  # clamped to the run's --max-tokens, with a note on the page
    prompts.write_text("\n".join(json.dumps(line) for line in lines))
    with running_fake(forward_tokens={TOKEN}, profiles={THINKER: Profile(words=30, reasoning_tokens=400)}) as fake:
        env = {"CATALOG_DB_URL": url, "LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": fake.url,
               "CATALOG_SPEND_MODE": "public", "CATALOG_VISITOR_MAX_CONCURRENCY": "32"}  # fmt: skip
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            args = ["run", str(prompts), "--model", TERSE, "--model", THINKER, "--name", "cli run"]
            assert main(args, stdout=io.StringIO(), stderr=io.StringIO()) == 0
            assert main(["runs", "share", "1"], stdout=io.StringIO()) == 0  # a CLI run, shown to visitors
        with run_streamlit(env) as base:
            yield base, fake


def test_the_runs_page_shows_results_chart_and_answers_on_desktop_and_phone(runs_app, browser, screenshot_dir):
    base, _ = runs_app
    for name, size in (("desktop", {"width": 1440, "height": 1000}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.goto(base + "/runs")
        wait_for_app(page)
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
        page.wait_for_selector(".js-plotly-plot", timeout=30_000)
        labels = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].text")
        assert labels == [TERSE, THINKER]
        page.get_by_text("prompt 'q4' asks for max_tokens 5,000,000; 1,024 are sent").wait_for(timeout=10_000)
        page.get_by_text("Answers side by side").click()
        page.get_by_test_id("stText").get_by_text("Question 0 <b>bold</b>").wait_for(timeout=10_000)  # literally
        assert page.locator("b", has_text="bold").count() == 0  # no HTML from a prompt or a reply
        page.locator("strong", has_text=TERSE).first.wait_for(timeout=10_000)  # the reply's markdown, rendered
        wait_for_app(page)
        page.screenshot(path=str(screenshot_dir / f"runs-results-{name}.png"), full_page=True)
        assert exceptions_shown(page) == []
        context.close()


def test_a_run_started_in_the_browser_with_browse_picks_shows_progress_then_its_results(runs_app, page, screenshot_dir):
    base, fake = runs_app
    before = fake.chat_requests
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{base}/runs?pick={TERSE}")
    wait_for_app(page)
    page.get_by_role("tab", name="New run").click()
    page.get_by_role("textbox", name="Prompts", exact=True).fill("Hello there\nWhat is 2+2?\nName a colour")
    page.get_by_role("spinbutton", name="Budget (USD, 0 = none)").fill("1")  # a visitor's run needs one
    fake.rate_limit_next, fake.retry_after = 1, "3"
    page.get_by_role("button", name="Start the run").click()
    page.get_by_text(f"for the rate limit of {TERSE}").wait_for(timeout=15_000)  # the live line while it waits
    page.screenshot(path=str(screenshot_dir / "runs-rate-limit.png"), full_page=True)
    chosen_run = """() => Array.from(document.querySelectorAll('[data-testid="stSelectbox"] input'))
        .some(box => /#2 · dashboard run · .* · finished/.test(box.value))"""
    page.wait_for_function(chosen_run, timeout=30_000)  # the page switched to the new run once it ended
    wait_for_app(page)
    assert fake.chat_requests - before == 4  # three prompts, one of them sent again after its 429
    page.screenshot(path=str(screenshot_dir / "runs-new-run.png"), full_page=True)
    assert exceptions_shown(page) == []
