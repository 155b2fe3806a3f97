"""Providers: the same model on every host, the cheapest marked, what the cheapest host saves a month."""

from __future__ import annotations

import streamlit as st

from catalog.dashboard.providers import CHEAPEST, SHOWN_ROWS, in_browse_order, providers_table
from catalog.dashboard.tables import visible_models
from catalog.dashboard.words import SIDE_PANEL
from catalog.gateway.config import ConfigError
from catalog.gateway.targets import TRUSTED_TARGET_HOSTS, is_trusted_target, trusted_hosts
from catalog.hosts import host_groups
from catalog.records import ModelRecord
from catalog.words import counted
from pages.common import sidebar, state
from pages.common.operator import is_operator
from pages.common.settings import settings as operator_settings

models, view = state.open_page("Providers", "providers")
by_name = {info.name: info for info in models.providers}


try:
    hosts = trusted_hosts(operator_settings())
except ConfigError:
    hosts = TRUSTED_TARGET_HOSTS  # the Playground itself explains the operator's mistake


def can_try(record: ModelRecord) -> bool:
    target = by_name[record.provider].target_url if record.provider in by_name else None
    return bool(target) and is_trusted_target(target or "", hosts)


toggle = st.container()  # drawn after the table, shown above it
visible = visible_models(models.models, view)
shared = any(len(group.providers) > 1 for group in host_groups(models.models, min_hosts=2))
several = st.session_state.get("p_several", shared)  # all models by default only when no model has two hosts
groups = in_browse_order(host_groups(visible, min_hosts=2 if several else 1), visible)
providers = sorted({info.name for info in models.providers}, key=str.lower)
workload = view.workload()
if not shared:
    how = " or run `python -m catalog refresh --index`" if is_operator() else ""
    st.info(
        f"Only one provider is loaded, so every model has one host here. This page compares what the same model "
        f"costs on each host: add a provider page with **Add a provider page** in {SIDE_PANEL}{how} to compare "
        "hosts.",
        icon=":material/storefront:",
    )
st.caption(
    f"{counted(len(groups), 'model')} on {counted(len(providers), 'provider')}, in Browse's order. Each cell is the "
    f"blended price per 1M tokens ({100 - view.output_share_pct}:{view.output_share_pct}); {CHEAPEST} marks the "
    f"cheapest host. Savings are for the Compare workload: {workload.input_tokens:,} in + "
    f"{workload.output_tokens:,} out tokens, {view.requests:,} requests a {view.period}. A cell opens that host in "
    "the Playground where it can be tried, else the model's page."
)
if groups:
    st.html(providers_table(groups, providers, view.output_share, workload, can_try))
    if len(groups) > SHOWN_ROWS:
        st.caption(f"The first {SHOWN_ROWS} of {len(groups):,} models: narrow them with the sidebar's filters.")
else:
    st.info("No model here is sold by two loaded providers: turn off the toggle to see every model.")
with toggle:
    st.toggle("Only models sold by at least two providers", value=shared, key="p_several")
state.show_content_first()
sidebar.filter_sidebar(models)
state.publish(view, "providers")
