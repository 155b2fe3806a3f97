"""Price history: every page snapshot as read, price ranges per (provider, model), and what changed when.

The store runs on SQLAlchemy 2 Core: an SQLite file in the user's data folder by default, or any database
`CATALOG_DB_URL` names (PostgreSQL for a team deployment).

Errors: `StoreError` (a `CatalogError`) when the database cannot be opened, read or written; the message
names `CATALOG_DB_URL` and never shows a password. Pages that do not parse raise `ParseError` and store nothing.
"""

from __future__ import annotations

from catalog.history.location import DB_URL_VARIABLE, configured_url, default_path, describe_location, shown_url
from catalog.history.ranges import Change, PriceRange
from catalog.history.reading import catalog_as_of, newest_catalog, newest_known_pages, newest_pages
from catalog.history.refresh import SourceOutcome, check_as_of, refresh, refresh_index
from catalog.history.store import NoHistoryYet, Recorded, Snapshot, Store, StoreError

__all__ = [
    "DB_URL_VARIABLE",
    "Change",
    "NoHistoryYet",
    "PriceRange",
    "Recorded",
    "Snapshot",
    "SourceOutcome",
    "Store",
    "StoreError",
    "catalog_as_of",
    "check_as_of",
    "configured_url",
    "default_path",
    "describe_location",
    "newest_catalog",
    "newest_known_pages",
    "newest_pages",
    "refresh",
    "refresh_index",
    "shown_url",
]
