"""Compare's results as plain HTML: what a workload costs on each model, cheapest first, with the savings
against a baseline and what a monthly budget buys (those columns only when one is set)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode

from catalog.costs import usd
from catalog.dashboard.html_table import Cell, Column, Stat, html_link, html_table
from catalog.dashboard.model_page import model_link, short_name
from catalog.dashboard.names import phone_names
from catalog.dashboard.prices import price_cell
from catalog.dashboard.tables import window_text
from catalog.dashboard.view import COMPARE_SORTS, DashboardView, to_params
from catalog.dashboard.words import budget_note
from catalog.limits import window_of
from catalog.literal import html_text
from catalog.words import counted
from catalog.workload import Workload, WorkloadCost

#: The table's name, for screen readers and tests.
LABEL = "Workload costs"
#: Rows drawn at most (the cheapest): a page stays light with any catalog; the CSV holds every model.
SHOWN_ROWS = 200
MINUS = "\u2212"


#: Below this, an amount shows two significant digits (zeros kept), so a column's small amounts line up.
SMALL_USD = 0.1


def money(value: float | Decimal) -> str:
    """Dollars to the cent, or to exactly two significant digits below 10 cents: $63.00, −$877.50, $0.018,
    $0.000090 (beside $0.000055: one shape down a column)."""
    return usd(value, 2, significant=2, fixed=True) if -SMALL_USD < value < SMALL_USD else usd(value, 2)


def per_request(value: float | Decimal) -> str:
    """A request's cost, in the same shape as every other amount of the table."""
    return money(value)


def percent(value: float) -> str:
    """`89.9%`, `−41.0%` with a true minus."""
    text = f"{abs(value):.1f}%"
    return f"{MINUS}{text}" if value < 0 and text != "0.0%" else text


def workload_summary(workload: Workload, lines: Sequence[WorkloadCost]) -> str:
    """One line of HTML above the form, for `st.html`: the workload, and the cheapest model's monthly cost for
    it (its name linking to its page). HTML, not markdown: sent first, it has the browser fetch the code that
    draws HTML before the form's widgets', so the results table below them shows sooner."""
    shape = html_text(
        f"{workload.input_tokens:,} in + {workload.output_tokens:,} out tokens × "
        f"{counted(round(workload.requests), 'request')} a {workload.period}"
    )
    if not lines:
        return f'<p class="lpc-summary">{shape}: no model to price.</p>'
    too_small = context_warning(workload, lines)
    fitting = next((line for line in lines if line.fits), None)
    if fitting is None:
        return f'<p class="lpc-summary">{shape}: no priced model has a context window that holds it. {too_small}</p>'
    cheapest = fitting.record
    name = html_link(Cell(short_name(cheapest.model), model_link(cheapest.model, cheapest.provider), cheapest.model))
    unknown = too_small and window_of(cheapest) is None
    return (
        f'<p class="lpc-summary">{shape}: cheapest is <strong>{name}</strong>'
        f"{' (its context window is unknown)' if unknown else ''} at "
        f"<strong>{html_text(money(fitting.per_month_usd))} a month</strong> "
        f"({html_text(counted(len(lines), 'model'))} priced below).{' ' + too_small if too_small else ''}</p>"
    )


def context_warning(workload: Workload, lines: Sequence[WorkloadCost]) -> str:
    """HTML: how many models cannot hold one request in their context window, left out of "cheapest"."""
    short = sum(1 for line in lines if not line.fits)
    if not short:
        return ""
    tokens = workload.input_tokens + workload.output_tokens
    return html_text(
        f"⚠ {counted(short, 'model')} cannot hold {tokens:,} tokens a request in {'its' if short == 1 else 'their'} "
        "context window: marked in the table and never counted as the cheapest."
    )


def context_cell(line: WorkloadCost) -> Cell | str | None:
    """A line's context window as the table shows it (the column shows only when some request overflows one):
    `too small: 40,960` where a request overflows it, else the window that holds it (`320k`), or `unknown`."""
    if line.overflowed_window is not None:
        return Cell(f"too small: {line.overflowed_window:,}", title="One request's tokens exceed this context window")
    window = window_of(line.record)
    if window is None:
        return Cell("unknown", title="No source we know states this model's context window: it may not hold a request")
    return Cell(window_text(window), title=f"{window:,} tokens: one request fits")


