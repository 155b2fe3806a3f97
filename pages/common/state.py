"""What every dashboard page shares: the catalog (cached), and the view kept in session state and the URL."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

import catalog
from catalog.dashboard.uploads import catalog_with_extras
from catalog.dashboard.view import PARAM_NAMES, DashboardView, parse_params, restrict_to_catalog, to_params
from catalog.sources import SOURCES_VARIABLE, configured_sources
from pages.common.price_map import operator_limits
from pages.common.router import ensure_router
from pages.common.settings import settings
from pages.common.store import history_revision

#: Seconds a session's first run waits, once its page's content is sent, before it sends the rest (see
#: `show_content_first`).
FIRST_PAINT_PAUSE_S = 0.25
FIRST_PAINT_KEY = "dashboard_first_paint_done"
VIEW_KEY = "dashboard_view"
PROBLEMS_KEY = "dashboard_link_problems"
CATALOG_KEY = "dashboard_catalog"
PAGE_KEY = "dashboard_page"
#: The (provider, model id) the visitor last looked at (model page, Playground): a bare /playground opens it.
LAST_SEEN_KEY = "dashboard_last_seen_model"
#: Filter widgets in the sidebar, by widget key, with the view field each one sets.
FILTER_WIDGETS = {
    "f_q": "search",
    "f_provider": "providers",
    "f_vendor": "vendors",
    "f_tag": "tags",
    "f_min_in": "min_input",
    "f_max_in": "max_input",
    "f_min_out": "min_output",
    "f_max_out": "max_output",
    "f_min_size": "min_params_b",
    "f_max_size": "max_params_b",
    "f_known": "hide_unknown_size",
    "f_min_ctx": "min_context",
    "f_cap": "capabilities",
    "f_sort": "sort",
    "f_desc": "descending",
    "f_share": "output_share_pct",
}


@st.cache_data(show_spinner="Loading the catalog…")
def _load(sources: tuple[str, ...], history: tuple[str, int]) -> catalog.Catalog:
    """`history` is only part of the cache key: a refresh (here or from the CLI) makes a new catalog."""
    return catalog_with_extras(sources)


def load_catalog(sources: tuple[str, ...] = ()) -> catalog.Catalog:
    """The newest stored page of every provider (else the embedded page) plus the configured `sources`, cached
    until the history database changes."""
    return _load(sources, history_revision())


@st.cache_data(show_spinner="Reading the uploaded page…", max_entries=8)
def _load_with_upload(sources: tuple[str, ...], data: bytes, name: str, history: tuple[str, int]) -> catalog.Catalog:
    return catalog_with_extras(sources, [(name, data)])


def load_catalog_with_upload(sources: tuple[str, ...], data: bytes, name: str) -> catalog.Catalog:
    """The catalog plus an uploaded page, cached by content; errors are raised, never cached."""
    return _load_with_upload(sources, data, name, history_revision())


def operator_catalog() -> catalog.Catalog:
    """Today's catalog as the operator configured it (stored history, the embedded page, `CATALOG_SOURCES`), never
    a page uploaded in this session nor a past day's: what requests on the operator's credential are priced and
    addressed from."""
    sources = configured_sources(settings().get(SOURCES_VARIABLE))
    try:
        return load_catalog(sources)
    except catalog.CatalogError:  # as the sidebar does: a configured source that cannot be read is left out
        return load_catalog(())


def current_catalog() -> catalog.Catalog:
    """The catalog the user is looking at (chosen by the app's sidebar on this run)."""
    operator_limits()  # the operator's context windows and capabilities, for this run's filters and checks
    chosen = st.session_state.get(CATALOG_KEY)
    if isinstance(chosen, catalog.Catalog):
        return chosen
    return load_catalog(tuple(st.session_state.get("catalog_sources", ())))


def seed_widgets(view: DashboardView, widgets: Mapping[str, str], page: str) -> None:
    """Give widgets their values from the view: always when arriving on `page`, else only the missing ones.

    Widget state is per page in Streamlit, so a sidebar widget on another page starts fresh; the view in
    session state is what carries the filters from page to page.
    """
    arriving = st.session_state.get(PAGE_KEY) != page
    for key, name in widgets.items():
        if arriving or key not in st.session_state:
            value = getattr(view, name)
            st.session_state[key] = list(value) if isinstance(value, tuple) else value


def current_view(models: catalog.Catalog) -> DashboardView:
    """The view of this session; on its first run, read from the link it was opened with."""
    if VIEW_KEY not in st.session_state:
        parsed = parse_params({name: st.query_params.get_all(name) for name in st.query_params})
        restored, dropped = restrict_to_catalog(parsed.view, models)
        st.session_state[VIEW_KEY] = restored
        st.session_state[PROBLEMS_KEY] = parsed.problems + dropped
    view: DashboardView = st.session_state[VIEW_KEY]
    return view


def show_link_problems() -> None:
    """Say once which parts of the link were set aside."""
    for problem in st.session_state.pop(PROBLEMS_KEY, ()):
        st.warning(problem, icon=":material/link_off:")


def publish(view: DashboardView, page: str, always: Collection[str] = ()) -> None:
    """Keep the view for other pages and write it into the URL, so the address bar is a link to it; the
    parameters named in `always` are written even at their default."""
    st.session_state[VIEW_KEY] = view
    st.session_state[PAGE_KEY] = page
    write_link(view, always=always)


def write_link(view: DashboardView, *, keep_page_params: bool = False, always: Collection[str] = ()) -> None:
    """Put the view in the address bar now (a no-op when it is there already).

    Called as soon as a run knows the view, not only at the end of the page: Streamlit sends the new
    address when this is called, so a link copied while the page redraws is already the new view's.
    `keep_page_params` keeps parameters that are not the view's (Changes' `hist=`), which a page reads later.
    """
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    wanted = to_params(view, always=always)
    if keep_page_params:
        wanted |= {name: values for name, values in current.items() if name not in PARAM_NAMES}
    if current != wanted:
        st.query_params.from_dict(wanted)


def read_widgets(view: DashboardView, widgets: Mapping[str, str]) -> DashboardView:
    """The view with the fields set by these widgets' current values."""
    changes: dict[str, Any] = {}
    for key, name in widgets.items():
        if key in st.session_state:
            value = st.session_state[key]
            changes[name] = tuple(value) if isinstance(value, list) else value
    return replace(view, **changes)


def reset_filters() -> None:
    for key in FILTER_WIDGETS:
        st.session_state.pop(key, None)
    st.session_state[VIEW_KEY] = st.session_state[VIEW_KEY].without_filters()
    write_link(st.session_state[VIEW_KEY])  # from the callback: the address changes before the page redraws


def filtered_view(view: DashboardView, page: str) -> DashboardView:
    """The view as the sidebar filters set it (their values are known before the widgets are drawn)."""
    seed_widgets(view, FILTER_WIDGETS, page)
    return read_widgets(view, FILTER_WIDGETS)


def open_page(title: str, page: str, always: Collection[str] = ()) -> tuple[catalog.Catalog, DashboardView]:
    """Start a dashboard page: inside the router, titled, with the catalog and the view its filters give."""
    ensure_router()
    models = current_catalog()
    view = current_view(models)
    view = filtered_view(view, page)
    write_link(view, keep_page_params=True, always=always)  # a changed filter reaches the address bar first
    st.title(title)
    show_link_problems()
    return models, view


def show_content_first() -> None:
    """Let the browser draw the page's content before the widgets and charts below this call reach it.

    What arrives together is drawn together, and the browser fetches each element type's JavaScript in
    screen order, the sidebar's first: a first-time visitor's content waited behind some forty widget chunks
    (and a chart's 4.7 MB). So on a session's first run only, the page pauses here a moment once its content
    is sent; the sidebar's filters and any chart follow a quarter of a second later. Later runs never pause.
    """
    if st.session_state.get(FIRST_PAINT_KEY):
        return
    st.session_state[FIRST_PAINT_KEY] = True
    time.sleep(FIRST_PAINT_PAUSE_S)
