"""The chart figures' data: values, order, axes and hover text naming each model and its prices."""

from __future__ import annotations

import pytest

from catalog.dashboard.figures import (
    frontier_figure,
    hover,
    monthly_cost_bars,
    price_bars,
    price_scatter,
    price_vs_params,
    usd,
    vendor_colors,
)
from catalog.enrich import tags as id_tags
from catalog.frontier import frontier_points, frontier_segments
from catalog.sources import load_catalog
from catalog.workload import Workload, workload_costs

CATALOG = load_catalog()


def points_by_model(figure) -> dict[str, tuple[float, float]]:
    """Each hovered point's (x, y), by the model id its hover text starts with."""
    return {
        text.split("</b>")[0].removeprefix("<b>"): (x, y)
        for trace in figure.data
        for x, y, text in zip(trace.x, trace.y, trace.hovertext, strict=True)
    }


# The nine models whose ids say reasoning (Qwen3's thinking-mode models, tagged from their model cards, left out).
REASONING = [model for model in CATALOG.models if "reasoning" in id_tags(model.model)]


def test_usd_keeps_two_to_four_decimals():
    assert [usd(1.4), usd(0.345), usd(0.005), usd(1500), usd(0.000315, 6)] == [
        "$1.40",
        "$0.345",
        "$0.005",
        "$1,500.00",
        "$0.000315",
    ]


def test_hover_names_the_model_and_its_prices():
    text = hover(CATALOG.find("deepseek-ai/DeepSeek-R1-0528"), 0.25)
    assert "deepseek-ai/DeepSeek-R1-0528" in text
    assert "input $0.50" in text and "output $2.15" in text and "blended $0.9125" in text


def test_ranked_bars_put_the_cheapest_first_for_each_price():
    for metric, expected_first in (("input", 0.005), ("output", 0.01), ("blended", 0.00625)):
        (bars,) = price_bars(CATALOG.models, metric).data
        assert len(bars.x) == 52
        assert list(bars.x) == sorted(bars.x)
        assert bars.x[0] == pytest.approx(expected_first)
        assert bars.y[0] == "meta-llama/Llama-3.2-1B-Instruct"
        assert bars.y[0] in bars.hovertext[0]


def test_blended_bars_follow_the_output_share():
    (bars,) = price_bars(REASONING, "blended", output_share=1.0).data
    assert list(bars.y[:2]) == ["deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "microsoft/phi-4-reasoning-plus"]
    assert list(bars.x[:2]) == [0.27, 0.35]


def test_log_toggle_sets_the_axis_type():
    assert price_bars(REASONING, log=True).layout.xaxis.type == "log"
    assert price_bars(REASONING, log=False).layout.xaxis.type == "linear"


def test_scatter_has_one_trace_per_vendor_on_log_axes_sized_by_parameters():
    figure = price_scatter(CATALOG.models)
    assert {trace.name for trace in figure.data} == {model.vendor for model in CATALOG.models}
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"
    points = {
        text.split("</b>")[0].removeprefix("<b>"): (x, y)
        for t in figure.data
        for x, y, text in zip(t.x, t.y, t.hovertext, strict=True)
    }
    assert points["zai-org/GLM-5.2"] == (1.40, 4.40)
    qwen = next(trace for trace in figure.data if trace.name == "Qwen")
    sizes = dict(zip((text.split("</b>")[0] for text in qwen.hovertext), qwen.marker.size, strict=True))
    assert sizes["<b>Qwen/Qwen3-Coder-480B-A35B-Instruct"] > sizes["<b>Qwen/Qwen2.5-7B-Instruct"]


def test_price_vs_params_leaves_out_unknown_sizes_and_says_how_many():
    figure = price_vs_params(CATALOG.models, "output")
    shown = sum(len(trace.x) for trace in figure.data)
    unknown = sum(model.params_b is None for model in CATALOG.models)
    assert shown == 52 - unknown
    assert f"{unknown} of unknown size left out" in figure.layout.title.text
    llama = {
        x: y
        for trace in figure.data
        for x, y, t in zip(trace.x, trace.y, trace.hovertext, strict=True)
        if "Llama-3.2-1B" in t
    }
    assert llama == {1: 0.01}


def test_vendor_colours_are_stable():
    assert vendor_colors(CATALOG.models) == vendor_colors(list(reversed(CATALOG.models)))


def test_frontier_figure_draws_each_segment_to_its_exact_switch_point():
    segments = frontier_segments(REASONING)
    figure = frontier_figure(frontier_points(REASONING), segments)
    phi, distill, margin = figure.data
    assert (phi.name, distill.name) == ("microsoft/phi-4-reasoning-plus", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B")
    switch = 100 * 5 / 7
    assert phi.x[0] == 0 and phi.x[-1] == pytest.approx(switch)
    assert distill.x[0] == pytest.approx(switch) and distill.x[-1] == 100
    assert phi.y[0] == pytest.approx(0.07) and distill.y[-1] == pytest.approx(0.27)
    assert phi.y[-1] == pytest.approx(0.27)  # both lines meet at the switch
    assert "runner-up" in phi.hovertext[0] and "$0.07" in phi.hovertext[0]
    assert len(margin.x) == 101 and margin.y[0] == pytest.approx(100 * (0.20 - 0.07) / 0.20)
    assert figure.layout.shapes and all(shape.x0 == pytest.approx(switch) for shape in figure.layout.shapes)


def test_monthly_cost_bars_highlight_the_baseline():
    lines = workload_costs(REASONING, Workload(2_000, 500, 10_000))
    (bars,) = monthly_cost_bars(lines, "deepseek-ai/DeepSeek-R1-0528").data
    assert list(bars.x) == [line.per_month_usd for line in lines]
    index = list(bars.y).index("deepseek-ai/DeepSeek-R1-0528")
    assert bars.x[index] == pytest.approx(622.5)
    assert "$622.50 per month" in bars.hovertext[index]
    assert len(set(bars.marker.color)) == 2 and bars.marker.color[index] != bars.marker.color[0]
