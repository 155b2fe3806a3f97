"""The dashboard's router: page setup, the shared sidebar (catalog source and quality), then the pages."""

from __future__ import annotations

import streamlit as st

from catalog.sources import SOURCES_VARIABLE, configured_sources
from pages.common.history import history_sidebar
from pages.common.router import mark_routed, routes
from pages.common.settings import settings
from pages.common.spending import unlock_control

st.set_page_config(page_title="LLM price catalog", page_icon=":material/payments:", layout="wide")
navigation = st.navigation(routes())
mark_routed()
history_sidebar(configured_sources(settings().get(SOURCES_VARIABLE)))  # the catalog, or as of ?as_of=
unlock_control()  # passphrase mode: unlock spending (and Refresh prices); oidc mode: sign in
navigation.run()
