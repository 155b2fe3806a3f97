"""Compare's table in headless Chromium: at 1440×900 it fits its box in rows of one line (no id column; with a
baseline and a budget too, the least useful columns hiding), and a click on a header sorts it, the link keeping the
order and the workload."""

from __future__ import annotations

import re

import pytest
from conftest import exceptions_shown, wait_for_app
from playwright.sync_api import Browser, Page

TABLE = 'table[aria-label="Workload costs"]'
#: The table's box, its rows' heights and its headers, each with its drawn width (0: hidden on this screen).
FIT = """() => {
    const box = document.querySelector('table[aria-label="Workload costs"]').closest('.lpc-wrap');
    const rows = [...box.querySelectorAll('tbody tr')].map(tr => tr.getBoundingClientRect().height);
    const headers = [...box.querySelectorAll('thead th')].map(th => [
        th.textContent.replace(/\\s+/g, ' ').trim(), th.getBoundingClientRect().width]);
    return {scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, rows, headers};
}"""
VIEWS = {
    "default": "/compare",
    "baseline-budget": "/compare?base=microsoft/phi-4&budget=100",
    "baseline-budget-by-input": "/compare?base=microsoft/phi-4&budget=100&csort=-input",
}


def opened(browser: Browser, url: str, width: int = 1440, height: int = 900) -> Page:
    tab = browser.new_context(viewport={"width": width, "height": height}).new_page()
    tab.goto(url)
    wait_for_app(tab)
    tab.locator(TABLE).wait_for(timeout=30_000)
    wait_for_app(tab)
    return tab


@pytest.mark.parametrize("name", list(VIEWS))
def test_at_1440_compare_fits_its_box_in_rows_of_one_line(streamlit_url, browser: Browser, screenshot_dir, name):
    tab = opened(browser, streamlit_url + VIEWS[name])
    try:
        fit = tab.evaluate(FIT)
        tab.locator(TABLE).scroll_into_view_if_needed()
        tab.screenshot(path=str(screenshot_dir / f"compare-table-1440x900-{name}.png"))
        shown = [label for label, width in fit["headers"] if width > 0]
        assert fit["scrollWidth"] <= fit["clientWidth"], fit  # no sideways scroll
        assert len(fit["rows"]) == 52 and max(fit["rows"]) - min(fit["rows"]) < 1, fit["rows"]  # even rows
        assert max(fit["rows"]) < 40  # one line each (the wrapped id column made some 50 px)
        assert "Model id" not in [label for label, _ in fit["headers"]]
        assert shown[:3] == ["#", "Model", "Per month ▲"] or name.endswith("by-input"), shown
        if name != "default":  # the budget's columns show; what hides is the least useful, never the sorted one
            assert {"Saves $/mo", "Saves %", "Req/mo in budget", "Budget left $/mo"} <= set(shown), shown
            assert set(label for label, _ in fit["headers"]) - set(shown) <= {"Per day", "× cheapest", "Output $/1M"}
        if name.endswith("by-input"):
            assert "Input $/1M ▼" in shown
        else:
            assert len(shown) == len(fit["headers"]) or name != "default", shown  # nothing hidden by default
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()


def column(tab: Page, label: str) -> list[str]:
    headers = [text.strip() for text in tab.locator(f"{TABLE} thead th").all_inner_texts()]
    index = headers.index(label) + 1
    return [text.strip() for text in tab.locator(f"{TABLE} tbody td:nth-child({index})").all_inner_texts()]


def test_a_click_on_a_compare_header_sorts_and_the_link_keeps_it_with_the_workload(streamlit_url, browser: Browser):
    tab = opened(browser, streamlit_url + "/compare?req=500&per=month")
    try:
        tab.locator(f"{TABLE} th a", has_text="Output $/1M").click()
        tab.wait_for_url(re.compile(r"csort=output"), timeout=20_000)
        wait_for_app(tab)
        tab.locator(f"{TABLE} th", has_text="Output $/1M ▲").wait_for(timeout=20_000)
        prices = [float(text.lstrip("$")) for text in column(tab, "Output $/1M ▲")]
        assert prices == sorted(prices) and len(prices) == 52
        assert re.search(r"req=500", tab.url) and re.search(r"per=month", tab.url)  # the workload kept
        assert tab.get_by_text("52 models, by output price").is_visible()
        tab.locator(f"{TABLE} th a", has_text="Output $/1M").click()  # a second click reverses it
        tab.wait_for_url(re.compile(r"csort=-output"), timeout=20_000)
        wait_for_app(tab)
        tab.locator(f"{TABLE} th", has_text="Output $/1M ▼").wait_for(timeout=20_000)
        prices = [float(text.lstrip("$")) for text in column(tab, "Output $/1M ▼")]
        assert prices == sorted(prices, reverse=True)
        tab.locator(f"{TABLE} th a", has_text="Model").click()
        tab.wait_for_url(re.compile(r"csort=model"), timeout=20_000)
        wait_for_app(tab)
        tab.locator(f"{TABLE} th", has_text="Model ▲").wait_for(timeout=20_000)
        names = [name.casefold() for name in column(tab, "Model ▲")]
        assert names == sorted(names)
        ranks = column(tab, "#")
        assert sorted(ranks, key=int) == [str(rank) for rank in range(1, 53)]  # each row keeps its rank by cost
        tab.locator(f"{TABLE} th a", has_text="Per month").click()  # back to the cheapest first: a bare order
        tab.wait_for_url(lambda url: "csort" not in url, timeout=20_000)
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()
