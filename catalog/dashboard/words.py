"""The dashboard's sentences: what a budget does for a model, and where the side panel is on any screen."""

from __future__ import annotations

from catalog.costs import usd
from catalog.words import counted
from catalog.workload import WorkloadCost

#: Where the filters, the upload and the unlock live, in words true on a phone too (its side panel is folded
#: away behind the » button at the top left).
SIDE_PANEL = "the side panel (on a phone, » at the top left opens it)"


def budget_note(line: WorkloadCost) -> str:
    """What a monthly budget does for one model: the requests it buys, and its headroom or overrun."""
    left = line.budget_left_usd_per_month or 0.0
    buys = line.requests_per_month_in_budget
    bought = "buys unlimited requests (they are free)" if buys is None else f"buys {counted(buys, 'request')} a month"
    fit = f"fits with {usd(left)} to spare" if left >= 0 else f"is {usd(-left)} a month short"
    return f"The budget {bought}; this workload {fit}."
