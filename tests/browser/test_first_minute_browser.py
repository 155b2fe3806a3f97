"""The first minute, in a real headless Chromium at a desktop and a phone size: every page drawn (a screenshot of
each, to look at), and a click on every select, multiselect, toggle, popover and menu link opens or acts.

Clicks only, never the keyboard: a visitor's mouse or finger is what has to work.
"""

from __future__ import annotations

import re

import pytest
from conftest import exceptions_shown, wait_for_app
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

VIEWPORTS = ((1440, 900), (390, 844))
#: Every page, opened as a newcomer would, and what shows its first content has drawn.
PAGES = {
    "browse": ("/", 'table[aria-label="Models"]'),
    "charts": ("/charts", ".lpc-bars"),
    "compare": ("/compare", 'table[aria-label="Workload costs"]'),
    "providers": ("/providers", 'table[aria-label="Providers"]'),
    "changes": ("/changes", 'table[aria-label="Example price changes"]'),
    "runs": ("/runs", 'table[aria-label="Example run results"]'),
    "playground": ("/playground", '[data-testid="stSelectbox"]'),
    "model": ("/model?id=meta-llama/Meta-Llama-3.1-8B-Instruct", 'dl[aria-label="Prices"]'),
}
SELECTS = '[data-testid="stSelectbox"] [data-baseweb="select"], [data-testid="stMultiSelect"] [data-baseweb="select"]'
TOGGLES = '[data-testid="stCheckbox"] label'
POPOVERS = '[data-testid="stPopover"] button'
MENU = '[role="listbox"], [data-testid="stSelectboxVirtualDropdown"]'


def opened(tab: Page, url: str, ready: str) -> None:
    tab.goto(url)
    wait_for_app(tab)
    tab.wait_for_selector(ready, timeout=30_000)
    wait_for_app(tab)


def on_phone(tab: Page) -> bool:
    return (tab.viewport_size or {"width": 1440})["width"] < 640


def in_sidebar(element: Locator) -> bool:
    return bool(element.evaluate("e => !!e.closest('[data-testid=\"stSidebar\"]')"))


def reveal(tab: Page, element: Locator) -> None:
    """On a phone, open the sidebar for an element in it, and close it for one in the page (it covers the page)."""
    if on_phone(tab):
        wanted = in_sidebar(element)
        button = tab.get_by_test_id("stExpandSidebarButton" if wanted else "stSidebarCollapseButton")
        if button.count() and button.is_visible():
            button.click()
            tab.wait_for_timeout(400)
    element.scroll_into_view_if_needed()


def close_menus(tab: Page, element: Locator) -> None:
    """Click somewhere neutral beside the element (the sidebar's header, or the page's title): an open select or
    popover closes."""
    neutral = tab.get_by_test_id("stSidebarHeader") if in_sidebar(element) else tab.locator('[data-testid="stMain"] h1')
    neutral.first.click(position={"x": 2, "y": 2})
    tab.wait_for_timeout(150)


def opens(tab: Page, control: Locator, shown: str, what: str) -> list[str]:
    """Click `control`; what failed when nothing matching `shown` appears."""
    control.click()
    try:
        tab.locator(shown).first.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:
        return [f"{what} did not open on a click"]
    return []


def click_selects(tab: Page) -> list[str]:
    failed = []
    for index in range(tab.locator(SELECTS).count()):
        select = tab.locator(SELECTS).nth(index)
        if not select.is_visible() and not on_phone(tab):
            continue
        reveal(tab, select)
        label = select.evaluate("e => e.closest('[data-testid]').innerText.split('\\n')[0]")
        failed += opens(tab, select, MENU, f"select {label!r}")
        close_menus(tab, select)
    return failed


def click_popovers(tab: Page) -> list[str]:
    failed = []
    for index in range(tab.locator(POPOVERS).count()):
        button = tab.locator(POPOVERS).nth(index)
        reveal(tab, button)
        label = button.inner_text()
        failed += opens(tab, button, '[data-testid="stPopoverBody"]', f"popover {label!r}")
        button.click()  # a second click on its button closes it (its body may cover the page's title)
        tab.locator('[data-testid="stPopoverBody"]').first.wait_for(state="hidden", timeout=5_000)
        wait_for_app(tab)
    return failed


