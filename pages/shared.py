"""What every page shares: the catalog, loaded once per source and cached."""

from __future__ import annotations

import streamlit as st

import catalog


@st.cache_data(show_spinner="Loading the catalog…")
def load_catalog(sources: tuple[str, ...] = ()) -> catalog.Catalog:
    """The catalog of `sources` (the embedded DeepInfra page when empty), cached across reruns."""
    return catalog.load_catalog(sources)


def current_catalog() -> catalog.Catalog:
    """The catalog the user is looking at."""
    return load_catalog(tuple(st.session_state.get("catalog_sources", ())))
