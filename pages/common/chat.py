"""The Playground's page pieces: settings, the sidebar, a reply drawn as it streams, side-by-side results.

Untrusted text stays literal here: gateway errors go through `markdown_text`, ids through `code_span`, and model
output through the image-disarming markdown (Streamlit's markdown never renders raw HTML).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any

import streamlit as st

from catalog.chat import transcript
from catalog.chat.client import GatewayClient
from catalog.chat.config import (
    SETTING_NAMES,
    SETUP_HELP,
    ConfigError,
    GatewayConfig,
    SessionCredential,
    SessionKind,
    merge_settings,
    reply_limits,
    resolve_config,
)
from catalog.chat.errors import GatewayError
from catalog.chat.messages import ChatParams, ChatRequest, ChatResult, ReplyLimits
from catalog.chat.safe_markdown import ImageDisarmer, stream_without_images, without_images
from catalog.chat.side_by_side import comparison_rows
from catalog.chat.targets import parse_stop, trusted_hosts
from catalog.dashboard.model_page import model_link
from catalog.literal import code_span, markdown_text
from pages.common import measure

HISTORY, SIDE_RESULTS, SIDE_SPEND = "messages", "playground_side_results", "playground_side_spend"
MONEY, SECONDS = "$%.7f", "%.2f s"
SIDE_COLUMNS = {
    "model": st.column_config.TextColumn("Model", pinned=True),
    "provider": st.column_config.TextColumn("Provider"),
    "status": st.column_config.TextColumn("Status"),
    "cost_usd": st.column_config.NumberColumn("Cost", format=MONEY),
    "deepinfra_estimate_usd": st.column_config.NumberColumn("DeepInfra estimate", format=MONEY),
    "ttft_s": st.column_config.NumberColumn("First token", format=SECONDS),
    "total_s": st.column_config.NumberColumn("Total", format=SECONDS),
    "tokens_per_s": st.column_config.NumberColumn("Tokens/s", format="%.1f"),
    "output_tokens": st.column_config.NumberColumn("Output tokens"),
    "reply_chars": st.column_config.NumberColumn("Reply length"),
}


@dataclass(frozen=True)
class Sidebar:
    """The session credential, the system prompt and the parameters, from the sidebar."""

    session: SessionCredential | None
    system_prompt: str
    params: ChatParams | None  # None while a field is invalid: the chat stays readable, sending waits
    totals: Any  # a slot for the session total, filled once the replies of this run are in


def sidebar() -> Sidebar:
    with st.sidebar:
        st.subheader("Playground")
        kind = st.radio("Sidebar credential is a", list(SessionKind), key="pg_kind", format_func=lambda k: k.value)
        kind = kind or SessionKind.FORWARD_TOKEN  # a radio with options always has one chosen
        typed = st.text_input(
            "Credential (this session only)", type="password", key="pg_credential",
            help="Overrides the configured credential for this browser session; never stored or shown.",
        )  # fmt: skip
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


def settings() -> dict[str, str]:
    """The operator's playground settings: environment variables first, then `st.secrets`."""
    try:
        secrets = {name: str(st.secrets[name]) for name in SETTING_NAMES if name in st.secrets}
    except FileNotFoundError:  # no secrets file at all
        secrets = {}
    return merge_settings(os.environ, secrets)


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


def footer(error: str | None, incomplete: bool, metrics: transcript.ReplyMetrics | None) -> None:
    """Under a reply: what went wrong (if anything, shown literally), then its tokens, cost and speed."""
    if error and incomplete:
        st.warning(markdown_text(error, limit=None), icon=":material/warning:")
    elif error:
        st.error(markdown_text(error, limit=None), icon=":material/error:")
    if metrics is not None:
        st.caption(transcript.metrics_line(metrics))


def model_caption(model: str | None, provider: str | None) -> None:
    """Which model replied, linked to its model page (the id percent-encoded in the link, literal in the text)."""
    name = f"[{code_span(model)}](<{model_link(model, provider)}>)" if model else ""
    st.caption(name + (f" · {code_span(provider)}" if provider else ""))


def show_turn(turn: transcript.Turn) -> None:
    with st.chat_message(turn.role):
        if turn.role == "assistant":
            model_caption(turn.model, turn.provider)
        if turn.reasoning:
            st.expander("Reasoning", icon=":material/psychology:").markdown(without_images(turn.reasoning))
        if turn.content:
            st.markdown(without_images(turn.content))  # markdown only: raw HTML is shown as text
        footer(turn.error, bool(turn.content), turn.metrics)


def stream_turn(client: GatewayClient, request: ChatRequest) -> transcript.Turn:
    """Stream one reply into an assistant message (reasoning in a collapsed section) and return it as a turn."""
    record = request.record
    with st.chat_message("assistant"):
        model_caption(record.model, record.provider)
        reasoning_slot, disarmer = st.empty(), ImageDisarmer()
        thoughts: list[str] = []
        boxes: list[Any] = []  # the reasoning box, made when the first reasoning arrives

        def show_reasoning(text: str) -> None:
            if not boxes:
                boxes.append(reasoning_slot.expander("Reasoning", icon=":material/psychology:").empty())
            thoughts.append(disarmer.feed(text))
            boxes[0].markdown("".join(thoughts) + disarmer.pending)

        try:
            with contextlib.ExitStack() as stack:
                with st.spinner("Waiting for the model…"):
                    reply = stack.enter_context(client.stream(request))
                st.write_stream(stream_without_images(reply.text(on_reasoning=show_reasoning)))
            turn = transcript.reply_turn(reply.result)
            measure.remember(request, reply.result)
        except GatewayError as error:
            turn = transcript.failed_turn(record.model, error, record.provider)
            measure.remember(request, error)
        footer(turn.error, bool(turn.content), turn.metrics)
    return turn


def show_side_results(slots: list[Any], results: list[ChatResult]) -> None:
    """Each model's reply in its column, then the comparison table."""
    for slot, result in zip(slots, results, strict=True):
        turn = transcript.reply_turn(result)
        with slot.container():
            st.markdown(without_images(result.content) or " ")
            footer(turn.error, bool(turn.content), turn.metrics)
    st.dataframe(comparison_rows(results), hide_index=True, column_config=SIDE_COLUMNS)


def downloads(as_json: str, as_markdown: str, name: str, *, disabled: bool = False) -> None:
    """Export buttons: JSON and markdown (already redacted by the caller)."""
    icon = ":material/download:"
    st.download_button("Export JSON", as_json, f"{name}.json", "application/json", icon=icon, disabled=disabled)
    st.download_button("Export markdown", as_markdown, f"{name}.md", "text/markdown", icon=icon, disabled=disabled)
