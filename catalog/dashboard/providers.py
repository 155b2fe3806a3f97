"""The Providers view: models (by `model_key`) × providers, the blended price in each cell, cheapest marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from catalog.costs import usd
from catalog.dashboard.model_page import model_link
from catalog.hosts import HostGroup
from catalog.records import ModelRecord, blended_price
from catalog.workload import Workload, workload_costs

if TYPE_CHECKING:
    import pandas as pd

#: Marks the cheapest host's cell.
CHEAPEST = "★"
#: A cell's link ends with its label, which the grid shows (LinkColumn's `display_text` pattern).
CELL_LABEL = r"#(.+)$"


def cell_link(record: ModelRecord, price: float, cheapest: bool, can_try: Callable[[ModelRecord], bool]) -> str:
    """The cell's link: the Playground on that host where it may be tried, else the model's page."""
    params = {"model": record.model, "provider": record.provider}
    target = f"/playground?{urlencode(params)}" if can_try(record) else model_link(record.model, record.provider)
    return f"{target}#{usd(price, 6)}{' ' + CHEAPEST if cheapest else ''}"


def _name(group: HostGroup) -> str:
    """A link to the model's page, labelled with its name as its maker spells it (from an `org/name` id where a
    host has one; the grid shows the label, as in the price cells)."""
    named = max(group.hosts, key=lambda r: (r.model.count("/") == 1, bool(r.display_name)))
    return f"{model_link(named.model, named.provider)}#{named.display_name or group.key}"


def providers_frame(
    groups: Sequence[HostGroup],
    providers: Sequence[str],
    output_share: float,
    workload: Workload,
    can_try: Callable[[ModelRecord], bool],
) -> pd.DataFrame:
    """One row per model: a link cell per provider that sells it (empty where it doesn't), the cheapest host and
    what it saves a month over the dearest."""
    import pandas as pd

    rows = []
    for group in groups:
        prices = {
            r.provider: blended_price(r.input_usd_per_mtok, r.output_usd_per_mtok, output_share) for r in group.hosts
        }
        best = min(prices.values())
        by_provider = {r.provider: r for r in group.hosts}
        monthly = [line.per_month_usd for line in workload_costs(group.hosts, workload)]
        row: dict[str, object] = {
            "model": _name(group),
            "key": group.key,
            "hosts": len(group.providers),
            "cheapest": min(prices, key=lambda provider: (prices[provider], provider.lower())),
            "saves": usd(monthly[-1] - monthly[0]) if len(monthly) > 1 else "",
        }
        for provider in providers:
            record = by_provider.get(provider)
            row[provider] = (
                "" if record is None else cell_link(record, prices[provider], prices[provider] == best, can_try)
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=["model", "hosts", "cheapest", "saves", *providers, "key"])
