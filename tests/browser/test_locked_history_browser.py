"""A history database locked against readers, in Chromium: the sidebar's one-line warning, on a desktop and a phone."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app

from catalog.cli import main

PAGES = Path(__file__).resolve().parents[1] / "history" / "pages"
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def locked_app(tmp_path_factory) -> Iterator[str]:
    """The dashboard on a history database another process holds with an exclusive lock while the page is open."""
    path = tmp_path_factory.mktemp("locked") / "history.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CATALOG_DB_URL", f"sqlite:///{path}")
        assert main(["refresh", "--source", str(PAGES / "v1.md")], stdout=io.StringIO()) == 0
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("DELETE FROM sightings WHERE 0")
    try:
        with run_streamlit(
            {"CATALOG_DB_URL": f"sqlite:///{path}", "OPERATOR_UI": "1"}
        ) as base:  # the reason is for operators
            yield base
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_sidebar_says_the_history_was_not_read_and_browsing_goes_on(locked_app, browser, screenshot_dir, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    try:
        tab.goto(locked_app + "/")
        tab.locator('table[aria-label="Models"]').first.wait_for(timeout=60_000)
        wait_for_app(tab, timeout_ms=60_000)
        sidebar = tab.locator('[data-testid="stSidebar"]')
        if size == "phone":  # the sidebar starts closed on a phone
            tab.locator(
                '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
            ).first.click()
        warning = sidebar.get_by_text("Price history unavailable:")
        warning.wait_for(timeout=30_000)
        text = warning.inner_text()
        assert "database is locked" in text and text.endswith("Browsing the embedded page, read-only.")
        assert warning.bounding_box()["width"] <= width  # type: ignore[index]
        tab.screenshot(path=str(screenshot_dir / f"history-locked-{size}.png"))
        assert exceptions_shown(tab) == []
    finally:
        context.close()
