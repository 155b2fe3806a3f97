"""The dashboard's router: page setup, the shared sidebar (catalog source and quality), then the pages."""

from __future__ import annotations

import os

import streamlit as st

from catalog.extra_sources import SOURCES_VARIABLE, configured_sources
from pages.shared import catalog_sidebar, mark_routed

st.set_page_config(page_title="LLM price catalog", page_icon=":material/payments:", layout="wide")
navigation = st.navigation(
    [
        st.Page("pages/browse.py", title="Browse", icon=":material/table_view:", url_path="browse", default=True),
        st.Page("pages/charts.py", title="Charts", icon=":material/bar_chart:", url_path="charts"),
        st.Page("pages/compare.py", title="Compare", icon=":material/calculate:", url_path="compare"),
        st.Page("pages/playground.py", title="Playground", icon=":material/chat:", url_path="playground"),
    ]
)
mark_routed()
catalog_sidebar(configured_sources(os.environ.get(SOURCES_VARIABLE)))
navigation.run()
