"""The dashboard's tables: the filtered, sorted model list and the workload cost table, with their exports."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from catalog.dashboard.html_table import Cell, Column
from catalog.dashboard.model_page import model_link, short_name
from catalog.dashboard.names import phone_names
from catalog.dashboard.prices import FREE, column_price, price_cell
from catalog.dashboard.view import DashboardView, to_params
from catalog.enrich import FLAG_LABELS
from catalog.formats.cells import LINE_END, csv_cell
from catalog.hosts import host_groups
from catalog.limits import limits_of
from catalog.query import filter_models, sort_models
from catalog.records import DECIMALS, ModelRecord, blended_price
from catalog.workload import WorkloadCost

if TYPE_CHECKING:
    import pandas as pd
    from pandas.io.formats.style import Styler

    from catalog.runs.report import Speed

#: Where the playground page lives; a model opens there with `?model=<id>`.
PLAYGROUND_PATH = "/playground"


def playground_link(model: str) -> str:
    """The playground URL for a model, the id percent-encoded."""
    return f"{PLAYGROUND_PATH}?model={quote(model, safe='')}"


#: Columns holding a size in billions of parameters.
SIZE_COLUMNS = ("params_b", "active_params_b")


def visible_models(records: Iterable[ModelRecord], view: DashboardView) -> list[ModelRecord]:
    """The models the view's filters let through, in the view's sort order."""
    rows = filter_models(records, view.model_filter())
    return sort_models(rows, view.sort, view.descending, view.output_share)


#: Columns that only link somewhere: shown on screen, left out of exports.
LINK_COLUMNS = ("name", "playground")


def host_counts(records: Iterable[ModelRecord]) -> dict[str, int]:
    """How many providers sell each model, by `model_key` (the same weights under any host's spelling)."""
    return {group.key: len(group.providers) for group in host_groups(records)}


def models_frame(
    records: Sequence[ModelRecord],
    output_share: float,
    *,
    with_provider: bool = False,
    hosts: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The model table as shown: a link to each model's page, prices blended at `output_share`, sizes, tags,
    flags and a playground link; with the provider, and how many providers sell the model (`hosts`), when given."""
    import pandas as pd

    columns: dict[str, list[object]] = {
        "name": [model_link(row.model, row.provider if with_provider else None) for row in records],
        "model": [row.model for row in records],
        "playground": [playground_link(row.model) for row in records],
    }
    if with_provider:
        columns["provider"] = [row.provider for row in records]
    if hosts is not None:
        columns["hosts"] = [hosts.get(row.model_key or row.model, 1) for row in records]
    columns |= {
        "vendor": [row.vendor for row in records],
        "input_usd_per_mtok": [row.input_usd_per_mtok for row in records],
        "output_usd_per_mtok": [row.output_usd_per_mtok for row in records],
        "blended_usd_per_mtok": [
            blended_price(row.input_usd_per_mtok, row.output_usd_per_mtok, output_share) for row in records
        ],
        "params_b": [row.params_b for row in records],
        "active_params_b": [row.active_params_b for row in records],
        "context_window": [_window(row) for row in records],
        "tags": [list(row.tags) for row in records],
        "flags": [", ".join(FLAG_LABELS.get(flag, flag) for flag in row.flags) for row in records],
    }
    frame = pd.DataFrame(columns)
    for name in ("params_b", "active_params_b"):
        frame[name] = frame[name].astype("Float64")
    frame["context_window"] = frame["context_window"].astype("Int64")
    return frame


def _window(record: ModelRecord) -> int | None:
    limits = limits_of(record)
    return limits.context_window if limits is not None else None


def window_text(tokens: int) -> str:
    """A context window as people say it: 128k (131,072 or 128,000 tokens), 1M, 200k, 33.3k; under 1,000 as is."""
    base = 1024 if tokens % 1024 == 0 and tokens % 1000 != 0 else 1000  # 131,072 is "128k", 128,000 too
    for unit, size in (("M", base * base), ("k", base)):
        if tokens >= size:
            value = tokens / size
            return f"{value:.3g}{unit}" if value < 100 else f"{round(value):,}{unit}"
    return f"{tokens:,}"


#: Browse's plain table holds at most this many rows (a first screen, fast to send); the grid holds them all.
HTML_ROWS = 200
#: An empty cell: the page or the model card does not say.
UNKNOWN = "—"
#: Browse's columns, in order: the short name pinned beside its key number (the blended price, so a phone shows
#: both on its first screen), the two prices, then the context window a price shopper asks about next. Every row is
#: one line, and the full id is left to the model's page, the link, the grid and the downloads. Where a screen
#: (wider than a phone) has no room for every column, as at 1440 px with the measured columns or several
#: providers, the least useful hide first (`Column.hide`): the active size (mostly empty, on the model's page),
#: the vendor (the id's first word, in the name's tooltip), the host count, the size, the tags.
BROWSE_COLUMNS = {
    "name": Column("Model", "Open the model's page", pinned=True),
    "blended": Column("Blended $/1M", "USD per 1M tokens at the Blend set under Filters", numeric=True),
    "input": Column("Input $/1M", "USD per 1M input tokens", numeric=True),
    "output": Column("Output $/1M", "USD per 1M output tokens", numeric=True),
    "context": Column("Context", "Context window, tokens (hover a value for its source)", numeric=True),
    "replies": Column("Replies", "Replies measured (playground, runs)", numeric=True),
    "ttft": Column("TTFT", "Measured time to first token, median", numeric=True),
    "speed": Column("Tok/s", "Measured output tokens per second, median", numeric=True),
    "try": Column("Try", "Open this model in the Playground"),
    "provider": Column("Provider"),
    "hosts": Column("Hosts", "Providers loaded here that sell the same weights", numeric=True, hide=3),
    "vendor": Column("Vendor", f"{UNKNOWN}: the id names no maker we know", hide=2),
    "params": Column(
        "Params (B)",
        f"Total parameters, billions ({UNKNOWN}: neither the id nor a model card says)",
        numeric=True,
        hide=4,
    ),
    "active": Column(
        "Active (B)",
        f"Active parameters per token ({UNKNOWN}: a dense model, or not published)",
        numeric=True,
        hide=1,
    ),
    "tags": Column("Tags", hide=5),
}
#: The mark a price cell carries where the page's price looks wrong (a data-quality flag, said in its tooltip).
FLAG_MARK = " ⚠"
#: The column each sort order (`catalog.query.SORT_KEYS`) sorts by.
SORTED_COLUMN = {
    "blended": "blended",
    "input": "input",
    "output": "output",
    "params": "params",
    "active": "active",
    "model": "name",
    "vendor": "vendor",
    "provider": "provider",
    "context": "context",
}
_MEASURED = ("replies", "ttft", "speed")
_SEVERAL = ("provider", "hosts")


def sort_marker(descending: bool) -> str:
    """The mark on the sorted column's header: ▼ for descending, ▲ for ascending."""
    return "▼" if descending else "▲"


def browse_table(
    records: Sequence[ModelRecord],
    view: DashboardView,
    *,
    hosts: Mapping[str, int] | None = None,
    speeds: Mapping[tuple[str, str], Speed] | None = None,
) -> tuple[list[Column], list[list[Cell | str | None]]]:
    """Browse's table for `html_table`: its columns (the sorted one marked ▲/▼) and one row per record, in order.

    With `hosts` (several providers loaded) the provider and its host count are shown and links name the
    provider; with `speeds` (the "Measured speed" toggle) the measured columns, empty where never measured. A price
    the page doubts (a data-quality flag) carries `FLAG_MARK`, what the flag means in the cell's tooltip.
    """
    shown = [
        name
        for name in BROWSE_COLUMNS
        if (name not in _MEASURED or speeds is not None) and (name not in _SEVERAL or hosts is not None)
    ]
    sorted_name = SORTED_COLUMN.get(view.sort)
    columns = [
        _marked(BROWSE_COLUMNS[name], view.descending) if name == sorted_name else BROWSE_COLUMNS[name]
        for name in shown
    ]
    columns = [_sorting(column, name, view) for column, name in zip(columns, shown, strict=True)]
    phone = phone_names(record.model for record in records)
    rows = []
    for record in records:
        cells = _browse_cells(record, view.output_share, hosts, speeds)
        cells["name"] = replace(cells["name"], short=phone[record.model]) if isinstance(cells["name"], Cell) else None
        rows.append([cells[name] for name in shown])
    return columns, rows


#: The sort order a header click sets, by column (the `name` column sorts by id, like the `model` one).
HEADER_SORT = {name: key for key, name in SORTED_COLUMN.items()} | {"name": "model"}


def _sorting(column: Column, name: str, view: DashboardView) -> Column:
    """A header that sorts by its column when clicked (the other way round when already sorted by it); the link
    keeps the rest of the view."""
    key = HEADER_SORT.get(name)
    if key is None:
        return column
    descending = not view.descending if key == view.sort else False
    link = "?" + urlencode(to_params(replace(view, sort=key, descending=descending)), doseq=True)
    return replace(column, href=link.rstrip("?") or "?")


def _marked(column: Column, descending: bool) -> Column:
    order = "descending" if descending else "ascending"
    return replace(
        column,
        hide=0,  # the order the reader chose stays in view
        label=f"{column.label} {sort_marker(descending)}",
        help=f"{column.help + '. ' if column.help else ''}Sorted by this column, {order} (click to reverse)",
    )


def _browse_cells(
    record: ModelRecord,
    output_share: float,
    hosts: Mapping[str, int] | None,
    speeds: Mapping[tuple[str, str], Speed] | None,
) -> dict[str, Cell | str | None]:
    provider = record.provider if hosts is not None else None
    try_link = playground_link(record.model) + (f"&provider={quote(record.provider, safe='')}" if provider else "")
    blended = blended_price(record.input_usd_per_mtok, record.output_usd_per_mtok, output_share)
    cells: dict[str, Cell | str | None] = {
        "name": Cell(
            short_name(record.model),
            href=model_link(record.model, provider),
            title=f"{record.model} · {record.provider}",
        ),
        "input": _flagged(price_cell(record.input_usd_per_mtok), record, "input"),
        "output": _flagged(price_cell(record.output_usd_per_mtok), record, "output"),
        "blended": price_cell(blended),
        "context": context_cell(record),
        "try": Cell("Chat ↗", href=try_link, title=f"Chat with {record.model} in the Playground"),
        "vendor": record.vendor or None,
        "params": _size(record.params_b),
        "active": _size(record.active_params_b),
        "tags": ", ".join(record.tags) or None,
    }
    if hosts is not None:
        cells |= {"provider": record.provider, "hosts": str(hosts.get(record.model_key or record.model, 1))}
    if speeds is not None:
        speed = speeds.get((record.provider, record.model))
        measured = speed is not None and speed.replies > 0
        cells |= {
            "replies": f"{speed.replies:,}" if speed and measured else None,
            "ttft": f"{speed.ttft_ms_p50:,.0f} ms" if speed and speed.ttft_ms_p50 is not None else None,
            "speed": f"{speed.output_tokens_per_s_p50:,.1f}"
            if speed and speed.output_tokens_per_s_p50 is not None
            else None,
        }
    return cells


def context_cell(record: ModelRecord) -> Cell:
    """A model's context window, short ("128k"), its exact size and source in the tooltip; "—" when unknown."""
    limits = limits_of(record)
    if limits is None or limits.context_window is None:
        return Cell(None, title="Unknown: neither the provider page nor a model card we know states it")
    window = limits.context_window
    return Cell(window_text(window), title=f"{window:,} tokens (from {limits.source_of('context_window')})")


def _flagged(cell: Cell, record: ModelRecord, side: str) -> Cell:
    """A price cell marked where the row's data-quality flags doubt it, what each flag means in its tooltip (a page
    that calls the price free is not doubted: a tooltip, no mark)."""
    price = record.input_usd_per_mtok if side == "input" else record.output_usd_per_mtok
    concerns = {
        "free": price == 0,
        "zero-price": price == 0,
        "output-cheaper-than-input": side == "output",
    }
    flags = [flag for flag in record.flags if concerns.get(flag, False)]
    if not flags:
        return cell
    title = "\n".join(filter(None, [cell.title, *(FLAG_LABELS.get(flag, flag) for flag in flags)]))
    doubted = any(flag != "free" for flag in flags)
    return replace(cell, text=f"{cell.text}{FLAG_MARK}" if doubted else cell.text, title=title)


def _size(billions: float | None) -> str | None:
    """A size in billions as people write it: 8, 0.135, 671, 1,000 (no float noise)."""
    if billions is None:
        return None
    return f"{billions:,.3f}".rstrip("0").rstrip(".")


#: The grid's price columns: shown in the plain table's shape (`catalog.dashboard.prices`).
PRICE_COLUMNS = ("input_usd_per_mtok", "output_usd_per_mtok", "blended_usd_per_mtok")


def _grid_price(usd_per_mtok: object) -> str:
    price = float(usd_per_mtok)  # type: ignore[arg-type]  # a price column's number (pandas' stub says object)
    return FREE if price == 0 else column_price(price)


def _grid_window(tokens: object) -> str:
    return window_text(int(tokens))  # type: ignore[call-overload]  # a context column's count, never NA here


def _grid_replies(count: object) -> str:
    return f"{count:,}" if count else UNKNOWN  # never measured: empty, as in the plain table


#: How the grid writes each column the plain table writes its own way (the measured ones as `_browse_cells` does).
_GRID_FORMATS: dict[str, Callable[[object], str]] = {
    **{name: _grid_price for name in PRICE_COLUMNS},
    "context_window": _grid_window,
    "replies": _grid_replies,
    "ttft_ms_p50": "{:,.0f} ms".format,
    "tokens_per_s_p50": "{:,.1f}".format,
}


@contextlib.contextmanager
def styled_grid(frame: pd.DataFrame) -> Iterator[Styler]:
    """The grid's table written as the plain table writes it (prices $0.00625, $0.0350, $1.20; context windows
    128k; measured speeds 12,345 ms and 1,234.5, "—" where unknown), while the grid's headers sort the numbers
    underneath. Hand it to `st.dataframe` inside the block, which lifts pandas' cap on styled cells for this table
    (any catalog's size); the grid's column settings must give these columns no `format`, which would win."""
    import pandas as pd

    formats: dict[Any, str | Callable[[object], str] | None]
    formats = {name: shape for name, shape in _GRID_FORMATS.items() if name in frame.columns}
    styler = frame.style.format(formats, na_rep=UNKNOWN)
    cap = max(int(pd.get_option("styler.render.max_elements")), frame.size)
    with pd.option_context("styler.render.max_elements", cap):
        yield styler


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table made flat for CSV: every text cell through `csv_cell` (lists joined, formulas guarded), numbers
    without float noise, links dropped."""
    import pandas as pd

    flat = frame.drop(columns=list(LINK_COLUMNS), errors="ignore").copy()
    for name in flat.columns:
        if not pd.api.types.is_numeric_dtype(flat[name].dtype):  # text of any dtype (object or pandas' `str`)
            # A list, not `Series.map`: a third of the time on a 5,000-row Compare export.
            flat[name] = pd.Series([csv_cell(value) for value in flat[name]], index=flat.index, dtype=object)
        elif name in SIZE_COLUMNS:  # `32`, not `32.0`: sizes as people write them
            sizes = [None if pd.isna(size) else _whole(float(size)) for size in flat[name]]
            flat[name] = pd.Series(sizes, index=flat.index, dtype=object)
        elif flat[name].dtype.kind == "f":
            flat[name] = flat[name].round(DECIMALS)
    return flat


def _whole(value: float) -> float:
    return int(value) if value.is_integer() else value


def to_csv(frame: pd.DataFrame) -> bytes:
    return export_frame(frame).to_csv(index=False, lineterminator=LINE_END).encode("utf-8")


def to_json(frame: pd.DataFrame) -> bytes:
    """The table as a JSON array of objects (tags stay lists)."""
    return frame.drop(columns=list(LINK_COLUMNS), errors="ignore").to_json(orient="records", indent=2).encode("utf-8")


_OPTIONAL_COST_COLUMNS = (
    "savings_usd_per_month",
    "savings_pct",
    "requests_per_month_in_budget",
    "budget_left_usd_per_month",
)


def costs_frame(lines: Sequence[WorkloadCost]) -> pd.DataFrame:
    """The workload cost table, one row per model, cheapest first (savings and budget columns when set)."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "rank": range(1, len(lines) + 1),
            "name": [model_link(line.record.model, line.record.provider) for line in lines],
            "model": [line.record.model for line in lines],
            "input_usd_per_mtok": [line.record.input_usd_per_mtok for line in lines],
            "output_usd_per_mtok": [line.record.output_usd_per_mtok for line in lines],
            "per_request_usd": [line.per_request_usd for line in lines],
            "per_day_usd": [line.per_day_usd for line in lines],
            "per_month_usd": [line.per_month_usd for line in lines],
            "times_cheapest": [line.times_cheapest for line in lines],
            "savings_usd_per_month": [line.savings_usd_per_month for line in lines],
            "savings_pct": [line.savings_pct for line in lines],
            "requests_per_month_in_budget": [line.requests_per_month_in_budget for line in lines],
            "budget_left_usd_per_month": [line.budget_left_usd_per_month for line in lines],
        }
    )
    # The amounts stay exact Decimals (object columns, written digit for digit by `csv_cell`); the ratios are floats.
    for name in ("times_cheapest", "savings_pct"):
        frame[name] = frame[name].astype("Float64")
    frame["requests_per_month_in_budget"] = frame["requests_per_month_in_budget"].astype("Int64")
    # Savings need a baseline and the budget columns a budget: without one they are left out, not shown empty.
    unset = [name for name in _OPTIONAL_COST_COLUMNS if frame[name].isna().all()]
    return frame.drop(columns=unset)


