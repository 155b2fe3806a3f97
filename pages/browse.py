"""Browse: every model in a table, filtered and sorted from the sidebar, shareable as a link.

The table is plain HTML (on screen before any grid's JavaScript); the interactive grid is one toggle away.
The toggles above the table are drawn after it (into a container placed above), so the table is sent first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import streamlit as st

from catalog.dashboard.html_table import html_table
from catalog.dashboard.model_page import SHORT_NAME_IN_LINK
from catalog.dashboard.tables import (
    HTML_ROWS,
    UNKNOWN,
    browse_table,
    host_counts,
    models_frame,
    sort_marker,
    styled_grid,
    to_csv,
    to_json,
    visible_models,
)
from catalog.dashboard.words import SIDE_PANEL
from catalog.literal import markdown_text
from catalog.query import SORT_KEYS, hidden_by_context_bound, hidden_by_size_bound
from catalog.words import counted
from pages.common import measure, sidebar, state

if TYPE_CHECKING:
    import pandas as pd

#: The interactive grid (on demand): resizable columns, re-sortable on screen. Prices, context windows and measured
#: speeds are written as the plain table writes them (`styled_grid`: no `format` here), sorted as numbers.
COLUMNS = {
    # Narrow, so a phone shows a model's name beside its prices; the full id is on its page and further right.
    "name": st.column_config.LinkColumn(
        "Model", pinned=True, width=170, display_text=SHORT_NAME_IN_LINK, help="Open the model's page"
    ),
    "model": st.column_config.TextColumn("Model id", width="large"),
    "provider": st.column_config.TextColumn("Provider"),
    "hosts": st.column_config.NumberColumn("Hosts", help="Providers loaded here that sell the same weights"),
    "vendor": st.column_config.TextColumn("Vendor", help=f"{UNKNOWN}: the id names no maker we know"),
    "input_usd_per_mtok": st.column_config.NumberColumn("Input $/1M", help="USD per 1M input tokens"),
    "output_usd_per_mtok": st.column_config.NumberColumn("Output $/1M", help="USD per 1M output tokens"),
    "blended_usd_per_mtok": st.column_config.NumberColumn(
        "Blended $/1M", help="USD per 1M tokens at the Blend set under Filters"
    ),
    "context_window": st.column_config.NumberColumn(
        "Context", help="Context window, tokens (the model's page: source)"
    ),
    "params_b": st.column_config.NumberColumn(
        "Params (B)", format="%g", help=f"Total parameters, billions ({UNKNOWN}: neither the id nor a model card says)"
    ),
    "active_params_b": st.column_config.NumberColumn(
        "Active (B)", format="%g", help=f"Active parameters per token ({UNKNOWN}: a dense model, or not published)"
    ),
    "tags": st.column_config.ListColumn("Tags"),
    "flags": st.column_config.TextColumn("Data quality"),
    "replies": st.column_config.NumberColumn("Replies", help="Replies measured (playground, runs)"),
    "ttft_ms_p50": st.column_config.NumberColumn("TTFT", help="Measured time to first token, median"),
    "tokens_per_s_p50": st.column_config.NumberColumn("Tok/s", help="Measured output tokens per second, median"),
    "playground": st.column_config.LinkColumn("Try", display_text="Chat ↗", help="Open this model in the Playground"),
}
ORDER = (  # as the plain table: the name, its key number, the prices, the window
    "name", "blended_usd_per_mtok", "input_usd_per_mtok", "output_usd_per_mtok", "context_window", "replies",
    "ttft_ms_p50", "tokens_per_s_p50", "playground", "provider", "hosts",
    "vendor", "params_b", "active_params_b", "tags", "flags", "model",
)  # fmt: skip

models, view = state.open_page("Browse models", "browse")

rows = visible_models(models.models, view)
hosts = host_counts(models.models) if len(models.providers) > 1 else None
sort = f"{SORT_KEYS[view.sort].label}{', descending' if view.descending else ''}"
count, blend = st.columns([1, 2], vertical_alignment="bottom")
count.markdown(f"### {len(rows):,} of {counted(len(models), 'model')}")
blend.caption(
    f"Blended price = {100 - view.output_share_pct}% input + {view.output_share_pct}% output. "
    f"Sorted by {sort} {sort_marker(view.descending)} (click a header to sort; the link keeps it). "
    "A plain table, quick to load; the grid toggle gives resizable, sortable columns."
)
hidden = hidden_by_size_bound(models.models, view.model_filter())
if hidden:
    st.caption(f"{counted(hidden, 'model')} of unknown size hidden by the size filter.")
hidden = hidden_by_context_bound(models.models, view.model_filter())
if hidden:
    st.caption(f"{counted(hidden, 'model')} of unknown context window hidden by the context filter.")
controls = st.container()  # the toggles show here, but are drawn after the table so the table is sent first
show_measured = bool(st.session_state.get("b_measured", False))
show_grid = bool(st.session_state.get("b_grid", False)) and bool(rows)
speeds = measure.measured_speeds() if show_measured else None
if rows and not show_grid:
    columns, cells = browse_table(rows[:HTML_ROWS], view, hosts=hosts, speeds=speeds)
    st.html(html_table(columns, cells, label="Models", max_height=None))  # the page scrolls, not the table
    if len(rows) > HTML_ROWS:
        st.caption(
            f"Showing the first {HTML_ROWS} of {len(rows):,}, sorted by {sort}; the grid and the downloads hold all."
        )


def shown_frame() -> pd.DataFrame:
    """The filtered models as the grid and the downloads hold them (pandas: built only when one asks)."""
    frame = models_frame(rows, view.output_share, with_provider=hosts is not None, hosts=hosts)
    if speeds is None:
        return frame
    from catalog.dashboard.runs import with_measured

    return with_measured(frame, rows, speeds)


if show_grid:
    frame = shown_frame()
    st.caption("The grid's column headers re-sort this screen only; the link keeps the sidebar's sort.")
    with styled_grid(frame) as styled:
        st.dataframe(
            styled,
            column_config=COLUMNS,
            column_order=[name for name in ORDER if name in frame.columns],
            hide_index=True,
            placeholder=UNKNOWN,
            height=min(36 * (len(rows) + 1) + 3, 720),
            key="models_table",
        )
if rows:
    csv_column, json_column, _ = st.columns([1, 1, 4])
    # Written when clicked, not on every run: the page needs no pandas until then.
    csv_column.download_button("Download CSV", lambda: to_csv(shown_frame()), "models.csv", "text/csv", width="stretch")
    json_column.download_button(
        "Download JSON", lambda: to_json(shown_frame()), "models.json", "application/json", width="stretch"
    )
else:
    st.info(f"No model matches these filters. Loosen a filter, or press **Reset filters** in {SIDE_PANEL}.")
with controls:
    measured_column, grid_column = st.columns(2)
    measured_column.toggle(
        "Measured speed", key="b_measured", help="Replies, p50 time to first token and tokens/s you measured"
    )
    grid_column.toggle(
        f"Interactive grid (all {counted(len(rows), 'row')})",
        key="b_grid",
        disabled=not rows,
        help="Every row in a grid with resizable, sortable columns (slower to load than the plain table)",
    )

state.show_content_first()  # the picks, then the sidebar's filters, follow the table
st.subheader("Compare or try models")
view = sidebar.pick_widget(models, view, "browse")
if view.picks:
    links = st.columns(len(view.picks) + 1)
    if links[0].button(f"Compare {len(view.picks)} picked →", icon=":material/calculate:", key="compare_picks"):
        state.publish(replace(view, scope="picked"), "browse")  # Compare opens on the picks
        st.switch_page("pages/compare.py")
    for column, model in zip(links[1:], view.picks, strict=True):
        label = f"Try {markdown_text(model.split('/')[-1])}"
        column.page_link("pages/playground.py", label=label, icon=":material/chat:", query_params={"model": model})
else:
    st.caption("Picked models go to **Compare** (and into the link). Any row opens in the Playground.")
sidebar.filter_sidebar(models)
state.publish(view, "browse")
