"""Browse: every model in a sortable table, filtered from the sidebar, shareable as a link."""

from __future__ import annotations

import streamlit as st

from catalog.dashboard.runs import with_measured
from catalog.dashboard.tables import models_frame, to_csv, to_json, visible_models
from catalog.literal import markdown_text
from catalog.query import SORT_KEYS
from pages.common import measure, sidebar, state

PRICE = "$%.3f"
COLUMNS = {
    "model": st.column_config.TextColumn("Model", pinned=True, width="large"),
    "provider": st.column_config.TextColumn("Provider"),
    "vendor": st.column_config.TextColumn("Vendor"),
    "input_usd_per_mtok": st.column_config.NumberColumn("Input $/1M", format=PRICE, help="USD per 1M input tokens"),
    "output_usd_per_mtok": st.column_config.NumberColumn("Output $/1M", format=PRICE, help="USD per 1M output tokens"),
    "blended_usd_per_mtok": st.column_config.NumberColumn(
        "Blended $/1M", format="$%.4f", help="USD per 1M tokens at the blend set in the sidebar"
    ),
    "params_b": st.column_config.NumberColumn("Params (B)", format="%g", help="Total parameters, billions"),
    "active_params_b": st.column_config.NumberColumn("Active (B)", format="%g", help="Active parameters per token"),
    "tags": st.column_config.ListColumn("Tags"),
    "flags": st.column_config.TextColumn("Data quality"),
    "replies": st.column_config.NumberColumn("Replies", help="Replies measured (playground, runs)"),
    "ttft_ms_p50": st.column_config.NumberColumn("TTFT p50", format="%.0f ms", help="Measured time to first token"),
    "tokens_per_s_p50": st.column_config.NumberColumn("Tok/s p50", format="%.1f", help="Measured output tokens/s"),
    "playground": st.column_config.LinkColumn("Try", display_text="Chat ↗", help="Open this model in the Playground"),
}

models, view = state.open_page("Browse models", "browse")

rows = visible_models(models.models, view)
frame = models_frame(rows, view.output_share, with_provider=len(models.providers) > 1)
count, blend = st.columns([1, 2], vertical_alignment="bottom")
count.markdown(f"### {len(rows)} of {len(models)} models")
blend.caption(
    f"Blended price = {100 - view.output_share_pct}% input + {view.output_share_pct}% output "
    f"(change it in the sidebar). Sorted by {SORT_KEYS[view.sort].label}{', descending' if view.descending else ''}; "
    "click a column header to re-sort the table."
)
if st.toggle("Measured speed", key="b_measured", help="Replies, p50 time to first token and tokens/s you measured"):
    frame = with_measured(frame, rows, measure.measured_speeds())
if rows:
    st.dataframe(
        frame,
        column_config=COLUMNS,
        hide_index=True,
        height=min(36 * (len(rows) + 1) + 3, 720),
        key="models_table",
    )
    csv_column, json_column, _ = st.columns([1, 1, 4])
    csv_column.download_button("Download CSV", to_csv(frame), "models.csv", "text/csv", width="stretch")
    json_column.download_button("Download JSON", to_json(frame), "models.json", "application/json", width="stretch")
else:
    st.info("No model matches these filters. Loosen a filter, or press **Reset filters** in the sidebar.")

st.subheader("Compare or try models")
view = sidebar.pick_widget(models, view, "browse")
if view.picks:
    links = st.columns(len(view.picks) + 1)
    links[0].page_link("pages/compare.py", label=f"Compare {len(view.picks)} picked →", icon=":material/calculate:")
    for column, model in zip(links[1:], view.picks, strict=True):
        label = f"Try {markdown_text(model.split('/')[-1])}"
        column.page_link("pages/playground.py", label=label, icon=":material/chat:", query_params={"model": model})
else:
    st.caption("Picked models go to **Compare** (and into the link). Any row opens in the Playground.")
sidebar.filter_sidebar(models)
state.publish(view, "browse")
