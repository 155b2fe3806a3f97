"""The dashboard in a real headless Chromium: every page renders, links restore views, the URL follows filters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from playwright.sync_api import expect

COMPARE_LINK = (
    "/compare?pick=microsoft/phi-4&pick=deepseek-ai/DeepSeek-R1-0528&base=deepseek-ai/DeepSeek-R1-0528&budget=100"
)
PAGES = {
    "browse": ("/", '[data-testid="stHtml"] table[aria-label="Models"]'),
    "charts": ("/charts", '[data-testid="stHtml"] .lpc-bars'),
    "compare": (
        COMPARE_LINK,
        '[data-testid="stHtml"] table[aria-label="Workload costs"]',
    ),
    "playground": ("/playground", '[data-testid="stMain"] [data-testid="stSelectbox"]'),  # the model picker
}
FIXTURES = Path(__file__).resolve().parents[1] / "dashboard" / "pages_fixtures"
VIEWPORTS = ((1440, 1000), (390, 844))
BAD_PAGE = b"# Broken\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n| a/b | $x | $1 |\n"


def open_page(tab, url: str) -> None:
    tab.goto(url)
    wait_for_app(tab)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_without_an_exception(streamlit_url, page, screenshot_dir, name):
    path, ready = PAGES[name]
    for width, height in VIEWPORTS:  # a desktop and a phone
        page.set_viewport_size({"width": width, "height": height})
        open_page(page, streamlit_url + path)
        page.wait_for_selector(ready, timeout=30_000)
        wait_for_app(page)
        page.screenshot(path=str(screenshot_dir / f"dashboard-{name}-{width}.png"), full_page=True)
        assert exceptions_shown(page) == []


def test_a_filter_in_the_link_changes_the_count(streamlit_url, page):
    open_page(page, streamlit_url + "/")
    page.get_by_text("52 of 52 models").wait_for(timeout=30_000)
    open_page(page, streamlit_url + "/?tag=reasoning&max_out=1")
    page.get_by_text("6 of 52 models").wait_for(timeout=30_000)  # 3 Qwen3 models are reasoning by their model cards
    assert exceptions_shown(page) == []
    page.get_by_test_id("stSidebar").get_by_text("reasoning").wait_for(timeout=10_000)  # the tag filter is restored


def test_changing_a_filter_writes_it_into_the_link_and_other_pages_keep_it(streamlit_url, page):
    open_page(page, streamlit_url + "/")
    box = page.get_by_label("Output price, USD per 1M tokens, max")
    box.fill("0.05")
    box.press("Enter")
    page.get_by_text("3 of 52 models").wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"max_out=0\.05"), timeout=10_000)
    page.get_by_test_id("stTopNav").get_by_text("Charts").click()
    page.wait_for_url(re.compile(r"/charts\?.*max_out=0\.05"), timeout=10_000)
    page.get_by_text("3 of 52 models").wait_for(timeout=30_000)
    assert exceptions_shown(page) == []


def test_a_broken_uploaded_page_is_reported_and_the_catalog_stays(streamlit_url, page, screenshot_dir):
    open_page(page, streamlit_url + "/")
    page.get_by_text("Add a provider page (.md)").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "broken.md", "mimeType": "text/markdown", "buffer": BAD_PAGE}]
    )
    page.get_by_text("line 5").wait_for(timeout=30_000)
    wait_for_app(page)
    page.screenshot(path=str(screenshot_dir / "dashboard-bad-upload.png"), full_page=True)
    assert "52 of 52 models" in page.inner_text("body")
    assert exceptions_shown(page) == []


def test_a_shared_link_is_the_first_thing_a_fresh_server_opens(page):
    # A new server's first visitor arrives on a deep link: the page must still run inside the router.
    with run_streamlit() as url:
        open_page(page, url + "/compare?in=1000&out=250&req=100&per=day&q=llama")
        page.get_by_test_id("stTopNav").get_by_text("Playground").wait_for(timeout=30_000)
        page.get_by_text("Compare workload cost").wait_for(timeout=30_000)
        expect(page.get_by_label("Input tokens per request")).to_have_value("1000", timeout=30_000)
        assert page.get_by_test_id("stSidebar").get_by_text("snapshot 2026-11-25").count() == 1
        nav = page.get_by_test_id("stTopNav").inner_text()
        assert "shared" not in nav and "app" not in nav.split() and "init" not in nav.lower()
        titles = ["Browse", "Charts", "Compare", "Providers", "Changes", "Runs", "Playground", "Model"]
        assert nav.split()[1::2] == titles  # icon name, title
        assert exceptions_shown(page) == []


#: Each page of the hostile walk, and what shows it has drawn its tables and charts (with their labels).
HOSTILE_WALK = (
    ("/", '[data-testid="stHtml"] table[aria-label="Models"]'),
    ("/charts", '[data-testid="stHtml"] .lpc-bars .lpc-item a'),
    ("/compare", ".annotation-text"),
)


def injected(tab) -> list[str]:
    """Images, links and HTML elements in the page that point at the hostile pages' host (the dashboard's own
    links to a hostile model's page carry its id, percent-encoded, and stay on the dashboard: not counted)."""
    return tab.evaluate(
        """() => [...document.querySelectorAll('img, a, image, iframe, object, embed, link, source')]
            .filter(element => ['href', 'src', 'srcset', 'data', 'xlink:href'].some(name => {
                const value = element.getAttribute(name);
                if (!value) return false;
                try { return new URL(value, location.href).host !== location.host; } catch { return true; }
            }))
            .map(element => element.outerHTML.slice(0, 200))
            .filter(html => html.includes('evil.test'))"""
    )


