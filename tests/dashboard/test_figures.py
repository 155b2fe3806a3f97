"""The chart figures' data: values, order, axes and hover text naming each model and its prices."""

from __future__ import annotations

import pytest

from catalog.dashboard.figures import (
    FRONTIER_MIN_B,
    frontier_figure,
    frontier_models,
    hover,
    log_ticks,
    monthly_cost_bars,
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
        if trace.hovertext
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


def test_scatter_has_one_trace_per_vendor_on_log_axes_sized_by_parameters():
    figure = price_scatter(CATALOG.models)
    unknown = sum(model.params_b is None for model in CATALOG.models)
    vendors = {model.vendor for model in CATALOG.models}
    assert {trace.name for trace in figure.data} == vendors | {f"◇ size unknown ({unknown})"}
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"
    points = {
        text.split("</b>")[0].removeprefix("<b>"): (x, y)
        for t in figure.data
        if t.hovertext
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
        if trace.hovertext
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
    assert (phi.name, distill.name) == ("phi-4-reasoning-plus", "DeepSeek-R1-Distill-Qwen-32B")
    switch = 100 * 5 / 7
    assert phi.x[0] == 0 and phi.x[-1] == pytest.approx(switch)
    assert distill.x[0] == pytest.approx(switch) and distill.x[-1] == 100
    assert phi.y[0] == pytest.approx(0.07) and distill.y[-1] == pytest.approx(0.27)
    assert phi.y[-1] == pytest.approx(0.27)  # both lines meet at the switch
    assert "runner-up" in phi.hovertext[0] and "$0.07" in phi.hovertext[0]
    assert len(margin.x) == 101 and margin.y[0] == pytest.approx(100 * (0.20 - 0.07) / 0.20)
    assert figure.layout.shapes and all(shape.x0 == pytest.approx(switch) for shape in figure.layout.shapes)


def test_monthly_cost_bars_mark_the_baseline_and_keep_vendor_colours():
    lines = workload_costs(REASONING, Workload(2_000, 500, 10_000))
    (bars,) = monthly_cost_bars(lines, "deepseek-ai/DeepSeek-R1-0528").data
    assert list(bars.x) == [line.per_month_usd for line in lines]
    index = list(bars.y).index("DeepSeek-R1-0528 (baseline)")
    assert bars.x[index] == pytest.approx(622.5) and bars.text[index] == "$622.50"
    assert "$622.50 per month" in bars.hovertext[index]
    assert [shape for shape in bars.marker.pattern.shape if shape] == ["/"] and bars.marker.pattern.shape[index] == "/"
    assert bars.marker.color[index] == vendor_colors(CATALOG.models)["deepseek-ai"]


def color_of(figure, model: str) -> str:
    """The colour a figure draws `model` in (bar, point or frontier line)."""
    for trace in figure.data:
        texts = list(trace.hovertext or [])
        for position, text in enumerate(texts):
            if text.startswith(f"<b>{model}</b>"):
                color = trace.marker.color if trace.type == "bar" else (trace.line.color or trace.marker.color)
                return color if isinstance(color, str) else color[position]
    raise AssertionError(f"{model} not drawn")


def test_a_vendor_has_one_colour_on_every_chart_whatever_else_is_drawn():
    qwen = "Qwen/Qwen3-235B-A22B-Instruct-2507"
    subset = [model for model in CATALOG.models if model.vendor in ("Qwen", "zai-org")]
    figures = [
        price_scatter(CATALOG.models),
        price_scatter(subset),
        price_vs_params(CATALOG.models),
        frontier_figure(frontier_points([CATALOG.find(qwen)]), frontier_segments([CATALOG.find(qwen)])),
        monthly_cost_bars(workload_costs(subset, Workload(2_000, 500, 10_000))),
    ]
    colours = {color_of(figure, qwen) for figure in figures if qwen in str(figure.to_plotly_json())}
    assert len(colours) == 1 and len(figures) == 5
    assert vendor_colors(subset)["Qwen"] == vendor_colors(CATALOG.models)["Qwen"]
    assert vendor_colors(subset)["zai-org"] == vendor_colors(CATALOG.models)["zai-org"]
    assert len(set(vendor_colors(CATALOG.models).values())) == len(vendor_colors(CATALOG.models))


def test_bar_labels_stay_distinct_when_short_names_clash():
    twin = CATALOG.models[0]._replace(provider="Other")
    (bars,) = monthly_cost_bars(workload_costs([CATALOG.models[0], twin], Workload(2_000, 500, 10_000))).data
    assert len(set(bars.y)) == 2 and all(CATALOG.models[0].model in label for label in bars.y)


def test_log_axes_are_ticked_at_readable_dollar_values():
    assert log_ticks([0.03, 4.4])["ticktext"] == ["$0.0100", "$0.100", "$1.00", "$10.00"]  # as the columns say
    assert log_ticks([0.06, 0.4])["ticktext"] == [
        "$0.0100", "$0.0200", "$0.0500", "$0.100", "$0.200", "$0.500", "$1.00"
    ]  # fmt: skip
    scatter = price_scatter(CATALOG.models)
    for axis in (scatter.layout.xaxis, scatter.layout.yaxis):
        assert all(text.startswith("$") for text in axis.ticktext)
        assert [value for value in axis.tickvals if value < 1] == sorted(v for v in axis.tickvals if v < 1)
    assert price_vs_params(CATALOG.models).layout.xaxis.ticktext[:3] == ("1", "10", "100")


def test_unknown_sizes_are_hollow_diamonds_never_the_smallest_markers():
    figure = price_scatter(CATALOG.models)
    deepseek = next(trace for trace in figure.data if trace.name == "deepseek-ai")
    markers = {
        text.split("</b>")[0].removeprefix("<b>"): (symbol, size)
        for text, symbol, size in zip(deepseek.hovertext, deepseek.marker.symbol, deepseek.marker.size, strict=True)
    }
    unknown = [model.model for model in CATALOG.models if model.vendor == "deepseek-ai" and model.params_b is None]
    if not unknown:  # sizes filled in by the known-sizes table: draw a model of unknown size ourselves
        record = CATALOG.find("deepseek-ai/DeepSeek-R1-0528")._replace(params_b=None, active_params_b=None)
        trace = price_scatter([record, CATALOG.find("meta-llama/Llama-3.2-1B-Instruct")]).data[0]
        markers, unknown = {record.model: (trace.marker.symbol[0], trace.marker.size[0])}, [record.model]
    smallest = min(size for trace in figure.data if trace.hovertext for size in trace.marker.size)
    for model in unknown:
        symbol, size = markers[model]
        assert symbol == "diamond-open" and size > smallest
    assert any("size unknown" in trace.name for trace in price_scatter([*CATALOG.models, record_of_unknown()]).data)
    llama = CATALOG.find("meta-llama/Llama-3.2-1B-Instruct")
    mixed = price_scatter([llama._replace(model="m/unknown", params_b=None), llama]).data[
        0
    ]  # the legend draws the first symbol
    assert list(mixed.marker.symbol) == ["circle", "diamond-open"]


def record_of_unknown():
    return CATALOG.models[0]._replace(model="x/unknown-size", params_b=None, active_params_b=None)


def test_legends_sit_below_the_plot():
    for figure in (
        price_scatter(CATALOG.models),
        price_vs_params(CATALOG.models),
        frontier_figure(frontier_points(REASONING), frontier_segments(REASONING)),
    ):
        assert figure.layout.legend.orientation == "h" and figure.layout.legend.y < 0


def test_the_frontier_opens_on_mid_sized_models_and_shows_a_switch():
    models, bound = frontier_models(CATALOG.models, size_filtered=False)
    assert bound == FRONTIER_MIN_B == 14
    assert models and all(model.params_b is not None and model.params_b >= 14 for model in models)
    assert "meta-llama/Llama-3.2-1B-Instruct" not in {model.model for model in models}
    assert len(frontier_segments(models)) > 1
    assert frontier_models(CATALOG.models, size_filtered=True) == (list(CATALOG.models), None)
