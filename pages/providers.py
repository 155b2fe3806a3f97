"""Providers: the same model on every host, the cheapest marked, what the cheapest host saves a month."""

from __future__ import annotations

import streamlit as st

from catalog.dashboard.providers import CHEAPEST, SHOWN_ROWS, providers_table
from catalog.dashboard.tables import visible_models
from catalog.gateway.config import ConfigError
from catalog.gateway.targets import TRUSTED_TARGET_HOSTS, is_trusted_target, trusted_hosts
from catalog.hosts import host_groups
from catalog.records import ModelRecord
from pages.common import sidebar, state
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
several = st.session_state.get("p_several", len(models.providers) > 1)
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
    st.html(providers_table(groups, providers, view.output_share, workload, can_try))
    if len(groups) > SHOWN_ROWS:
        st.caption(f"The first {SHOWN_ROWS} of {len(groups):,} models: narrow them with the sidebar's filters.")
else:
    st.info(
        "No model is sold by two loaded providers. Load more provider pages (see the README), or turn off the toggle."
    )
with toggle:
    st.toggle("Only models sold by at least two providers", value=len(models.providers) > 1, key="p_several")
state.show_content_first()
sidebar.filter_sidebar(models)
state.publish(view, "providers")
