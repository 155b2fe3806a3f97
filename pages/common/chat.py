"""The Playground's settings: the operator's configuration, the sidebar's credential and parameters.

Untrusted text stays literal here: configuration errors go through `markdown_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from catalog.gateway.config import (
    SETUP_HELP,
    ConfigError,
    GatewayConfig,
    SessionCredential,
    SessionKind,
    reply_limits,
    resolve_config,
)
from catalog.gateway.messages import ChatParams, ReplyLimits
from catalog.gateway.targets import parse_stop, trusted_hosts
from catalog.literal import markdown_text
from catalog.words import counted
from pages.common.settings import settings


@dataclass(frozen=True)
class Sidebar:
    """The session credential, the system prompt and the parameters, from the sidebar."""

    session: SessionCredential | None
    system_prompt: str
    params: ChatParams | None  # None while a field is invalid: the chat stays readable, sending waits
    totals: Any  # a slot for the session total, filled once the replies of this run are in


def sidebar() -> Sidebar:
    """The Playground's part of the sidebar. The fields sit in two popovers, drawn only when opened, so the
    browser fetches the page's model picker before them; each popover's label says what is set."""
    with st.sidebar:
        st.subheader("Playground")
        with st.popover(_credential_label(), icon=":material/vpn_key:", width="stretch"):
            kind = st.radio("Sidebar credential is a", list(SessionKind), key="pg_kind", format_func=lambda k: k.value)
            kind = kind or SessionKind.FORWARD_TOKEN  # a radio with options always has one chosen
            typed = st.text_input(
                "Credential (this session only)", type="password", key="pg_credential",
                help="Overrides the configured credential for this browser session; never stored or shown.",
            )  # fmt: skip
        with st.popover(_parameters_label(), icon=":material/tune:", width="stretch"):
            system_prompt = st.text_area("System prompt", key="pg_system", placeholder="You are a helpful assistant.")
            temperature = st.slider("Temperature", 0.0, 2.0, 1.0, 0.05, key="pg_temperature")
            top_p = st.slider("top_p", 0.01, 1.0, 1.0, 0.01, key="pg_top_p")
            max_tokens = st.number_input("Max tokens", 1, 131_072, 1024, key="pg_max_tokens")
            stop = st.text_area("Stop sequences, one per line (up to 4)", key="pg_stop", height=68)
        totals = st.empty()
        try:
            params: ChatParams | None = ChatParams(temperature, top_p, int(max_tokens), parse_stop(stop))
        except ValueError as error:
            params = None
            st.error(markdown_text(str(error), limit=None), icon=":material/tune:")
    return Sidebar(SessionCredential(kind, typed) if typed else None, system_prompt, params, totals)


def _credential_label() -> str:
    """Which credential the Playground uses, from the fields' values (known before they are drawn)."""
    return "Credential: this session's" if st.session_state.get("pg_credential") else "Credential: configured"


def _parameters_label() -> str:
    """The parameters in a few words: "Temperature 1 · top_p 1 · 1,024 max tokens · system prompt"."""
    state = st.session_state
    parts = [
        f"Temperature {state.get('pg_temperature', 1.0):g}",
        f"top_p {state.get('pg_top_p', 1.0):g}",
        f"{int(state.get('pg_max_tokens', 1024)):,} max tokens",
    ]
    if state.get("pg_system"):
        parts.append("system prompt")
    stops = [line for line in str(state.get("pg_stop", "")).splitlines() if line]
    if stops:
        parts.append(counted(len(stops), "stop sequence"))
    return " · ".join(parts)


def require_config(session: SessionCredential | None) -> tuple[GatewayConfig, ReplyLimits, frozenset[str]]:
    """The gateway configuration, reply limits and trusted chat hosts; explains what is wrong and stops otherwise."""
    chosen = settings()
    try:
        config, limits = resolve_config(chosen, session), reply_limits(chosen)
        hosts = trusted_hosts(chosen, through_lava=config is not None and config.uses_lava)
    except ConfigError as error:
        st.error(markdown_text(str(error), limit=None), icon=":material/settings:")
        st.stop()
    if config is None:
        st.info(SETUP_HELP, icon=":material/key:")
        st.stop()
    return config, limits, hosts
