"""Charts: the market at a glance, for the models the Browse filters let through, one chart at a time."""

from __future__ import annotations

from typing import Any

import streamlit as st

from catalog.dashboard.bars import frontier_table, ranked_bars
from catalog.dashboard.figures import (
    CONFIG,
    DEFAULT_BARS,
    MAX_BARS,
    MAX_POINTS,
    METRICS,
    cheapest,
    frontier_figure,
    frontier_models,
    picked_model,
    price_scatter,
    price_vs_params,
)
from catalog.dashboard.html_table import keep_room
from catalog.dashboard.tables import frontier_candidates, visible_models
from catalog.dashboard.view import CHARTS
from catalog.dashboard.words import SIDE_PANEL
from catalog.frontier import frontier_points, frontier_segments
from catalog.literal import code_span
from catalog.words import counted
from pages.common import sidebar, state

# Only the chosen chart is built and drawn, and the ranked one (the first a visitor sees) is plain HTML: a plotly
# chart costs 2.6× a one-line page to show. Widgets above the chart are drawn after it, into containers placed
# above it, so the browser fetches the chart first; their values are read from the session before that.
CHART_WIDGETS = {"c_chart": "chart", "c_metric": "chart_metric", "c_log": "log_scale", "c_all": "all_bars"}

#: The room the controls keep above the chart, by rows of controls (on a wide screen, on a phone): a little under
#: their drawn heights, 121–224 px for the chart picker alone, 197–255 px (245–348 px on a phone) with the price
#: row, 237–295 px (285–388 px) with "show all" too.
CONTROLS_ROOM = {1: (115, 115), 2: (190, 240), 3: (230, 280)}

#: A click on a point selects it, and the page opens that model's page (the ranked bars are links).
OPEN_ON_CLICK: dict[str, Any] = {"on_select": "rerun", "selection_mode": "points"}


def open_model(event: Any) -> None:
    """Open the page of the model a click selected, if any."""
    chosen = picked_model(event["selection"]["points"]) if event else None
    if chosen is not None:
        st.switch_page("pages/model.py", query_params={"id": chosen[0], "provider": chosen[1]})


models, view = state.open_page("Charts", "charts")
rows = visible_models(models.models, view)
share = view.output_share
about = (
    f"**{len(rows):,} of {counted(len(models), 'model')}**, as filtered in {SIDE_PANEL}. Blended = "
    f"{100 - view.output_share_pct}% input + {view.output_share_pct}% output. Hover a bar or point for its id "
    "and prices, click it to open its page; on the plots, drag to zoom and double-click to reset."
)

if not rows:
    st.caption(about)
    st.info(f"No model matches these filters, so there is nothing to chart. Loosen a filter in {SIDE_PANEL}.")
else:
    state.seed_widgets(view, CHART_WIDGETS, "charts")
    # A second click on the chosen chart or price unselects it: back to the default, shown selected.
    if st.session_state.get("c_chart") not in CHARTS:
        st.session_state["c_chart"] = "ranked"
    if st.session_state.get("c_metric") not in METRICS:
        st.session_state["c_metric"] = "blended"
    view = state.read_widgets(view, CHART_WIDGETS)
    chart, metric, log = view.chart, view.chart_metric, view.log_scale
    # The caption now, the controls after the chart: into its room above it, so the chart does not move.
    controls = st.container(key="chart_controls")
    controls.caption(about)
    picker = controls.container()
    price_controls = controls.container() if chart in ("ranked", "size") else None
    show_all = controls.container() if chart == "ranked" and len(rows) > DEFAULT_BARS else None
    controls.html(keep_room("chart_controls", *CONTROLS_ROOM[1 + bool(price_controls) + bool(show_all)]))
    points = cheapest(rows, metric, share, MAX_POINTS) if len(rows) > MAX_POINTS else rows

    if chart == "ranked":
        shown = min(len(rows), MAX_BARS if view.all_bars else DEFAULT_BARS)
        if shown < len(rows):
            st.caption(f"The {shown} cheapest of {len(rows):,} models by {METRICS[metric].lower()} price.")
        st.html(ranked_bars(rows, metric, share, log, limit=shown))
    elif chart in ("scatter", "size"):
        if len(points) < len(rows):
            st.caption(f"The {len(points):,} cheapest of {len(rows):,} models: filter to see others.")
        if chart == "scatter":
            open_model(st.plotly_chart(price_scatter(points, share), key="scatter", config=CONFIG, **OPEN_ON_CLICK))
            st.caption("Marker area grows with parameters; a hollow diamond is a model of unknown size.")
        else:
            open_model(
                st.plotly_chart(price_vs_params(points, metric, share), key="size", config=CONFIG, **OPEN_ON_CLICK)
            )
    else:
        size_filtered = view.min_params_b is not None or view.max_params_b is not None
        chosen, bound = frontier_models(rows, size_filtered)
        if bound is not None:
            st.info(
                f"Drawn for the {counted(len(chosen), 'model')} of at least {bound:g}B parameters (unknown sizes "
                "left out): among all models the smallest tend to be the cheapest at every mix, which says "
                f"little. To choose other sizes, set **Parameters, billions** in {SIDE_PANEL}.",
                icon=":material/filter_alt:",
            )
        if chosen:
            contenders = frontier_candidates(chosen)  # exact: the others are never cheapest nor runner-up
            segments = frontier_segments(contenders)
            st.markdown(
                "At output share *s*, a model costs (1 − *s*) × input + *s* × output per 1M tokens. Which model "
                "is cheapest changes with your mix; the switch points below are computed exactly, not sampled."
            )
            st.plotly_chart(frontier_figure(frontier_points(contenders), segments), key="frontier", config=CONFIG)
            if len(segments) == 1:
                only = code_span(segments[0].record.model)
                st.caption(f"One model, {only}, is the cheapest at every mix among these models.")
            st.html(frontier_table(segments))
        else:
            st.warning(f"No model of known size passes these filters: set a size range in {SIDE_PANEL}.")

    state.show_content_first()
    # The controls, drawn after the chart into their places above it (and below it, "show all").
    if show_all is not None:
        show_all.toggle(f"Show all {min(len(rows), MAX_BARS):,}", key="c_all")
    picker.segmented_control("Chart", list(CHARTS), format_func=CHARTS.__getitem__, key="c_chart")
    if price_controls is not None:
        metric_column, log_column = price_controls.columns([3, 1], vertical_alignment="bottom")
        metric_column.segmented_control("Price", list(METRICS), format_func=METRICS.__getitem__, key="c_metric")
        if chart == "ranked":
            log_column.toggle("Log scale", key="c_log")
state.show_content_first()
sidebar.filter_sidebar(models, sort=False)  # the charts rank by price
state.publish(view, "charts")
