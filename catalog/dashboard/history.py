"""The Changes page's data: the changes as an HTML table, biggest movers first, and a price history step chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from catalog.costs import usd
from catalog.dashboard.html_table import Cell, Column, html_table
from catalog.dashboard.model_page import price_text
from catalog.history import Change, PriceRange

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Days of changes the Changes page shows unless told otherwise.
DEFAULT_DAYS = 30
_DIRECTION = {"added": "+ added", "removed": "- removed"}


@dataclass(frozen=True, slots=True)
class ChangeCounts:
    up: int
    down: int
    added: int
    removed: int


def count_changes(changes: Sequence[Change]) -> ChangeCounts:
    moves = [change.move_pct for change in changes if change.change == "price"]
    return ChangeCounts(
        up=sum(1 for move in moves if move is not None and move > 0),
        down=sum(1 for move in moves if move is not None and move < 0),
        added=sum(1 for change in changes if change.change == "added"),
        removed=sum(1 for change in changes if change.change == "removed"),
    )


def history_link(model: str, provider: str) -> str:
    """The Changes page with this model's history chart open."""
    return "/changes?" + urlencode({"hist": model, "hist_provider": provider})


def biggest_movers_first(changes: Sequence[Change]) -> list[Change]:
    """Price moves by the size of their biggest move, then additions and removals, newest first within each."""
    newest = sorted(changes, key=lambda change: change.date, reverse=True)
    return sorted(newest, key=lambda change: -abs(change.move_pct or 0.0) if change.change == "price" else 0.0)


def change_rows(changes: Sequence[Change]) -> list[dict[str, str]]:
    """One row per change, biggest movers first: what moved, which way, by how much, old and new prices, and a
    link to its history."""
    rows = []
    for change in biggest_movers_first(changes):
        move = change.move_pct
        if change.change == "price":
            direction = "▲ up" if (move or 0) > 0 else "▼ down" if (move or 0) < 0 else "◆ mixed"
        else:
            direction = _DIRECTION[change.change]
        rows.append(
            {
                "date": change.date.isoformat(),
                "provider": change.provider,
                "model": change.model,
                "change": direction,
                "move": _signed_percent(move) if move is not None else "",
                "input": _pair(change.old_input, change.new_input),
                "output": _pair(change.old_output, change.new_output),
                "history": history_link(change.model, change.provider),
            }
        )
    return rows


def _signed_percent(value: float) -> str:
    """`+20.0%`, `−25.0%` (a true minus, as the money columns write it), `0.0%`."""
    text = f"{abs(value):.1f}%"
    return text if text == "0.0%" else ("+" if value > 0 else "\u2212") + text


CHANGE_COLUMNS = (
    Column("Model", help="Open its price history", pinned=True),
    Column("Change"),
    Column("Move", help="The bigger of the two price moves", numeric=True),
    Column("Input $/1M", numeric=True),
    Column("Output $/1M", numeric=True),
    Column("Date"),
    Column("Provider"),
)
RANGE_COLUMNS = (Column("From"), Column("To"), Column("Input $/1M", numeric=True), Column("Output $/1M", numeric=True))


def changes_table(changes: Sequence[Change]) -> str:
    """The changes as an HTML table for `st.html`, biggest movers first; a model's name opens its price history."""
    rows = [
        [
            Cell(row["model"], href=row["history"], title=f"{row['model']} on {row['provider']}: its price history"),
            row["change"],
            row["move"] or None,
            row["input"] or None,
            row["output"] or None,
            row["date"],
            row["provider"],
        ]
        for row in change_rows(changes)
    ]
    return html_table(CHANGE_COLUMNS, rows, label="Price changes")


def ranges_table(ranges: Sequence[PriceRange]) -> str:
    """A model's price ranges as an HTML table, oldest first, the current one "(current)"."""
    rows = [
        [
            item.from_date.isoformat(),
            item.to_date.isoformat() if item.to_date else "(current)",
            price_text(item.input_usd_per_mtok),
            price_text(item.output_usd_per_mtok),
        ]
        for item in ranges
    ]
    return html_table(RANGE_COLUMNS, rows, label="Price history", max_height=None)


def _pair(old: float | None, new: float | None) -> str:
    if old is None:
        return usd(new) if new is not None else ""
    if new is None or new == old:
        return usd(old)
    return f"{usd(old)} → {usd(new)}"


def history_figure(ranges: Sequence[PriceRange], until: dt.date) -> go.Figure:
    """Input and output price over time as steps; the hover gives each range's exact dates and price.

    The model id is not in the figure (it is page text and plotly would read markup in it); the page shows it.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    ordered = sorted(ranges, key=lambda item: item.from_date)
    for name, pick in (("Input", 0), ("Output", 1)):
        xs: list[dt.date | None] = []
        ys: list[float | None] = []
        hovers: list[str | None] = []
        for index, item in enumerate(ordered):
            if index and ordered[index - 1].to_date != item.from_date:  # a gap: the model was not listed
                xs.append(None)
                ys.append(None)
                hovers.append(None)
            value = item.prices[pick]
            end = item.to_date or max(until, item.from_date)
            span = f"from {item.from_date} to {item.to_date} (exclusive)" if item.to_date else f"since {item.from_date}"
            text = f"{name} {usd(value)} per 1M tokens<br>{span}"
            xs += [item.from_date, end]
            ys += [value, value]
            hovers += [text, text]
        figure.add_trace(
            go.Scatter(
                x=xs, y=ys, name=name, mode="lines+markers", line_shape="hv", connectgaps=False,
                customdata=hovers, hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
    figure.update_layout(
        title="Price history, USD per 1M tokens",
        height=420,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        yaxis={"tickprefix": "$", "rangemode": "tozero"},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.15},
    )
    return figure
