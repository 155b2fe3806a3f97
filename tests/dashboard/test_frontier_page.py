"""The cheapest-model frontier: exact switch points, checked against brute force; and the Charts page that
draws it and the other charts, one at a time."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from bar_charts import page_bar_charts
from html_tables import page_table
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from catalog.dashboard.figures import DEFAULT_BARS
from catalog.enrich import tags as id_tags
from catalog.frontier import exact, frontier_points, frontier_segments, switch_points
from catalog.records import ModelRecord
from catalog.sources import load_catalog

CATALOG = load_catalog()
ROOT = Path(__file__).resolve().parents[2]


def record(model: str, input_usd: float, output_usd: float) -> ModelRecord:
    return ModelRecord("P", model, None, input_usd, output_usd, 0.0, None, None, (), 1)


def test_two_crossing_models_switch_exactly_where_their_lines_cross():
    cheap_input = record("a/cheap-input", 0.10, 2.00)
    cheap_output = record("b/cheap-output", 0.50, 0.50)
    segments = frontier_segments([cheap_input, cheap_output])
    # 0.10 + 1.90 s = 0.50  →  s = 0.4 / 1.9 = 4/19
    assert [segment.models for segment in segments] == [("a/cheap-input",), ("b/cheap-output",)]
    assert switch_points(segments) == [Fraction(4, 19)]
    assert (segments[0].start, segments[-1].end) == (0, 1)


def test_equal_prices_are_one_line_with_every_model_named():
    segments = frontier_segments([record("z/twin", 1, 3), record("a/twin", 1, 3)])
    assert segments[0].models == ("a/twin", "z/twin")


def test_a_model_that_is_never_cheapest_never_appears():
    segments = frontier_segments([record("a", 0.1, 0.1), record("b", 0.2, 0.3), record("c", 0.5, 0.05)])
    assert [segment.record.model for segment in segments] == ["a", "c"]
    # 0.10 = 0.50 − 0.45 s  →  s = 8/9
    assert switch_points(segments) == [Fraction(8, 9)]


def test_the_reasoning_models_switch_at_five_sevenths():
    # the models whose ids say reasoning (Qwen3's thinking-mode models, tagged from their cards, left out)
    reasoning = [model for model in CATALOG.models if "reasoning" in id_tags(model.model)]
    segments = frontier_segments(reasoning)
    assert [segment.record.model for segment in segments] == [
        "microsoft/phi-4-reasoning-plus",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    ]
    # 0.07 + 0.28 s = 0.27  →  s = 5/7
    assert switch_points(segments) == [Fraction(5, 7)]


def test_points_give_the_cheapest_model_its_runner_up_and_the_margin():
    points = frontier_points([record("a", 0.10, 2.00), record("b", 0.50, 0.50)], steps=11)
    assert [round(point.share, 1) for point in points] == [round(0.1 * i, 1) for i in range(11)]
    first, last = points[0], points[-1]
    assert (first.record.model, first.price, first.runner_up.model, first.runner_up_price) == ("a", 0.10, "b", 0.50)
    assert round(first.margin_usd, 10) == 0.40 and round(first.margin_pct, 6) == 80.0
    assert (last.record.model, last.price, round(last.margin_usd, 10)) == ("b", 0.50, 1.50)


def test_a_single_model_has_no_runner_up():
    (point, *_) = frontier_points([record("only", 1, 2)])
    assert point.runner_up is None and point.margin_usd is None and point.margin_pct is None


def price_at(model: ModelRecord, share: Fraction) -> Fraction:
    return (1 - share) * exact(model.input_usd_per_mtok) + share * exact(model.output_usd_per_mtok)


prices = st.decimals(min_value="0", max_value="20", places=3).map(float)


@given(st.lists(st.tuples(prices, prices), min_size=1, max_size=12))
def test_the_envelope_is_the_cheapest_line_at_every_share(pairs):
    records = [record(f"m{index:02d}", i, o) for index, (i, o) in enumerate(pairs)]
    segments = frontier_segments(records)
    assert segments[0].start == 0 and segments[-1].end == 1
    assert all(
        left.end == right.start and left.start < left.end for left, right in zip(segments, segments[1:], strict=False)
    )
    for segment in segments:
        for share in (segment.start, (segment.start + segment.end) / 2, segment.end):
            assert segment.line.at(share) == min(price_at(r, share) for r in records)


def charts(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    at.switch_page("pages/charts.py").run()
    assert not at.exception
    return at


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def link(at: AppTest) -> dict[str, str]:
    return {name: at.query_params[name] for name in at.query_params}


def bars(at: AppTest):
    (chart,) = page_bar_charts(at)
    return chart


def test_charts_open_on_the_ranked_bars_as_html_with_their_cheapest_25_and_no_plotly():
    at = charts()
    assert at.get("plotly_chart") == [] and len(bars(at).bars) == DEFAULT_BARS
    assert bars(at).names[0] == "Llama-3.2-1B-Instruct" and bars(at).values[0] == "$0.00625"
    assert bars(at).ticks[0] == "$0.00" and bars(at).title.startswith("Blended price")
    assert any(f"The {DEFAULT_BARS} cheapest of 52 models" in caption.value for caption in at.caption)
    at.toggle(key="c_all").set_value(True).run()
    assert len(bars(at).bars) == 52 and link(at)["all_bars"] == "1"


def page_order(node) -> list[str]:
    """The element types of a page (or block), in the order they appear on screen."""
    children = getattr(node, "children", None)
    if not children:
        return [node.type]
    return [kind for index in sorted(children) for kind in page_order(children[index])]


def test_the_controls_keep_their_place_above_the_bars_that_are_drawn_first():
    order = page_order(charts().main)
    bars_at = order.index("html")
    assert order.index("button_group") < order.index("toggle") < bars_at  # segmented controls
    assert order[:bars_at].count("button_group") == 2 and order[:bars_at].count("toggle") == 2


def test_a_second_click_on_the_chosen_chart_or_price_goes_back_to_the_default_shown_selected():
    at = charts({"chart": "scatter", "metric": "output"})
    at.segmented_control(key="c_chart").set_value(None).run()
    assert at.segmented_control(key="c_chart").value == "ranked" and len(bars(at).bars) == DEFAULT_BARS
    assert bars(at).title.startswith("Output price")
    at.segmented_control(key="c_metric").set_value(None).run()
    assert at.segmented_control(key="c_metric").value == "blended" and bars(at).title.startswith("Blended")


def test_show_all_and_the_chosen_chart_are_restored_from_the_link():
    at = charts({"all_bars": "1"})
    assert len(bars(at).bars) == 52 and at.toggle(key="c_all").value is True
    at = charts({"chart": "scatter"})
    (scatter,) = specs(at)
    assert scatter["layout"]["legend"]["orientation"] == "h" and scatter["layout"]["xaxis"]["type"] == "log"
    assert at.segmented_control(key="c_chart").value == "scatter" and link(at)["chart"] == "scatter"
    assert page_bar_charts(at) == []


def test_the_frontier_opens_on_mid_sized_models_and_says_how_to_change_it():
    at = charts({"chart": "frontier"})
    (note,) = [item.value for item in at.info]
    assert "at least 14B parameters" in note and "Parameters, billions" in note
    cheapest = set(page_table(at, "Frontier").column("Cheapest model(s)"))
    assert "meta-llama/Llama-3.2-1B-Instruct" not in cheapest and len(cheapest) > 1
    assert len(at.get("plotly_chart")) == 1 and not at.dataframe
    sized = charts({"chart": "frontier", "max_size": "3"})
    table = page_table(sized, "Frontier")
    assert not sized.info and table.column("Cheapest model(s)") == ["meta-llama/Llama-3.2-1B-Instruct"]
    assert table.links[0]["Cheapest model(s)"].startswith("/model?id=meta-llama%2FLlama-3.2-1B-Instruct")