@pytest.mark.parametrize("fixture", ["hostile-broken.md", "hostile-provider.md"])
def test_a_hostile_uploaded_page_and_its_name_inject_nothing(streamlit_url, page, screenshot_dir, fixture):
    open_page(page, streamlit_url + "/?pick=microsoft/phi-4")
    page.get_by_text("Add a provider page (.md)").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "![u](http:⁄⁄evil.test⁄u.png).md", "mimeType": "text/markdown",
                "buffer": (FIXTURES / fixture).read_bytes()}]
    )  # fmt: skip
    page.get_by_text(re.compile(r"line 5|models from 2 page")).first.wait_for(timeout=30_000)  # read or refused
    wait_for_app(page)
    for path, ready in HOSTILE_WALK:
        if path != "/":
            page.get_by_test_id("stTopNav").get_by_text(path[1:].title()).click()
            page.wait_for_url(re.compile(path), timeout=10_000)
        page.wait_for_selector(ready, timeout=30_000)
        wait_for_app(page)
        page.screenshot(path=str(screenshot_dir / f"dashboard-hostile-{fixture[:-3]}{path.replace('/', '-')}.png"))
        assert injected(page) == []
        assert exceptions_shown(page) == []


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_compare_shows_its_answer_on_the_first_screen(streamlit_url, browser, screenshot_dir, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    try:
        open_page(tab, streamlit_url + "/compare?base=microsoft/phi-4&budget=50")
        table = tab.locator('[data-testid="stHtml"] table[aria-label="Workload costs"]')
        table.wait_for(timeout=30_000)
        first_y = table.bounding_box()["y"]  # type: ignore[index]
        wait_for_app(tab)
        # The form arrives after the table on a first visit, into room kept for it: the table hardly moves.
        assert abs(table.bounding_box()["y"] - first_y) < 60  # type: ignore[index]
        tab.screenshot(path=str(screenshot_dir / f"compare-first-screen-{width}.png"))
        summary = tab.get_by_text(re.compile(r"^2,000 in \+ 500 out tokens × 10,000 requests a day: cheapest is"))
        box = summary.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height  # the answer, not only the form
        form = tab.get_by_label("Input tokens per request").bounding_box()
        assert form is not None and box["y"] < form["y"] < table.bounding_box()["y"]  # type: ignore[index]
        first = table.locator("tbody tr").first
        assert first.locator("td").nth(1).get_attribute("class") == "pin"
        link = first.locator("td").nth(1).locator("a")
        assert link.get_attribute("target") == "_blank" and (link.get_attribute("href") or "").startswith("/model?id=")
        assert tab.locator('[data-testid="stDataFrame"]').count() == 0
        table.scroll_into_view_if_needed()
        tab.screenshot(path=str(screenshot_dir / f"compare-table-{width}.png"))
        assert exceptions_shown(tab) == []
    finally:
        context.close()