def click_toggles(tab: Page) -> list[str]:
    """Each toggle and checkbox flips on a click (and back on a second one)."""
    failed = []
    for index in range(tab.locator(TOGGLES).count()):
        toggle = tab.locator(TOGGLES).nth(index)
        reveal(tab, toggle)
        box = toggle.locator("input")
        label = toggle.inner_text()
        before = box.is_checked()
        toggle.click()
        wait_for_app(tab)
        toggle = tab.locator(TOGGLES).nth(index)
        reveal(tab, toggle)
        if toggle.locator("input").is_checked() == before:
            failed.append(f"toggle {label!r} did not change on a click")
        toggle.click()
        wait_for_app(tab)
    return failed


def test_every_page_draws_at_both_sizes_and_every_control_answers_a_click(streamlit_url, browser, screenshot_dir):
    failed: list[str] = []
    clicked = 0
    for width, height in VIEWPORTS:
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        for name, (path, ready) in PAGES.items():
            opened(tab, streamlit_url + path, ready)
            collapse = tab.get_by_test_id("stSidebarCollapseButton")
            if on_phone(tab) and collapse.count() and collapse.is_visible():
                collapse.click()  # a phone's sidebar left open by the last page would cover this one
                tab.wait_for_timeout(400)
            tab.screenshot(path=str(screenshot_dir / f"first-minute-{name}-{width}.png"), full_page=True)
            found = click_selects(tab) + click_popovers(tab) + click_toggles(tab)
            clicked += sum(tab.locator(kind).count() for kind in (SELECTS, POPOVERS, TOGGLES))
            failed += [f"{name} at {width}px: {problem}" for problem in found]
            failed += [f"{name} at {width}px: exception {text[:200]}" for text in exceptions_shown(tab)]
        context.close()
    assert failed == []
    assert clicked >= 40  # the filters, pickers, popovers and toggles of eight pages, twice (50 when written)


@pytest.mark.parametrize("width", [1440, 390])
def test_every_menu_link_opens_its_page(streamlit_url, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    opened(tab, streamlit_url + "/", PAGES["browse"][1])
    for name in ("Charts", "Compare", "Providers", "Changes", "Runs", "Playground", "Model", "Browse"):
        if width < 640:
            expand = tab.get_by_test_id("stExpandSidebarButton")
            if expand.count() and expand.is_visible():  # a phone's menu sits in its sidebar
                expand.click()
            more = tab.get_by_text(re.compile(r"^View \d+ more$"))
            if more.count():
                more.click()
            link = tab.get_by_test_id("stSidebarNav").get_by_text(name, exact=True)
        else:
            link = tab.get_by_test_id("stTopNav").get_by_text(name, exact=True)
        link.click()
        path = "(browse)?" if name == "Browse" else name.lower()  # Browse is the default page: `/`
        tab.wait_for_url(re.compile(rf"/{path}(\?|$)"), timeout=20_000)
        wait_for_app(tab)
        assert exceptions_shown(tab) == [], name
    context.close()


def test_a_header_click_sorts_browse_and_the_link_keeps_it(streamlit_url, page):
    opened(page, streamlit_url + "/", PAGES["browse"][1])
    page.locator('table[aria-label="Models"] th a', has_text="Input $/1M").click()
    page.wait_for_url(re.compile(r"sort=input"), timeout=20_000)
    wait_for_app(page)
    header = page.locator('table[aria-label="Models"] th', has_text="Input $/1M").inner_text()
    assert "▲" in header
    page.locator('table[aria-label="Models"] th a', has_text="Input $/1M").click()
    page.wait_for_url(re.compile(r"sort=-input"), timeout=20_000)


def test_a_phone_shows_each_name_beside_its_key_number_and_no_two_names_alike(streamlit_url, browser, screenshot_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    for path, label, key in (("/", "Models", "Blended $/1M"), ("/compare", "Workload costs", "Per month")):
        opened(tab, streamlit_url + path, f'table[aria-label="{label}"]')
        table = tab.locator(f'table[aria-label="{label}"]')
        names = table.locator("tbody td.pin").all_inner_texts()
        assert len(set(names)) == len(names), [name for name in names if names.count(name) > 1]
        assert all(not name.endswith("…") for name in names)
        header = table.locator("th", has_text=key).first.bounding_box()
        assert header is not None and header["x"] + header["width"] <= 390  # on the first screen, beside the name
    context.close()


def test_compare_link_always_names_the_workload(streamlit_url, page):
    opened(page, streamlit_url + "/compare", PAGES["compare"][1])
    page.wait_for_url(re.compile(r"/compare\?.*in=2000.*out=500"), timeout=20_000)
