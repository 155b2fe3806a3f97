"""Charts: the market at a glance, for the models the Browse filters let through."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from catalog.dashboard.figures import (
    MAX_BARS,
    MAX_POINTS,
    METRICS,
    cheapest,
    frontier_figure,
    price_bars,
    price_scatter,
    price_vs_params,
)
from catalog.dashboard.tables import frontier_candidates, frontier_frame, visible_models
from catalog.dashboard.words import counted
from catalog.frontier import frontier_points, frontier_segments
from catalog.literal import code_span
from pages.common import sidebar, state

CHART_WIDGETS = {"c_metric": "chart_metric", "c_log": "log_scale"}
COLUMNS = {
    "from_output_pct": st.column_config.NumberColumn("From output %", format="%.2f%%"),
    "to_output_pct": st.column_config.NumberColumn("To output %", format="%.2f%%"),
    "cheapest": st.column_config.TextColumn("Cheapest model(s)", width="large"),
    "input_usd_per_mtok": st.column_config.NumberColumn("Input $/1M", format="$%.3f"),
    "output_usd_per_mtok": st.column_config.NumberColumn("Output $/1M", format="$%.3f"),
}

models, view = state.open_page("Charts", "charts")
rows = visible_models(models.models, view)
share = view.output_share
st.caption(
    f"**{len(rows):,} of {counted(len(models), 'model')}**, as filtered in the sidebar. Blended = "
    f"{100 - view.output_share_pct}% input + {view.output_share_pct}% output. Hover a point for its id and prices."
)

if not rows:
    st.info("No model matches these filters, so there is nothing to chart. Loosen a filter in the sidebar.")
else:
    state.seed_widgets(view, CHART_WIDGETS, "charts")
    metric_column, log_column = st.columns([3, 1], vertical_alignment="bottom")
    metric_column.segmented_control("Price", list(METRICS), format_func=METRICS.__getitem__, key="c_metric")
    log_column.toggle("Log scale", key="c_log")
    view = state.read_widgets(view, CHART_WIDGETS)
    if view.chart_metric not in METRICS:  # a second click on the chosen price unselects it
        view = replace(view, chart_metric="blended")
    metric, log = view.chart_metric, view.log_scale

    st.subheader("1. Ranked prices")
    if len(rows) > MAX_BARS:
        st.caption(f"The {MAX_BARS} cheapest of {len(rows):,} models by {METRICS[metric].lower()} price.")
    st.plotly_chart(price_bars(rows, metric, share, log), key="bars")

    points = cheapest(rows, metric, share, MAX_POINTS) if len(rows) > MAX_POINTS else rows
    if len(points) < len(rows):
        st.caption(f"Charts 2 and 3 show the {len(points):,} cheapest of {len(rows):,} models: filter to see others.")
    st.subheader("2. Input vs output price")
    st.plotly_chart(price_scatter(points, share), key="scatter")

    st.subheader("3. Price vs parameter count")
    st.plotly_chart(price_vs_params(points, metric, share), key="size")

    st.subheader("4. The cheapest-model frontier")
    contenders = frontier_candidates(rows)  # exact: the others are never cheapest nor runner-up
    segments = frontier_segments(contenders)
    st.markdown(
        "At output share *s*, a model costs (1 − *s*) × input + *s* × output per 1M tokens. Which model is "
        "cheapest changes with your mix; the switch points below are computed exactly, not sampled."
    )
    st.plotly_chart(frontier_figure(frontier_points(contenders), segments), key="frontier")
    if len(segments) == 1:
        st.caption(
            f"One model, {code_span(segments[0].record.model)}, is the cheapest at every mix among these models."
        )
    st.dataframe(
        frontier_frame(segments),
        hide_index=True,
        column_config=COLUMNS,
        key="frontier_table",
    )
sidebar.filter_sidebar(models)
state.publish(view, "charts")
