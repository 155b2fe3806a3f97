"""The first minute, in a real headless Chromium at a desktop and a phone size: every page drawn (a screenshot of
each, to look at), and a click on every select, multiselect, toggle, popover, radio, segmented button, menu link
and in-page link (model names, "Chat ↗", sortable headers, "Try it in the Playground") opens or acts; once as a
visitor with spending off, once with the operator's passphrase mode on.

Clicks only, never the keyboard: a visitor's mouse or finger is what has to work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import exceptions_shown, run_streamlit, settled, wait_for_app
from fake_gateway import running_fake
from playwright.sync_api import BrowserContext, Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from catalog.spend import hash_passphrase

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
RADIOS = '[data-testid="stRadio"] [role="radiogroup"]'
SEGMENTS = '[data-testid="stButtonGroup"] [role="radiogroup"]'
#: What shows a page a link opened has drawn, by its path.
DRAWN = {"/model": PAGES["model"][1], "/playground": PAGES["playground"][1], "/": PAGES["browse"][1],
         "/compare": PAGES["compare"][1]}  # fmt: skip
#: The in-page links of each page a visitor clicks first: (what, the link, the paths it may open). A model's page,
#: "Chat ↗" and a host's price open in a new tab (the view stays); a header and a page link act in this one.
LINKS = {
    "browse": (
        ("a model's name", 'table[aria-label="Models"] td.pin a', ("/model",)),
        ('"Chat ↗"', 'table[aria-label="Models"] td a:text("Chat ↗")', ("/playground",)),
        ("the Input header", 'table[aria-label="Models"] th a:text("Input")', ("/",)),
    ),
    "charts": (("a bar's name", ".lpc-bars .lpc-name a", ("/model",)),),
    "compare": (
        ("a model's name", 'table[aria-label="Workload costs"] td.pin a', ("/model",)),
        ("the Input header", 'table[aria-label="Workload costs"] th a:text("Input")', ("/compare",)),
    ),
    "providers": (
        ("a model's name", 'table[aria-label="Providers"] td.pin a', ("/model",)),
        ("a host's price", 'table[aria-label="Providers"] td.num a', ("/model", "/playground")),
    ),
    "model": (
        ("a cheaper model", 'table[aria-label="Cheaper alternatives"] td.pin a', ("/model",)),
        ('"Try it in the Playground"', '[data-testid="stPageLink"] a:has-text("Try it in the Playground")',
         ("/playground",)),
    ),
}  # fmt: skip
PASSPHRASE = "a long operator passphrase"


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
        settled(tab)
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
        settled(tab)
        toggle = tab.locator(TOGGLES).nth(index)
        reveal(tab, toggle)
        if toggle.locator("input").is_checked() == before:
            failed.append(f"toggle {label!r} did not change on a click")
        toggle.click()
        settled(tab)
    return failed


def chosen(group: Locator, option: str) -> Locator:
    return group.locator(f"{option}:has(input:checked)" if option == '[data-testid="stRadioOption"]' else
                         f'{option}[aria-checked="true"]')  # fmt: skip


def click_choices(tab: Page, groups: str, option: str, kind: str) -> list[str]:
    """In each radio group (or segmented control), a click on another option selects it, and a click on the first
    one selects it again (the page as it was). A group is found again by its name after each rerun."""
    failed = []
    for name in [group.get_attribute("aria-label") for group in tab.locator(groups).all()]:
        group = tab.locator(f'{groups}[aria-label="{name}"]').first
        reveal(tab, group)
        before = chosen(group, option).inner_text().strip()
        other = next((text for text in group.locator(option).all_inner_texts() if text.strip() != before), None)
        if other is None:
            continue
        for target in (other.strip(), before):
            group = tab.locator(f'{groups}[aria-label="{name}"]').first
            reveal(tab, group)
            group.locator(option).filter(has_text=re.compile(rf"^\s*{re.escape(target)}\s*$")).first.click()
            settled(tab)
            group = tab.locator(f'{groups}[aria-label="{name}"]').first
            if group.count() == 0 or chosen(group, option).inner_text().strip() != target:
                failed.append(f"{kind} {name!r}: a click on {target!r} did not select it")
                break
    return failed


def click_links(tab: Page, context: BrowserContext, url: str, name: str) -> tuple[int, list[str]]:
    """Each of the page's first in-page links opens its page (a new tab for a model or the Playground) or acts."""
    failed, clicked = [], 0
    for what, selector, paths in LINKS.get(name, ()):
        opened(tab, url + PAGES[name][0], PAGES[name][1])
        link = tab.locator(selector).first
        if not link.count():
            failed.append(f"no {what} link")
            continue
        reveal(tab, link)
        clicked += 1
        new_tab = link.get_attribute("target") == "_blank"
        try:
            if new_tab:
                with context.expect_page(timeout=10_000) as popup:
                    link.click()
                shown = popup.value
                shown.wait_for_load_state()
            else:
                before, shown = tab.url, tab
                link.click()
                shown.wait_for_url(lambda now, was=before: now != was, timeout=20_000)
            wait_for_app(shown)
            where = urlsplit(shown.url)
            shown.wait_for_selector(DRAWN.get(where.path, "body"), timeout=30_000)
            problems = exceptions_shown(shown)
        except PlaywrightTimeout:
            failed.append(f"{what} did not open on a click")
            continue
        finally:
            if new_tab and len(context.pages) > 1:
                context.pages[-1].close()
        asked = parse_qs(where.query).get("id" if where.path == "/model" else "model")
        if where.path not in paths or problems:
            failed.append(f"{what} opened {where.path}?{where.query} {problems[:1]}")
        elif where.path not in ("/", "/compare") and not asked:  # a header sorts the page it is on
            failed.append(f"{what} opened {where.path} without naming its model")
    return clicked, failed


