"""The dashboard's routes, defined once, and the hand-off of a deep link to the router (`app.py`)."""

from __future__ import annotations

import streamlit as st

from pages.common.settings import page_settings

ROUTED_KEY = "router_ran"
REROUTED_KEY = "router_rerun_asked"


def routes() -> list[st.Page]:
    """Every page of the dashboard, in menu order; `app.py` and the deep-link hand-off both use this list."""
    return [
        st.Page("pages/browse.py", title="Browse", icon=":material/table_view:", url_path="browse", default=True),
        st.Page("pages/charts.py", title="Charts", icon=":material/bar_chart:", url_path="charts"),
        st.Page("pages/compare.py", title="Compare", icon=":material/calculate:", url_path="compare"),
        st.Page("pages/providers.py", title="Providers", icon=":material/storefront:", url_path="providers"),
        st.Page("pages/changes.py", title="Changes", icon=":material/history:", url_path="changes"),
        st.Page("pages/runs.py", title="Runs", icon=":material/speed:", url_path="runs"),
        st.Page("pages/playground.py", title="Playground", icon=":material/chat:", url_path="playground"),
        st.Page("pages/model.py", title="Model", icon=":material/info:", url_path="model"),
    ]


def ensure_router() -> None:
    """Make sure this page runs inside the router (`app.py`), also when opened by a deep link.

    A `pages/` folder beside `app.py` puts a fresh Streamlit server in its legacy multipage mode until
    the router's `st.navigation` runs once; until then, a first visitor opening `/compare?...` would get
    the page file alone: no shared sidebar, no layout, a wrong page list. Declaring the routes with the
    documented `st.navigation` (hidden: this run draws nothing) ends that mode, and one `st.rerun` hands
    the run to the router, which keeps the URL and opens the same page.

    Every page calls this first, so it also takes this run's settings (see `pages.common.settings`).
    """
    page_settings()
    if st.session_state.get(ROUTED_KEY) or st.session_state.get(REROUTED_KEY):
        return
    st.session_state[REROUTED_KEY] = True
    st.navigation(routes(), position="hidden")
    st.rerun()


def mark_routed() -> None:
    """Called by the router: this session's pages run inside it."""
    st.session_state[ROUTED_KEY] = True
