"""Browse filters by context window and capability in Chromium: set from the sidebar on a desktop, opened
from a link on a phone; the link keeps both, and the table holds only the models that pass."""

from __future__ import annotations

import pytest
from conftest import exceptions_shown, wait_for_app
from playwright.sync_api import Browser, Page

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
TABLE = '[data-testid="stHtml"]:has(table)'
#: The models with a cited window of at least 200,000 tokens and vision: Llama 4 Scout (327,680) and Maverick.
EXPECTED = {"Llama-4-Scout-17B-16E-Instruct", "Llama-4-Maverick-17B-128E-Instruct-FP8"}
MODEL_NAMES = """() => [...document.querySelectorAll('[data-testid="stHtml"] table tbody tr')]
    .map(row => row.querySelector('a')?.innerText.trim())"""


def opened(browser: Browser, url: str, size: str) -> Page:
    """A fresh tab at one of `SIZES`, on `url`, once Browse's table is drawn."""
    tab = browser.new_page(viewport=dict(zip(("width", "height"), SIZES[size], strict=True)))
    tab.goto(url)
    wait_for_app(tab)
    tab.locator(TABLE).first.wait_for(timeout=30_000)
    return tab


def shown_models(tab: Page) -> set[str]:
    return {name for name in tab.evaluate(MODEL_NAMES) if name}


def test_the_sidebar_filters_by_context_and_capability_and_the_link_keeps_them(
    streamlit_url, browser: Browser, screenshot_dir
):
    tab = opened(browser, streamlit_url + "/", "desktop")
    try:
        assert len(shown_models(tab)) == 52
        context = tab.get_by_role("spinbutton", name="Context window, at least (tokens)")
        context.fill("200000")
        context.press("Enter")
        wait_for_app(tab)
        tab.wait_for_url("**min_ctx=200000**", timeout=30_000)
        assert (
            "7 models of unknown context window hidden by the context filter."
            in tab.get_by_test_id("stMain").inner_text()
        )
        capabilities = tab.get_by_test_id("stMultiSelect").filter(has_text="Capabilities (all of)")
        capabilities.scroll_into_view_if_needed()
        capabilities.locator("input").click()
        tab.get_by_role("option", name="vision").click()
        tab.keyboard.press("Escape")
        wait_for_app(tab)
        tab.wait_for_url("**cap=vision**", timeout=30_000)
        tab.wait_for_function("() => document.querySelectorAll('[data-testid=\"stHtml\"] table tbody tr').length == 2")
        assert shown_models(tab) == EXPECTED
        tab.screenshot(path=str(screenshot_dir / "context-browse-desktop.png"))
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_link_with_context_and_capability_opens_filtered(streamlit_url, browser: Browser, screenshot_dir, size):
    tab = opened(browser, streamlit_url + "/?min_ctx=200000&cap=vision", size)
    try:
        assert shown_models(tab) == EXPECTED
        main = tab.get_by_test_id("stMain").inner_text()
        assert "2 of 52 models" in main
        tab.screenshot(path=str(screenshot_dir / f"context-browse-link-{size}.png"), full_page=True)
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_compare_warns_when_a_request_overflows_a_context_window(streamlit_url, browser: Browser, screenshot_dir, size):
    tab = opened(browser, streamlit_url + "/compare?in=150000&out=1000", size)
    try:
        main = tab.get_by_test_id("stMain").inner_text()
        assert "cannot hold 151,000 tokens a request in their context window" in main
        # Llama-3.2-1B is cheaper, but a request overflows its 131,072; nobody cited Mistral's window
        assert "cheapest is Mistral-7B-Instruct-v0.3 (its context window is unknown)" in main
        assert "too small: 131,072" in main
        tab.screenshot(path=str(screenshot_dir / f"context-compare-{size}.png"), full_page=True)
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()