@pytest.fixture(scope="module")
def passphrase_url(tmp_path_factory) -> Iterator[str]:
    """The dashboard in the operator's passphrase mode, a credential configured (on the loopback fake gateway)."""
    with running_fake(forward_tokens={"fwd_tok_FIRST_MINUTE"}) as fake:
        env = {
            "LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": "fwd_tok_FIRST_MINUTE", "CATALOG_SPEND_MODE": "passphrase",
            "CATALOG_SPEND_PASSPHRASE_HASH": hash_passphrase(PASSPHRASE),
            "CATALOG_DB_URL": f"sqlite:///{tmp_path_factory.mktemp('spend') / 'spend.sqlite3'}",
        }  # fmt: skip
        with run_streamlit(env) as url:
            yield url


@pytest.mark.parametrize("mode", ["off", "passphrase"])
def test_every_page_draws_at_both_sizes_and_every_control_answers_a_click(request, browser, screenshot_dir, mode):
    url = request.getfixturevalue("streamlit_url" if mode == "off" else "passphrase_url")
    suffix = "" if mode == "off" else f"-{mode}"
    failed: list[str] = []
    clicked = 0
    for width, height in VIEWPORTS:
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        for name, (path, ready) in PAGES.items():
            opened(tab, url + path, ready)
            collapse = tab.get_by_test_id("stSidebarCollapseButton")
            if on_phone(tab) and collapse.count() and collapse.is_visible():
                collapse.click()  # a phone's sidebar left open by the last page would cover this one
                tab.wait_for_timeout(400)
            tab.screenshot(path=str(screenshot_dir / f"first-minute-{name}-{width}{suffix}.png"), full_page=True)
            clicked += sum(tab.locator(kind).count() for kind in (SELECTS, POPOVERS, TOGGLES, RADIOS, SEGMENTS))
            found = click_selects(tab) + click_popovers(tab) + click_toggles(tab)
            found += click_choices(tab, RADIOS, '[data-testid="stRadioOption"]', "radio")
            found += click_choices(tab, SEGMENTS, 'button[role="radio"]', "segmented control")
            failed += [f"{name} at {width}px: exception {text[:200]}" for text in exceptions_shown(tab)]
            links, problems = click_links(tab, context, url, name)
            clicked += links
            found += problems
            failed += [f"{name} at {width}px: {problem}" for problem in found]
        context.close()
    assert failed == []
    # the filters, pickers, popovers, toggles, radios, segmented buttons and links of eight pages, twice (80 when
    # written: 50 before radios, segmented buttons and links were clicked too)
    assert clicked >= 70


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


