"""The dashboard's router: page setup, the shared sidebar (catalog source and quality), then the pages."""

from __future__ import annotations

import streamlit as st

from catalog.settings import applied
from catalog.sources import SOURCES_VARIABLE, configured_sources
from pages.common.history import history_sidebar
from pages.common.operator import setting_warnings
from pages.common.router import mark_routed, routes
from pages.common.settings import read_for_run
from pages.common.sidebar import reserve_filters
from pages.common.spending import still_here, unlock_control

#: Streamlit leaves ~110 px above a page's title (6rem of padding under its header): keep what clears the header.
#: And every grid's own "Download as CSV" toolbar button is hidden: it writes cells as they are, past the CSV-injection
#: guard (`catalog.formats.cells.csv_cell`) every download button of ours goes through. Its button's aria-label
#: is "Download as CSV" (or "Download as CSV: <label>"), in Streamlit's `stElementToolbarButton`.
LAYOUT_STYLE = (
    "<style>[data-testid='stMainBlockContainer']{padding-top:3.75rem}"
    "[data-testid='stElementToolbarButton']:has(button[aria-label^='Download as CSV']){display:none}</style>"
)

st.set_page_config(page_title="LLM price catalog", page_icon=":material/payments:", layout="wide")
st.html(LAYOUT_STYLE)  # a style alone takes no room on the page
navigation = st.navigation(routes(), position="top", expanded=1)  # on top; on a phone, folded above the filters
mark_routed()
with applied(read_for_run(by_router=True)) as settings:  # read once per run; the library's defaults use them too
    reserve_filters()  # a page's filters come first in the sidebar, the catalog's source and quality below
    setting_warnings()  # an operator sees a setting that does not fit; a visitor, nothing
    history_sidebar(configured_sources(settings.get(SOURCES_VARIABLE)))  # the catalog, or as of ?as_of=
    unlock_control()  # passphrase mode: unlock spending (and Refresh prices); oidc mode: sign in
    still_here()  # a session whose run is going is seen on every page (one write every 30 s at most), so it goes on
    navigation.run()
