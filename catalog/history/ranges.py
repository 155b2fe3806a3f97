"""Price ranges and changes as plain data, and the arithmetic that keeps ranges right out of order.

A model's prices on a provider form a step function over the provider's snapshot dates. Ranges are its
maximal constant runs: `from_date` is the first snapshot of the run, `to_date` the first later snapshot where
the price differs or the model is gone (None while it is still current). Recording a snapshot at day `d`
only changes the function at `d`, so only the ranges covering the snapshots just before, at and just after
`d` need rebuilding (`rebuild`): split at `d`, set the new value, merge equal neighbours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

#: Input and output USD per 1M tokens.
Prices = tuple[float, float]
ChangeKind = Literal["added", "removed", "price"]


@dataclass(frozen=True, slots=True)
class PriceRange:
    """What a model cost on a provider from `from_date` (inclusive) to `to_date` (exclusive; None = current)."""

    provider: str
    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    from_date: dt.date
    to_date: dt.date | None

    @property
    def prices(self) -> Prices:
        return (self.input_usd_per_mtok, self.output_usd_per_mtok)

    def covers(self, day: dt.date) -> bool:
        return self.from_date <= day and (self.to_date is None or day < self.to_date)

    def to_json(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "model": self.model,
            "input_usd_per_mtok": self.input_usd_per_mtok,
            "output_usd_per_mtok": self.output_usd_per_mtok,
            "from_date": self.from_date.isoformat(),
            "to_date": self.to_date.isoformat() if self.to_date else None,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """A model added, removed or repriced on a provider on `date`."""

    date: dt.date
    provider: str
    model: str
    change: ChangeKind
    old_input: float | None
    new_input: float | None
    old_output: float | None
    new_output: float | None

    @property
    def move_pct(self) -> float | None:
        """The biggest relative move of the two prices, in %, signed (None unless a price change)."""
        moves = [
            (new - old) / old * 100
            for old, new in ((self.old_input, self.new_input), (self.old_output, self.new_output))
            if old is not None and new is not None and old > 0
        ]
        return max(moves, key=abs) if moves else None

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "provider": self.provider,
            "model": self.model,
            "change": self.change,
            "old_input": self.old_input,
            "new_input": self.new_input,
            "old_output": self.old_output,
            "new_output": self.new_output,
        }


def rebuild(
    old: Sequence[PriceRange], day: dt.date, value: Prices | None, next_day: dt.date | None
) -> list[PriceRange]:
    """The ranges of one (provider, model) that replace `old` once a snapshot at `day` says `value`.

    `old` are the model's ranges covering the provider's snapshots just before `day`, on `day` and on
    `next_day` (the first later snapshot, None if there is none); `value` is None when the new snapshot
    does not list the model.
    """
    if not old and value is None:
        return []
    first = old[0] if old else None
    provider = first.provider if first else ""
    model = first.model if first else ""

    def at(when: dt.date) -> Prices | None:
        return next((item.prices for item in old if item.covers(when)), None)

    events: dict[dt.date, Prices | None] = {}
    for item in old:
        if item.to_date is not None:
            events.setdefault(item.to_date, None)
    for item in old:
        events[item.from_date] = item.prices
    if next_day is not None:
        events[next_day] = at(next_day)
    events[day] = value
    dates = sorted(events)
    result: list[PriceRange] = []
    for index, start in enumerate(dates):
        prices = events[start]
        if prices is None:
            continue
        end = dates[index + 1] if index + 1 < len(dates) else None
        if result and result[-1].to_date == start and result[-1].prices == prices:
            previous = result.pop()
            start = previous.from_date
        result.append(PriceRange(provider, model, prices[0], prices[1], start, end))
    return result


def with_names(ranges: Iterable[PriceRange], provider: str, model: str) -> list[PriceRange]:
    """Ranges built by `rebuild` from no old ranges carry blank names; give them theirs."""
    return [PriceRange(provider, model, *item.prices, item.from_date, item.to_date) for item in ranges]


def changes_from_ranges(
    ranges: Iterable[PriceRange], first_seen: Mapping[str, dt.date], since: dt.date | None = None
) -> list[Change]:
    """Every change the ranges imply on or after `since`, newest first.

    A range that starts where another of the same model ends is a price change; one that starts with no
    predecessor is an addition, unless it starts on the provider's first snapshot (everything is new then);
    one that ends with no successor is a removal.
    """
    by_model: dict[tuple[str, str], list[PriceRange]] = {}
    for item in ranges:
        by_model.setdefault((item.provider, item.model), []).append(item)
    found: list[Change] = []
    for (provider, model), items in by_model.items():
        starts = {item.from_date: item for item in items}
        ends = {item.to_date: item for item in items if item.to_date is not None}
        for day, item in starts.items():
            before = ends.get(day)
            if before is not None:
                found.append(Change(day, provider, model, "price", *_pair(before, item)))
            elif day != first_seen.get(provider):
                found.append(
                    Change(day, provider, model, "added", None, item.input_usd_per_mtok, None, item.output_usd_per_mtok)
                )
        for day, item in ends.items():
            if day not in starts:
                old_input, old_output = item.prices
                found.append(Change(day, provider, model, "removed", old_input, None, old_output, None))
    if since is not None:
        found = [change for change in found if change.date >= since]
    found.sort(key=lambda change: (change.provider, change.model))
    found.sort(key=lambda change: change.date, reverse=True)
    return found


def _pair(before: PriceRange, after: PriceRange) -> tuple[float, float, float, float]:
    return (before.input_usd_per_mtok, after.input_usd_per_mtok, before.output_usd_per_mtok, after.output_usd_per_mtok)
