"""Filtering and sorting catalog rows: shared by the CLI and the dashboard."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any

from catalog.limits import limits_of
from catalog.records import DEFAULT_OUTPUT_SHARE, ModelRecord, blended_price


@dataclass(frozen=True, slots=True)
class SortKey:
    """One way to order the catalog: how people read it, and the record field it sorts by."""

    label: str
    field: str


#: The one table of sort orders, by the short key that links and the CLI's `--sort` use.
SORT_KEYS: dict[str, SortKey] = {
    "blended": SortKey("blended price", "blended_usd_per_mtok"),
    "input": SortKey("input price", "input_usd_per_mtok"),
    "output": SortKey("output price", "output_usd_per_mtok"),
    "params": SortKey("parameters", "params_b"),
    "active": SortKey("active parameters", "active_params_b"),
    "model": SortKey("model id", "model"),
    "vendor": SortKey("vendor", "vendor"),
    "provider": SortKey("provider", "provider"),
    # Not a record field: the window `catalog.limits` looks up (the cited table, then the operator's maps).
    "context": SortKey("context window", "context_window"),
}


def sort_key(name: str) -> str:
    """The key of a sort order named by its key (`params`) or by its record field (`params_b`)."""
    if name in SORT_KEYS:
        return name
    for key, order in SORT_KEYS.items():
        if order.field == name:
            return key
    raise ValueError(f"cannot sort by {name!r}; choose one of: {', '.join(SORT_KEYS)}")


@dataclass(frozen=True, slots=True)
class ModelFilter:
    """A set of conditions on catalog rows; an empty or None condition lets every row through.

    A size bound (`min_params_b`, `max_params_b`) lets through only models of known size: a model
    whose size nobody publishes cannot be said to be within it. `hide_unknown_size` drops them without one.
    So does a context bound (`min_context`, tokens): a model of unknown context window is left out, and
    `hidden_by_context_bound` counts them. `capabilities` (`tools`, `vision`, `json_mode`) must all be cited.
    """

    search: str = ""
    providers: Collection[str] = ()
    vendors: Collection[str] = ()
    tags: Collection[str] = ()
    min_input: float | None = None
    max_input: float | None = None
    min_output: float | None = None
    max_output: float | None = None
    min_params_b: float | None = None
    max_params_b: float | None = None
    hide_unknown_size: bool = False
    min_context: int | None = None
    capabilities: Collection[str] = ()

    def matches(self, record: ModelRecord) -> bool:
        if (self.min_context is not None or self.capabilities) and not self._within_limits(record):
            return False
        if self.search:
            haystack = f"{record.model} {record.display_name} {record.family or ''} {record.vendor or ''}".lower()
            if not all(word in haystack for word in self.search.lower().split()):
                return False
        if self.providers and record.provider not in self.providers:
            return False
        if self.vendors and (record.vendor or "") not in self.vendors:
            return False
        if self.tags and not set(self.tags).issubset(record.tags):
            return False
        if not _within(record.input_usd_per_mtok, self.min_input, self.max_input):
            return False
        if not _within(record.output_usd_per_mtok, self.min_output, self.max_output):
            return False
        if record.params_b is None:
            return not (self.hide_unknown_size or self.bounds_size)
        return _within(record.params_b, self.min_params_b, self.max_params_b)

    def _within_limits(self, record: ModelRecord) -> bool:
        limits = limits_of(record)
        if limits is None:
            return False
        if self.min_context is not None and (limits.context_window or 0) < self.min_context:
            return False
        return set(self.capabilities).issubset(limits.capabilities)

    @property
    def bounds_size(self) -> bool:
        """Whether a size bound is set (which leaves out every model of unknown size)."""
        return self.min_params_b is not None or self.max_params_b is not None


def _within(value: float, low: float | None, high: float | None) -> bool:
    # A small tolerance, so "at most $0.40" keeps a $0.40 row whatever the float rounding.
    return (low is None or value >= low - 1e-12) and (high is None or value <= high + 1e-12)


def filter_models(records: Iterable[ModelRecord], condition: ModelFilter) -> list[ModelRecord]:
    return [record for record in records if condition.matches(record)]


def hidden_by_size_bound(records: Iterable[ModelRecord], condition: ModelFilter) -> int:
    """How many models of unknown size the size bound alone leaves out (every other condition let through)."""
    if not condition.bounds_size or condition.hide_unknown_size:
        return 0
    unbounded = replace(condition, min_params_b=None, max_params_b=None)
    return sum(1 for record in records if record.params_b is None and unbounded.matches(record))


def hidden_by_context_bound(records: Iterable[ModelRecord], condition: ModelFilter) -> int:
    """How many models of unknown context window the context bound alone leaves out."""
    if condition.min_context is None:
        return 0
    unbounded = replace(condition, min_context=None)
    return sum(
        1
        for record in records
        if (limits := limits_of(record)) is None or limits.context_window is None
        if unbounded.matches(record)
    )


def sort_models(
    records: Iterable[ModelRecord],
    by: str = "blended",
    descending: bool = False,
    output_share: float = DEFAULT_OUTPUT_SHARE,
) -> list[ModelRecord]:
    """Rows sorted by one of `SORT_KEYS` (or its field), ties by model id; unknown values go last either way.

    The blended price is taken at `output_share`, so a table blended at another mix sorts as it shows; the context
    window is the one `catalog.limits` finds (unknown: last).
    """
    key = sort_key(by)
    field = SORT_KEYS[key].field

    def value(row: ModelRecord) -> Any:
        if key == "blended":
            return blended_price(row.input_usd_per_mtok, row.output_usd_per_mtok, output_share)
        if key == "context":
            limits = limits_of(row)
            return limits.context_window if limits is not None else None
        found = getattr(row, field)
        return found.lower() if isinstance(found, str) else found

    valued = [(value(row), row) for row in sorted(records, key=lambda row: row.model)]
    known = [pair for pair in valued if pair[0] is not None]
    known.sort(key=lambda pair: pair[0], reverse=descending)  # stable: ties keep the model order
    return [row for _, row in known] + [row for found, row in valued if found is None]