def workload_columns(lines: Sequence[WorkloadCost], tokens: bool) -> list[Column]:
    """The columns the rows fill: savings only with a baseline, budget columns only with a budget. No id column:
    the name links to the model's page, its full id in the tooltip, so every row stays one line. Where a screen
    (wider than a phone) has no room for every column, the cost a day hides first, then the ratio to the cheapest,
    then the prices (`Column.hide`); never the column the table is sorted by."""
    baseline = any(line.savings_usd_per_month is not None for line in lines)
    budget = any(line.budget_left_usd_per_month is not None for line in lines)
    return [
        Column("#", "Rank by cost, cheapest first", numeric=True),
        Column("Model", "Open the model's page (hover a name for its full id)", pinned=True),
        *([Column("Tokens", "Measured by the chosen run, or assumed above")] if tokens else []),
        *(
            [Column("Context", "Where one request overflows the model's context window")]
            if _any_too_small(lines)
            else []
        ),
        Column("Per month", numeric=True),
        Column("Per request", numeric=True),
        Column("Per day", numeric=True, hide=1),
        Column("Input $/1M", "Price per 1M input tokens", numeric=True, hide=3),
        Column("Output $/1M", "Price per 1M output tokens", numeric=True, hide=3),
        Column("× cheapest", "This model's cost over the cheapest one's", numeric=True, hide=2),
        *(
            [
                Column("Saves $/mo", "vs the baseline (negative: costs more)", numeric=True),
                Column("Saves %", "vs the baseline (negative: costs more)", numeric=True),
            ]
            if baseline
            else []
        ),
        *(
            [
                Column("Req/mo in budget", "Requests a month the budget buys", numeric=True),
                Column(
                    "Budget left $/mo",
                    "What the budget leaves each month; negative: by how much it is over",
                    numeric=True,
                ),
            ]
            if budget
            else []
        ),
    ]


#: The column each of Compare's orders (`COMPARE_SORTS`) sorts by, by its header.
SORTED_HEADER = {
    "month": "Per month",
    "request": "Per request",
    "day": "Per day",
    "input": "Input $/1M",
    "output": "Output $/1M",
    "model": "Model",
}


def sorted_columns(columns: Sequence[Column], view: DashboardView, always: Collection[str] = ()) -> list[Column]:
    """The headers that sort: each a link to the same view sorted by its column (the other way round when it is
    already; the link keeps the workload, `always`), the sorted one marked ▲ or ▼."""
    by_label = {label: key for key, label in SORTED_HEADER.items()}
    shown = []
    for column in columns:
        key = by_label.get(column.label)
        if key is None:
            shown.append(column)
            continue
        again = key == view.compare_sort
        target = replace(view, compare_sort=key, compare_descending=not view.compare_descending if again else False)
        column = replace(column, href="?" + urlencode(to_params(target, always), doseq=True))
        if again:
            order = "descending" if view.compare_descending else "ascending"
            column = replace(
                column,
                hide=0,  # the order the reader chose stays in view
                label=f"{column.label} {'▼' if view.compare_descending else '▲'}",
                help=f"{column.help + '. ' if column.help else ''}Sorted by this column, {order} (click to reverse)",
            )
        shown.append(column)
    return shown


def sort_lines(lines: Sequence[WorkloadCost], key: str, descending: bool = False) -> list[tuple[int, WorkloadCost]]:
    """The lines with their rank by cost (1: the cheapest, as `lines` come), in the order `key` of `COMPARE_SORTS`
    says; ties keep the cost order, either way."""
    ranked = list(enumerate(lines, start=1))
    if key not in COMPARE_SORTS:
        raise ValueError(f"cannot sort Compare by {key!r}; choose one of: {', '.join(COMPARE_SORTS)}")
    if key == "model":
        return sorted(ranked, key=lambda pair: short_name(pair[1].record.model).casefold(), reverse=descending)
    return sorted(ranked, key=lambda pair: _sort_value(pair[1], key), reverse=descending)


def _sort_value(line: WorkloadCost, key: str) -> float | Decimal:
    if key == "input":
        return line.record.input_usd_per_mtok
    if key == "output":
        return line.record.output_usd_per_mtok
    return {"month": line.per_month_usd, "request": line.per_request_usd, "day": line.per_day_usd}[key]


