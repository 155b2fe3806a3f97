"""The operator's LiteLLM price map (`CATALOG_LITELLM_MAP`, a path or URL), read once and cached."""

from __future__ import annotations

import streamlit as st

from catalog.formats.litellm import MAP_VARIABLE, MapEntry, read_price_map
from catalog.records import CatalogError
from pages.common.settings import settings


@st.cache_data(show_spinner="Reading LiteLLM's price map…", ttl=3600)
def _load(spec: str) -> dict[str, MapEntry]:
    return read_price_map(spec)


def price_map() -> tuple[dict[str, MapEntry], str | None]:
    """The configured map (empty when none is set) and, when it could not be read, why."""
    spec = settings().get(MAP_VARIABLE, "")
    if not spec:
        return {}, None
    try:
        return _load(spec), None
    except CatalogError as error:
        return {}, str(error)
