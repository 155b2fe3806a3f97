"""Compare: what a workload costs per request, day and month on each model, with savings and a budget."""

from __future__ import annotations

import streamlit as st

from catalog.costs import usd
from catalog.dashboard.figures import CONFIG, monthly_cost_bars
from catalog.dashboard.html_table import html_stats, keep_room
from catalog.dashboard.tables import costs_frame, models_in_scope, picked_models, to_csv, visible_models
from catalog.dashboard.view import MAX_BUDGET_USD, MAX_REQUESTS, MAX_TOKENS, SCOPES
from catalog.dashboard.words import SIDE_PANEL
from catalog.dashboard.workload_table import (
    CHART_BARS,
    chart_lines,
    picked_stat,
    shown_note,
    table_title,
    workload_summary,
    workload_table,
)
from catalog.runs.report import costs_with_measured
from catalog.words import counted
from catalog.workload import DAYS_PER_MONTH, PERIODS, PRESETS, estimate_tokens, preset, workload_costs
from pages.common import measure, run_checks, sidebar, state

WORKLOAD_WIDGETS = {
    "w_in": "input_tokens",
    "w_out": "output_tokens",
    "w_req": "requests",
    "w_per": "period",
    "w_base": "baseline",
    "w_budget": "budget_usd",
    "w_scope": "scope",
}
CUSTOM = "Custom"
#: The link parameters of the workload: a shared Compare link always carries them.
WORKLOAD_PARAMS = ("in", "out", "req", "per")


def _apply_preset() -> None:
    chosen = st.session_state["w_preset"]
    if chosen != CUSTOM:
        st.session_state["w_in"], st.session_state["w_out"] = preset(chosen).input_tokens, preset(chosen).output_tokens


def _use_estimate() -> None:
    st.session_state["w_in"], st.session_state["w_preset"] = (
        estimate_tokens(st.session_state["w_prompt"]).tokens,
        CUSTOM,
    )


models, view = state.open_page("Compare workload cost", "compare", always=WORKLOAD_PARAMS)
state.seed_widgets(view, WORKLOAD_WIDGETS, "compare")
view = state.read_widgets(view, WORKLOAD_WIDGETS)  # the form's values, known before it is drawn (after the results)
filtered = visible_models(models.models, view)
picked = picked_models(models.models, view.picks)
chosen = models_in_scope(view.scope, models.models, filtered, picked)
workload = view.workload()
baseline = models.find(view.baseline) if view.baseline else None
lines = workload_costs(chosen, workload, baseline, view.budget_usd)

summary, form, tokens = st.container(), st.container(key="compare_form"), st.container()
# The form's room while its widgets load, so the results below stay put: drawn, it takes 330–394 px side by
# side and 750–788 px stacked on a phone.
form.html(keep_room("compare_form", 320, 740))
form.caption("Your workload: the answer above and the table below follow it.")
(tokens_from, tokens_picker), marks = measure.tokens_choice(), None  # a run's measured tokens, or the assumed pair
if tokens_from is not None:
    pairs = costs_with_measured(chosen, workload, tokens_from, baseline, view.budget_usd)
    lines, marks = [line for line, _ in pairs], ["measured" if is_measured else "assumed" for _, is_measured in pairs]
with summary:  # sent first: a phone's first screen shows the answer above the form
    st.html(workload_summary(workload, lines))
if view.scope == "picked" and not picked:
    st.info("No models are picked yet: pick up to 4 on **Browse**. Showing the filtered models meanwhile.")
st.caption(
    f"A month is **{DAYS_PER_MONTH} days**: {workload.requests_per_day:,.0f} requests a day = "
    f"{workload.requests_per_month:,.0f} a month, each {workload.input_tokens:,} tokens in + "
    f"{workload.output_tokens:,} out. Savings are against the baseline (negative = costs more)."
)
side = st.container()
if not lines:
    st.info(f"No model to price: loosen the filters in {SIDE_PANEL}, or pick models on Browse.")
