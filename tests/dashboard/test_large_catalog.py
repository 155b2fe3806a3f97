"""A catalog of many models: the frontier stays exact on far fewer contenders, the charts stay drawable."""

from __future__ import annotations

from apps import load_many_models, opened
from bar_charts import page_bar_charts, read_bar_charts
from html_tables import page_table
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.dashboard.bars import ranked_bars
from catalog.dashboard.figures import DEFAULT_BARS, MAX_BARS, MAX_POINTS
from catalog.dashboard.tables import frontier_candidates
from catalog.frontier import frontier_points, frontier_segments
from catalog.records import ModelRecord

# Few distinct prices, so ties and equal inputs or outputs are common.
prices = st.sampled_from([0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0])


def record(index: int, input_usd: float, output_usd: float) -> ModelRecord:
    return ModelRecord("p", f"m/{index:03d}", "m", input_usd, output_usd, 0.0, None, None, (), index)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(prices, prices), min_size=1, max_size=40))
def test_the_frontier_of_the_contenders_is_the_frontier_of_all(pairs):
    rows = [record(index, *pair) for index, pair in enumerate(pairs)]
    contenders = frontier_candidates(rows)
    assert frontier_segments(contenders) == frontier_segments(rows)
    assert frontier_points(contenders) == frontier_points(rows)


def test_a_model_undercut_twice_in_both_prices_is_no_contender():
    rows = [record(0, 0.1, 0.1), record(1, 0.2, 0.2), record(2, 0.3, 0.3), record(3, 0.05, 1.0)]
    assert [row.model for row in frontier_candidates(rows)] == ["m/003", "m/000", "m/001"]


def test_the_ranked_bars_keep_the_cheapest():
    rows = [record(index, index / 1000, index / 500) for index in range(MAX_BARS + 50)]
    (bars,) = read_bar_charts(ranked_bars(rows))
    assert len(bars.bars) == MAX_BARS and bars.bars[0].name == "000" and bars.bars[-1].rank == str(MAX_BARS)


def test_charts_of_twenty_thousand_models_render_with_a_note(tmp_path, monkeypatch):
    load_many_models(tmp_path, monkeypatch, 20_000)
    at = opened(page="pages/charts.py", timeout=120)
    notes = " ".join(caption.value for caption in at.caption)
    assert f"The {DEFAULT_BARS} cheapest of 20,052 models" in notes and len(page_bar_charts(at)[0].bars) == DEFAULT_BARS
    at.toggle(key="c_all").set_value(True).run()
    assert f"The {MAX_BARS} cheapest of 20,052 models" in " ".join(caption.value for caption in at.caption)
    assert len(page_bar_charts(at)[0].bars) == MAX_BARS
    at.segmented_control(key="c_chart").set_value("scatter").run()
    assert f"The {MAX_POINTS:,} cheapest of 20,052 models" in " ".join(caption.value for caption in at.caption)
    at.segmented_control(key="c_chart").set_value("frontier").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1 and len(page_table(at, "Frontier").rows) >= 1
