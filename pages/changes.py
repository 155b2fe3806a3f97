"""Changes: what moved in the prices since a chosen day, biggest movers first, and any model's price history."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from catalog.dashboard.history import DEFAULT_DAYS, biggest_movers_first, changes_frame, count_changes, history_figure
from catalog.literal import markdown_text
from catalog.store import StoreError, configured_url
from pages.common import history, state
from pages.common.store import history_store

models, view = state.open_page("Price changes", "changes")
store, problem = history_store()
try:
    revision = store.revision() if store is not None else 0
    choices = store.models() if store is not None else []
except StoreError as error:
    store, problem = None, str(error)
if store is None:
    st.warning(f"Price history unavailable: {markdown_text(problem or '')}", icon=":material/database_off:")
    st.stop()
if not revision:
    st.info("No price history recorded yet. Record the pages with `python -m catalog refresh` (see the README).")
    st.stop()

today = dt.date.fromisoformat(view.as_of) if view.as_of else dt.date.today()
if "ch_since" not in st.session_state:
    st.session_state["ch_since"] = today - dt.timedelta(days=DEFAULT_DAYS)
since = st.date_input("Changes since", key="ch_since", max_value=today, format="YYYY-MM-DD")
url = configured_url()
changes = [change for change in history.changes_since(url, since, revision) if change.date <= today]
counts = count_changes(changes)
columns = st.columns(4)
columns[0].metric("Price rises", counts.up)
columns[1].metric("Price cuts", counts.down)
columns[2].metric("Models added", counts.added)
columns[3].metric("Models removed", counts.removed)

if not changes:
    st.info(f"No price changes between {since} and {today}.")
else:
    st.dataframe(
        changes_frame(changes),
        hide_index=True,
        column_config={
            "date": st.column_config.TextColumn("Date"),
            "provider": st.column_config.TextColumn("Provider"),
            "model": st.column_config.TextColumn("Model", width="large"),
            "change": st.column_config.TextColumn("Change"),
            "move": st.column_config.TextColumn("Move", help="the bigger of the two price moves"),
            "input": st.column_config.TextColumn("Input $/1M"),
            "output": st.column_config.TextColumn("Output $/1M"),
            "history": st.column_config.LinkColumn("History", display_text="price history"),
        },
        key="changes_table",
    )

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
    st.text(f"{model} on {provider}: {len(ranges)} price range(s)")
    st.plotly_chart(history_figure(ranges, today), key="history_chart")
    st.dataframe(
        [
            {"from": item.from_date.isoformat(), "to": item.to_date.isoformat() if item.to_date else "(current)",
             "input $/1M": item.input_usd_per_mtok, "output $/1M": item.output_usd_per_mtok}
            for item in ranges
        ],
        hide_index=True,
        column_config={
            "input $/1M": st.column_config.NumberColumn(format="$%.4f"),
            "output $/1M": st.column_config.NumberColumn(format="$%.4f"),
        },
        key="history_table",
    )  # fmt: skip
state.publish(view, "changes")
if chosen is not None:
    st.query_params["hist"], st.query_params["hist_provider"] = chosen[1], chosen[0]
