"""Charts and Compare's chart in Chromium at 1440×1000 and on a 390×844 phone: what only a real layout shows."""

from __future__ import annotations

import re

import pytest
from conftest import exceptions_shown, wait_for_app

COMPARE_LINK = "/compare?pick=microsoft/phi-4&pick=deepseek-ai/DeepSeek-R1-0528&base=deepseek-ai/DeepSeek-R1-0528"
#: The charts drawn with plotly (on demand); the ranked chart the page opens on is plain HTML bars.
PLOTLY_CHARTS = ("scatter", "size", "frontier")
BARS = '[data-testid="stHtml"] .lpc-bars'
VIEWPORTS = ((1440, 1000), (390, 844))
#: The plot area of the page's first plotly chart (`_fullLayout._size`: margins, width and height in px),
#: the figure's size, and the boxes of its legend and toolbar (null where absent).
GEOMETRY = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    const box = (selector) => {
        const element = plot.querySelector(selector);
        if (!element) return null;
        const rect = element.getBoundingClientRect();
        return rect.width && rect.height ? {top: rect.top, bottom: rect.bottom, width: rect.width} : null;
    };
    const plotArea = plot.querySelector('.cartesianlayer .bg, .nsewdrag');
    return {
        size: plot._fullLayout._size,
        width: plot._fullLayout.width,
        area: plotArea ? plotArea.getBoundingClientRect().bottom : null,
        legend: box('.legend'),
        modebar: box('.modebar-container .modebar'),
    };
}"""


def save(tab, path) -> None:
    """The window with the chart scrolled into view (Streamlit scrolls inside the page, not the document)."""
    tab.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    tab.screenshot(path=str(path))


def show(tab, url: str, width: int, height: int) -> dict:
    tab.set_viewport_size({"width": width, "height": height})
    tab.goto(url)
    wait_for_app(tab)
    tab.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    wait_for_app(tab)
    tab.locator(".js-plotly-plot").first.hover()  # plotly shows its toolbar on hover, if it has one
    assert exceptions_shown(tab) == []
    return tab.evaluate(GEOMETRY)


@pytest.mark.parametrize("chart", PLOTLY_CHARTS)
def test_each_chart_keeps_its_plot_readable_on_a_phone_and_a_desktop(streamlit_url, page, screenshot_dir, chart):
    for width, height in VIEWPORTS:
        geometry = show(page, f"{streamlit_url}/charts?chart={chart}", width, height)
        save(page, screenshot_dir / f"charts-{chart}-{width}.png")
        size = geometry["size"]
        assert geometry["modebar"] is None  # no toolbar over the titles
        # The plot keeps most of the figure's width: labels and legend do not squeeze it to a sliver.
        assert size["w"] >= 0.5 * geometry["width"], geometry
        assert size["h"] >= 200, geometry
        if geometry["legend"] is not None:  # a legend sits below the plot, not beside it
            assert geometry["legend"]["top"] >= geometry["area"] - 1, geometry


#: Each drawn bar's row: its name's and bar's boxes, the value label's text and box, and the scale's tick labels.
BAR_GEOMETRY = """() => {
    const box = (element) => {
        const rect = element.getBoundingClientRect();
        return {left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom, width: rect.width};
    };
    const chart = document.querySelector('[data-testid="stHtml"] .lpc-bars');
    return {
        chart: box(chart),
        rows: [...chart.querySelectorAll('.lpc-item')].map(row => ({
            name: row.querySelector('.lpc-name a').textContent,
            nameBox: box(row.querySelector('.lpc-name a')),
            bar: box(row.querySelector('.lpc-bar')),
            track: box(row.querySelector('.lpc-track')),
            value: row.querySelector('.lpc-value').textContent,
            valueBox: box(row.querySelector('.lpc-value')),
        })),
        ticks: [...chart.querySelectorAll('.lpc-tick')].map(tick => tick.textContent),
        legend: [...chart.querySelectorAll('.lpc-vendor')].map(key => key.textContent),
    };
}"""


def show_bars(tab, url: str, width: int, height: int) -> dict:
    tab.set_viewport_size({"width": width, "height": height})
    tab.goto(url)
    wait_for_app(tab)
    tab.wait_for_selector(BARS, timeout=30_000)
    wait_for_app(tab)
    assert exceptions_shown(tab) == []
    return tab.evaluate(BAR_GEOMETRY)


def test_the_ranked_bars_are_labelled_and_readable_on_a_phone_and_a_desktop(streamlit_url, page, screenshot_dir):
    for width, height in VIEWPORTS:
        drawn = show_bars(page, f"{streamlit_url}/charts", width, height)
        page.screenshot(path=str(screenshot_dir / f"charts-ranked-{width}.png"))
        page.locator(f"{BARS} .lpc-legend").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"charts-ranked-{width}-legend.png"))
        rows = drawn["rows"]
        assert len(rows) == 25 and rows[0]["name"] == "Llama-3.2-1B-Instruct" and rows[0]["value"] == "$0.00625"
        assert all(row["value"].startswith("$") for row in rows) and drawn["ticks"][0] == "$0.00"
        assert "Qwen" in drawn["legend"]
        widest = max(rows, key=lambda row: row["bar"]["width"])
        assert widest["bar"]["width"] >= 0.5 * drawn["chart"]["width"]  # bars, not slivers beside the names
        for row in rows:
            assert row["bar"]["width"] >= 3  # the cheapest is still a visible bar
            assert row["valueBox"]["left"] >= row["bar"]["right"] - 1  # the price beside its bar, not over it
            assert row["valueBox"]["right"] <= drawn["chart"]["right"] + 1  # and not cut off
            if width < 640:  # a phone: the name on its own line above a full-width bar
                assert row["nameBox"]["bottom"] <= row["bar"]["top"] + 1
                assert row["track"]["left"] - drawn["chart"]["left"] < 5
            else:  # a desktop: name and bar on one line
                assert row["nameBox"]["right"] <= row["track"]["left"]
                assert abs(row["nameBox"]["top"] - row["bar"]["top"]) < 20


def test_the_default_charts_page_loads_no_plotly(streamlit_url, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    show_bars(page, f"{streamlit_url}/charts", 1440, 1000)
    page.wait_for_timeout(500)
    assert page.locator(".js-plotly-plot, [data-testid='stPlotlyChart']").count() == 0
    assert not [url for url in requested if "plotly" in url.lower()], requested


def test_the_log_scale_is_ticked_at_readable_dollar_values(streamlit_url, page, screenshot_dir):
    drawn = show_bars(page, f"{streamlit_url}/charts?metric=output&log=1", 1440, 1000)
    page.screenshot(path=str(screenshot_dir / "charts-ranked-log-1440.png"))
    assert drawn["ticks"][:3] == ["$0.0100", "$0.100", "$1.00"]  # as the bars' labels write prices
    assert drawn["rows"][0]["value"] == "$0.0100" and drawn["rows"][0]["bar"]["width"] >= 3


#: The x axis's tick labels plotly shows, left to right (one that would overflow the figure it hides).
X_TICKS = """() => [...document.querySelectorAll('.js-plotly-plot .xtick text')]
    .filter(text => getComputedStyle(text).display !== 'none').map(text => text.textContent)"""


def test_compare_chart_on_a_phone_and_a_desktop(streamlit_url, page, screenshot_dir):
    for width, height in VIEWPORTS:
        geometry = show(page, streamlit_url + COMPARE_LINK, width, height)
        save(page, screenshot_dir / f"compare-chart-{width}.png")
        assert geometry["modebar"] is None and geometry["size"]["w"] >= 0.5 * geometry["width"], geometry
        assert page.evaluate(X_TICKS)[0] == "$0.00", width  # the scale starts where the bars do, and says so


def test_clicking_a_bars_name_opens_its_model_page_in_a_new_tab(streamlit_url, page):
    show_bars(page, f"{streamlit_url}/charts", 1440, 1000)
    with page.context.expect_page() as opened:
        page.locator(BARS).get_by_role("link", name="Llama-3.2-1B-Instruct", exact=True).click()
    model = opened.value
    model.wait_for_url(re.compile(r"/model\?id=meta-llama%2FLlama-3\.2-1B-Instruct&provider=DeepInfra"), timeout=20_000)
    wait_for_app(model)
    model.get_by_text("Llama 3.2 1B Instruct").first.wait_for(timeout=20_000)
    assert exceptions_shown(model) == [] and "/charts" in page.url


def test_clicking_a_point_opens_its_model_page(streamlit_url, page):
    page.goto(streamlit_url + "/charts?chart=size")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=30_000)
    wait_for_app(page)
    page.locator(".js-plotly-plot .scatterlayer .point").first.click(force=True)
    page.wait_for_url(re.compile(r"/model\?id="), timeout=20_000)
    wait_for_app(page)
    assert exceptions_shown(page) == []


def test_the_controls_arrive_above_the_bars_without_moving_them(streamlit_url, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})  # a fresh session: a first visit
    tab = context.new_page()
    try:
        tab.goto(f"{streamlit_url}/charts")
        bars = tab.locator(BARS)
        bars.wait_for(timeout=30_000)
        first_y = bars.bounding_box()["y"]  # type: ignore[index]
        wait_for_app(tab)
        tab.get_by_text("Show all").wait_for(timeout=10_000)
        assert abs(bars.bounding_box()["y"] - first_y) < 30  # type: ignore[index]
        assert exceptions_shown(tab) == []
    finally:
        context.close()
