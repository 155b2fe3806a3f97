"""The ranked bars as plain HTML: order, widths, scale, labels, links, colours, and ids shown literally."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from bar_charts import read_bar_charts
from html_tables import read_tables
from hypothesis import given
from hypothesis import strategies as st

from catalog.dashboard.bars import (
    FREE,
    LOG_FLOOR_PCT,
    bar_widths,
    frontier_table,
    nice_step,
    ranked_bars,
    scale_ticks,
    tick_text,
)
from catalog.dashboard.figures import DEFAULT_BARS, MAX_BARS, vendor_color
from catalog.dashboard.model_page import model_link
from catalog.dashboard.prices import column_price
from catalog.enrich import tags as id_tags
from catalog.frontier import frontier_segments
from catalog.records import ModelRecord
from catalog.sources import load_catalog

CATALOG = load_catalog()
REASONING = [model for model in CATALOG.models if "reasoning" in id_tags(model.model)]
#: The elements the bars are made of: anything else in the HTML came from a model id or a provider name.
OWN_TAGS = {"div", "span", "a"}


def record(model: str, input_usd: float, output_usd: float, provider: str = "P", vendor: str | None = None):
    return ModelRecord(provider, model, vendor, input_usd, output_usd, 0.0, None, None, (), 1)


def chart(*args, **kwargs):
    (drawn,) = read_bar_charts(ranked_bars(*args, **kwargs))
    return drawn


def money(text: str) -> float:
    return float(text.removeprefix("$").replace(",", ""))


def test_the_cheapest_come_first_for_each_price():
    for metric, first_value in (("input", "$0.00500"), ("output", "$0.0100"), ("blended", "$0.00625")):
        bars = chart(CATALOG.models, metric)
        assert len(bars.bars) == 52 and bars.bars[0].name == "Llama-3.2-1B-Instruct"
        assert bars.values[0] == first_value and [bar.rank for bar in bars.bars[:3]] == ["1", "2", "3"]
        widths = [bar.width_pct for bar in bars.bars]
        assert widths == sorted(widths) and widths[-1] == 100.0
        assert bars.title.startswith(f"{metric.title()} price, USD per 1M tokens")


def test_blended_bars_follow_the_output_share_and_say_the_mix():
    bars = chart(REASONING, "blended", output_share=1.0)
    assert bars.names[:2] == ["DeepSeek-R1-Distill-Qwen-32B", "phi-4-reasoning-plus"]
    assert bars.values[:2] == ["$0.270", "$0.350"] and "(0% input + 100% output)" in bars.title
    assert "(75% input + 25% output)" in chart(REASONING).title


def test_the_default_shows_25_and_show_all_stops_at_the_most_bars():
    assert len(chart(CATALOG.models, limit=DEFAULT_BARS).bars) == DEFAULT_BARS
    many = [record(f"m/{index:03d}", index / 1000, index / 500) for index in range(MAX_BARS + 50)]
    bars = chart(many, limit=10_000)
    assert len(bars.bars) == MAX_BARS and bars.bars[0].name == "000" and bars.bars[0].value == FREE


def test_each_name_links_to_its_model_page_in_a_new_tab_with_its_prices_in_the_tooltip():
    bars = chart(CATALOG.models)
    r1 = next(bar for bar in bars.bars if bar.name == "DeepSeek-R1-0528")
    assert r1.href == model_link("deepseek-ai/DeepSeek-R1-0528", "DeepInfra") and r1.target == "_blank"
    assert r1.title.splitlines() == [
        "deepseek-ai/DeepSeek-R1-0528",
        "on DeepInfra",
        "input $0.50 · output $2.15",
        "blended $0.9125 per 1M tokens at 25% output",
    ]
    assert r1.value == column_price(0.9125) and r1.value.startswith("$0.91") and len(r1.value) == 6  # 3 digits


def test_bars_are_in_their_vendors_colours_and_the_legend_names_only_the_vendors_shown():
    bars = chart(CATALOG.models, limit=5)
    shown = {model.vendor for model in CATALOG.models if model.model.endswith(tuple(bars.names))}
    assert {vendor for vendor, _ in bars.legend} == shown
    assert all(colour == vendor_color(vendor) for vendor, colour in bars.legend)
    qwen = chart([model for model in CATALOG.models if model.vendor == "Qwen"]).bars[0]
    assert qwen.color == vendor_color("Qwen")


def test_linear_widths_are_shares_of_the_largest():
    assert bar_widths([0.5, 1.0, 2.0], log_scale=False) == [25.0, 50.0, 100.0]
    assert bar_widths([0.0, 0.0], log_scale=False) == [0.0, 0.0]  # free models: stubs, no division by zero


def test_log_widths_span_the_decades_around_the_values_and_keep_the_smallest_visible():
    widths = bar_widths([0.01, 0.1, 1.0, 10.0], log_scale=True)
    assert widths == [LOG_FLOOR_PCT, pytest.approx(100 / 3), pytest.approx(200 / 3), 100.0]
    # from $0.01 to $1: 0.05 is 0.699 of a decade in, 0.5 is 1.699; a free model is a stub
    assert bar_widths([0.0, 0.05, 0.5], log_scale=True) == [
        0.0,
        pytest.approx(34.949, abs=1e-3),
        pytest.approx(84.949, abs=1e-3),
    ]


def test_the_linear_scale_has_round_dollar_ticks_from_zero():
    # in the labels' own shape: a tick of $0.100 beside a bar labelled $0.100, never "$0.1"
    assert [tick.text for tick in scale_ticks([0.2, 2.15], log_scale=False)] == [
        "$0.00", "$0.500", "$1.00", "$1.50", "$2.00"
    ]  # fmt: skip
    ticks = scale_ticks([0.00625, 0.27], log_scale=False)
    assert [tick.text for tick in ticks] == ["$0.00", "$0.0500", "$0.100", "$0.150", "$0.200", "$0.250"]
    assert ticks[1].at_pct == pytest.approx(100 * 0.05 / 0.27)
    assert [nice_step(x) for x in (0.0675, 0.3, 2.2, 7, 0.25)] == [0.1, 0.5, 2.5, 10, 0.25]


def test_the_log_scale_is_ticked_at_every_decade():
    ticks = scale_ticks([0.00625, 0.3], log_scale=True)
    assert [tick.text for tick in ticks] == ["$0.00100", "$0.0100", "$0.100", "$1.00"]
    assert [tick.at_pct for tick in ticks] == pytest.approx([0, 100 / 3, 200 / 3, 100])
    assert [tick.text for tick in scale_ticks([0.2, 0.8], log_scale=True)] == ["$0.100", "$1.00"]
    assert [tick.text for tick in scale_ticks([0.0, 0.0], log_scale=True)] == ["$0.00"]
    bars = chart(CATALOG.models, log_scale=True, limit=DEFAULT_BARS)
    assert bars.ticks[:3] == ["$0.00100", "$0.0100", "$0.100"] and "log scale" in bars.title
    assert [tick_text(value) for value in (0, 0.01, 0.1, 1, 2.5, 1500)] == [
        "$0.00",
        "$0.0100",
        "$0.100",
        "$1.00",
        "$2.50",
        "$1,500.00",
    ]


def test_a_free_model_is_a_stub_labelled_free():
    bars = chart([record("a/free", 0, 0), record("b/paid", 0.1, 0.2)], log_scale=True)
    assert (bars.bars[0].width_pct, bars.bars[0].value) == (0.0, FREE) and "lpc-free" in bars.bars[0].classes
    # $0.125 on a scale from $0.1 to $1
    assert bars.bars[1].width_pct == pytest.approx(9.691, abs=1e-3) and bars.bars[1].value == "$0.125"


def test_labels_stay_distinct_when_short_names_clash():
    twin = CATALOG.models[0]._replace(provider="Other")
    bars = chart([CATALOG.models[0], twin, record("x/" + CATALOG.models[0].model.split("/")[-1], 9, 9)])
    assert len(set(bars.names)) == 3 and sum(CATALOG.models[0].model in name for name in bars.names) == 2
    assert {bar.href for bar in bars.bars[:2]} == {
        model_link(CATALOG.models[0].model, CATALOG.models[0].provider),
        model_link(CATALOG.models[0].model, "Other"),
    }


HOSTILE = "<img src=x onerror=alert(1)>\"'&amp;<script>alert(2)</script>"


def test_hostile_ids_providers_and_vendors_are_shown_as_text():
    bars = chart([record(f"evil/{HOSTILE}", 0.1, 0.2, provider=HOSTILE, vendor=HOSTILE)])
    assert bars.bars[0].name == "script>" and bars.legend[0][0] == HOSTILE  # the name after the last "/"
    assert bars.bars[0].title.splitlines()[:2] == [f"evil/{HOSTILE}", f"on {HOSTILE}"]
    assert bars.tags <= OWN_TAGS


printable = st.text(st.characters(codec="utf-8").filter(str.isprintable), min_size=1, max_size=60)


@given(printable, printable)
def test_any_id_comes_back_literally(model, provider):
    bars = chart([record(model, 0.5, 1.5, provider=provider)])
    (bar,) = bars.bars
    assert bar.title.splitlines()[:2] == [model, f"on {provider}"] and bars.tags <= OWN_TAGS
    assert bar.name in (model.rsplit("/", 1)[-1], model) or bar.name.endswith("…")
    query = parse_qs(urlsplit(bar.href).query)
    assert urlsplit(bar.href).path == "/model" and query == {"id": [model], "provider": [provider]}


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def test_the_only_links_are_the_dashboards_own_model_pages():
    parser = _Attributes()
    parser.feed(ranked_bars([record("http://evil.test/x", 1, 2, provider="//evil.test")]))
    assert parser.hrefs and all(href.startswith("/model?id=") for href in parser.hrefs)


def test_the_frontier_table_names_the_cheapest_models_and_links_them():
    segments = frontier_segments([record("a/cheap-input", 0.10, 2.00), record("b/cheap-output", 0.50, 0.50)])
    (table,) = read_tables(frontier_table(segments))
    assert table.label == "Frontier" and table.column("Cheapest model(s)") == ["a/cheap-input", "b/cheap-output"]
    assert table.column("From output %") == ["0.00%", "21.05%"] and table.column("Output $/1M") == ["$2.00", "$0.50"]
    assert table.links[0]["Cheapest model(s)"] == model_link("a/cheap-input", "P")