def frontier_candidates(records: Sequence[ModelRecord]) -> list[ModelRecord]:
    """The models that can be cheapest or runner-up at some output share, so the frontier of these is exact.

    A model that two other price pairs undercut in both input and output price is third or worse at every
    mix; dropping it changes no segment and no margin, and takes a large catalog's frontier from seconds
    to milliseconds.
    """
    by_input = sorted(records, key=lambda record: record.input_usd_per_mtok)
    kept: list[ModelRecord] = []
    lowest: list[tuple[float, float]] = []  # the two lowest-output price pairs among strictly lower inputs
    start = 0
    while start < len(by_input):
        end = start
        while end < len(by_input) and by_input[end].input_usd_per_mtok == by_input[start].input_usd_per_mtok:
            end += 1
        group = by_input[start:end]
        kept += [row for row in group if sum(output < row.output_usd_per_mtok for _, output in lowest) < 2]
        pairs = {(row.input_usd_per_mtok, row.output_usd_per_mtok) for row in group}
        lowest = sorted(set(lowest) | pairs, key=lambda pair: pair[1])[:2]
        start = end
    return kept


def picked_models(records: Iterable[ModelRecord], picks: Sequence[str]) -> list[ModelRecord]:
    """The picked models, in the order they were picked."""
    by_id = {record.model: record for record in records}
    return [by_id[model] for model in picks if model in by_id]


def models_in_scope(
    scope: str, everything: Sequence[ModelRecord], filtered: Sequence[ModelRecord], picked: Sequence[ModelRecord]
) -> list[ModelRecord]:
    """The models a comparison covers: the picked ones (the filtered ones while none is picked), or all."""
    if scope == "all":
        return list(everything)
    if scope == "picked" and picked:
        return list(picked)
    return list(filtered)
