"""Providers: the same model on every host, the cheapest marked, what the cheapest host saves a month."""

from __future__ import annotations

import streamlit as st

from catalog.chat.config import ConfigError
from catalog.chat.targets import TRUSTED_TARGET_HOSTS, is_trusted_target, trusted_hosts
from catalog.dashboard.providers import CELL_LABEL, CHEAPEST, providers_frame
from catalog.dashboard.tables import visible_models
from catalog.hosts import host_groups
from catalog.records import ModelRecord
from pages.common import chat, sidebar, state

COLUMNS = {
    "model": st.column_config.LinkColumn("Model", pinned=True, width="medium", display_text=CELL_LABEL),
    "key": st.column_config.TextColumn("Key", help="model_key: one key for the same weights on every host"),
    "hosts": st.column_config.NumberColumn("Hosts", width="small"),
    "cheapest": st.column_config.TextColumn("Cheapest"),
    "saves": st.column_config.TextColumn(
        "Saves /mo", help="The Compare workload a month: the dearest host's cost less the cheapest's"
    ),
}

models, view = state.open_page("Providers", "providers")
by_name = {info.name: info for info in models.providers}


try:
    hosts = trusted_hosts(chat.settings())
except ConfigError:
    hosts = TRUSTED_TARGET_HOSTS  # the Playground itself explains the operator's mistake


def can_try(record: ModelRecord) -> bool:
    target = by_name[record.provider].target_url if record.provider in by_name else None
    return bool(target) and is_trusted_target(target or "", hosts)


several = st.toggle("Only models sold by at least two providers", value=len(models.providers) > 1, key="p_several")
groups = host_groups(visible_models(models.models, view), min_hosts=2 if several else 1)
providers = sorted({info.name for info in models.providers}, key=str.lower)
workload = view.workload()
st.caption(
    f"{len(groups)} models on {len(providers)} providers. Each cell is the blended price per 1M tokens "
    f"({100 - view.output_share_pct}:{view.output_share_pct}); {CHEAPEST} marks the cheapest host. "
    f"Savings are for the Compare workload: {workload.input_tokens:,} in + {workload.output_tokens:,} out tokens, "
    f"{view.requests:,} requests a {view.period}. A cell opens that host in the Playground where it can be tried, "
    "else the model's page."
)
if groups:
    cells = {p: st.column_config.LinkColumn(p, display_text=CELL_LABEL) for p in providers}
    st.dataframe(
        providers_frame(groups, providers, view.output_share, workload, can_try),
        column_config=COLUMNS | cells,
        hide_index=True,
        height=min(36 * (len(groups) + 1) + 3, 720),
    )
else:
    st.info(
        "No model is sold by two loaded providers. Load more provider pages (see the README), or turn off the toggle."
    )
sidebar.filter_sidebar(models)
state.publish(view, "providers")
