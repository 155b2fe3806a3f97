"""The price-history database the dashboard reads, opened once per server and shared by every session."""

from __future__ import annotations

import math
import threading
import time

import streamlit as st

from catalog.history import Store, StoreError, configured_url
from pages.common.settings import settings

#: Seconds a database that could not be opened is left alone before the next try (not on every rerun).
RETRY_AFTER_S = 60.0


class Opener:
    """Opens one database once and keeps it; a failure is remembered for `RETRY_AFTER_S`, then tried again."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: Store | None = None
        self._problem: str | None = None
        self._failed_at = -math.inf
        self._lock = threading.Lock()

    def open(self) -> tuple[Store | None, str | None]:
        """The store, or None and why it cannot be opened. A default SQLite file that does not exist yet is
        created here: it is the user's own."""
        with self._lock:
            if self._store is None and time.monotonic() - self._failed_at >= RETRY_AFTER_S:
                try:
                    store = Store(self.url)
                    store.revision()  # readable, not only reachable
                except StoreError as error:
                    self._problem, self._failed_at = str(error), time.monotonic()
                else:
                    self._store, self._problem = store, None
            return self._store, self._problem


@st.cache_resource(show_spinner=False)
def _opener(url: str) -> Opener:
    return Opener(url)


def history_store() -> tuple[Store | None, str | None]:
    """The configured store, or None and one sentence naming CATALOG_DB_URL (never its password)."""
    return _opener(configured_url(settings())).open()


def history_revision() -> tuple[str, int]:
    """The database and how many times it has been written to: a cache key that changes with every refresh,
    from this dashboard or from the CLI."""
    url, (store, _) = configured_url(settings()), history_store()
    try:
        return url, store.revision() if store is not None else -1
    except StoreError:
        return url, -1
