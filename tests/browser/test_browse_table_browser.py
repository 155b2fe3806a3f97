"""Browse's plain HTML table in headless Chromium: a phone's first screen shows a model's name beside its input
price, a long short name is not cut on a desktop, the table fits a 1440 px screen in rows of one line (with its
context windows; with the measured speeds or several providers too, the least useful columns giving way), the
grid sorts its numbers as numbers, and over 200 rows the grid and the CSV hold every row."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import exceptions_shown, run_streamlit, wait_for_app
from playwright.sync_api import Browser, Page

from catalog import load_catalog
from catalog.history import Store
from catalog.runs.store import TrialStore
from catalog.runs.trials import Trial

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


#: The Browse table's box and its rows: widths and heights as drawn; the headers shown (a hidden one is 0 wide).
FIT = """() => {
    const box = document.querySelector('table[aria-label="Models"]').closest('.lpc-wrap');
    const rows = [...box.querySelectorAll('tbody tr')].map(tr => tr.getBoundingClientRect().height);
    const all = [...box.querySelectorAll('thead th')];
    const text = th => th.textContent.replace(/\\s+/g, ' ').trim();
    const headers = all.filter(th => th.getBoundingClientRect().width > 0).map(text);
    return {scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, rows, headers, hidden: all.map(text)
        .filter(label => !headers.includes(label))};
}"""


def test_at_1440_the_table_fits_its_box_in_rows_of_one_line(streamlit_url, browser: Browser, screenshot_dir):
    tab = opened(browser, streamlit_url + "/", "desktop")
    try:
        tab.set_viewport_size({"width": 1440, "height": 900})
        wait_for_app(tab)
        fit = tab.evaluate(FIT)
        tab.screenshot(path=str(screenshot_dir / "browse-table-1440x900-first-screen.png"))
        assert fit["scrollWidth"] <= fit["clientWidth"], fit  # no column off screen: Context and Tags show
        assert {"Context", "Tags"} <= set(fit["headers"]) and fit["hidden"] == [], fit  # every column, at 1440
        assert not {"Model id", "Data quality"} & set(fit["headers"])  # the id on its page; a flag on its price
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


DATA = ROOT / "tests" / "data"
SOURCES = ",".join(str(DATA / f"lava-{name}.md") for name in ("cerebras", "fireworks", "sambanova"))
#: The columns Browse may hide on a screen too narrow for all (`catalog.dashboard.tables.BROWSE_COLUMNS`).
MAY_HIDE = {"Active (B)", "Vendor", "Hosts", "Params (B)", "Tags"}


def measured_history(path: Path) -> str:
    """A history database where every model of the embedded page was measured, with figures as wide as real ones
    get: 1,234 replies, a first token after 12,345 ms, 1,234.5 tokens a second."""
    url = f"sqlite:///{path}"
    trials = [
        Trial(record.provider, record.model, "ok", origin="playground", input_tokens=10, output_tokens=20,
              ttft_ms=12_345.0 if index % 2 else 345.0, output_tokens_per_s=1_234.5 if index % 3 else 53.3)
        for index, record in enumerate(load_catalog().models)
        for _ in range(1_234 if index == 0 else 2)
    ]  # fmt: skip
    with Store(url) as store:
        TrialStore(store).record_many(trials, replacing=False)
    return url


@pytest.fixture(scope="module", params=["one provider", "four providers"])
def measured_url(request, tmp_path_factory) -> Iterator[tuple[str, str]]:
    env = {"CATALOG_DB_URL": measured_history(tmp_path_factory.mktemp("measured") / "history.sqlite3")}
    if request.param == "four providers":
        env["CATALOG_SOURCES"] = SOURCES
    with run_streamlit(env) as url:
        yield request.param, url


@pytest.mark.parametrize("speed", [False, True])
def test_at_1440_the_table_fits_with_measured_speeds_or_several_providers(
    measured_url, browser: Browser, screenshot_dir, speed
):
    name, url = measured_url
    tab = opened(browser, url + "/", "desktop")
    try:
        tab.set_viewport_size({"width": 1440, "height": 900})
        wait_for_app(tab)
        if speed:
            tab.get_by_text("Measured speed").click()
            tab.locator(f"{TABLE} th", has_text="Replies").wait_for(timeout=30_000)
            wait_for_app(tab)
        fit = tab.evaluate(FIT)
        tab.screenshot(path=str(screenshot_dir / f"browse-table-1440x900-{name.replace(' ', '-')}-speed-{speed}.png"))
        assert fit["scrollWidth"] <= fit["clientWidth"], fit  # no sideways scroll
        assert max(fit["rows"]) - min(fit["rows"]) < 1 and max(fit["rows"]) < 40, fit["rows"]  # one line each
        wanted = {"Model", "Blended $/1M ▲", "Input $/1M", "Output $/1M", "Context", "Try"}
        wanted |= {"Replies", "TTFT", "Tok/s"} if speed else set()
        wanted |= {"Provider"} if name == "four providers" else set()
        assert wanted <= set(fit["headers"]), fit  # what the toggle or the providers are for always shows
        assert set(fit["hidden"]) <= MAY_HIDE, fit  # only the least useful columns give way
        if speed or name == "four providers":
            assert "Active (B)" in fit["hidden"], fit  # the first to go
        if speed:
            assert tab.locator(f"{TABLE} td", has_text="12,345 ms").count() > 0
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()


#: The grid's accessible cells of one column, top to bottom, as the grid holds them (numbers, not the text shown).
GRID_COLUMN = """(label) => {
    const grid = document.querySelector('[data-testid="stDataFrame"]');
    const headers = [...grid.querySelectorAll('[role=columnheader]')].map(h => h.innerText.replace(/^[↑↓] /, ''));
    const index = headers.indexOf(label);
    return [...grid.querySelectorAll('[role=row]')].slice(1)
        .map(row => row.querySelectorAll('[role=gridcell]')[index]?.innerText ?? '');
}"""
GRID_HEADERS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role=columnheader]')]
    .map(h => h.innerText)"""


def test_the_grid_shows_short_windows_and_prices_and_a_header_click_sorts_them_as_numbers(
    streamlit_url, browser: Browser, screenshot_dir
):
    tab = opened(browser, streamlit_url + "/", "desktop")
    try:
        tab.get_by_text("Interactive grid (all 52 rows)").click()
        grid = tab.get_by_test_id("stDataFrame")
        grid.wait_for(timeout=30_000)
        wait_for_app(tab)
        tab.wait_for_timeout(1500)  # the grid draws on a canvas a moment after the text
        box = grid.bounding_box()
        assert box is not None
        # The header row is drawn on the canvas: click along it until the Context column is sorted ascending.
        for x in range(int(box["x"]) + 10, int(box["x"] + box["width"]), 25):
            if "↑ Context" in tab.evaluate(GRID_HEADERS):
                break
            tab.mouse.click(x, box["y"] + 18)
            tab.wait_for_timeout(250)
        assert "↑ Context" in tab.evaluate(GRID_HEADERS)
        grid.screenshot(path=str(screenshot_dir / "browse-grid-sorted-by-context.png"))
        windows = [int(text) for text in tab.evaluate(GRID_COLUMN, "Context") if text]
        assert windows[:3] == [4096, 8192, 8192] and windows == sorted(windows)  # as numbers: 4k before 128k
        assert exceptions_shown(tab) == []
    finally:
        tab.context.close()