def test_a_header_click_sorts_compare_and_the_link_keeps_it(streamlit_url, page):
    opened(page, streamlit_url + "/compare", PAGES["compare"][1])
    page.locator('table[aria-label="Workload costs"] th a', has_text="Per request").click()
    page.wait_for_url(re.compile(r"csort=request"), timeout=20_000)  # cheapest first, then the dearest
    wait_for_app(page)
    header = page.locator('table[aria-label="Workload costs"] th', has_text="Per request").inner_text()
    assert "▲" in header and "in=2000" in page.url  # the workload rides along
    page.locator('table[aria-label="Workload costs"] th a', has_text="Per request").click()
    page.wait_for_url(re.compile(r"csort=-request"), timeout=20_000)
    wait_for_app(page)
    assert "▼" in page.locator('table[aria-label="Workload costs"] th', has_text="Per request").inner_text()


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


#: Each HTML table's box: whether it scrolls on its own (a second scrollbar inside the page's).
OWN_SCROLL = """() => [...document.querySelectorAll('.lpc-wrap')].map(box => ({
    table: box.querySelector('table').getAttribute('aria-label'),
    maxHeight: getComputedStyle(box).maxHeight,
    scrolls: box.scrollHeight > box.clientHeight + 1,
}))"""


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_no_table_scrolls_inside_the_page(streamlit_url, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    seen = []
    for name in ("browse", "compare", "providers", "charts", "changes", "runs", "model"):
        opened(tab, streamlit_url + PAGES[name][0], PAGES[name][1])
        boxes = tab.evaluate(OWN_SCROLL)
        seen += [box["table"] for box in boxes]
        assert [box for box in boxes if box["scrolls"] or box["maxHeight"] != "none"] == [], name
    context.close()
    assert {"Models", "Workload costs", "Providers"} <= set(seen)  # 52 rows each: the page scrolls, once


def test_a_phones_sidebar_shows_the_filters_first_and_browse_its_key_number_on_the_first_screen(
    streamlit_url, browser, screenshot_dir
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    opened(tab, streamlit_url + "/", PAGES["browse"][1])
    header = tab.locator('table[aria-label="Models"] th', has_text="Blended").bounding_box()
    assert header is not None and header["y"] + header["height"] <= 844 and header["x"] + header["width"] <= 390
    tab.get_by_test_id("stExpandSidebarButton").click()
    sidebar = tab.get_by_test_id("stSidebar")
    sidebar.get_by_role("heading", name="Filters").wait_for(timeout=10_000)
    tab.wait_for_timeout(400)
    tab.screenshot(path=str(screenshot_dir / "first-minute-sidebar-390.png"))

    def top(element: Locator) -> float:
        box = element.first.bounding_box()
        assert box is not None
        return box["y"]

    filters = top(sidebar.get_by_role("heading", name="Filters"))
    assert filters < 844  # on the first screen of the opened sidebar, under the folded menu
    assert filters < top(sidebar.get_by_test_id("stExpander").filter(has_text="Data quality"))
    assert filters < top(sidebar.get_by_test_id("stPopover").filter(has_text="Add a provider page"))
    context.close()


def test_the_playground_prices_a_prompt_as_it_is_typed(streamlit_url, browser):
    """No credential: the preview's cost follows the typing, with no Enter, Tab or click outside the box."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    opened(tab, streamlit_url + "/playground?model=meta-llama/Llama-3.2-1B-Instruct", PAGES["playground"][1])
    tab.get_by_text("shows here as you type").wait_for(timeout=10_000)
    box = tab.get_by_label("Try a prompt")
    box.click()
    box.press_sequentially("x" * 400, delay=5)  # 100 tokens, typed; the box keeps the focus
    tab.get_by_text("About 100 tokens in (characters ÷ 4)").wait_for(timeout=15_000)
    assert box.evaluate("e => document.activeElement === e") and exceptions_shown(tab) == []
    context.close()
