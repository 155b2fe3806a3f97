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
        tab.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
        tab.wait_for_timeout(1500)  # the grid draws on a canvas a moment after
        tab.screenshot(path=str(screenshot_dir / f"providers-{size}.png"), full_page=True)
        assert exceptions_shown(tab) == []
    finally:
        context.close()
