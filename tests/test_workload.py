"""Workload cost arithmetic: the figures the Compare page shows, checked by hand to the cent."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from catalog.sources import load_catalog
from catalog.workload import (
    DAYS_PER_MONTH,
    PRESETS,
    Workload,
    estimate_tokens,
    preset,
    requests_within_budget,
    savings,
    workload_costs,
)

CATALOG = load_catalog()
R1_0528 = CATALOG.find("deepseek-ai/DeepSeek-R1-0528")
#: The issue's case: 2,000 input + 500 output tokens, 10,000 requests a day.
ISSUE_WORKLOAD = Workload(input_tokens=2_000, output_tokens=500, requests=10_000, period="day")


def cost_of(model: str, lines: list) -> object:
    return next(line for line in lines if line.record.model == model)


def test_a_month_is_thirty_days():
    assert DAYS_PER_MONTH == 30
    assert ISSUE_WORKLOAD.requests_per_month == 300_000
    assert Workload(2_000, 500, 300_000, "month").requests_per_day == 10_000


def test_issue_workload_costs_match_a_hand_computation_to_the_cent():
    lines = workload_costs(CATALOG.models, ISSUE_WORKLOAD, baseline=R1_0528, budget_usd_per_month=100)
    # DeepSeek-R1-0528 at $0.50 in / $2.15 out: (2,000 × 0.50 + 500 × 2.15) / 1M = $0.002075 a request.
    # Exact, not to the cent only: every amount is the Decimal a hand computation gives.
    r1 = cost_of("deepseek-ai/DeepSeek-R1-0528", lines)
    assert r1.per_request_usd == Decimal("0.002075")
    assert r1.per_day_usd == Decimal("20.75")
    assert r1.per_month_usd == Decimal("622.50")
    assert r1.savings_usd_per_month == 0
    # phi-4 at $0.07 / $0.14: $0.00021 a request, $2.10 a day, $63.00 a month; saves $559.50 (89.88%).
    phi = cost_of("microsoft/phi-4", lines)
    assert (phi.per_day_usd, phi.per_month_usd) == (Decimal("2.10"), Decimal("63.00"))
    assert phi.savings_usd_per_month == Decimal("559.50")
    assert round(phi.savings_pct, 2) == 89.88
    assert phi.requests_per_month_in_budget == 476_190  # $100 / $0.00021
    # GLM-5.2 at $1.40 / $4.40: $0.005 a request, $1,500 a month: $877.50 more than the baseline.
    glm = cost_of("zai-org/GLM-5.2", lines)
    assert glm.per_month_usd == Decimal("1500.00")
    assert glm.savings_usd_per_month == Decimal("-877.50")


def test_costs_are_ranked_cheapest_first_with_multipliers_of_the_cheapest():
    lines = workload_costs(CATALOG.models, ISSUE_WORKLOAD)
    months = [line.per_month_usd for line in lines]
    assert months == sorted(months)
    assert lines[0].record.model == "meta-llama/Llama-3.2-1B-Instruct"
    assert lines[0].per_month_usd == Decimal("4.50")
    assert lines[0].times_cheapest == 1.0
    assert lines[-1].times_cheapest == pytest.approx(0.005 / 0.000015)
    assert all(line.savings_usd_per_month is None and line.requests_per_month_in_budget is None for line in lines)


def test_a_baseline_outside_the_compared_models_still_gives_savings():
    phi = [record for record in CATALOG.models if record.model == "microsoft/phi-4"]
    (line,) = workload_costs(phi, ISSUE_WORKLOAD, baseline=R1_0528)
    assert line.savings_usd_per_month == Decimal("559.50")


def test_monthly_request_volume_gives_the_same_month_as_its_daily_equivalent():
    daily = workload_costs([R1_0528], ISSUE_WORKLOAD)[0]
    monthly = workload_costs([R1_0528], Workload(2_000, 500, 300_000, "month"))[0]
    assert monthly.per_month_usd == daily.per_month_usd == Decimal("622.50")
    assert monthly.per_day_usd == daily.per_day_usd == Decimal("20.75")


def test_budget_counts_whole_requests_and_free_requests_have_no_limit():
    assert requests_within_budget(0.001, 10) == 10_000
    assert requests_within_budget(0.003, 10) == 3_333
    assert requests_within_budget(0.0, 10) is None
    with pytest.raises(ValueError):
        requests_within_budget(0.001, -1)


def test_savings_against_a_free_baseline_have_no_percentage():
    assert savings(5.0, 0.0) == (-5.0, None)
    assert savings(25.0, 100.0) == (75.0, 75.0)


def test_workloads_reject_negative_counts_and_unknown_periods():
    with pytest.raises(ValueError):
        Workload(-1, 10, 10)
    with pytest.raises(ValueError):
        Workload(1, 10, 10, "week")  # type: ignore[arg-type]


def test_token_estimate_is_characters_over_four_rounded_up():
    text = "Summarise the attached report in three bullet points."
    estimate = estimate_tokens(text)
    assert estimate.tokens == math.ceil(len(text) / 4) == 14
    assert "4 characters per token" in estimate.rule
    assert estimate_tokens("").tokens == 0


def test_presets_cover_the_issue_list_and_are_found_by_name():
    names = [item.name for item in PRESETS]
    assert names == ["Chat turn", "RAG answer", "Long-document summary", "Code generation", "Batch classification"]
    assert preset("RAG answer").input_tokens > preset("Chat turn").input_tokens
    with pytest.raises(KeyError):
        preset("nope")
