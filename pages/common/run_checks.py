"""The Runs page's answer checks (issue 19), drawn from the view-model in `catalog/dashboard/run_checks.py`:
nothing is shown for a run without checks."""

from __future__ import annotations

import streamlit as st

from catalog.dashboard.run_checks import (
    answer_checks_frame,
    pass_cost_figure,
    pass_frame,
    pass_rates_for_model,
    prompt_pass_frame,
    ranked_by_cost_per_pass,
)
from catalog.dashboard.runs import run_label
from catalog.history import StoreError
from catalog.runs.check_store import CheckStore, graded_run_report, runs_with_checks
from catalog.runs.grading import DEFAULT_MIN_PASS_RATE, best_sentence
from catalog.runs.report import RunReport
from catalog.runs.store import TrialStore
from catalog.runs.trials import Run, Trial
from pages.common.spending import visitor
from pages.common.store import history_store

MIN_PASS_KEY = "runs_min_pass"


def min_pass_rate() -> float:
    """The least pass rate the visitor asks of the best model (the slider's, read before the report is built)."""
    return float(st.session_state.get(MIN_PASS_KEY, DEFAULT_MIN_PASS_RATE))


def show_checks(trials: TrialStore, run: Run, report: RunReport, run_trials: list[Trial]) -> None:
    """Pass rate and cost per passing answer per model, the front and the best model, and per prompt who passed."""
    if report.grading is None:
        return
    st.subheader("Is the cheaper model good enough?")
    st.slider("Least pass rate for the best model", 0.0, 1.0, DEFAULT_MIN_PASS_RATE, 0.05, key=MIN_PASS_KEY,
              format="%.2f")  # fmt: skip
    st.text(best_sentence(report.grading))  # model ids are untrusted: literal text
    st.dataframe(pass_frame(report), hide_index=True, key="runs_pass",
                 column_config={"model": st.column_config.TextColumn("model", pinned=True)})  # fmt: skip
    st.plotly_chart(pass_cost_figure(report), key="runs_pass_chart")
    checks = CheckStore(trials.store)
    verdicts = checks.verdicts(run.id)
    prompts = trials.prompts(run.id)
    checked = frozenset(checks.prompt_checks(run.id))
    st.caption("Per prompt, which models passed (with repeats, how many of their answers did):")
    st.dataframe(prompt_pass_frame(prompts, run.models, run_trials, verdicts, checked), hide_index=True,
                 key="runs_prompt_pass")  # fmt: skip
    with st.expander("Each answer's check results", icon=":material/fact_check:"):
        failing = st.toggle("Only answers that did not pass", key="runs_failing")
        st.dataframe(answer_checks_frame(prompts, verdicts, failing), hide_index=True, key="runs_answer_checks",
                     column_config={"reasons": st.column_config.TextColumn("reasons", width="large")})  # fmt: skip


def _checked_runs(model: tuple[str, str] | None = None) -> tuple[TrialStore | None, list[Run]]:
    """This visitor's runs (and the shared ones) with checks, those that ran `model` when given, newest first; none
    when the store is unreadable."""
    store, _ = history_store()
    if store is None:
        return None, []
    trials = TrialStore(store)
    try:
        return trials, runs_with_checks(trials, visitor().owner, model)
    except StoreError:
        return None, []


def show_model_pass_rates(provider: str, model: str) -> None:
    """The model's page: its pass rates in past runs with checks (nothing when it was never checked)."""
    trials, found = _checked_runs((provider, model))
    if trials is None or not found:
        return
    reports = [graded_run_report(trials, run, trials.trials(run.id, with_text=False)) for run in found]
    frame = pass_rates_for_model(reports, provider, model)
    if not frame.empty:
        st.subheader("Pass rates in your runs")
        st.caption("How often its answers passed the checks of your own prompts (the Runs page has the details).")
        st.dataframe(frame, hide_index=True, key="model_pass_rates")


def show_compare_ranking() -> None:
    """Compare: the models of a chosen run with checks, ranked by cost per passing answer."""
    trials, found = _checked_runs()
    if trials is None or not found:
        return
    by_id = {run.id: run for run in found}
    st.subheader("Cost per passing answer")
    chosen = st.selectbox(
        "Rank by cost per passing answer from a run", [None, *by_id], key="compare_pass_run",
        format_func=lambda i: "choose a run with checks" if i is None else run_label(by_id[i]),
    )  # fmt: skip
    if chosen is None:
        return
    report = graded_run_report(trials, by_id[chosen], trials.trials(chosen, with_text=False))
    if report.grading is not None:
        st.text(best_sentence(report.grading))
    st.dataframe(ranked_by_cost_per_pass(report), hide_index=True, key="compare_pass_ranking")
