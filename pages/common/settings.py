"""The operator's settings for this run of a page: environment variables first, then `st.secrets`."""

from __future__ import annotations

from typing import Any

import streamlit as st

from catalog.settings import NAMES, Settings, read_settings


def settings() -> Settings:
    """Every setting in force (see `catalog.settings`); a missing secrets file is no secrets."""
    try:
        secrets: dict[str, Any] = {name: str(st.secrets[name]) for name in NAMES if name in st.secrets}
    except FileNotFoundError:  # no secrets file at all
        secrets = {}
    return read_settings(secrets=secrets)
