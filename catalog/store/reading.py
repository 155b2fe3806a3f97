"""The catalog the history makes current: the newest stored page of each provider, or the embedded page."""

from __future__ import annotations

import datetime as dt

from catalog.records import Catalog, SourceError
from catalog.sources import build_catalog, load_page
from catalog.store.store import Store


def newest_catalog(store: Store | None) -> Catalog:
    """Every provider's newest stored page; the embedded page unless the store has a newer one of its provider."""
    embedded = load_page(None)
    stored = store.pages_as_of(None) if store is not None else []
    pages = [page for page in stored if page.provider.name != embedded.provider.name]
    mine = next((page for page in stored if page.provider.name == embedded.provider.name), None)
    newer = mine is not None and (mine.provider.snapshot_date or "") > (embedded.provider.snapshot_date or "")
    return build_catalog([mine if newer and mine is not None else embedded, *pages])


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
