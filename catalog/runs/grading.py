"""Pass statistics of a run: per model how many answers passed their checks, what a passing answer cost, and
which model is the cheapest that is good enough (issue 19).

Pure arithmetic over trials and their verdicts; the report, the CLI's table and the Runs page share it.

The definitions, written once here:
- `checked`: the model's trials whose prompt carries checks, whatever their outcome: a request that failed is
  an answer that did not come, so it counts as checked and not passed;
- `not_judged`: checked ok trials whose verdict is undecided (a judge that timed out, answered no verdict, or
  would have passed the budget; a regex out of time), or not graded yet;
- `pass_rate`: `passed / (checked - not_judged)`: a judge's failure is neither a pass nor a fail of the answer;
- `cost_per_pass_usd`: the measured cost of all the model's trials (checked or not) divided by its passes;
- `judge_cost_usd`: what judging the model's answers cost, kept apart from the answers' own cost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.costs import exact_sum, report_usd, usd
from catalog.runs.checks import CheckResult
from catalog.runs.trials import Trial

#: `--min-pass-rate`'s default: the best model is the cheapest per passing answer among those passing this share.
DEFAULT_MIN_PASS_RATE = 0.9
GRADE_FIELDS = ("checked", "passed", "not_judged", "pass_rate", "cost_per_pass_usd", "judge_cost_usd")

Cell = tuple[int, int, str, str]  # (prompt number, repetition, provider, model)


@dataclass(frozen=True, slots=True)
class TrialVerdict:
    """What the checks said of one ok trial's answer in one judging, with what the judge's calls cost."""

    cell: Cell
    results: tuple[CheckResult, ...]
    passed: bool | None
    judging: int = 1
    judge_input_tokens: int | None = None
    judge_output_tokens: int | None = None
    judge_cost_usd: float | None = None

    def results_json(self) -> str:
        return json.dumps([result.to_json() for result in self.results], ensure_ascii=False)


def results_from_json(text: str) -> tuple[CheckResult, ...]:
    items = json.loads(text)
    return tuple(CheckResult(str(item["type"]), item["passed"], str(item.get("reason", ""))) for item in items)


@dataclass(frozen=True, slots=True)
class Grade:
    """One model's pass statistics in a run with checks."""

    checked: int
    passed: int
    not_judged: int
    pass_rate: float | None
    cost_per_pass_usd: float | None
    judge_cost_usd: float

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "passed": self.passed,
            "not_judged": self.not_judged,
            "pass_rate": None if self.pass_rate is None else round(self.pass_rate, 6),
            "cost_per_pass_usd": self.cost_per_pass_usd,
            "judge_cost_usd": self.judge_cost_usd,
        }


def grade(trials: Sequence[Trial], checked_prompts: frozenset[int], verdicts: Mapping[Cell, TrialVerdict]) -> Grade:
    """One model's grade from its trials, which prompts carry checks, and the verdicts of one judging."""
    checked = [t for t in trials if t.prompt_number in checked_prompts]
    found = [verdicts.get(_cell(t)) if t.ok else None for t in checked]
    passes = sum(1 for verdict in found if verdict is not None and verdict.passed is True)
    undecided = sum(1 for t, v in zip(checked, found, strict=True) if t.ok and (v is None or v.passed is None))
    decided = len(checked) - undecided
    cost = exact_sum(t.cost_usd for t in trials)
    judge_cost = exact_sum(verdict.judge_cost_usd for verdict in found if verdict is not None)
    return Grade(
        checked=len(checked),
        passed=passes,
        not_judged=undecided,
        pass_rate=passes / decided if decided else None,
        cost_per_pass_usd=report_usd(cost / passes) if passes else None,
        judge_cost_usd=report_usd(judge_cost),
    )


@dataclass(frozen=True, slots=True)
class Best:
    """The cheapest model per passing answer among those good enough, and the runner-up it beats."""

    provider: str
    model: str
    pass_rate: float
    cost_per_pass_usd: float
    runner_up: tuple[str, str] | None = None
    times_cheaper: float | None = None

    def to_json(self) -> dict[str, Any]:
        """`{"provider", "model", "pass_rate", "cost_per_pass_usd"}`, plus `runner_up` and `times_cheaper` when
        another model is good enough."""
        found: dict[str, Any] = {
            "provider": self.provider,
            "model": self.model,
            "pass_rate": round(self.pass_rate, 6),
            "cost_per_pass_usd": self.cost_per_pass_usd,
        }
        if self.runner_up is not None:
            found["runner_up"] = f"{self.runner_up[0]}:{self.runner_up[1]}"
            found["times_cheaper"] = None if self.times_cheaper is None else round(self.times_cheaper, 4)
        return found


