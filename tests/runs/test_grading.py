"""Pass statistics (catalog/runs/grading.py) and the chart's Pareto front (catalog/dashboard/run_checks.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from catalog.dashboard.run_checks import Point, pareto_front
from catalog.runs.checks import CheckResult
from catalog.runs.grading import Grade, TrialVerdict, best_model, grade
from catalog.runs.trials import Trial


def trial(number: int, outcome: str = "ok", cost: float | None = 0.01, model: str = "m") -> Trial:
    return Trial("P", model, outcome, run_id=1, prompt_number=number, repetition=0, cost_usd=cost)


def verdict(number: int, passed: bool | None, judge_cost: float | None = None, model: str = "m") -> TrialVerdict:
    return TrialVerdict((number, 0, "P", model), (CheckResult("judge", passed),), passed, 1, None, None, judge_cost)


def test_a_grade_counts_failed_requests_as_checked_and_leaves_not_judged_out_of_the_rate():
    trials = [trial(0), trial(1), trial(2), trial(3, "upstream_error", None), trial(4)]  # prompt 4 has no checks
    verdicts = {v.cell: v for v in (verdict(0, True, 0.001), verdict(1, None, 0.002), verdict(2, False))}
    found = grade(trials, frozenset({0, 1, 2, 3}), verdicts)
    assert found.checked == 4 and found.passed == 1 and found.not_judged == 1
    assert found.pass_rate == 1 / 3  # pass, fail, failed request; the undecided one left out
    assert found.cost_per_pass_usd == 0.04  # every trial's cost, the unchecked one's too, over one pass
    assert found.judge_cost_usd == 0.003


def test_an_ungraded_ok_trial_is_not_judged_and_no_pass_means_no_cost_per_pass():
    found = grade([trial(0), trial(1)], frozenset({0, 1}), {verdict(0, False).cell: verdict(0, False)})
    assert (found.passed, found.not_judged, found.pass_rate, found.cost_per_pass_usd) == (0, 1, 0.0, None)


def g(rate: float | None, cost: float | None) -> Grade:
    return Grade(10, 5, 0, rate, cost, 0.0)


def test_best_is_the_cheapest_per_pass_among_those_good_enough_and_its_runner_up():
    grades = {("P", "a"): g(0.5, 0.01), ("P", "b"): g(0.95, 0.04), ("P", "c"): g(1.0, 0.1), ("P", "d"): None}
    best = best_model(grades, 0.9)
    assert best is not None and best.model == "b" and best.runner_up == ("P", "c") and best.times_cheaper == 2.5
    looser = best_model(grades, 0.5)
    assert looser is not None and looser.model == "a"
    strict = best_model(grades, 1.0)
    assert strict is not None and strict.model == "c" and strict.runner_up is None
    assert best_model({("P", "a"): g(0.5, 0.01), ("P", "e"): g(None, None)}, 0.9) is None


points = st.lists(
    st.builds(Point, st.just("P"), st.text(min_size=1, max_size=3), st.floats(0, 1), st.floats(1e-9, 1.0)),
    max_size=12,
)


@given(points)
def test_the_front_holds_exactly_the_models_no_other_beats_on_both_counts(found):
    front = pareto_front(found)

    def beaten(p: Point) -> bool:
        return any(
            q.pass_rate >= p.pass_rate
            and q.cost_per_pass_usd <= p.cost_per_pass_usd
            and (q.pass_rate, q.cost_per_pass_usd) != (p.pass_rate, p.cost_per_pass_usd)
            for q in found
        )

    assert sorted(map(id, front)) == sorted(id(p) for p in found if not beaten(p))
    rates = [p.pass_rate for p in front]
    assert rates == sorted(rates)
    # Along the front, a higher pass rate never costs less per pass (else the cheaper one would beat the other).
    assert all(
        a.cost_per_pass_usd <= b.cost_per_pass_usd
        for a, b in zip(front, front[1:], strict=False)
        if a.pass_rate < b.pass_rate
    )
