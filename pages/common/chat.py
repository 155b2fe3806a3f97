"""The Playground's settings: whose credential it sends (the visitor's pasted one, or the operator's), and the
parameters.

Untrusted text stays literal here: configuration errors go through `markdown_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from catalog.dashboard.playground import parameters_label
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
from catalog.spend import paying
from catalog.spend.modes import may_spend
from catalog.spend.paying import Holder
from pages.common.operator import is_operator
from pages.common.settings import settings
from pages.common.spending import OWN_CREDENTIAL, mode, unlock_hint, visitor

NO_CREDENTIAL = "This server has no gateway credential configured, so nothing can be sent from here."
#: The pasted credential as (kind, text), kept apart from its widgets' keys so it outlives a change of page.
CREDENTIAL_KEY = "session_credential"
OPERATOR_BROKEN = "The Playground's gateway settings on this server are unusable, so nothing can be sent from here."


@dataclass(frozen=True)
class Controls:
    """The pasted credential, the system prompt and the parameters, from the page's two popovers."""

    session: SessionCredential | None
    system_prompt: str
    params: ChatParams | None  # None while a field is invalid: the chat stays readable, sending waits
    totals: Any  # a slot for the session total, filled once the replies of this run are in


def usable_credential(session: SessionCredential | None) -> tuple[GatewayConfig | None, Holder]:
    """Which credential this visitor may use (`catalog.spend.paying.usable_credential` decides); a `ConfigError`
    says what is wrong."""
    return paying.usable_credential(session is not None, _may_spend, _resolver(session))


def _may_spend() -> bool:
    """Whether this visitor may spend the operator's credential (asked only when it matters)."""
    return may_spend(mode(), visitor())


def _resolver(session: SessionCredential | None) -> Callable[[], GatewayConfig | None]:
    """How to resolve the credential to use, with `session` (None: the operator's), when it is asked for."""
    return lambda: resolve_config(settings(), session)


def credential_popover(page: str) -> SessionCredential | None:
    """The credential popover, drawn by the Playground and by Runs; its label says whose credential is in use.

    What is pasted on one page holds on the other for this browser session: Streamlit forgets a widget's value
    on a page that does not draw it, so the pair is also kept under `CREDENTIAL_KEY`."""
    kind_key, value_key = f"{page}_kind", f"{page}_credential"
    saved_kind, saved_value = st.session_state.get(CREDENTIAL_KEY, (SessionKind.FORWARD_TOKEN, ""))
    st.session_state.setdefault(kind_key, saved_kind)
    st.session_state.setdefault(value_key, saved_value)
    filled = bool(str(st.session_state[value_key]).strip())
    whose = paying.expected_holder(filled, _may_spend, _resolver(None))
    label = "Credential: none · paste one" if whose is Holder.NONE else f"Credential: {whose.value}"
    with st.popover(label, icon=":material/vpn_key:", type="primary" if whose is Holder.NONE else "secondary"):
        kind = st.radio("It is a", list(SessionKind), key=kind_key, format_func=lambda k: k.value)
        kind = kind or SessionKind.FORWARD_TOKEN  # a radio with options always has one chosen
        typed = st.text_input(
            "Paste a credential (this session only)", type="password", key=value_key,
            help="Used for this browser session only; never stored or shown.",
        )  # fmt: skip
    st.session_state[CREDENTIAL_KEY] = (kind, typed)
    return pasted_credential()


def pasted_credential() -> SessionCredential | None:
    """The credential this session pasted, on the Playground or on Runs; None when it pasted none (blanks are
    none: they would resolve to the operator's credential)."""
    kind, typed = st.session_state.get(CREDENTIAL_KEY, (SessionKind.FORWARD_TOKEN, ""))
    typed = str(typed).strip()
    return SessionCredential(SessionKind(kind), typed) if typed else None


def cannot_send(session: SessionCredential | None) -> str | None:
    """Why this visitor cannot send anything yet (no credential of theirs, none the operator lets them spend),
    in their words; None when they can. An unusable setting is the page's to explain when it sends."""
    return paying.cannot_send(session is not None, _may_spend, _resolver(session), unlock_hint)


def controls() -> Controls:
    """The credential and parameter popovers, in the page (a phone's sidebar is collapsed), side by side; each
    label says what is set. Their fields are drawn only when opened, so the model picker loads first."""
    with st.container(horizontal=True, key="pg_controls"):
        session = credential_popover("pg")
        with st.popover(_parameters_label(), icon=":material/tune:"):
            system_prompt = st.text_area("System prompt", key="pg_system", placeholder="You are a helpful assistant.")
            temperature = st.slider("Temperature", 0.0, 2.0, 1.0, 0.05, key="pg_temperature")
            top_p = st.slider("top_p", 0.01, 1.0, 1.0, 0.01, key="pg_top_p")
            max_tokens = st.number_input("Max tokens", 1, 131_072, 1024, key="pg_max_tokens")
            stop = st.text_area("Stop sequences, one per line (up to 4)", key="pg_stop", height=68)
    totals = st.sidebar.empty()
    try:
        params: ChatParams | None = ChatParams(temperature, top_p, int(max_tokens), parse_stop(stop))
    except ValueError as error:
        params = None
        st.error(markdown_text(str(error), limit=None), icon=":material/tune:")
    return Controls(session, system_prompt, params, totals)


def _parameters_label() -> str:
    """The parameters in a few words, from the fields' values (known before they are drawn)."""
    state = st.session_state
    return parameters_label(state.get("pg_temperature", 1.0), state.get("pg_top_p", 1.0),
                            int(state.get("pg_max_tokens", 1024)), bool(state.get("pg_system")),
                            str(state.get("pg_stop", "")))  # fmt: skip


def gateway_settings(session: SessionCredential | None) -> tuple[GatewayConfig | None, ReplyLimits, frozenset[str]]:
    """The credential to use (None: the Playground previews only), the reply limits and the trusted chat hosts;
    explains what is wrong and stops when a setting or the pasted credential is unusable."""
    chosen = settings()
    try:
        config, _ = usable_credential(session)
        limits = reply_limits(chosen)
        hosts = trusted_hosts(chosen, through_lava=config is None or config.uses_lava)
    except ConfigError as error:
        if session is None and not is_operator():  # the operator's settings: their names are not for visitors
            st.error(OPERATOR_BROKEN, icon=":material/settings:")
        else:
            st.error(markdown_text(str(error), limit=None), icon=":material/settings:")
        st.stop()
    if config is None and is_operator():
        with st.expander("Set-up (operator)", icon=":material/settings:"):
            st.markdown(SETUP_HELP)
    return config, limits, hosts


def require_config(session: SessionCredential | None) -> tuple[GatewayConfig, ReplyLimits, frozenset[str]]:
    """As `gateway_settings`, for a page that cannot work without a credential: says so and stops without one
    (paste your own, or unlock, when the operator's is not for this visitor)."""
    config, limits, hosts = gateway_settings(session)
    if config is None:
        if may_spend(mode(), visitor()):
            st.info(NO_CREDENTIAL, icon=":material/key:")
        else:
            st.info(OWN_CREDENTIAL + unlock_hint(), icon=":material/key:")
        st.stop()
    return config, limits, hosts
