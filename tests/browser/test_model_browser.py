"""The model page in headless Chromium, at a desktop and a phone size, opened from a shared link."""

from __future__ import annotations

import pytest
from conftest import exceptions_shown, wait_for_app
from playwright.sync_api import Browser

LINK = "/model?id=deepseek-ai/DeepSeek-R1-0528&in=2000&out=500&req=10000"
SIZES = {"desktop": (1440, 1000), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(SIZES))
def test_the_model_page_shows_prices_and_cost_from_a_link(streamlit_url, browser: Browser, screenshot_dir, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    try:
        tab.goto(streamlit_url + LINK)
        wait_for_app(tab)
        tab.get_by_text("$622.50").wait_for(timeout=30_000)
        main = tab.get_by_test_id("stMain")
        assert "$0.50" in main.inner_text() and "$2.15" in main.inner_text()
        assert "line 46" in main.inner_text()
        facts = tab.locator('[data-testid="stHtml"] table[aria-label="About this model"]')
        assert "671B total, 37B active" in facts.inner_text()
        assert tab.locator('[data-testid="stDataFrame"]').count() == 0
        cheaper = tab.locator('[data-testid="stHtml"] table[aria-label="About this model"]')
        cheaper.scroll_into_view_if_needed()
        tab.screenshot(path=str(screenshot_dir / f"model-{size}-facts.png"))
        tab.screenshot(path=str(screenshot_dir / f"model-{size}.png"), full_page=True)
        assert exceptions_shown(tab) == []
    finally:
        context.close()
