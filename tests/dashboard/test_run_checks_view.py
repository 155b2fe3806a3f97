"""The Runs page's per-prompt grid (catalog/dashboard/run_checks.py): every repetition counts, not the first."""

from __future__ import annotations

from catalog.dashboard.run_checks import prompt_pass_frame
from catalog.runs.checks import CheckResult
from catalog.runs.grading import TrialVerdict
from catalog.runs.trials import RunPrompt, Trial

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
