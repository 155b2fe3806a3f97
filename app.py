"""The dashboard's router: page setup, the shared sidebar (catalog source and quality), then the pages."""

from __future__ import annotations

import os

import streamlit as st

from catalog.sources import SOURCES_VARIABLE, configured_sources
from pages.common.router import mark_routed, routes
from pages.common.sidebar import catalog_sidebar

st.set_page_config(page_title="LLM price catalog", page_icon=":material/payments:", layout="wide")
navigation = st.navigation(routes())
mark_routed()
catalog_sidebar(configured_sources(os.environ.get(SOURCES_VARIABLE)))
navigation.run()
