"""Browse filters by context window and capability in Chromium: set from the sidebar on a desktop, opened
from a link on a phone; the link keeps both, and the table holds only the models that pass."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import exceptions_shown, wait_for_app
from playwright.sync_api import Browser, Page

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
TABLE = '[data-testid="stHtml"]:has(table)'
#: The models with a cited window of at least 200,000 tokens and vision: Llama 4 Scout (327,680) and Maverick.
EXPECTED = {"Llama-4-Scout-17B-16E-Instruct", "Llama-4-Maverick-17B-128E-Instruct-FP8"}
MODEL_NAMES = """() => [...document.querySelectorAll('[data-testid="stHtml"] table tbody tr')]
    .map(row => row.querySelector('a'))
    .map(a => a && new URL(a.href).searchParams.get('id').split('/').pop())"""  # the id: a phone shows a short name


@contextlib.contextmanager
def opened(browser: Browser, url: str, size: str, picture: Path) -> Iterator[Page]:
    """A fresh tab at one of `SIZES` on `url`, once its table is drawn; on leaving, a screenshot of it saved
    to `picture`, a check that no exception is shown, and the tab closed."""
    tab = browser.new_page(viewport=dict(zip(("width", "height"), SIZES[size], strict=True)))
    try:
        tab.goto(url)
        wait_for_app(tab)
        tab.locator(TABLE).first.wait_for(timeout=30_000)
        yield tab
        tab.screenshot(path=str(picture), full_page=True)
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()


def shown_models(tab: Page) -> set[str]:
    return {name for name in tab.evaluate(MODEL_NAMES) if name}


def test_the_sidebar_filters_by_context_and_capability_and_the_link_keeps_them(
    streamlit_url, browser: Browser, screenshot_dir
):
    with opened(browser, streamlit_url + "/", "desktop", screenshot_dir / "context-browse-desktop.png") as tab:
        assert len(shown_models(tab)) == 52
        context = tab.get_by_role("spinbutton", name="Context window, at least (tokens)")
        context.fill("200000")
        context.press("Enter")
        wait_for_app(tab)
        tab.wait_for_url("**min_ctx=200000**", timeout=30_000)
        hidden = "7 models of unknown context window hidden by the context filter."
        assert hidden in tab.get_by_test_id("stMain").inner_text()
        capabilities = tab.get_by_test_id("stMultiSelect").filter(has_text="Capabilities (all of)")
        capabilities.scroll_into_view_if_needed()
        capabilities.locator("input").click()
        tab.get_by_role("option", name="vision").click()
        tab.keyboard.press("Escape")
        wait_for_app(tab)
        tab.wait_for_url("**cap=vision**", timeout=30_000)
        rows = "() => document.querySelectorAll('[data-testid=\"stHtml\"] table tbody tr').length == 2"
        tab.wait_for_function(rows, timeout=60_000)  # the machine is shared: a rerun may take a while
        assert shown_models(tab) == EXPECTED


@pytest.mark.parametrize("size", list(SIZES))
def test_a_link_with_context_and_capability_opens_filtered(streamlit_url, browser: Browser, screenshot_dir, size):
    url, picture = streamlit_url + "/?min_ctx=200000&cap=vision", screenshot_dir / f"context-browse-link-{size}.png"
    with opened(browser, url, size, picture) as tab:
        assert shown_models(tab) == EXPECTED
        assert "2 of 52 models" in tab.get_by_test_id("stMain").inner_text()


@pytest.mark.parametrize("size", list(SIZES))
def test_compare_warns_when_a_request_overflows_a_context_window(streamlit_url, browser: Browser, screenshot_dir, size):
    url, picture = streamlit_url + "/compare?in=150000&out=1000", screenshot_dir / f"context-compare-{size}.png"
    with opened(browser, url, size, picture) as tab:
        tab.get_by_text("cheapest is", exact=False).first.wait_for(timeout=30_000)  # the summary, sent first
        main = tab.get_by_test_id("stMain").inner_text()
        assert "cannot hold 151,000 tokens a request in their context window" in main
        # Llama-3.2-1B is cheaper, but a request overflows its 131,072; nobody cited Mistral's window
        assert "cheapest is Mistral-7B-Instruct-v0.3 (its context window is unknown)" in main
        assert "too small: 131,072" in main
