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


def catalog_as_of(store: Store, day: dt.date) -> Catalog:
    """The catalog as it was on `day`; a `SourceError` if the store has no page from then or before."""
    pages = store.pages_as_of(day)
    if not pages:
        oldest = store.oldest_date()
        since = f"; the oldest is from {oldest}" if oldest else "; the history is empty (run refresh first)"
        raise SourceError(f"no stored page is from {day} or before{since}")
    return build_catalog(pages)
