"""Browse's plain HTML table in headless Chromium: a phone's first screen shows a model's name beside its input
price, a long short name is not cut on a desktop, the table fits a 1440 px screen in rows of one line, and over
200 rows the grid and the CSV hold every row."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from dashboard_catalog import generated_page  # noqa: E402

SIZES = {"desktop": (1440, 1000), "phone": (390, 844)}
TABLE = '[data-testid="stHtml"] table[aria-label="Models"]'
LONG_NAME = "Meta-Llama-3.1-70B-Instruct-Turbo"
#: Where a row's cells are on screen, which element is on top at each cell's centre, and whether a cell is cut.
CELLS = """([model, labels]) => {
    const table = document.querySelector('table[aria-label="Models"]');
    const headers = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
    const row = [...table.querySelectorAll('tbody tr')].find(
        tr => new URL(tr.querySelector('td.pin a').href).searchParams.get('id') === model);
    return labels.map(label => {
        const cell = row.children[headers.findIndex(text => text.replace(/ [▲▼]$/, '') === label)];
        const box = cell.getBoundingClientRect();
        const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return {text: cell.innerText.trim(), x: box.x, y: box.y, right: box.right, bottom: box.bottom,
                onTop: cell.contains(top), cut: cell.scrollWidth > cell.clientWidth};
    });
}"""


def opened(browser: Browser, url: str, size: str) -> Page:
    width, height = SIZES[size]
    tab = browser.new_context(viewport={"width": width, "height": height}).new_page()
    tab.goto(url)
    wait_for_app(tab)
    tab.locator(TABLE).wait_for(timeout=30_000)
    return tab


@pytest.mark.parametrize("size", list(SIZES))
def test_browse_is_captured_at_each_size_without_a_grid(streamlit_url, browser: Browser, screenshot_dir, size):
    tab = opened(browser, streamlit_url + "/", size)
    try:
        tab.screenshot(path=str(screenshot_dir / f"browse-table-{size}-first-screen.png"))
        tab.screenshot(path=str(screenshot_dir / f"browse-table-{size}.png"), full_page=True)
        tab.locator('[data-testid="stHtml"]:has(table)').screenshot(
            path=str(screenshot_dir / f"browse-table-{size}-table.png")
        )
        assert tab.get_by_test_id("stDataFrame").count() == 0 and exceptions_shown(tab) == []
        assert "None" not in tab.get_by_test_id("stMain").inner_text().split()
    finally:
        tab.context.close()


def test_a_phones_first_screen_shows_a_model_name_beside_its_blended_price(streamlit_url, browser: Browser):
    tab = opened(browser, streamlit_url + "/", "phone")
    try:
        name, price = tab.evaluate(CELLS, ["meta-llama/Llama-3.2-1B-Instruct", ["Model", "Blended $/1M"]])
        assert name["text"] == "Llama-3.2-1B" and price["text"] == "$0.00625"  # the phone's name, the key number
        for cell in (name, price):
            assert 0 <= cell["x"] and cell["right"] <= 390 and 0 <= cell["y"] and cell["bottom"] <= 844, cell
            assert cell["onTop"], cell  # not hidden under the pinned column, the header or a toolbar
    finally:
        tab.context.close()


def test_a_long_short_name_is_not_cut_on_a_desktop(streamlit_url, browser: Browser):
    tab = opened(browser, streamlit_url + "/", "desktop")
    try:
        (name,) = tab.evaluate(CELLS, [f"meta-llama/{LONG_NAME}", ["Model"]])
        assert name["text"] == LONG_NAME and not name["cut"], name
        link = tab.locator(TABLE).get_by_role("link", name=LONG_NAME, exact=True)
        assert link.get_attribute("href") == f"/model?id=meta-llama%2F{LONG_NAME}"
        assert link.get_attribute("target") == "_blank"
    finally:
        tab.context.close()


#: The Browse table's box and its rows: widths and heights as drawn.
FIT = """() => {
    const box = document.querySelector('table[aria-label="Models"]').closest('.lpc-wrap');
    const rows = [...box.querySelectorAll('tbody tr')].map(tr => tr.getBoundingClientRect().height);
    const headers = [...box.querySelectorAll('thead th')].map(th => th.innerText.replace(/\\s+/g, ' ').trim());
    return {scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, rows, headers};
}"""


def test_at_1440_the_table_fits_its_box_in_rows_of_one_line(streamlit_url, browser: Browser, screenshot_dir):
    tab = opened(browser, streamlit_url + "/", "desktop")
    try:
        tab.set_viewport_size({"width": 1440, "height": 900})
        wait_for_app(tab)
        fit = tab.evaluate(FIT)
        tab.screenshot(path=str(screenshot_dir / "browse-table-1440x900-first-screen.png"))
        assert fit["scrollWidth"] <= fit["clientWidth"], fit  # no column off screen: Tags and Data quality show
        assert {"Tags", "Data quality"} <= set(fit["headers"]) and "Model id" not in fit["headers"]
        assert len(fit["rows"]) == 52 and max(fit["rows"]) - min(fit["rows"]) < 1, fit["rows"]  # even rows
        assert max(fit["rows"]) < 40  # one line of text each (a wrapped id made rows 50–90 px)
    finally:
        tab.context.close()


def test_over_200_rows_the_note_the_grid_and_the_csv_hold_every_row(browser: Browser, tmp_path, screenshot_dir):
    page = tmp_path / "many.md"
    page.write_text(generated_page(250).replace("# DeepInfra", "# Many", 1), encoding="utf-8")
    with run_streamlit({"CATALOG_SOURCES": str(page)}) as url:
        tab = opened(browser, url + "/", "desktop")
        try:
            assert tab.locator(f"{TABLE} tbody tr").count() == 200
            tab.get_by_text("Showing the first 200 of 302, sorted by blended price").wait_for(timeout=10_000)
            with tab.expect_download() as download:
                tab.get_by_role("button", name="Download CSV").click()
            lines = Path(download.value.path()).read_text(encoding="utf-8").strip().splitlines()
            assert len(lines) == 1 + 302
            tab.get_by_text("Interactive grid (all 302 rows)").click()
            tab.get_by_test_id("stDataFrame").wait_for(timeout=30_000)
            wait_for_app(tab)
            assert tab.locator(TABLE).count() == 0 and exceptions_shown(tab) == []
            tab.screenshot(path=str(screenshot_dir / "browse-grid-desktop.png"))
        finally:
            tab.context.close()
