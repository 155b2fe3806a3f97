"""The catalog the history makes current: the newest stored page of each provider, or the embedded page."""

from __future__ import annotations

import datetime as dt

from catalog.history.location import configured_url
from catalog.history.store import Store, StoreError
from catalog.records import Catalog, ParsedPage, SourceError
from catalog.sources import build_catalog, load_page


def newest_pages(store: Store | None) -> list[ParsedPage]:
    """Every provider's newest stored page; the embedded page unless the store has a newer one of its provider."""
    embedded = load_page(None)
    stored = store.pages_as_of(None) if store is not None else []
    pages = [page for page in stored if page.provider.name != embedded.provider.name]
    mine = next((page for page in stored if page.provider.name == embedded.provider.name), None)
    newer = mine is not None and (mine.provider.snapshot_date or "") > (embedded.provider.snapshot_date or "")
    return [mine if newer and mine is not None else embedded, *pages]


def newest_catalog(store: Store | None) -> Catalog:
    """The catalog of `newest_pages`."""
    return build_catalog(newest_pages(store))


def newest_known_pages() -> list[ParsedPage]:
    """`newest_pages` of the configured history database; the embedded page alone when there is no history
    yet or it cannot be read (the dashboard says why elsewhere: browsing never depends on the database)."""
    try:
        with Store(configured_url(), create=False) as store:
            return newest_pages(store)
    except StoreError:
        return newest_pages(None)


def catalog_as_of(store: Store | None, day: dt.date) -> Catalog:
    """The catalog as it was on `day`: each provider's stored page in force then, and the embedded page if it
    is from that day or before and the store has no page of its provider by then. A `SourceError` if none is."""
    pages = store.pages_as_of(day) if store is not None else []
    embedded = load_page(None)
    embedded_day = embedded.provider.snapshot_date or ""
    if embedded_day <= day.isoformat() and all(page.provider.name != embedded.provider.name for page in pages):
        pages.insert(0, embedded)
    if not pages:
        oldest = store.oldest_date() if store is not None else None
        earliest = min(oldest, dt.date.fromisoformat(embedded_day)) if oldest else embedded_day
        raise SourceError(f"no page is from {day} or before; the oldest is from {earliest}")
    return build_catalog(pages)
