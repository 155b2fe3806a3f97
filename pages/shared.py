"""What every page shares: the catalog (cached), the view kept in session state and the URL, the filter sidebar."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import streamlit as st

import catalog
from catalog.enrich import TAGS
from catalog.extra_sources import catalog_with_extras
from catalog.views import MAX_PICKS, SORT_KEYS, DashboardView, parse_params, restrict_to_catalog, to_params

VIEW_KEY = "dashboard_view"
PROBLEMS_KEY = "dashboard_link_problems"
CATALOG_KEY = "dashboard_catalog"
PAGE_KEY = "dashboard_page"
ROUTED_KEY = "router_ran"
REROUTED_KEY = "router_rerun_asked"
#: Filter widgets in the sidebar, by widget key, with the view field each one sets.
FILTER_WIDGETS = {
    "f_q": "search",
    "f_vendor": "vendors",
    "f_tag": "tags",
    "f_min_in": "min_input",
    "f_max_in": "max_input",
    "f_min_out": "min_output",
    "f_max_out": "max_output",
    "f_min_size": "min_params_b",
    "f_max_size": "max_params_b",
    "f_known": "hide_unknown_size",
    "f_sort": "sort",
    "f_desc": "descending",
    "f_share": "output_share_pct",
}


def ensure_router() -> None:
    """Make sure this page runs inside the router (`app.py`), also when opened by a deep link.

    A `pages/` folder beside `app.py` puts a fresh Streamlit server in its legacy multipage mode until
    the router's `st.navigation` runs once; until then, a first visitor opening `/compare?...` would get
    the page file alone: no shared sidebar, no layout, a wrong page list. Turning that mode off and
    rerunning, once, hands the run to the router, which keeps the URL and opens the same page.
    """
    if st.session_state.get(ROUTED_KEY) or st.session_state.get(REROUTED_KEY):
        return
    try:  # Streamlit's own switch (1.36 to 1.67 at least); if it is gone, so is the legacy mode
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.session_state[REROUTED_KEY] = True
        st.rerun()


def mark_routed() -> None:
    """Called by the router: this session's pages run inside it."""
    st.session_state[ROUTED_KEY] = True


@st.cache_data(show_spinner="Loading the catalog…")
def load_catalog(sources: tuple[str, ...] = ()) -> catalog.Catalog:
    """The embedded DeepInfra page plus the configured `sources`, cached across reruns."""
    return catalog_with_extras(sources)


@st.cache_data(show_spinner="Reading the uploaded page…", max_entries=8)
def load_catalog_with_upload(sources: tuple[str, ...], data: bytes, name: str) -> catalog.Catalog:
    """The catalog plus an uploaded page, cached by content; errors are raised, never cached."""
    return catalog_with_extras(sources, [(name, data)])


def current_catalog() -> catalog.Catalog:
    """The catalog the user is looking at (chosen by the app's sidebar on this run)."""
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
        vendors = {record.vendor or "" for record in models.models}
        view, dropped = restrict_to_catalog(parsed.view, vendors, {record.model for record in models.models})
        st.session_state[VIEW_KEY] = view
        st.session_state[PROBLEMS_KEY] = parsed.problems + dropped
    view: DashboardView = st.session_state[VIEW_KEY]
    return view


def show_link_problems() -> None:
    """Say once which parts of the link were set aside."""
    for problem in st.session_state.pop(PROBLEMS_KEY, ()):
        st.warning(problem, icon=":material/link_off:")


def publish(view: DashboardView, page: str) -> None:
    """Keep the view for other pages and write it into the URL, so the address bar is a link to it."""
    st.session_state[VIEW_KEY] = view
    st.session_state[PAGE_KEY] = page
    wanted = to_params(view)
    if {name: st.query_params.get_all(name) for name in st.query_params} != wanted:
        st.query_params.from_dict(wanted)


