"""Playground: send a prompt to a catalog model through Lava's forward proxy; see the reply, its cost and speed."""

from __future__ import annotations

import contextlib
import os

import streamlit as st

from catalog.chat import transcript as pg
from catalog.chat.client import ChatParams, ChatRequest, ChatResult, GatewayClient
from catalog.chat.config import (
    SETTING_NAMES,
    SETUP_HELP,
    ConfigError,
    SessionCredential,
    SessionKind,
    merge_settings,
    resolve_config,
)
from catalog.chat.errors import GatewayError
from pages.common.router import ensure_router
from pages.common.state import current_catalog

HISTORY, SIDE_RESULTS, SIDE_SPEND = "messages", "playground_side_results", "playground_side_spend"


def operator_settings() -> dict[str, str]:
    """Settings from the environment, then `st.secrets` (which raises when there is no secrets file)."""
    try:
        secrets = {name: str(st.secrets[name]) for name in SETTING_NAMES if name in st.secrets}
    except FileNotFoundError:
        secrets = {}
    return merge_settings(os.environ, secrets)


def clear_chat() -> None:
    st.session_state[HISTORY] = []


def footer(error: str | None, incomplete: bool, metrics: pg.ReplyMetrics | None) -> None:
    """Under a reply: what went wrong (if anything), then its tokens, cost and speed."""
    if error and incomplete:
        st.warning(error, icon=":material/warning:")
    elif error:
        st.error(error, icon=":material/error:")
    if metrics is not None:
        st.caption(pg.metrics_line(metrics))


def show_turn(turn: pg.Turn) -> None:
    with st.chat_message(turn.role):
        if turn.role == "assistant":
            st.caption(pg.code_span(turn.model or ""))
        if turn.reasoning:
            st.expander("Reasoning", icon=":material/psychology:").markdown(pg.without_images(turn.reasoning))
        if turn.content:
            st.markdown(pg.without_images(turn.content))  # markdown only: raw HTML is shown as text
        footer(turn.error, bool(turn.content), turn.metrics)


def stream_turn(client: GatewayClient, request: ChatRequest) -> pg.Turn:
    """Stream one reply into an assistant message (reasoning in a collapsed section) and return it as a turn."""
    with st.chat_message("assistant"):
        st.caption(pg.code_span(request.record.model))
        reasoning_slot, thoughts, boxes = st.empty(), [], []

        def show_reasoning(text: str) -> None:
            if not boxes:
                boxes.append(reasoning_slot.expander("Reasoning", icon=":material/psychology:").empty())
            thoughts.append(text)
            boxes[0].markdown(pg.without_images("".join(thoughts)))

        try:
            with contextlib.ExitStack() as stack:
                with st.spinner("Waiting for the model…"):
                    reply = stack.enter_context(client.stream(request))
                st.write_stream(pg.stream_without_images(reply.text(on_reasoning=show_reasoning)))
            turn = pg.reply_turn(reply.result)
        except GatewayError as error:
            turn = pg.failed_turn(request.record.model, error)
        footer(turn.error, bool(turn.content), turn.metrics)
    return turn


def show_side_results(slots: list, results: list[ChatResult]) -> None:
    for slot, result in zip(slots, results, strict=True):
        turn = pg.reply_turn(result)
        with slot.container():
            st.markdown(pg.without_images(result.content) or " ")
            footer(turn.error, bool(turn.content), turn.metrics)
    money, seconds = {"format": "$%.7f"}, {"format": "%.2f s"}
    labels = {"model": ("Model", {}), "status": ("Status", {}), "cost_usd": ("Cost", money)}
    labels |= {"deepinfra_estimate_usd": ("DeepInfra estimate", money), "ttft_s": ("First token", seconds)}
    labels |= {"total_s": ("Total", seconds), "tokens_per_s": ("Tokens/s", {"format": "%.1f"})}
    labels |= {"output_tokens": ("Output tokens", {}), "reply_chars": ("Reply length", {})}
    columns = {
        name: st.column_config.NumberColumn(label, **fmt) if fmt else label for name, (label, fmt) in labels.items()
    }
    st.dataframe(pg.comparison_rows(results), hide_index=True, column_config=columns)


ensure_router()
models = current_catalog()
by_id = {record.model: record for record in models.models}
st.title("Playground")
st.caption("Send your own prompt to any catalog model and see what the reply cost and how fast it came.")
chosen, problem = pg.resolve_model(models, st.query_params.get("model"))
if problem:
    st.warning(problem, icon=":material/link_off:")
if problem is None or st.session_state.get("pg_model") not in by_id:
    st.session_state["pg_model"] = chosen.model  # the link decides; the picker keeps the link up to date
ids = list(by_id)
model = by_id[
    st.selectbox(
        "Model", ids, key="pg_model", format_func=lambda m: pg.price_label(by_id[m]),
        on_change=lambda: st.query_params.update(model=st.session_state["pg_model"]),
    )
]  # fmt: skip
st.query_params["model"] = model.model