def workload_rows(
    lines: Sequence[WorkloadCost], marks: Sequence[str] | None = None, ranks: Sequence[int] | None = None
) -> list[list[Cell | str | None]]:
    """One row per line, in the order of `workload_columns(lines, marks is not None)`; `ranks` are the lines' ranks
    by cost (by default their order)."""
    baseline = any(line.savings_usd_per_month is not None for line in lines)
    budget = any(line.budget_left_usd_per_month is not None for line in lines)
    too_small = _any_too_small(lines)
    rows: list[list[Cell | str | None]] = []
    phone = phone_names(line.record.model for line in lines)
    for index, line in enumerate(lines):
        record = line.record
        link = model_link(record.model, record.provider)
        row: list[Cell | str | None] = [
            str(ranks[index] if ranks is not None else index + 1),
            Cell(short_name(record.model), link, title=record.model, short=phone[record.model]),
        ]
        if marks is not None:
            row.append(marks[index])
        if too_small:
            row.append(context_cell(line))
        row += [
            money(line.per_month_usd),
            per_request(line.per_request_usd),
            money(line.per_day_usd),
            price_cell(record.input_usd_per_mtok),
            price_cell(record.output_usd_per_mtok),
            None if line.times_cheapest is None else f"{line.times_cheapest:,.2f}×",
        ]
        if baseline:
            saved, pct = line.savings_usd_per_month, line.savings_pct
            row += [None if saved is None else money(saved), None if pct is None else percent(pct)]
        if budget:
            count, left = line.requests_per_month_in_budget, line.budget_left_usd_per_month
            bought = Cell("unlimited", title="Requests are free on this model") if count is None else f"{count:,}"
            row += [bought, None if left is None else money(left)]
        rows.append(row)
    return rows


def _any_too_small(lines: Sequence[WorkloadCost]) -> bool:
    return any(not line.fits for line in lines)


def workload_table(
    lines: Sequence[WorkloadCost],
    marks: Sequence[str] | None = None,
    view: DashboardView | None = None,
    always: Collection[str] = (),
) -> str:
    """Compare's results table for `st.html`: `lines` (cheapest first) in the order `view` sorts them, the first
    `SHOWN_ROWS`, its headers links that sort (keeping the parameters named in `always`); `marks` says per line
    whether a run's tokens were used."""
    ordered = list(enumerate(lines, start=1))
    if view is not None:
        ordered = sort_lines(lines, view.compare_sort, view.compare_descending)
    shown = ordered[:SHOWN_ROWS]
    picked = [line for _, line in shown]
    columns = workload_columns(picked, marks is not None)
    if view is not None:
        columns = sorted_columns(columns, view, always)
    rows = workload_rows(
        picked, None if marks is None else [marks[rank - 1] for rank, _ in shown], [rank for rank, _ in shown]
    )
    return html_table(columns, rows, label=LABEL)  # the page scrolls, not the table


def _order(view: DashboardView) -> str:
    if view.compare_sort in ("month", "request", "day"):  # one order: a request's cost, times a fixed count
        return "dearest first" if view.compare_descending else "cheapest first"
    return f"by {COMPARE_SORTS[view.compare_sort]}{', descending' if view.compare_descending else ''}"


def table_title(count: int, view: DashboardView) -> str:
    """The table's heading: how many models, in what order ("52 models, cheapest first", "…, by input price")."""
    return f"{counted(count, 'model')}, {_order(view)}"


def shown_note(count: int, view: DashboardView) -> str | None:
    """The note under a table cut at `SHOWN_ROWS` rows, or None when every row shows."""
    if count <= SHOWN_ROWS:
        return None
    if _order(view) == "cheapest first":
        return f"The cheapest {SHOWN_ROWS} of {counted(count, 'model')}; the CSV holds them all."
    return f"The first {SHOWN_ROWS} of {counted(count, 'model')}, {_order(view)}; the CSV holds them all."


def picked_stat(line: WorkloadCost, baseline: str | None) -> Stat:
    """A picked model, side by side with the others: its monthly cost, how it compares with the baseline (green
    when cheaper), its cost a request and a day, and what the budget does for it."""
    label = line.record.model + (" (baseline)" if line.record.model == baseline else "")
    notes = []
    good = None
    if line.savings_pct is not None and line.record.model != baseline:
        notes.append(f"{percent(-line.savings_pct)} vs baseline")
        good = line.savings_pct > 0
    notes.append(f"{per_request(line.per_request_usd)} per request · {money(line.per_day_usd)} per day")
    if line.budget_left_usd_per_month is not None:
        notes.append(budget_note(line))
    return Stat(label, f"{money(line.per_month_usd)}/month", tuple(notes), good)


#: Bars Compare's monthly chart draws unless "show all" is on: the cheapest, plus the picked and the baseline.
CHART_BARS = 15


def chart_lines(
    lines: Sequence[WorkloadCost], picks: Sequence[str], baseline: str | None, limit: int = CHART_BARS
) -> list[WorkloadCost]:
    """The cheapest `limit` lines, then any picked or baseline model further down, in cost order."""
    wanted = set(picks) | ({baseline} if baseline else set())
    return [line for rank, line in enumerate(lines) if rank < limit or line.record.model in wanted]
