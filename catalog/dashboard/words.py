"""The dashboard's sentences about numbers: what a budget does for a model."""

from __future__ import annotations

from catalog.costs import usd
from catalog.words import counted
from catalog.workload import WorkloadCost


def budget_note(line: WorkloadCost) -> str:
    """What a monthly budget does for one model: the requests it buys, and its headroom or overrun."""
    left = line.budget_left_usd_per_month or 0.0
    buys = line.requests_per_month_in_budget
    bought = "buys unlimited requests (they are free)" if buys is None else f"buys {counted(buys, 'request')} a month"
    fit = f"fits with {usd(left)} to spare" if left >= 0 else f"is {usd(-left)} a month short"
    return f"The budget {bought}; this workload {fit}."