else:
    st.subheader(table_title(len(lines), view))
    st.html(workload_table(lines, marks, view, always=WORKLOAD_PARAMS))  # a header click sorts; the link keeps it
    if note := shown_note(len(lines), view):
        st.caption(note)
    frame = costs_frame(lines)
    if marks is not None:
        frame.insert(2, "tokens", marks)
    st.download_button("Download CSV", to_csv(frame), "workload-costs.csv", "text/csv")
    if view.budget_usd is not None:
        fits = sum(1 for line in lines if (line.budget_left_usd_per_month or 0) >= 0)
        st.caption(
            f"Budget: {usd(view.budget_usd)} a month; {fits} of {counted(len(lines), 'model')} fit it. The last "
            "columns say how many requests it buys on each, and what it leaves (negative: the overrun)."
        )
    chart = st.container()  # filled last: the form's widgets load before the chart's JavaScript

side_by_side = workload_costs(picked, workload, baseline, view.budget_usd)
if tokens_from is not None:
    side_by_side = [line for line, _ in costs_with_measured(picked, workload, tokens_from, baseline, view.budget_usd)]
if side_by_side:
    with side:
        st.subheader("Picked, side by side")
        st.html(html_stats([picked_stat(line, view.baseline) for line in side_by_side], label="Picked"))
with side:
    run_checks.show_compare_ranking()  # issue 19: only when a run with checks exists

state.show_content_first()  # the form, the chart and the sidebar's filters follow the answer and the table
with form:  # drawn after the results, shown above them: a first visit sees the results, then the form
    shape, volume = st.columns(2)
    with shape:
        st.selectbox("Preset", [CUSTOM, *(p.name for p in PRESETS)], key="w_preset", on_change=_apply_preset)
        tokens_in, tokens_out = st.columns(2)
        tokens_in.number_input("Input tokens per request", min_value=0, max_value=MAX_TOKENS, step=100, key="w_in")
        tokens_out.number_input("Output tokens per request", min_value=0, max_value=MAX_TOKENS, step=100, key="w_out")
    with volume:
        count, period = st.columns([3, 2], vertical_alignment="bottom")
        count.number_input("Requests", min_value=0, max_value=MAX_REQUESTS, step=1_000, key="w_req")
        period.radio("Per", PERIODS, key="w_per", horizontal=True, format_func=lambda p: f"per {p}")
        base, budget = st.columns(2)
        base.selectbox("Baseline model", [r.model for r in models.models], index=None, key="w_base", placeholder="none")
        budget.number_input(
            "Monthly budget, USD", 0.0, MAX_BUDGET_USD, value=None, step=10.0, key="w_budget", placeholder="none"
        )
    with st.popover("Estimate input tokens from a sample prompt", icon=":material/calculate:"):
        st.text_area("Paste a prompt", key="w_prompt", height=120)
        estimate = estimate_tokens(st.session_state.get("w_prompt", ""))
        st.caption(
            f"≈ **{estimate.tokens:,} tokens** — approximate: {estimate.rule}. {estimate.characters:,} characters."
        )
        st.button("Use as input tokens", on_click=_use_estimate, disabled=not estimate.characters)
counts = {"picked": len(view.picks), "filtered": len(filtered), "all": len(models)}
with form:
    st.radio("Models", SCOPES, key="w_scope", horizontal=True, format_func=lambda s: f"{s.title()} ({counts[s]})")
with tokens:
    tokens_picker()
if lines:
    with chart:
        bars = lines if st.session_state.get("w_chart_all") else chart_lines(lines, view.picks, view.baseline)
        if len(lines) > CHART_BARS:
            st.toggle(f"Show all {counted(len(lines), 'model')} in the chart", key="w_chart_all",
                      help=f"Off: the cheapest {CHART_BARS}, with the picked and the baseline models")  # fmt: skip
        st.plotly_chart(monthly_cost_bars(bars, view.baseline), key="monthly", config=CONFIG)
sidebar.filter_sidebar(models, sort=False, blend=False)  # its headers sort; tokens, not a blend
state.publish(view, "compare", always=WORKLOAD_PARAMS)  # the link names the workload even at its defaults