def best_model(grades: Mapping[tuple[str, str], Grade | None], min_pass_rate: float) -> Best | None:
    """The lowest cost per passing answer among models whose pass rate is at least `min_pass_rate`; None when
    none qualifies. The runner-up is the next qualifying model (ties keep the run's order of models)."""
    good = [
        (g.cost_per_pass_usd, name, g)
        for name, g in grades.items()
        if g is not None and g.cost_per_pass_usd is not None and (g.pass_rate or 0.0) >= min_pass_rate
    ]
    if not good:
        return None
    ranked = sorted(good, key=lambda item: item[0])
    cost, (provider, model), top = ranked[0]
    runner_up, times = None, None
    if len(ranked) > 1:
        runner_up = ranked[1][1]
        times = ranked[1][0] / cost if cost > 0 else None
    assert top.pass_rate is not None
    return Best(provider, model, top.pass_rate, cost, runner_up, times)


@dataclass(frozen=True, slots=True)
class Grading:
    """A run's pass statistics from one judging: each model's grade, in the report's order of models, the best
    model at `min_pass_rate`, and which judging they come from (None: no answer graded yet)."""

    grades: tuple[Grade, ...]
    best: Best | None
    min_pass_rate: float
    judging: int | None

    @property
    def judge_cost_usd(self) -> float:
        """What judging every model's answers cost, apart from the answers' own cost (exact, as a report's number)."""
        return report_usd(exact_sum(grade.judge_cost_usd for grade in self.grades))

    def to_json(self) -> dict[str, Any]:
        """The report's top-level keys: `judge_cost_usd`, `best`, `min_pass_rate`, `judging`."""
        return {
            "judge_cost_usd": self.judge_cost_usd,
            "best": None if self.best is None else self.best.to_json(),
            "min_pass_rate": self.min_pass_rate,
            "judging": self.judging,
        }


#: A report's top-level keys for a run without checks: all null.
NO_GRADING_JSON: dict[str, Any] = dict.fromkeys(("judge_cost_usd", "best", "min_pass_rate", "judging"))


def grading_for(
    models: Sequence[tuple[str, str]],
    trials: Iterable[Trial],
    checked_prompts: frozenset[int],
    verdicts: Mapping[Cell, TrialVerdict],
    min_pass_rate: float = DEFAULT_MIN_PASS_RATE,
    judging: int | None = None,
) -> Grading | None:
    """The grades of `models` (a report's order) from their trials, which prompts carry checks, and the verdicts of
    one judging; None when no prompt carries checks (the run is as it was before checks existed)."""
    if not checked_prompts:
        return None
    grouped: dict[tuple[str, str], list[Trial]] = {}
    for trial in trials:
        grouped.setdefault((trial.provider, trial.model), []).append(trial)
    grades = {name: grade(grouped.get(name, []), checked_prompts, verdicts) for name in models}
    best = best_model(dict(grades), min_pass_rate)
    return Grading(tuple(grades[name] for name in models), best, min_pass_rate, judging)


def _cell(trial: Trial) -> Cell:
    return (trial.prompt_number or 0, trial.repetition or 0, trial.provider, trial.model)


def best_sentence(grading: Grading) -> str:
    """A run's answer to "is the cheaper model good enough?" in one plain sentence: the best model, and by how much
    it beats the runner-up per passing answer (model ids literal: print it, or show it as text)."""
    rate = f"{grading.min_pass_rate:.0%}"
    judge = f"; judging cost {usd(grading.judge_cost_usd, 6)}" if grading.judge_cost_usd else ""
    best = grading.best
    if best is None:
        return f"Best: none; no model passed at least {rate} of its checked answers{judge}."
    sentence = (f"Best: {best.provider}:{best.model}, {usd(best.cost_per_pass_usd, 6, significant=3)} per "
                f"passing answer at a {best.pass_rate:.0%} pass rate (at least {rate} needed)")  # fmt: skip
    if best.runner_up is not None and best.times_cheaper is not None:
        runner_up = f"{best.runner_up[0]}:{best.runner_up[1]}"
        sentence += f"; {best.times_cheaper:.1f}× cheaper per passing answer than {runner_up}"
    return sentence + judge + "."
