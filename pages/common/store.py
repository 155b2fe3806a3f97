"""The price-history database the dashboard reads, opened once per server and shared by every session."""

from __future__ import annotations

import streamlit as st

from catalog.history import Store, StoreError, configured_url
from catalog.history.opener import Opener
from pages.common.settings import settings


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
