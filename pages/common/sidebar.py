"""The sidebar: the catalog's source and quality, an uploaded page, and the Browse filters."""

from __future__ import annotations

from typing import Any

import streamlit as st

import catalog
from catalog.dashboard.summary import catalog_lines, quality_notes
from catalog.dashboard.view import MAX_PICKS, DashboardView, provider_choices, vendor_choices
from catalog.enrich import TAGS
from catalog.known_context import CAPABILITIES
from catalog.literal import code_span, markdown_text
from catalog.query import SORT_KEYS
from pages.common.state import (
    CATALOG_KEY,
    load_catalog,
    load_catalog_with_upload,
    read_widgets,
    reset_filters,
    seed_widgets,
)

#: Most characters of a parse error or page warning shown (the page's own text is quoted in them).
ERROR_LIMIT = 400
FILTERS_SLOT_KEY = "sidebar_filters_slot"


def reserve_filters() -> None:
    """Keep the top of the sidebar for the page's filters, which the page draws last (after its content)."""
    st.session_state[FILTERS_SLOT_KEY] = st.sidebar.container()


def filters_area() -> Any:
    """Where the filters go: the place the router kept at the top of the sidebar, else the sidebar itself."""
    return st.session_state.get(FILTERS_SLOT_KEY) or st.sidebar


def filter_sidebar(models: catalog.Catalog, *, sort: bool = True, blend: bool = True) -> None:
    """The Browse filters in the sidebar, drawn after the page's main content so it shows first; the sort and the
    blend only where the page uses them (Compare sorts by its own headers and costs tokens, not a blend). A page
    that leaves them out keeps them in the view for the pages that use them."""
    with filters_area():
        st.subheader("Filters")
        st.text_input("Search", key="f_q", placeholder="name, family or vendor")
        if len(models.providers) > 1:
            st.multiselect("Provider", provider_choices(models), key="f_provider", placeholder="any provider")
        st.multiselect("Vendor", vendor_choices(models), key="f_vendor", placeholder="any vendor")
        st.multiselect("Tags (all of)", TAGS, key="f_tag", placeholder="any tag")
        _range("Input price, USD per 1M tokens", "f_min_in", "f_max_in", 0.01)
        _range("Output price, USD per 1M tokens", "f_min_out", "f_max_out", 0.01)
        _range("Parameters, billions", "f_min_size", "f_max_size", 1.0)
        st.checkbox("Hide models of unknown size", key="f_known")
        st.number_input(
            "Context window, at least (tokens)", min_value=0, step=8192, value=None, key="f_min_ctx",
            placeholder="any", help="128k = 131072. A model of unknown context window is left out by this bound.",
        )  # fmt: skip
        st.multiselect("Capabilities (all of)", CAPABILITIES, key="f_cap", placeholder="any capability")
        if sort:
            st.selectbox("Sort by", list(SORT_KEYS), key="f_sort", format_func=lambda key: SORT_KEYS[key].label)
            st.toggle("Descending", key="f_desc")  # its own line: beside the sort, a narrow sidebar cut it to "Desce…"
        if blend:
            st.slider("Blend: output share of tokens (%)", 0, 100, key="f_share", help="25% = 3 input : 1 output")
        st.button("Reset filters", on_click=reset_filters, width="stretch")


def _range(label: str, low_key: str, high_key: str, step: float) -> None:
    st.caption(label)
    low, high = st.columns(2)
    for column, key, end in ((low, low_key, "min"), (high, high_key, "max")):
        column.number_input(
            f"{label}, {end}", min_value=0.0, step=step, value=None, key=key, placeholder=end,
            label_visibility="collapsed",
        )  # fmt: skip


def pick_widget(models: catalog.Catalog, view: DashboardView, page: str) -> DashboardView:
    """The models picked for Compare (kept in session and URL)."""
    seed_widgets(view, {"f_pick": "picks"}, page)
    st.multiselect(
        f"Pick up to {MAX_PICKS} models to compare side by side",
        [record.model for record in models.models],
        key="f_pick",
        max_selections=MAX_PICKS,
        placeholder="choose models",
    )
    return read_widgets(view, {"f_pick": "picks"})


def catalog_sidebar(sources: tuple[str, ...]) -> catalog.Catalog:
    """Load the catalog (configured pages plus any uploaded page) and describe it in the sidebar."""
    st.session_state["catalog_sources"] = sources
    try:
        models = load_catalog(sources)
    except catalog.CatalogError as error:
        st.error(
            f"The configured catalog sources could not be loaded: {markdown_text(str(error), ERROR_LIMIT)}. "
            "Showing the embedded page."
        )
        sources, models = (), load_catalog(())
    info = st.sidebar.container()
    with st.sidebar.popover("Add a provider page (.md)", width="stretch"):  # drawn only when opened
        upload = st.file_uploader("A Lava provider page", type=["md", "mdx", "txt"], key="catalog_upload")
    if upload is not None:
        try:
            models = load_catalog_with_upload(sources, upload.getvalue(), upload.name)
        except catalog.CatalogError as error:
            st.error(
                f"The uploaded page was not added: {markdown_text(str(error), ERROR_LIMIT)}", icon=":material/error:"
            )
    st.session_state[CATALOG_KEY] = models
    with info:
        _describe(models)
    return models


def _describe(models: catalog.Catalog) -> None:
    # As HTML, at the top of the sidebar: its code is then the first the browser fetches, before the widgets',
    # and the page's own HTML tables (the first content of most pages) show without waiting for theirs.
    st.html(catalog_lines(models))
    notes = quality_notes(models)
    with st.expander(notes.label):
        for warning in notes.warnings:
            st.markdown(f"- {markdown_text(warning, ERROR_LIMIT)}")
        for model, labels in notes.flagged:
            st.markdown(f"- {code_span(model)}: {labels}")
        if not notes.warnings and not notes.flagged:
            st.caption("No zero prices, no output cheaper than input, no parser warnings.")
