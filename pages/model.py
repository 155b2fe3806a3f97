"""A model's page: both prices and where they came from, what its id tells, its workload cost, cheaper peers."""

from __future__ import annotations

import streamlit as st

from catalog.costs import usd
from catalog.dashboard.html_table import html_stats
from catalog.dashboard.model_page import alternatives_table, facts_table, find_model, model_details, price_text
from catalog.literal import markdown_text
from pages.common import state
from pages.common.price_map import models_dev_problem, price_map
from pages.common.router import ensure_router
from pages.common.run_checks import show_model_pass_rates

ensure_router()
models = state.current_catalog()
view = state.current_view(models)
record = find_model(models, st.query_params.get("id"), st.query_params.get("provider"))
if record is None:
    st.title("Model")
    if st.query_params.get("id"):
        st.warning(f"No model {markdown_text(st.query_params['id'])} in the catalog; choose one below.")
    choices = {f"{r.provider}: {r.model}": r for r in models.models}
    picked = st.selectbox("Model", list(choices), index=None, placeholder="choose a model")
    if picked is not None:
        st.query_params.from_dict({"id": choices[picked].model, "provider": choices[picked].provider})
        st.rerun()
    st.stop()

st.session_state[state.LAST_SEEN_KEY] = (record.provider, record.model)  # a bare /playground opens it
entries, map_problem = price_map()  # also puts the operator's limits in force for this run
limits_problem = models_dev_problem()
details = model_details(models, record, view.workload(), view.output_share, entries)
st.title(markdown_text(record.display_name or record.model, limit=None))
st.caption(f"{markdown_text(record.model, limit=None)} on {markdown_text(record.provider)}")
blend = f"Blended ({100 - view.output_share_pct}:{view.output_share_pct})"
prices = [
    ("Input, per 1M tokens", price_text(record.input_usd_per_mtok)),
    ("Output, per 1M tokens", price_text(record.output_usd_per_mtok)),
    (blend, price_text(details.blended_usd_per_mtok)),
]
st.html(html_stats(prices, label="Prices"))
st.caption("Prices from " + markdown_text(details.source(), limit=None))
state.show_content_first()  # the rest of the page (its links load JavaScript of their own) follows the prices
st.page_link(
    "pages/playground.py",
    label="Try it in the Playground",
    icon=":material/chat:",
    query_params={"model": record.model, "provider": record.provider},
)

st.subheader("About this model")
st.html(facts_table(details))

if map_problem:
    st.caption(f"LiteLLM's price map could not be read: {markdown_text(map_problem, limit=300)}")
if limits_problem:
    st.caption(f"The models.dev checkout could not be read: {markdown_text(limits_problem, limit=300)}")

st.subheader("Your workload on it")
workload = view.workload()
st.caption(
    f"{workload.input_tokens:,} input + {workload.output_tokens:,} output tokens a request, "
    f"{view.requests:,} requests a {view.period} (set them on Compare)."
)
cost = details.cost
costs = [
    ("Per request", usd(cost.per_request_usd, max_decimals=8)),
    ("Per day", usd(cost.per_day_usd)),
    ("Per month", usd(cost.per_month_usd)),
]
st.html(html_stats(costs, label="Workload cost"))
show_model_pass_rates(record.provider, record.model)  # issue 19: only when a run with checks ran it

st.subheader("Cheaper with the same tags and at least its size")
if details.alternatives:
    st.html(alternatives_table(details))
else:
    st.caption("None: no model with these tags and at least this size costs less for this workload.")
if details.hosts:
    st.subheader("Other hosts of this id")
    for host in details.hosts:
        st.page_link(
            "pages/model.py",
            label=f"{markdown_text(host.provider)}: {price_text(host.input_usd_per_mtok)} in, "
            f"{price_text(host.output_usd_per_mtok)} out",
            query_params={"id": host.model, "provider": host.provider},
        )
