"""Browse, Compare and the model page in headless Chromium: a phone sees a model beside its prices, the link
follows Reset at once, and screenshots of each page at a desktop and a phone size."""

from __future__ import annotations

import json

import pytest
from conftest import exceptions_shown, wait_for_app
from playwright.sync_api import Browser, Page

SIZES = {"desktop": (1440, 1000), "phone": (390, 844)}
PAGES = {
    "browse": "/",
    "compare": "/compare?pick=microsoft/phi-4&pick=deepseek-ai/DeepSeek-R1-0528&base=microsoft/phi-4",
    "model": "/model?id=deepseek-ai/DeepSeek-R1-0528",
}
# The grid draws on a canvas; its accessibility table holds the cells in view, each with its column number.
# An HTML table (Compare, the model page) gives its cells within the window's width, a link as its address (a
# header its label, without the sort mark: a header that sorts is a link too).
VISIBLE_CELLS = """() => {
    const grid = document.querySelector('[data-testid="stDataFrame"]');
    if (!grid) {
        const table = document.querySelector('[data-testid="stHtml"] table');
        const shown = cell => cell.getBoundingClientRect().right <= window.innerWidth + 1;
        return [...table.querySelectorAll('tr')].slice(0, 3).map(row => [...row.querySelectorAll('th,td')]
            .filter(shown).map(cell => cell.tagName === 'TH' ? cell.innerText.replace(/ [▲▼]$/, '').trim()
                : cell.querySelector('a')?.getAttribute('href') ?? cell.innerText.trim()));
    }
    return [...grid.querySelectorAll('[role=row]')].slice(0, 3).map(row =>
        [...row.querySelectorAll('[role=gridcell],[role=columnheader]')].map(cell => cell.innerText.trim()));
}"""
#: A page's first table: Streamlit's grid or an HTML table.
TABLE = '[data-testid="stDataFrame"], [data-testid="stHtml"]:has(table)'


#: Browse's plain HTML table, or another page's grid.
TABLE = '[data-testid="stDataFrame"], [data-testid="stHtml"]:has(table)'


def opened(browser: Browser, url: str, size: str) -> Page:
    width, height = SIZES[size]
    tab = browser.new_context(viewport={"width": width, "height": height}).new_page()
    tab.goto(url)
    wait_for_app(tab)
    tab.locator(TABLE).first.wait_for(timeout=30_000)
    tab.wait_for_timeout(1500)  # the grids draw on a canvas a moment after the text
    return tab


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_renders_and_is_captured(streamlit_url, browser: Browser, screenshot_dir, name, size):
    tab = opened(browser, streamlit_url + PAGES[name], size)
    try:
        tab.screenshot(path=str(screenshot_dir / f"ux-{name}-{size}.png"), full_page=True)
        # The app scrolls inside its own container, so the table gets a picture of its own, scrolled into view.
        tab.locator(TABLE).first.screenshot(path=str(screenshot_dir / f"ux-{name}-{size}-table.png"))
        assert exceptions_shown(tab) == []
        text = tab.get_by_test_id("stMain").inner_text()
        assert "None" not in text.split()
        if name == "model":
            assert "$0.50" in text and "$2.15" in text and "$622.50" in text
    finally:
        tab.context.close()


@pytest.mark.parametrize("name", ["compare"])  # Browse's plain table: test_browse_table_browser.py
def test_a_phone_shows_a_models_short_name_beside_its_prices(streamlit_url, browser: Browser, name):
    tab = opened(browser, streamlit_url + PAGES[name], "phone")
    try:
        header, first, _ = tab.evaluate(VISIBLE_CELLS)
        assert "Model" in header and "Per month" in header, header  # the name beside the page's key number
        link = first[header.index("Model")]
        assert link.startswith("/model?id="), first  # the cell's link; the table shows the short name from it
        assert first[header.index("Per month")].startswith("$")
    finally:
        tab.context.close()


def test_the_model_page_says_where_the_size_came_from(streamlit_url, browser: Browser):
    tab = opened(browser, streamlit_url + PAGES["model"], "desktop")
    try:
        cells = json.dumps(tab.evaluate(VISIBLE_CELLS.replace(".slice(0, 3)", "")))
        assert "671B total, 37B active (from the model card)" in cells
        assert "https://huggingface.co/deepseek-ai/DeepSeek-R1-0528" in cells
    finally:
        tab.context.close()


# Records when the address changes and when the count line shows the reset view, in the page's own clock.
WATCH = """() => {
    window.__urlAt = null; window.__countAt = null;
    for (const name of ['pushState', 'replaceState']) {
        const original = history[name].bind(history);
        history[name] = (...args) => {
            const result = original(...args);
            if (window.__urlAt === null && !location.search.includes('tag=')) window.__urlAt = performance.now();
            return result;
        };
    }
    new MutationObserver(() => {
        const main = document.querySelector('[data-testid="stMain"]');
        if (window.__countAt === null && main && main.innerText.includes('52 of 52 models'))
            window.__countAt = performance.now();
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def test_reset_filters_puts_the_reset_view_in_the_address_bar_before_the_page_redraws(streamlit_url, page):
    page.goto(streamlit_url + "/?tag=reasoning&max_out=1")
    wait_for_app(page)
    page.get_by_text("6 of 52 models").wait_for(timeout=30_000)
    page.evaluate(WATCH)
    page.get_by_role("button", name="Reset filters").click()
    page.wait_for_function("() => window.__urlAt !== null && window.__countAt !== null", timeout=30_000)
    url_at, count_at = page.evaluate("[window.__urlAt, window.__countAt]")
    assert url_at <= count_at, f"the address changed {url_at - count_at:.0f} ms after the page showed the reset view"
    assert page.url.rstrip("/") == streamlit_url
