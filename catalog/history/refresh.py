"""Refresh: read provider pages and record each one that changed, reporting per source what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import httpx

from catalog.discovery import Fetched, Index, discover
from catalog.fetch import fetch_text, redact_url
from catalog.history.ranges import Change
from catalog.history.store import Store, StoreError
from catalog.parser import parse_page
from catalog.records import CatalogError
from catalog.sources import DEFAULT_PAGE, is_url, read_text
from catalog.words import counted


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What refreshing one source gave: a new snapshot, the same page as before, or a failure with its reason."""

    source: str
    outcome: Literal["new", "unchanged", "failed"]
    provider: str | None = None
    seen_date: dt.date | None = None
    reason: str = ""
    changes: tuple[Change, ...] = ()

    def summary(self) -> str:
        if self.outcome == "failed":
            return f"{self.source}: failed: {self.reason}"
        what = "new snapshot" if self.outcome == "new" else "unchanged"
        changed = f", {counted(len(self.changes), 'change')}" if self.changes else ""
        return f"{self.source}: {self.provider} as of {self.seen_date}: {what}{changed}"


@dataclass(frozen=True, slots=True)
class RefreshTally:
    """How a refresh of several sources went, counted: new snapshots, pages unchanged, sources that failed."""

    new: int
    unchanged: int
    failed: int

    @classmethod
    def of(cls, outcomes: Sequence[SourceOutcome]) -> RefreshTally:
        count = [outcome.outcome for outcome in outcomes].count
        return cls(count("new"), count("unchanged"), count("failed"))

    @property
    def all_failed(self) -> bool:
        """Whether no source was read (also when there was none)."""
        return self.new + self.unchanged == 0

    def line(self) -> str:
        """ "Refreshed: 1 new snapshot, 2 unchanged, 0 failed"."""
        return f"Refreshed: {counted(self.new, 'new snapshot')}, {self.unchanged} unchanged, {self.failed} failed"


#: Days past today a page may be recorded as seen: somewhere on Earth it is already tomorrow.
AS_OF_GRACE_DAYS = 1


def check_as_of(as_of: dt.date | None, today: dt.date | None = None) -> None:
    """Refuse a day after today (one day allowed for time zones): no page can have been seen then, and a
    sighting from the future would make every later page look older than it, and the sidebar's age negative."""
    today = today or dt.date.today()
    if as_of is not None and as_of > today + dt.timedelta(days=AS_OF_GRACE_DAYS):
        raise CatalogError(f"--as-of {as_of} is after today ({today}): a page can only be recorded as seen by today")


def refresh(
    store: Store,
    specs: Sequence[str | None],
    as_of: dt.date | None = None,
    *,
    client: httpx.Client | None = None,
    progress: Callable[[SourceOutcome], None] | None = None,
) -> list[SourceOutcome]:
    """Read each page (None = the embedded one) and record it as seen on `as_of` (default: its own date or today).

    A page that cannot be read or parsed is reported and stored nowhere; the others are still recorded,
    each in its own transaction. A database failure stops the refresh (`StoreError`); a day after today is
    refused before anything is read (`CatalogError`).
    """
    check_as_of(as_of)
    outcomes = []
    for spec in specs:
        outcome = _refresh_one(store, spec, as_of, client)
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return outcomes


def _refresh_one(store: Store, spec: str | None, as_of: dt.date | None, client: httpx.Client | None) -> SourceOutcome:
    if spec is None:
        shown, source = "embedded page", DEFAULT_PAGE.url
        default_day = dt.date.fromisoformat(DEFAULT_PAGE.snapshot_date)
    else:
        shown = source = redact_url(spec) if is_url(spec) else spec
        default_day = dt.date.today()
    day = as_of or default_day
    try:
        if spec is None:
            text = DEFAULT_PAGE.text()
        elif is_url(spec):
            text = fetch_text(spec, client=client)
        elif "://" in spec:
            return SourceOutcome(shown, "failed", reason="only http and https URLs can be loaded")
        else:
            text = read_text(spec)
    except CatalogError as error:
        return SourceOutcome(shown, "failed", reason=str(error).removeprefix(f"{shown}: "))
    return record_text(store, text, shown, source, day)


def record_text(store: Store, text: str, shown: str, source: str, day: dt.date) -> SourceOutcome:
    """Parse a page already read and record it as seen on `day`; a page that does not parse is only reported."""
    try:
        page = parse_page(text, source=source, snapshot_date=day.isoformat())
        recorded = store.record_parsed(page, text, source, day)
    except StoreError:
        raise
    except CatalogError as error:
        return SourceOutcome(shown, "failed", reason=str(error).removeprefix(f"{shown}: "))
    return SourceOutcome(shown, recorded.outcome, recorded.provider, day, changes=recorded.changes)


def refresh_index(
    store: Store,
    index_url: str,
    as_of: dt.date | None = None,
    *,
    on_fetched: Callable[[Fetched], None] | None = None,
) -> tuple[Index, list[SourceOutcome]]:
    """Every provider page Lava's docs index links to on its own host, fetched concurrently, each recorded.

    Raises `SourceError` when the index itself cannot be read, `CatalogError` for a day after today; a page
    that fails is an outcome with its reason.
    """
    check_as_of(as_of)
    index, fetched = discover(index_url, on_fetched=on_fetched)
    day = as_of or dt.date.today()
    outcomes = []
    for result in fetched:
        shown = redact_url(result.url)
        if result.text is None:
            reason = (result.error or "could not be read").removeprefix(f"{shown}: ")
            outcomes.append(SourceOutcome(shown, "failed", reason=reason))
        else:
            outcomes.append(record_text(store, result.text, shown, shown, day))
    return index, outcomes
