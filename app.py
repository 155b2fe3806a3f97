"""The dashboard: the catalog of models and what they cost."""

from __future__ import annotations

import streamlit as st

import catalog

st.set_page_config(page_title="LLM price catalog", page_icon="💲", layout="wide")


@st.cache_data
def load() -> catalog.Catalog:
    return catalog.load_catalog()


models = load()
st.title("LLM price catalog")
st.caption(f"{len(models)} models · {models.providers[0].name} · snapshot {models.providers[0].snapshot_date}")
st.dataframe(models.to_frame(full=False), hide_index=True)
