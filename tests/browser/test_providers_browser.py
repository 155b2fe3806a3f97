"""The Providers view in headless Chromium with four provider pages loaded, at desktop and phone size."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from playwright.sync_api import Browser

DATA = Path(__file__).resolve().parents[1] / "data"
SOURCES = ",".join(str(DATA / f"lava-{name}.md") for name in ("cerebras", "fireworks", "sambanova"))


@pytest.fixture(scope="module")
def four_providers_url():
    with run_streamlit({"CATALOG_SOURCES": SOURCES}) as url:
        yield url


@pytest.mark.parametrize(("size", "width", "height"), [("desktop", 1440, 1000), ("phone", 390, 844)])
def test_the_providers_view_renders(four_providers_url, browser: Browser, screenshot_dir, size, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    try:
        tab.goto(four_providers_url + "/providers")
        wait_for_app(tab)
        tab.get_by_text("models on 4 providers").wait_for(timeout=30_000)
        table = tab.locator('[data-testid="stHtml"] table[aria-label="Providers"]')
        table.wait_for(timeout=30_000)
        wait_for_app(tab)
        tab.screenshot(path=str(screenshot_dir / f"providers-{size}.png"), full_page=True)
        assert tab.locator('[data-testid="stDataFrame"]').count() == 0
        # The answer sits beside the name, on a phone's first screen too, before any sideways scroll.
        for header in ("Cheapest", "Saves /mo"):
            cell = table.locator("thead th", has_text=header).bounding_box()
            assert cell is not None and cell["x"] + cell["width"] <= width, header
        # The model's name stays in view beside its prices when the table scrolls sideways (phones).
        table.locator("xpath=..").evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        table.scroll_into_view_if_needed()
        tab.screenshot(path=str(screenshot_dir / f"providers-{size}-scrolled.png"))
        name = table.locator("tbody tr").first.locator("td").first
        box, frame = name.bounding_box(), table.locator("xpath=..").bounding_box()
        assert box is not None and frame is not None and box["x"] <= frame["x"] + 2
        # A price on a host the Playground may reach opens it there, in a new tab.
        cell = table.locator('a[href^="/playground?"]').first
        assert cell.get_attribute("target") == "_blank" and "provider=DeepInfra" in (cell.get_attribute("href") or "")
        # The toggle sits above the table.
        toggle = tab.get_by_text("Only models sold by at least two providers").bounding_box()
        assert toggle is not None and toggle["y"] < table.bounding_box()["y"]  # type: ignore[index]
        assert exceptions_shown(tab) == []
    finally:
        context.close()
