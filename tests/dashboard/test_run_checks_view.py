"""The Runs page's answer checks (catalog/dashboard/run_checks.py), read from the typed graded report: the per-prompt
grid (every repetition counts, not the first), the pass table, Compare's ranking, a model's pass rates, the chart
and the one sentence."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from catalog.dashboard.run_checks import (
    pass_cost_figure,
    pass_frame,
    pass_rates_for_model,
    points,
    prompt_pass_frame,
    ranked_by_cost_per_pass,
)
from catalog.runs.checks import CheckResult
from catalog.runs.grading import TrialVerdict, best_sentence, grading_for
from catalog.runs.report import RunReport, run_report
from catalog.runs.trials import Run, RunPrompt, RunSettings, Trial

PROMPTS = [RunPrompt(0, "france", "x", 10), RunPrompt(1, "unchecked", "y", 10)]
MODELS = [("P", "a"), ("P", "b")]


def answer(model: str, repetition: int, outcome: str = "ok") -> Trial:
    return Trial("P", model, outcome, run_id=1, prompt_number=0, repetition=repetition)


def verdict(model: str, repetition: int, passed: bool | None) -> TrialVerdict:
    return TrialVerdict((0, repetition, "P", model), (CheckResult("icontains", passed, ""),), passed)


def test_with_repeats_each_cell_counts_every_repetition():
    trials = [answer("a", 0), answer("a", 1), answer("a", 2), answer("b", 0), answer("b", 1, "upstream_error"),
              answer("b", 2)]  # fmt: skip
    verdicts = {v.cell: v for v in (verdict("a", 0, True), verdict("a", 1, False), verdict("a", 2, True),
                                    verdict("b", 0, True), verdict("b", 2, None))}  # fmt: skip
    frame = prompt_pass_frame(PROMPTS, MODELS, trials, verdicts, frozenset({0}))
    assert frame.to_dict("records") == [
        {"prompt": "france", "a": "2/3 passed", "b": "1/3 passed · 1 not judged · 1 no answer",
         "passed": "3 of 6 answers"},
    ]  # fmt: skip


def test_with_one_repetition_a_cell_is_the_answers_own_mark():
    trials = [answer("a", 0), answer("b", 0)]
    verdicts = {v.cell: v for v in (verdict("a", 0, True), verdict("b", 0, False))}
    frame = prompt_pass_frame(PROMPTS, MODELS, trials, verdicts, frozenset({0}))
    assert frame.to_dict("records") == [{"prompt": "france", "a": "✓ pass", "b": "✗ fail", "passed": "1 of 2"}]
    missing = prompt_pass_frame(PROMPTS, MODELS, [answer("a", 0)], {}, frozenset({0}))
    assert missing.to_dict("records") == [{"prompt": "france", "a": "? not judged", "b": "not run", "passed": "0 of 2"}]


GRADED_MODELS = (("P", "a"), ("P", "b"), ("P", "c"))
COSTS = {"a": 0.001, "b": 0.004, "c": 0.0005}
PASSES = {"a": (True, True), "b": (True, False), "c": (False, None)}  # c: one answer not judged
RUN = Run(7, "capitals", dt.datetime(2026, 12, 1, 10), "finished", 2, 1, GRADED_MODELS, RunSettings())


def graded(min_pass_rate: float = 0.5) -> RunReport:
    """Two checked prompts: a passes both at $0.001 each, b one of two at $0.004 each, c none (one not judged)."""
    trials = [Trial("P", m, "ok", "run", 7, n, 0, cost_usd=COSTS[m]) for _, m in GRADED_MODELS for n in (0, 1)]
    verdicts = {
        (n, 0, "P", m): TrialVerdict((n, 0, "P", m), (CheckResult("icontains", passed, ""),), passed, 1,
                                     judge_cost_usd=0.0002)
        for _, m in GRADED_MODELS
        for n, passed in enumerate(PASSES[m])
    }  # fmt: skip
    grading = grading_for(GRADED_MODELS, trials, frozenset({0, 1}), verdicts, min_pass_rate, 1)
    return replace(run_report(RUN, trials), grading=grading)


def test_the_pass_table_reads_each_models_grade_beside_its_line():
    assert pass_frame(graded()).to_dict("records") == [
        {"model": "a", "provider": "P", "passed": "2 of 2", "pass rate": "100%", "cost per passing answer": "$0.001",
         "not judged": 0, "judge cost": "$0.0004"},
        {"model": "b", "provider": "P", "passed": "1 of 2", "pass rate": "50%", "cost per passing answer": "$0.008",
         "not judged": 0, "judge cost": "$0.0004"},
        {"model": "c", "provider": "P", "passed": "0 of 1", "pass rate": "0%", "cost per passing answer": "—",
         "not judged": 1, "judge cost": "$0.0004"},
    ]  # fmt: skip
    assert pass_frame(replace(graded(), grading=None)).empty  # a run without checks shows no pass table


def test_the_sentence_names_the_best_model_its_runner_up_and_the_judging_cost():
    report = graded()
    assert report.grading is not None
    assert best_sentence(report.grading) == (
        "Best: P:a, $0.001 per passing answer at a 100% pass rate (at least 50% needed); 8.0× cheaper per passing "
        "answer than P:b; judging cost $0.0012."
    )
    strict = graded(1.0).grading
    assert (
        strict is not None
        and best_sentence(strict).startswith("Best: P:a, $0.001")
        and "cheaper" not in best_sentence(strict)
    )
    none = replace(report.grading, best=None)
    assert (
        best_sentence(none) == "Best: none; no model passed at least 50% of its checked answers; judging cost $0.0012."
    )


def test_compares_ranking_and_a_models_pass_rates_come_from_the_same_grades():
    ranked = ranked_by_cost_per_pass(graded())
    assert list(ranked["model"]) == ["a", "b", "c"] and list(ranked["cost per passing answer"]) == [
        "$0.001",
        "$0.008",
        "—",
    ]
    rates = pass_rates_for_model([graded(), replace(graded(), grading=None)], "P", "b")
    assert rates.to_dict("records") == [
        {"run": "#7 · capitals", "passed": "1 of 2", "pass rate": "50%", "cost per passing answer": "$0.008"}
    ]


def test_the_chart_plots_the_models_with_a_cost_per_pass_and_rings_the_best():
    report = graded()
    assert [(p.model, p.pass_rate, p.cost_per_pass_usd) for p in points(report)] == [
        ("a", 1.0, 0.001),
        ("b", 0.5, 0.008),
    ]
    figure = pass_cost_figure(report)
    ring = next(trace for trace in figure.data if trace.name == "best")
    assert (list(ring.x), list(ring.y)) == ([1.0], [0.001])
    assert figure.layout.shapes[0].x0 == 0.5  # the least pass rate asked, as a dashed line
