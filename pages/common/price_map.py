"""The operator's LiteLLM price map (`CATALOG_LITELLM_MAP`, a path or URL) and models.dev checkout
(`CATALOG_MODELS_DEV`, a folder), each read once and cached."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from catalog.formats.litellm import MAP_VARIABLE, MapEntry, read_price_map
from catalog.formats.models_dev import MODELS_DEV_VARIABLE, read_models_dev_limits
from catalog.known_context import KnownLimits
from catalog.records import CatalogError
from pages.common.settings import settings

T = TypeVar("T")


@st.cache_data(show_spinner="Reading LiteLLM's price map…", ttl=3600)
def _load(spec: str) -> dict[str, MapEntry]:
    return read_price_map(spec)


def _configured(variable: str, load: Callable[[str], dict[str, T]]) -> tuple[dict[str, T], str | None]:
    """What the setting `variable` names, read by `load` (empty when unset), and why it could not be read."""
    spec = settings().get(variable, "")
    if not spec:
        return {}, None
    try:
        return load(spec), None
    except CatalogError as error:
        return {}, str(error)


def price_map() -> tuple[dict[str, MapEntry], str | None]:
    """The configured map (empty when none is set) and, when it could not be read, why."""
    return _configured(MAP_VARIABLE, _load)


@st.cache_data(show_spinner="Reading the models.dev checkout…", ttl=3600)
def _load_models_dev(folder: str) -> dict[str, KnownLimits]:
    return read_models_dev_limits(Path(folder))


def models_dev_limits() -> tuple[dict[str, KnownLimits], str | None]:
    """Limits from the configured models.dev checkout (empty when none is set) and, when unreadable, why."""
    return _configured(MODELS_DEV_VARIABLE, _load_models_dev)
