"""A dashboard view round-trips through URL query parameters; bad parameters are set aside with a reason."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from catalog.dashboard.view import (
    CHARTS,
    COMPARE_SORTS,
    FILTER_FIELDS,
    MAX_PICKS,
    PARAM_NAMES,
    SCOPES,
    DashboardView,
    parse_params,
    provider_choices,
    restrict_to_catalog,
    to_params,
    vendor_choices,
)
from catalog.enrich import TAGS
from catalog.known_context import CAPABILITIES
from catalog.query import SORT_KEYS
from catalog.records import Catalog, ModelRecord, ProviderInfo
from pages.common.state import FILTER_WIDGETS

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=",", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=20,
)
amounts = st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
views = st.builds(
    DashboardView,
    search=st.text(max_size=20),
    vendors=st.lists(names, unique=True, max_size=3).map(tuple),
    tags=st.lists(st.sampled_from(TAGS), unique=True, max_size=3).map(tuple),
    min_input=amounts,
    max_input=amounts,
    min_output=amounts,
    max_output=amounts,
    min_params_b=amounts,
    max_params_b=amounts,
    hide_unknown_size=st.booleans(),
    min_context=st.none() | st.integers(0, 10**7),
    capabilities=st.lists(st.sampled_from(CAPABILITIES), unique=True, max_size=3).map(tuple),
    sort=st.sampled_from(list(SORT_KEYS)),
    descending=st.booleans(),
    output_share_pct=st.integers(0, 100),
    picks=st.lists(names, unique=True, max_size=MAX_PICKS).map(tuple),
    input_tokens=st.integers(0, 10**7),
    output_tokens=st.integers(0, 10**7),
    requests=st.integers(0, 10**9),
    period=st.sampled_from(["day", "month"]),
    baseline=st.none() | names,
    budget_usd=amounts,
    scope=st.sampled_from(SCOPES),
    chart_metric=st.sampled_from(["blended", "input", "output"]),
    log_scale=st.booleans(),
    chart=st.sampled_from(list(CHARTS)),
    all_bars=st.booleans(),
    compare_sort=st.sampled_from(list(COMPARE_SORTS)),
    compare_descending=st.booleans(),
)


@given(views)
def test_every_view_round_trips_through_query_parameters(view):
    parsed = parse_params(to_params(view))
    assert parsed.problems == ()
    assert parsed.view == view


@given(views)
def test_links_carry_only_known_short_parameter_names(view):
    assert set(to_params(view)) <= set(PARAM_NAMES)


def test_the_default_view_is_an_empty_link():
    assert to_params(DashboardView()) == {}
    assert parse_params({}).view == DashboardView()


def test_the_issue_view_reads_as_a_short_link():
    view = DashboardView(tags=("reasoning",), max_output=1.0, sort="output", descending=True)
    assert to_params(view) == {"tag": ["reasoning"], "max_out": ["1"], "sort": ["-output"]}


def test_single_strings_repeated_keys_and_comma_lists_are_all_read():
    parsed = parse_params({"vendor": ["Qwen", "google,microsoft"], "tag": "reasoning", "q": "llama 70b"})
    assert parsed.view.vendors == ("Qwen", "google", "microsoft")
    assert parsed.view.tags == ("reasoning",)
    assert parsed.view.search == "llama 70b"


def test_invalid_values_are_ignored_with_a_reason_and_the_rest_is_kept():
    parsed = parse_params(
        {"max_out": "abc", "share": "150", "in": "-5", "per": "week", "sort": "price", "tag": "magic", "q": "qwen"}
    )
    assert parsed.view == DashboardView(search="qwen")
    assert len(parsed.problems) == 6
    assert "Ignored `max_out=abc` in the link: not a number." in parsed.problems
    assert any("`sort=price`" in problem for problem in parsed.problems)


def test_non_finite_and_negative_prices_are_rejected():
    for bad in ("nan", "inf", "-1"):
        assert parse_params({"max_in": bad}).view.max_input is None


def test_unknown_parameters_are_left_alone():
    assert parse_params({"model": "Qwen/Qwen3-14B", "utm_source": "x"}) == parse_params({})


def test_more_picks_than_the_side_by_side_holds_are_cut_with_a_note():
    parsed = parse_params({"pick": ["a", "b", "c", "d", "e"]})
    assert parsed.view.picks == ("a", "b", "c", "d")
    assert parsed.problems == (f"Kept the first {MAX_PICKS} of 5 picked models in the link.",)


def test_restricting_to_a_catalog_drops_unknown_vendors_picks_and_baseline():
    view = DashboardView(vendors=("Qwen", "nobody"), picks=("x/known", "x/gone"), baseline="x/gone")
    known = ModelRecord("P", "x/known", "Qwen", 1.0, 2.0, 1.25, None, None, (), 1)
    kept, problems = restrict_to_catalog(view, Catalog((), (known,)))
    assert kept == replace(view, vendors=("Qwen",), picks=("x/known",), baseline=None)
    assert len(problems) == 3


def test_view_filter_and_workload_carry_the_fields():
    view = DashboardView(tags=("coder",), max_output=1.0, hide_unknown_size=True, requests=5, period="month")
    assert view.model_filter().tags == ("coder",) and view.model_filter().hide_unknown_size
    assert view.workload().requests_per_month == 5
    assert view.model_filter() != DashboardView().model_filter()


def test_the_chart_shown_and_show_all_bars_live_in_the_link():
    view = replace(DashboardView(), chart="frontier", all_bars=True)
    assert to_params(view) == {"chart": ["frontier"], "all_bars": ["1"]}
    assert parse_params({"chart": "frontier", "all_bars": "1"}).view == view
    parsed = parse_params({"chart": "pie"})
    assert parsed.view.chart == "ranked" and "chart=pie" in parsed.problems[0]


def test_resetting_the_filters_keeps_the_picks_the_workload_and_the_day():
    view = DashboardView(search="qwen", providers=("P",), vendors=("Qwen",), tags=("coder",), min_input=0.1,
                         max_output=2.0, min_params_b=7.0, hide_unknown_size=True, min_context=8192,
                         capabilities=("tools",), sort="output", descending=True, output_share_pct=60,
                         picks=("x/a",), input_tokens=123, requests=7, period="month", baseline="x/a",
                         chart="frontier", as_of="2026-11-30")  # fmt: skip
    assert view.without_filters() == DashboardView(picks=("x/a",), input_tokens=123, requests=7, period="month",
                                                   baseline="x/a", chart="frontier", as_of="2026-11-30")  # fmt: skip


def test_the_sidebar_filters_are_the_fields_a_reset_clears():
    assert sorted(FILTER_WIDGETS.values()) == sorted(FILTER_FIELDS)


def test_the_vendor_and_provider_choices_are_every_one_the_catalog_names_case_aside_in_order():
    rows = [ModelRecord(provider, f"x/{n}", vendor, 1.0, 1.0, 1.0, None, None, (), n)
            for n, (provider, vendor) in enumerate([("beta", "qwen"), ("Alpha", "Meta"), ("beta", None),
                                                    ("Alpha", "qwen")])]  # fmt: skip
    models = Catalog((ProviderInfo("beta"), ProviderInfo("Alpha")), tuple(rows))
    assert vendor_choices(models) == ["", "Meta", "qwen"] and provider_choices(models) == ["Alpha", "beta"]
    view = DashboardView(providers=("Alpha", "gamma"), vendors=("", "Meta", "nobody"), picks=("x/1", "x/9"))
    kept, problems = restrict_to_catalog(view, models)
    assert (kept.providers, kept.vendors, kept.picks) == (("Alpha",), ("", "Meta"), ("x/1",))
    assert len(problems) == 3 and "gamma" in problems[0]
