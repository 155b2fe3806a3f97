"""The price-history database the dashboard reads, opened once per server and shared by every session."""

from __future__ import annotations

import streamlit as st

from catalog.store import Store, StoreError, configured_url


@st.cache_resource(ttl=60, show_spinner=False)
def _open(url: str) -> Store | str:
    """The store for `url`, or why it cannot be opened (cached a minute, so an unreachable server is not retried
    on every rerun). A default SQLite file that does not exist yet is created here: it is the user's own."""
    try:
        store = Store(url)
        store.revision()  # readable, not only reachable
    except StoreError as error:
        return str(error)
    return store


def history_store() -> tuple[Store | None, str | None]:
    """The configured store, or None and one sentence naming CATALOG_DB_URL (never its password)."""
    opened = _open(configured_url())
    return (None, opened) if isinstance(opened, str) else (opened, None)


def history_revision() -> tuple[str, int]:
    """The database and how many times it has been written to: a cache key that changes with every refresh,
    from this dashboard or from the CLI."""
    store, _ = history_store()
    try:
        return configured_url(), store.revision() if store is not None else -1
    except StoreError:
        return configured_url(), -1
