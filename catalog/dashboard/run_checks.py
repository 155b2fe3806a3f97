"""The Runs page's answer checks (issue 19): pass rate and cost per passing answer per model, the cost-vs-pass-rate
chart with its Pareto front and the best model, and per prompt which models passed and why not.

Read from a run's graded report (`catalog.runs.check_store.graded_run_report`: a `RunReport` with its `Grading`)
and its stored verdicts; every model id, label and reason is untrusted text, escaped for plotly (`html_text`) and never
given to markdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.costs import usd
from catalog.literal import html_text
from catalog.runs.grading import Cell, Grade, TrialVerdict
from catalog.runs.report import ModelSummary, RunReport
from catalog.runs.trials import RunPrompt, Trial

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

MISSING = "—"
VERDICT_MARKS = {True: "✓ pass", False: "✗ fail", None: "? not judged"}


def graded_lines(report: RunReport) -> list[tuple[ModelSummary, Grade]]:
    """Each model's line with its grade, in the report's order (none for a run without checks)."""
    if report.grading is None:
        return []
    return list(zip(report.models, report.grading.grades, strict=True))


def _passed(grade: Grade) -> str:
    """Passes of the decided answers, "3 of 4" (a judge's failure is neither)."""
    return f"{grade.passed} of {grade.checked - grade.not_judged}"


def _money(value: float | None) -> str:
    return MISSING if value is None else usd(value, 6, significant=3)


def _share(value: float | None) -> str:
    return MISSING if value is None else f"{value:.0%}"


def pass_frame(report: RunReport) -> pd.DataFrame:
    """Per model: passes of the decided answers, pass rate, cost per passing answer, the judge's cost."""
    import pandas as pd

    rows = [
        {
            "model": line.model,
            "provider": line.provider,
            "passed": _passed(grade),
            "pass rate": _share(grade.pass_rate),
            "cost per passing answer": _money(grade.cost_per_pass_usd),
            "not judged": grade.not_judged,
            "judge cost": _money(grade.judge_cost_usd),
        }
        for line, grade in graded_lines(report)
    ]
    return pd.DataFrame(rows, columns=["model", "provider", "passed", "pass rate", "cost per passing answer",
                                       "not judged", "judge cost"])  # fmt: skip


@dataclass(frozen=True, slots=True)
class Point:
    provider: str
    model: str
    pass_rate: float
    cost_per_pass_usd: float


def points(report: RunReport) -> list[Point]:
    """The models with a pass rate and a cost per passing answer (a model that passed nothing has no cost per pass)."""
    return [
        Point(line.provider, line.model, grade.pass_rate, grade.cost_per_pass_usd)
        for line, grade in graded_lines(report)
        if grade.pass_rate is not None and grade.cost_per_pass_usd is not None
    ]


def pareto_front(found: Sequence[Point]) -> list[Point]:
    """The models no other beats on both counts (a higher or equal pass rate for less or the same cost per pass,
    better on one), by pass rate ascending: the line a user picks along."""
    front = [
        p
        for p in found
        if not any(
            q.pass_rate >= p.pass_rate
            and q.cost_per_pass_usd <= p.cost_per_pass_usd
            and (q.pass_rate > p.pass_rate or q.cost_per_pass_usd < p.cost_per_pass_usd)
            for q in found
        )
    ]
    return sorted(front, key=lambda p: (p.pass_rate, p.cost_per_pass_usd))


def pass_cost_figure(report: RunReport) -> go.Figure:
    """Cost per passing answer against pass rate, one point per model, the Pareto front drawn as a line, the
    least pass rate asked as a dashed line and the best model ringed."""
    import plotly.graph_objects as go

    found = points(report)
    front = pareto_front(found)
    best = None if report.grading is None else report.grading.best
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[p.pass_rate for p in front], y=[p.cost_per_pass_usd for p in front], mode="lines",
            name="Pareto front", line={"dash": "dot", "width": 2}, hoverinfo="skip",
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=[p.pass_rate for p in found],
            y=[p.cost_per_pass_usd for p in found],
            mode="markers+text",
            name="models",
            text=[html_text(p.model, 40) for p in found],
            # Left of points near 100%, so a label stays inside the plot on a phone.
            textposition=["top left" if p.pass_rate > 0.7 else "top center" for p in found],
            customdata=[[html_text(p.model), _money(p.cost_per_pass_usd)] for p in found],
            hovertemplate="%{customdata[0]}<br>%{x:.0%} pass<br>%{customdata[1]} per passing answer<extra></extra>",
            marker={"size": 12},
        )
    )
    if best is not None:
        figure.add_trace(
            go.Scatter(
                x=[best.pass_rate], y=[best.cost_per_pass_usd], mode="markers", name="best",
                marker={"size": 22, "symbol": "circle-open", "line": {"width": 3}}, hoverinfo="skip",
            )
        )  # fmt: skip
    top = max((p.cost_per_pass_usd for p in found), default=1.0) * 1.3 or 1.0
    if report.grading is not None:
        figure.add_vline(x=report.grading.min_pass_rate, line={"dash": "dash", "width": 1})
    figure.update_layout(
        xaxis={"title": "pass rate", "range": [-0.05, 1.08], "tickformat": ".0%"},
        yaxis={"title": "cost per passing answer (USD)", "range": [0, top], "tickprefix": "$", "exponentformat": "e"},
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def prompt_pass_frame(
    prompts: Sequence[RunPrompt],
    models: Sequence[tuple[str, str]],
    trials: Sequence[Trial],
    verdicts: Mapping[Cell, TrialVerdict],
    checked: frozenset[int],
) -> pd.DataFrame:
    """Per checked prompt: each model's verdict, and how many passed. With one repetition a cell is that answer's
    mark; with several (`--repeat`), every repetition counts: "2/3 passed", plus how many were not judged or got
    no answer (each answer's reasons are in `answer_checks_frame`)."""
    import pandas as pd

    outcome = {(t.prompt_number, t.repetition, t.provider, t.model): t for t in trials}
    repeat = max((t.repetition or 0 for t in trials), default=0) + 1
    rows = []
    for prompt in prompts:
        if prompt.number not in checked:
            continue
        row: dict[str, str] = {"prompt": prompt.label}
        passes = 0
        for provider, model in models:
            cells: list[Cell] = [(prompt.number, repetition, provider, model) for repetition in range(repeat)]
            marks = [_answer_mark(outcome.get(cell), verdicts.get(cell)) for cell in cells]
            passes += marks.count(VERDICT_MARKS[True])
            row[model] = marks[0] if repeat == 1 else _repetitions_cell(marks)
        whole = len(models) * repeat
        row["passed"] = f"{passes} of {whole}" if repeat == 1 else f"{passes} of {whole} answers"
        rows.append(row)
    return pd.DataFrame(rows, columns=["prompt", *(model for _, model in models), "passed"])


NOT_RUN, NO_ANSWER = "not run", "✗ no answer"


def _answer_mark(trial: Trial | None, verdict: TrialVerdict | None) -> str:
    if trial is None:
        return NOT_RUN
    if not trial.ok:
        return NO_ANSWER
    return VERDICT_MARKS[None if verdict is None else verdict.passed]


def _repetitions_cell(marks: Sequence[str]) -> str:
    """A model's answers to one prompt over its repetitions: "2/3 passed", then what was not judged or not answered."""
    if all(mark == NOT_RUN for mark in marks):
        return NOT_RUN
    shown = f"{marks.count(VERDICT_MARKS[True])}/{len(marks)} passed"
    for mark, said in ((VERDICT_MARKS[None], "not judged"), (NO_ANSWER, "no answer"), (NOT_RUN, "not run")):
        if marks.count(mark):
            shown += f" · {marks.count(mark)} {said}"
    return shown


def answer_checks_frame(
    prompts: Sequence[RunPrompt], verdicts: Mapping[Cell, TrialVerdict], failing_only: bool = False
) -> pd.DataFrame:
    """Every graded answer with each check's result and reason (the full reason shows on hover); optionally only
    the answers that did not pass."""
    import pandas as pd

    labels = {prompt.number: prompt.label for prompt in prompts}
    rows = []
    for (number, repetition, provider, model), verdict in sorted(verdicts.items()):
        if failing_only and verdict.passed is True:
            continue
        rows.append(
            {
                "prompt": labels.get(number, f"prompt {number + 1}"),
                "repetition": repetition + 1,
                "model": model,
                "provider": provider,
                "verdict": VERDICT_MARKS[verdict.passed],
                "checks": " · ".join(f"{r.type} {VERDICT_MARKS[r.passed].split()[0]}" for r in verdict.results),
                "reasons": " · ".join(r.reason for r in verdict.results if r.reason) or MISSING,
            }
        )
    return pd.DataFrame(rows, columns=["prompt", "repetition", "model", "provider", "verdict", "checks", "reasons"])


def pass_rates_for_model(reports: Sequence[RunReport], provider: str, model: str) -> pd.DataFrame:
    """The model's page: its pass rate and cost per passing answer in each past run with checks, newest first."""
    import pandas as pd

    rows = [
        {
            "run": f"#{report.run.id} · {report.run.name}",
            "passed": _passed(grade),
            "pass rate": _share(grade.pass_rate),
            "cost per passing answer": _money(grade.cost_per_pass_usd),
        }
        for report in reports
        for line, grade in graded_lines(report)
        if line.provider == provider and line.model == model and grade.checked
    ]
    return pd.DataFrame(rows, columns=["run", "passed", "pass rate", "cost per passing answer"])


def ranked_by_cost_per_pass(report: RunReport) -> pd.DataFrame:
    """Compare's ranking from a chosen run: the models by cost per passing answer, cheapest first (models that
    passed nothing last)."""
    import pandas as pd

    lines = [(line, grade) for line, grade in graded_lines(report) if grade.checked]
    lines.sort(key=lambda pair: (pair[1].cost_per_pass_usd is None, pair[1].cost_per_pass_usd or 0.0))
    rows = [
        {
            "rank": rank,
            "model": line.model,
            "provider": line.provider,
            "cost per passing answer": _money(grade.cost_per_pass_usd),
            "pass rate": _share(grade.pass_rate),
        }
        for rank, (line, grade) in enumerate(lines, start=1)
    ]
    return pd.DataFrame(rows, columns=["rank", "model", "provider", "cost per passing answer", "pass rate"])
