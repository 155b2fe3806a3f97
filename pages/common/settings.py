"""The operator's settings for this run of a page: environment variables first, then `st.secrets`.

Read once per script run, and kept in session state for the rest of it: the router (`app.py`) reads them
first on every run, and the page it runs takes that object (`ensure_router` → `page_settings`); a page run
without the router (a deep link's first run, or AppTest's runs after the first) reads them there instead.
Every helper of the run then asks `settings()`, which hands back the same object.

Per run, not per server (`st.cache_resource`): `secrets.toml` may be edited while the server runs, Streamlit
reloads `st.secrets`, and the next run reads the new values, while one run never mixes old and new. A
fragment's rerun (the Runs page's live table) is part of the page its full run drew, and keeps its settings.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from catalog.settings import NAMES, Settings, read_settings

SETTINGS_KEY = "settings_of_this_run"
#: Set when the router has read this run's settings; the page takes it, so the next run reads them again.
ROUTER_READ_KEY = "settings_read_by_the_router"


def read_for_run(*, by_router: bool = False) -> Settings:
    """Read every setting in force (see `catalog.settings`) for this run; a missing secrets file is no secrets."""
    try:
        secrets: dict[str, Any] = {name: str(st.secrets[name]) for name in NAMES if name in st.secrets}
    except FileNotFoundError:  # no secrets file at all
        secrets = {}
    chosen = read_settings(secrets=secrets)
    st.session_state[SETTINGS_KEY] = chosen
    st.session_state[ROUTER_READ_KEY] = by_router
    return chosen


def page_settings() -> Settings:
    """The settings of this run for the page starting it: the router's, else (no router this run) read now."""
    chosen = st.session_state.get(SETTINGS_KEY)
    if st.session_state.pop(ROUTER_READ_KEY, False) and isinstance(chosen, Settings):
        return chosen
    return read_for_run()


def settings() -> Settings:
    """The settings of this run, as the router or the page read them."""
    chosen = st.session_state.get(SETTINGS_KEY)
    return chosen if isinstance(chosen, Settings) else read_for_run()
