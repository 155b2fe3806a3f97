"""Prices per 1M tokens down a column, on a bar or on an axis: one shape, so they line up and compare at a glance.

A provider page writes $0.00625 beside $0.0225 and $0.10; a column of those reads as noise. Here every price under
a dollar keeps exactly three significant digits, zeros kept ($0.00625, $0.0225, $0.0350, $0.100), and a price from
a dollar up shows its cents ($1.20, $15.00). Three digits, not two: every page price of the embedded catalog has at
most three, so none is rounded, and two would show the $0.0345 and $0.035 models as the same $0.035. A blended
price rounded here keeps its exact value in the cell's tooltip.
"""

from __future__ import annotations

import math

from catalog.costs import price_text, usd
from catalog.dashboard.html_table import Cell

#: Significant digits a price under a dollar shows in a column.
PRICE_DIGITS = 3
#: What a column says for a price of zero (as provider pages write it).
FREE = "Free"


def column_price(usd_per_mtok: float) -> str:
    """A price in a column's shape: $0.00625, $0.0350, $0.100, $1.20; zero is $0.00 (an axis tick)."""
    return usd(usd_per_mtok, 2, significant=PRICE_DIGITS, fixed=True)


def price_cell(usd_per_mtok: float, mark: str = "") -> Cell:
    """A table cell of a price in the column's shape ("Free" at zero), `mark` after it (the cheapest host's ★);
    where the shape rounds the price, its exact value is the cell's tooltip."""
    if usd_per_mtok == 0:
        return Cell(FREE + mark)
    shown = column_price(usd_per_mtok)
    exact = price_text(usd_per_mtok)
    rounded = abs(float(shown.lstrip("\u2212$").replace(",", "")) - abs(usd_per_mtok)) > 1e-12
    return Cell(shown + mark, title=f"{exact} exactly" if rounded else None)


def nice_step(rough: float) -> float:
    """The round step (1, 2, 2.5 or 5 times a power of ten) at or above `rough`."""
    magnitude = 10.0 ** math.floor(math.log10(rough))
    return next(
        round(factor * magnitude, 12) for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= rough * (1 - 1e-9)
    )