def read_widgets(view: DashboardView, widgets: Mapping[str, str]) -> DashboardView:
    """The view with the fields set by these widgets' current values."""
    values = {name: st.session_state[key] for key, name in widgets.items() if key in st.session_state}
    return replace(view, **{name: tuple(v) if isinstance(v, list) else v for name, v in values.items()})


def _reset_filters() -> None:
    for key in FILTER_WIDGETS:
        st.session_state.pop(key, None)
    defaults = DashboardView()
    st.session_state[VIEW_KEY] = replace(
        st.session_state[VIEW_KEY], **{name: getattr(defaults, name) for name in FILTER_WIDGETS.values()}
    )


def filtered_view(view: DashboardView, page: str) -> DashboardView:
    """The view as the sidebar filters set it (their values are known before the widgets are drawn)."""
    seed_widgets(view, FILTER_WIDGETS, page)
    return read_widgets(view, FILTER_WIDGETS)


def open_page(title: str, page: str) -> tuple[catalog.Catalog, DashboardView]:
    """Start a dashboard page: inside the router, titled, with the catalog and the view its filters give."""
    ensure_router()
    models = current_catalog()
    view = current_view(models)
    st.title(title)
    show_link_problems()
    return models, filtered_view(view, page)


def filter_sidebar(models: catalog.Catalog) -> None:
    """The Browse filters, sort and blend in the sidebar, drawn after the page's main content so it shows first."""
    vendors = sorted({record.vendor or "" for record in models.models}, key=str.lower)
    with st.sidebar:
        st.subheader("Filters")
        st.text_input("Search", key="f_q", placeholder="name, family or vendor")
        st.multiselect("Vendor", vendors, key="f_vendor", placeholder="any vendor")
        st.multiselect("Tags (all of)", TAGS, key="f_tag", placeholder="any tag")
        _range("Input price, USD per 1M tokens", "f_min_in", "f_max_in", 0.01)
        _range("Output price, USD per 1M tokens", "f_min_out", "f_max_out", 0.01)
        _range("Parameters, billions", "f_min_size", "f_max_size", 1.0)
        st.checkbox("Hide models of unknown size", key="f_known")
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        left.selectbox("Sort by", list(SORT_KEYS), key="f_sort", format_func=SORT_KEYS.__getitem__)
        right.toggle("Descending", key="f_desc")
        st.slider("Blend: output share of tokens (%)", 0, 100, key="f_share", help="25% = 3 input : 1 output")
        st.button("Reset filters", on_click=_reset_filters, width="stretch")


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
        st.error(f"The configured catalog sources could not be loaded: {error}. Showing the embedded page.")
        sources, models = (), load_catalog(())
    info = st.sidebar.container()
    with st.sidebar.expander("Add a provider page (.md)"):
        upload = st.file_uploader("A Lava provider page", type=["md", "mdx", "txt"], key="catalog_upload")
    if upload is not None:
        try:
            models = load_catalog_with_upload(sources, upload.getvalue(), upload.name)
        except catalog.CatalogError as error:
            st.error(f"The uploaded page was not added: {error}", icon=":material/error:")
    st.session_state[CATALOG_KEY] = models
    with info:
        _describe(models)
    return models


def _describe(models: catalog.Catalog) -> None:
    for provider in models.providers:
        source = f"[{provider.name}]({provider.source})" if provider.source.startswith("http") else provider.name
        st.caption(f"{source} · snapshot {provider.snapshot_date or 'unknown'}")
    st.caption(f"**{len(models)} models** from {len(models.providers)} page(s)")
    flagged = [record for record in models.models if record.flags]
    notes = len(models.warnings) + len(flagged)
    with st.expander(f"Data quality: {notes} note(s)" if notes else "Data quality: no issues found"):
        for warning in models.warnings:
            st.markdown(f"- {warning}")
        for record in flagged:
            labels = ", ".join(catalog.FLAG_LABELS.get(flag, flag) for flag in record.flags)
            st.markdown(f"- `{record.model}`: {labels}")
        if not notes:
            st.caption("No zero prices, no output cheaper than input, no parser warnings.")
