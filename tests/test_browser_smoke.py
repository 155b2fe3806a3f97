"""The dashboard, opened in a real headless Chromium."""

from __future__ import annotations

from conftest import exceptions_shown, wait_for_app


def test_app_shows_the_catalog_table_in_a_browser(streamlit_url, page, screenshot_dir):
    page.goto(streamlit_url)
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    page.screenshot(path=str(screenshot_dir / "app.png"), full_page=True)
    assert exceptions_shown(page) == []
    assert "52 models" in page.inner_text("body")
