"""The dashboard's price-history glue: the store (opened once), the `?as_of=` catalog, its banner and sidebar part."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

import catalog
from catalog.dashboard.summary import catalog_lines, shown_day, snapshot_age
from catalog.dashboard.view import parse_params
from catalog.history import Change, PriceRange, Store, StoreError, catalog_as_of, configured_url, describe_location
from catalog.history.flight import refresh_once
from catalog.history.refresh import RefreshTally
from catalog.literal import markdown_text
from catalog.sources import SOURCES_VARIABLE, configured_urls
from catalog.words import counted
from pages.common.operator import is_operator, unavailable
from pages.common.settings import settings
from pages.common.sidebar import catalog_sidebar
from pages.common.spending import visitor
from pages.common.state import CATALOG_KEY, VIEW_KEY
from pages.common.store import history_store


@st.cache_data(max_entries=16, show_spinner="Reading the stored history…")
def _catalog_on(url: str, day: str, revision: int) -> catalog.Catalog:
    store, problem = history_store()
    if store is None:
        raise StoreError(problem or "no history database")
    return catalog_as_of(store, dt.date.fromisoformat(day))


@st.cache_data(max_entries=16, show_spinner=False)
def changes_since(url: str, since: dt.date, revision: int) -> list[Change]:
    store, _ = history_store()
    return store.changes(since) if store is not None else []


@st.cache_data(max_entries=64, show_spinner=False)
def history_of(url: str, model: str, provider: str, revision: int) -> list[PriceRange]:
    store, _ = history_store()
    return store.history(model, provider) if store is not None else []


def requested_as_of() -> str | None:
    """The day the visitor asked to see: from the view once there is one, else from the link."""
    view = st.session_state.get(VIEW_KEY)
    if view is not None:
        return getattr(view, "as_of", None)
    return parse_params({"as_of": st.query_params.get_all("as_of")}).view.as_of


def _back_to_today() -> None:
    view = st.session_state.get(VIEW_KEY)
    if view is not None:
        st.session_state[VIEW_KEY] = replace(view, as_of=None)
    st.query_params.pop("as_of", None)


def history_sidebar(sources: tuple[str, ...]) -> catalog.Catalog:
    """The catalog of this run (as of the link's day, or today's) with its sidebar, then the history's own part."""
    store, problem = history_store()
    as_of, past = requested_as_of(), None
    if as_of is not None:
        try:
            if store is None:
                raise StoreError(problem or "no history database")
            past = _catalog_on(configured_url(settings()), as_of, store.revision())
        except StoreError as error:
            store, problem = None, str(error)
            st.warning(
                f"The catalog as of {as_of} cannot be shown: {markdown_text(str(error))}. Showing today's prices."
            )
        except catalog.CatalogError as error:
            st.warning(
                f"The catalog as of {as_of} cannot be shown: {markdown_text(str(error))}. Showing today's prices."
            )
    if past is None:
        models = catalog_sidebar(sources)
    else:
        models = past
        st.session_state[CATALOG_KEY] = past
        st.info(
            f"**Prices as of {as_of}**: the whole dashboard shows the catalog as the stored history had it that "
            "day. Links you share keep this date.",
            icon=":material/history:",
        )
        st.button("Back to today's prices", on_click=_back_to_today, key="as_of_clear")
        _describe_past(past)
    _history_part(store, problem, as_of if past is not None else None, models)
    return models


def _describe_past(models: catalog.Catalog) -> None:
    st.sidebar.html(catalog_lines(models))


def _history_part(store: Store | None, problem: str | None, as_of: str | None, models: catalog.Catalog) -> None:
    shown = shown_day(models, as_of)
    with st.sidebar.container(border=True):
        st.markdown(f"**Prices as of {shown}**")
        if store is None:
            _unavailable(problem or "")
            return
        try:
            newest = store.newest_date()
        except StoreError as error:
            _unavailable(str(error))
            return
        operator = is_operator()
        if newest is None:
            st.caption("No price history recorded yet" + (" (`python -m catalog refresh`)." if operator else "."))
        else:
            st.caption(snapshot_age(newest, dt.date.today()))
        if operator:
            st.caption(f"History kept in {markdown_text(describe_location(configured_url(settings())))}")
        _refresh_button(store)


def _unavailable(problem: str) -> None:
    """One line: the history was not read, why (the database's name and the reason, so not cut at 80), and what
    is shown instead."""
    st.warning(unavailable("Price history unavailable", problem) + " Browsing the embedded page, read-only.")


def _refresh_button(store: Store) -> None:
    """Refresh the operator's configured URL sources (never an address typed in the page)."""
    urls = configured_urls(settings().get(SOURCES_VARIABLE))
    if not urls or not visitor().unlocked:  # operator-only: the passphrase, or `python -m catalog refresh`
        return
    if not st.button("Refresh prices", key="history_refresh", icon=":material/refresh:"):
        return
    with st.status(f"Refreshing {counted(len(urls), 'configured page')}…", expanded=True) as status:
        try:
            cooldown = settings().whole("CATALOG_REFRESH_COOLDOWN_S")
            flight, outcomes = refresh_once(store, urls, visitor().owner, cooldown, lambda o: _show(o.summary()))
            if not flight.started:  # another refresh is running, or one ended within the cooldown
                status.update(label=flight.message, state="error")
                return
        except StoreError as error:
            st.text(str(error))
            status.update(label="Refresh failed: the history database cannot be written", state="error")
            return
        tally = RefreshTally.of(outcomes)
        status.update(
            label=tally.line(), state="error" if tally.all_failed else "complete", expanded=bool(tally.failed)
        )
    _catalog_on.clear()
    changes_since.clear()
    history_of.clear()


def _show(line: str) -> None:
    st.text(line)
