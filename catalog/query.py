"""Filtering and sorting catalog rows: shared by the CLI and the dashboard."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from catalog.records import FULL_FIELDS, ModelRecord

#: Fields a catalog can be sorted by.
SORT_FIELDS = tuple(name for name in FULL_FIELDS if name not in ("tags", "flags"))


@dataclass(frozen=True, slots=True)
class ModelFilter:
    """A set of conditions on catalog rows; an empty or None condition lets every row through."""

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

    def matches(self, record: ModelRecord) -> bool:
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
            return not self.hide_unknown_size
        return _within(record.params_b, self.min_params_b, self.max_params_b)


def _within(value: float, low: float | None, high: float | None) -> bool:
    # A small tolerance, so "at most $0.40" keeps a $0.40 row whatever the float rounding.
    return (low is None or value >= low - 1e-12) and (high is None or value <= high + 1e-12)


def filter_models(records: Iterable[ModelRecord], condition: ModelFilter) -> list[ModelRecord]:
    return [record for record in records if condition.matches(record)]


def sort_models(
    records: Iterable[ModelRecord], field: str = "blended_usd_per_mtok", descending: bool = False
) -> list[ModelRecord]:
    """Rows sorted by one field; rows where that field is unknown go last either way."""
    if field not in SORT_FIELDS:
        raise ValueError(f"cannot sort by {field!r}; choose one of: {', '.join(SORT_FIELDS)}")
    rows = list(records)
    known = [row for row in rows if getattr(row, field) is not None]
    unknown = [row for row in rows if getattr(row, field) is None]
    known.sort(key=lambda row: (_sort_key(getattr(row, field)), row.model), reverse=descending)
    return known + unknown


def _sort_key(value: object) -> object:
    return value.lower() if isinstance(value, str) else value
