"""The Providers view: models (by `model_key`) × providers, the blended price in each cell, cheapest marked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

from catalog.dashboard.html_table import Cell, Column, html_table
from catalog.dashboard.model_page import model_link, short_name
from catalog.dashboard.names import phone_names
from catalog.dashboard.prices import price_cell as price_text_cell
from catalog.dashboard.workload_table import money
from catalog.hosts import HostGroup
from catalog.records import ModelRecord, blended_price
from catalog.workload import Workload, workload_costs

#: Marks the cheapest host's cell.
CHEAPEST = "★"
#: The table's name, for screen readers and tests.
LABEL = "Providers"
#: Rows drawn at most: the page stays light with any catalog.
SHOWN_ROWS = 300


def cell_link(record: ModelRecord, can_try: Callable[[ModelRecord], bool]) -> str:
    """The cell's link: the Playground on that host where it may be tried, else the model's page."""
    if can_try(record):
        return f"/playground?{urlencode({'model': record.model, 'provider': record.provider})}"
    return model_link(record.model, record.provider)


def price_cell(record: ModelRecord, price: float, cheapest: bool, can_try: Callable[[ModelRecord], bool]) -> Cell:
    """A host's blended price in the column's shape, starred where cheapest, linking where it can be tried (else to
    the model page); the tooltip says where the link goes, and the exact price where the shape rounds it."""
    where = "Try it in the Playground on" if can_try(record) else "Open the model's page on"
    shown = price_text_cell(price, f" {CHEAPEST}" if cheapest else "")
    exact = f" ({shown.title})" if shown.title else ""
    return Cell(shown.text, cell_link(record, can_try), title=f"{where} {record.provider}: {record.model}{exact}")


def _named(group: HostGroup) -> ModelRecord:
    """The host whose id names the model as its maker spells it (an `org/name` id where a host has one)."""
    return max(group.hosts, key=lambda r: (r.model.count("/") == 1, bool(r.display_name)))


def _name(group: HostGroup, phone: Mapping[str, str]) -> Cell:
    """A link to the model's page, labelled as Browse labels it (the id after its maker), the id in its tooltip."""
    named = _named(group)
    link = model_link(named.model, named.provider)
    return Cell(short_name(named.model), link, title=named.model, short=phone.get(named.model))


def in_browse_order(groups: Sequence[HostGroup], records: Sequence[ModelRecord]) -> list[HostGroup]:
    """The groups in the order Browse shows `records` (the sidebar's sort): each where its first host comes."""
    rank = {(record.provider, record.model): number for number, record in enumerate(records)}
    last = len(rank)
    return sorted(groups, key=lambda group: min(rank.get((r.provider, r.model), last) for r in group.hosts))


def providers_columns(providers: Sequence[str]) -> list[Column]:
    return [
        Column("Model", "Open the model's page", pinned=True),
        Column("Cheapest", "The host with the lowest blended price"),
        Column("Saves /mo", "The Compare workload a month: the dearest host's cost less the cheapest's", numeric=True),
        *(Column(provider, f"Blended price per 1M tokens on {provider}", numeric=True) for provider in providers),
        Column("Hosts", numeric=True),
        Column("Key", "model_key: one key for the same weights on every host"),
    ]


def providers_rows(
    groups: Sequence[HostGroup],
    providers: Sequence[str],
    output_share: float,
    workload: Workload,
    can_try: Callable[[ModelRecord], bool],
) -> list[list[Cell | str | None]]:
    """One row per model: a price cell per provider that sells it (empty where it doesn't), the cheapest host
    and what it saves a month over the dearest."""
    rows: list[list[Cell | str | None]] = []
    phone = phone_names(_named(group).model for group in groups)
    for group in groups:
        prices = {
            r.provider: blended_price(r.input_usd_per_mtok, r.output_usd_per_mtok, output_share) for r in group.hosts
        }
        best = min(prices.values())
        by_provider = {r.provider: r for r in group.hosts}
        monthly = [line.per_month_usd for line in workload_costs(group.hosts, workload)]
        cells: list[Cell | str | None] = [
            None if (host := by_provider.get(p)) is None else price_cell(host, prices[p], prices[p] == best, can_try)
            for p in providers
        ]
        rows.append(
            [
                _name(group, phone),
                min(prices, key=lambda provider: (prices[provider], provider.lower())),
                money(monthly[-1] - monthly[0]) if len(monthly) > 1 else None,
                *cells,
                str(len(group.providers)),
                group.key,
            ]
        )
    return rows


def providers_table(
    groups: Sequence[HostGroup],
    providers: Sequence[str],
    output_share: float,
    workload: Workload,
    can_try: Callable[[ModelRecord], bool],
) -> str:
    """The Providers grid as an HTML table for `st.html` (its first `SHOWN_ROWS` models)."""
    rows = providers_rows(groups[:SHOWN_ROWS], providers, output_share, workload, can_try)
    return html_table(providers_columns(providers), rows, label=LABEL)