with st.sidebar:
    st.subheader("Playground")
    kind = st.radio("Sidebar credential is a", list(SessionKind), key="pg_kind", format_func=lambda k: k.value)
    typed = st.text_input(
        "Credential (this session only)", type="password", key="pg_credential",
        help="Overrides the configured credential for this browser session; never stored or shown.",
    )  # fmt: skip
    system_prompt = st.text_area("System prompt", key="pg_system", placeholder="You are a helpful assistant.")
    temperature = st.slider("Temperature", 0.0, 2.0, 1.0, 0.05, key="pg_temperature")
    top_p = st.slider("top_p", 0.01, 1.0, 1.0, 0.01, key="pg_top_p")
    max_tokens = st.number_input("Max tokens", 1, 131_072, 1024, key="pg_max_tokens")
    stop = st.text_area("Stop sequences, one per line (up to 4)", key="pg_stop", height=68)
    totals_slot = st.empty()

params: ChatParams | None = None
try:
    params = ChatParams(temperature, top_p, int(max_tokens), pg.parse_stop(stop))
except ValueError as error:  # shown by the fields; the chat stays readable, sending waits for a fix
    st.sidebar.error(str(error), icon=":material/tune:")
try:
    config = resolve_config(operator_settings(), SessionCredential(kind, typed) if typed else None)
except ConfigError as error:
    st.error(str(error))
    st.stop()
if config is None:
    st.info(SETUP_HELP, icon=":material/key:")
    st.stop()
st.caption(f":material/vpn_key: Mode: **{config.mode.value}** · credential from {config.source}")

turns: list[pg.Turn] = st.session_state.setdefault(HISTORY, [])
spend: list[pg.Turn] = st.session_state.setdefault(SIDE_SPEND, [])
chat_tab, side_tab = st.tabs(["Chat", "Side by side"])
with chat_tab:
    toolbar, history = st.container(horizontal=True), st.container()
    for turn in turns:
        with history:
            show_turn(turn)
    if prompt := st.chat_input(
        f"Message {model.display_name or model.model}", key="pg_prompt", disabled=params is None
    ):
        turns.append(pg.Turn("user", prompt))
        with history:
            show_turn(turns[-1])
            try:
                request = pg.chat_request(models, model, pg.request_messages(turns, system_prompt), params)
            except ConfigError as error:
                st.error(str(error))
                st.stop()
            with GatewayClient(config) as client:
                turns.append(stream_turn(client, request))
    with toolbar:
        st.button("Clear chat", on_click=clear_chat, icon=":material/delete_sweep:", disabled=not turns)
        exported = pg.export_json(turns, system_prompt=system_prompt, params=params)
        st.download_button(
            "Export JSON",
            exported,
            "playground.json",
            "application/json",
            icon=":material/download:",
            disabled=not turns,
        )
        markdown = pg.export_markdown(turns, system_prompt=system_prompt)
        st.download_button(
            "Export markdown",
            markdown,
            "playground.md",
            "text/markdown",
            icon=":material/download:",
            disabled=not turns,
        )

with side_tab:
    picked = st.multiselect(
        f"Models (2 to {pg.MAX_SIDE_BY_SIDE})", ids, default=[model.model], key="pg_side_models",
        max_selections=pg.MAX_SIDE_BY_SIDE, format_func=lambda m: pg.price_label(by_id[m]),
    )  # fmt: skip
    side_prompt = st.text_area("Prompt for every model", key="pg_side_prompt")
    ready = len(picked) >= 2 and bool(side_prompt.strip()) and params is not None
    run_clicked = st.button("Run side by side", key="pg_side_run", type="primary", disabled=not ready)
    shown = st.session_state.get(SIDE_RESULTS)
    names = [result.model for result in shown] if shown and not run_clicked else picked
    if run_clicked or shown:
        columns = st.columns(len(names))
        for column, name in zip(columns, names, strict=True):
            column.markdown(f"**{name}**")
        slots = [column.empty() for column in columns]
    if run_clicked:
        try:
            messages = pg.request_messages([pg.Turn("user", side_prompt)], system_prompt)
            requests = [pg.chat_request(models, by_id[name], messages, params) for name in picked]
        except ConfigError as error:
            st.error(str(error))
            st.stop()
        with GatewayClient(config) as client, pg.SideBySide(client, requests) as run:
            while not run.wait(timeout=0.1):
                for slot, text in zip(slots, run.partial_texts(), strict=True):
                    slot.markdown(pg.without_images(text) or "…")
            shown = st.session_state[SIDE_RESULTS] = run.results()
        spend.extend(pg.reply_turn(result) for result in shown)
    if shown:
        show_side_results(slots, shown)

totals_slot.caption(f"**Session total** (chat and side by side): {pg.totals_line(pg.session_totals(turns + spend))}")
