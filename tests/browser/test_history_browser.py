"""Price history in a real headless Chromium: the Changes page and its chart, an ?as_of= link, Refresh prices."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from static_server import Site, serving

from catalog.cli import main
from catalog.sources import DEFAULT_PAGE
from catalog.spend import hash_passphrase

PAGES = Path(__file__).resolve().parents[1] / "history" / "pages"
PASSPHRASE = "the operator refreshes prices"
TODAY = dt.date.today()
V1_DAY, V2_DAY = TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=5)


@pytest.fixture(scope="module")
def history_app(tmp_path_factory) -> Iterator[str]:
    """The dashboard on a history of v1.md (20 days ago) and v2.md (5 days ago), with v2.md as a configured URL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('history') / 'history.sqlite3'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CATALOG_DB_URL", url)
        for page, day in (("v1.md", V1_DAY), ("v2.md", V2_DAY)):
            args = ["refresh", "--source", str(PAGES / page), "--as-of", day.isoformat()]
            assert main(args, stdout=io.StringIO()) == 0
    with serving(Site({"/acme.md": (PAGES / "v2.md").read_text()})) as site:
        env = {"CATALOG_DB_URL": url, "CATALOG_SOURCES": f"{site.url}/acme.md", "CATALOG_SPEND_MODE": "passphrase",
               "CATALOG_SPEND_PASSPHRASE_HASH": hash_passphrase(PASSPHRASE)}  # fmt: skip
        with run_streamlit(env) as base:
            yield base


def test_the_changes_page_shows_the_moves_and_a_history_chart_with_exact_dates(history_app, page, screenshot_dir):
    page.goto(history_app + "/changes")
    table = page.locator('table[aria-label="Price changes"]')
    table.wait_for(timeout=30_000)
    first_y = table.bounding_box()["y"]  # type: ignore[index]
    wait_for_app(page)
    page.get_by_text("Price history of one model").wait_for(timeout=30_000)
    # The date picker arrives after the changes on a first visit, into room kept for it: the table stays put.
    assert abs(table.bounding_box()["y"] - first_y) < 30  # type: ignore[index]
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    wait_for_app(page)
    page.get_by_text("acme/beta-70b on Acme: 2 price ranges").wait_for(timeout=10_000)
    first = page.locator('table[aria-label="Price changes"] tbody tr').first
    assert first.locator("a").inner_text() == "acme/beta-70b" and "▲ up" in first.inner_text()
    hovers = page.evaluate("() => document.querySelector('.js-plotly-plot').data.map(trace => trace.customdata)")
    assert f"Input $0.50 per 1M tokens<br>from {V1_DAY} to {V2_DAY} (exclusive)" in hovers[0]
    assert f"Output $1.20 per 1M tokens<br>since {V2_DAY}" in hovers[1]
    page.wait_for_url(re.compile(r"hist=acme%2Fbeta-70b"), timeout=10_000)
    page.screenshot(path=str(screenshot_dir / "history-changes.png"), full_page=True)
    assert exceptions_shown(page) == []


def test_the_changes_page_on_a_phone(history_app, browser, screenshot_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    try:
        tab.goto(history_app + "/changes")
        wait_for_app(tab)
        tab.wait_for_selector(".js-plotly-plot", timeout=30_000)
        tab.get_by_text("Price history of one model").wait_for(timeout=30_000)
        wait_for_app(tab)
        plot = tab.locator(".js-plotly-plot").first.bounding_box()
        assert plot is not None and plot["width"] <= 390 and plot["height"] >= 200  # fits the phone, not squeezed
        tab.wait_for_timeout(1000)  # the table draws on a canvas a moment after
        tab.screenshot(path=str(screenshot_dir / "history-changes-phone.png"), full_page=True)
        assert exceptions_shown(tab) == []
    finally:
        context.close()


def test_an_as_of_link_shows_that_day_on_every_page_until_cleared(history_app, page, screenshot_dir):
    day = V1_DAY + dt.timedelta(days=1)
    # Acme's 3 models, and DeepInfra's 52 once the embedded page (seen on its snapshot date) is that old.
    count = 3 + (52 if day.isoformat() >= DEFAULT_PAGE.snapshot_date else 0)
    page.goto(f"{history_app}/?as_of={day}")
    wait_for_app(page)
    page.get_by_text(f"Prices as of {day}").first.wait_for(timeout=30_000)
    page.get_by_text(f"{count} of {count} models").wait_for(timeout=30_000)
    page.wait_for_selector('[data-testid="stHtml"] table[aria-label="Models"]', timeout=30_000)  # Browse's table
    page.get_by_text("Back to today's prices").wait_for(timeout=10_000)
    page.screenshot(path=str(screenshot_dir / "history-as-of.png"), full_page=True)
    page.get_by_test_id("stTopNav").get_by_text("Charts").click()
    page.wait_for_url(re.compile(rf"/charts\?.*as_of={day}"), timeout=10_000)
    page.get_by_text(f"{count} of {count} models").wait_for(timeout=30_000)
    page.get_by_role("button", name="Back to today's prices").click()
    page.get_by_text("55 of 55 models").wait_for(timeout=30_000)  # DeepInfra's 52 and Acme's 3 of today
    assert "as_of" not in page.url
    assert exceptions_shown(page) == []


def test_refresh_prices_reports_each_configured_source(history_app, page, screenshot_dir):
    page.goto(history_app + "/")
    wait_for_app(page)
    assert page.get_by_role("button", name="Refresh prices").count() == 0  # operator-only (issue 18)
    page.get_by_text("Unlock spending").click()
    page.get_by_label("Operator's passphrase").fill(PASSPHRASE)
    page.get_by_label("Operator's passphrase").press("Enter")  # submits the unlock form
    page.get_by_role("button", name="Refresh prices").click()
    page.get_by_text("Refreshed: 0 new snapshots, 1 unchanged, 0 failed").wait_for(timeout=30_000)
    wait_for_app(page)
    page.screenshot(path=str(screenshot_dir / "history-refresh.png"), full_page=True)
    assert exceptions_shown(page) == []
