"""Changes: what moved in the prices since a chosen day, biggest movers first, and any model's price history."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from catalog.dashboard.examples import example_changes_table
from catalog.dashboard.history import (
    DEFAULT_DAYS,
    biggest_movers_first,
    changes_table,
    count_changes,
    history_figure,
    ranges_table,
)
from catalog.dashboard.html_table import html_stats, keep_room
from catalog.history import StoreError, configured_url
from catalog.words import counted
from pages.common import history, state
from pages.common.empty import EMPTY_CHANGES, explain_empty
from pages.common.operator import is_operator, unavailable
from pages.common.settings import settings
from pages.common.store import history_store

models, view = state.open_page("Price changes", "changes")
store, problem = history_store()
try:
    revision = store.revision() if store is not None else 0
    choices = store.models() if store is not None else []
except StoreError as error:
    store, problem = None, str(error)
if store is None or not revision:
    if store is None:
        st.warning(unavailable("Price history unavailable", problem), icon=":material/database_off:")
    explain_empty(EMPTY_CHANGES, "`python -m catalog refresh` records the pages" if is_operator() else None)
    st.html(example_changes_table())
    st.stop()

today = dt.date.fromisoformat(view.as_of) if view.as_of else dt.date.today()
if "ch_since" not in st.session_state:
    st.session_state["ch_since"] = today - dt.timedelta(days=DEFAULT_DAYS)
since: dt.date = st.session_state["ch_since"]  # the picker's value, known before it is drawn (after the changes)
picker = st.container(key="changes_since")
picker.html(keep_room("changes_since", 100))  # the date picker's room (106 px drawn) while it loads
picker.caption(f"Prices that moved between {since} and {today}.")
url = configured_url(settings())
changes = [change for change in history.changes_since(url, since, revision) if change.date <= today]
counts = count_changes(changes)
moves = [("Price rises", counts.up), ("Price cuts", counts.down), ("Models added", counts.added),
         ("Models removed", counts.removed)]  # fmt: skip
st.html(html_stats([(label, f"{count:,}") for label, count in moves], label="Changes"))

if not changes:
    st.info(f"No price changes between {since} and {today}.")
else:
    st.html(changes_table(changes))

state.show_content_first()  # the date picker, the history's picker and its chart follow the changes
picker.date_input("Changes since", key="ch_since", max_value=today, format="YYYY-MM-DD")
st.subheader("Price history of one model")
wanted = (st.query_params.get("hist_provider", ""), st.query_params.get("hist", ""))
if "ch_model" not in st.session_state or (wanted in choices and st.session_state.get("ch_from_link") != wanted):
    movers = biggest_movers_first(changes)
    first = (movers[0].provider, movers[0].model) if movers else choices[0]
    st.session_state["ch_model"] = wanted if wanted in choices else first
    st.session_state["ch_from_link"] = wanted
chosen = st.selectbox(
    "Model", choices, key="ch_model", format_func=lambda item: f"{item[1]}  ·  {item[0]}", placeholder="choose a model"
)
if chosen is not None:
    provider, model = chosen
    ranges = history.history_of(url, model, provider, revision)
    st.text(f"{model} on {provider}: {counted(len(ranges), 'price range')}")
    st.plotly_chart(history_figure(ranges, today), key="history_chart")
    st.html(ranges_table(ranges))
state.publish(view, "changes")
if chosen is not None:
    st.query_params["hist"], st.query_params["hist_provider"] = chosen[1], chosen[0]
