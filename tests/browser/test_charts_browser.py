"""Charts and Compare's chart in Chromium at 1440×1000 and on a 390×844 phone: what only a real layout shows."""

from __future__ import annotations

import re

import pytest
from conftest import exceptions_shown, wait_for_app

COMPARE_LINK = "/compare?pick=microsoft/phi-4&pick=deepseek-ai/DeepSeek-R1-0528&base=deepseek-ai/DeepSeek-R1-0528"
CHARTS = ("ranked", "scatter", "size", "frontier")
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


@pytest.mark.parametrize("chart", CHARTS)
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


def test_ranked_bars_on_a_phone_show_names_and_prices_beside_wide_bars(streamlit_url, page):
    show(page, f"{streamlit_url}/charts", 390, 844)
    labels = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot .annotation-text')].map(t => t.textContent)"""
    )
    values = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot .bartext')].map(t => t.textContent)"""
    )
    assert labels[0] == "Llama-3.2-1B-Instruct" and len(labels) == 25
    assert values[0] == "$0.00625" and len(values) == 25
    on_top = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullLayout.xaxis.side")
    assert on_top == "top"


def test_compare_chart_on_a_phone_and_a_desktop(streamlit_url, page, screenshot_dir):
    for width, height in VIEWPORTS:
        geometry = show(page, streamlit_url + COMPARE_LINK, width, height)
        save(page, screenshot_dir / f"compare-chart-{width}.png")
        assert geometry["modebar"] is None and geometry["size"]["w"] >= 0.5 * geometry["width"], geometry


def test_clicking_a_bar_opens_its_model_page(streamlit_url, page, screenshot_dir):
    page.goto(streamlit_url + "/charts")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .bars .point path", timeout=30_000)
    wait_for_app(page)
    page.locator(".js-plotly-plot .bars .point path").first.click(force=True)
    page.wait_for_url(re.compile(r"/model\?id=meta-llama%2FLlama-3\.2-1B-Instruct&provider=DeepInfra"), timeout=20_000)
    page.get_by_text("Llama 3.2 1B Instruct").first.wait_for(timeout=20_000)
    assert exceptions_shown(page) == []
