"""Playground: send a prompt to a catalog model through Lava's forward proxy; see the reply, its cost and speed."""

from __future__ import annotations

import streamlit as st

from catalog.dashboard.model_page import model_line
from catalog.dashboard.playground import first_model, prompt_cost, speed_sentence
from catalog.gateway import side_by_side, transcript
from catalog.gateway.client import GatewayClient
from catalog.gateway.config import ConfigError
from catalog.gateway.messages import ChatParams, ChatRequest, Message
from catalog.gateway.safe_markdown import without_images
from catalog.gateway.side_by_side import MAX_SIDE_BY_SIDE, SideBySide
from catalog.gateway.targets import chat_request, model_key, models_by_key, price_label, resolve_model
from catalog.literal import markdown_text
from catalog.records import ModelRecord
from catalog.spend import Unpriced
from catalog.spend.paying import GET_A_CREDENTIAL, holder
from pages.common import chat, measure, replies
from pages.common.operator import is_operator
from pages.common.router import ensure_router
from pages.common.spending import gate, held, unlock_hint
from pages.common.state import LAST_SEEN_KEY, current_catalog, show_content_first

#: The pause in typing after which the preview's cost updates (Streamlit's `live` text input).
PREVIEW_PAUSE = "300ms"

ensure_router()
models = current_catalog()
by_key = models_by_key(models)
several_providers = len({provider for provider, _ in by_key}) > 1
st.title("Playground")
st.caption("Send your own prompt to any catalog model and see what the reply cost and how fast it came.")
link = (st.query_params.get("model"), st.query_params.get("provider"))
if link == (None, None):  # a bare /playground: the model last looked at, else the cheapest chat model
    first = first_model(models, st.session_state.get(LAST_SEEN_KEY))
    chosen, problem = first.record, None
else:
    chosen, problem = resolve_model(models, *link)
if problem:
    st.warning(problem, icon=":material/link_off:")
if st.session_state.get("pg_link") != link or st.session_state.get("pg_model") not in by_key:
    st.session_state["pg_model"] = model_key(chosen)  # a new link decides; the picker keeps the link up to date
    st.session_state["pg_why"] = (model_key(chosen), first.why) if link == (None, None) else None
model = by_key[st.session_state["pg_model"]]
st.session_state[LAST_SEEN_KEY] = model_key(model)
st.html(model_line(model, with_provider=several_providers))
show_content_first()  # the model picker, the chat, its settings and the sidebar follow the chosen model


@st.fragment
def preview_cost(record: ModelRecord, max_tokens: int) -> None:
    """What a prompt would cost, updated as it is typed: the box commits after a pause in typing (`live`), and
    only this fragment runs again, not the page."""
    typed = st.text_input(
        "Try a prompt", key="pg_preview", placeholder="Type a prompt to see what it would cost", live=PREVIEW_PAUSE
    )
    st.caption(markdown_text(prompt_cost(record, typed or "", max_tokens), limit=None))


def label(key: tuple[str, str]) -> str:
    return price_label(by_key[key], with_provider=several_providers)


def link_to(key: tuple[str, str]) -> None:
    """`?model=<id>`, plus `&provider=<name>` when another provider lists the same id."""
    st.query_params["model"] = key[1]
    if sum(model == key[1] for _, model in by_key) > 1:
        st.query_params["provider"] = key[0]
    elif "provider" in st.query_params:
        del st.query_params["provider"]
    st.session_state["pg_link"] = (st.query_params.get("model"), st.query_params.get("provider"))


keys = list(by_key)
st.selectbox("Model", keys, key="pg_model", format_func=label)
why = st.session_state.get("pg_why")
if why and why[0] == model_key(model):
    st.caption(markdown_text(why[1], limit=None))
link_to(model_key(model))
side = chat.controls()
config, limits, hosts = chat.gateway_settings(side.session)
if config is None:  # a preview: what this model measured and what a prompt would cost, nothing sent
    st.caption(markdown_text(speed_sentence(measure.measured_speeds().get(model_key(model))), limit=None))
    st.caption(GET_A_CREDENTIAL + unlock_hint())
    preview_cost(model, (side.params.max_tokens if side.params else None) or 1024)
    st.stop()
spending = gate(config)  # the operator's credential only for visitors the operator allows, within caps
source = f"credential from {config.source}" if is_operator() else f"credential: {holder(config).value}"
st.caption(f":material/vpn_key: Mode: **{config.mode.value}** · {source}")


def request_for(record: ModelRecord, messages: tuple[Message, ...]) -> ChatRequest:
    """The request, or (for a page the playground may not call, or a model the operator's own catalog does not
    price when the operator pays) an explanation, and the run stops."""
    try:
        priced = spending.priced(record)  # the operator's record when the operator pays: its price and address
        return chat_request(spending.prices(models), priced, messages, side.params or ChatParams(), hosts)
    except (ConfigError, Unpriced) as error:
        st.error(markdown_text(str(error), limit=None))
        st.stop()


def retry(pending: str, drop_failed: bool) -> None:
    """Button callback: ask this run to send again (a failed chat reply leaves the transcript first)."""
    if drop_failed:
        turns.pop()
    st.session_state[pending] = True


turns: list[transcript.Turn] = st.session_state.setdefault(replies.HISTORY, [])
spend: list[transcript.Turn] = st.session_state.setdefault(replies.SIDE_SPEND, [])
mode = st.radio("Mode", ["Chat", "Side by side"], key="pg_mode", horizontal=True, label_visibility="collapsed")
if mode == "Side by side":
    picked = st.multiselect(
        f"Models (2 to {MAX_SIDE_BY_SIDE})", keys, default=[model_key(model)], key="pg_side_models",
        max_selections=MAX_SIDE_BY_SIDE, format_func=label,
    )  # fmt: skip
    hint, ready = f"Send to the {len(picked)} models picked", len(picked) >= 2
else:
    hint, ready = f"Message {model.display_name or model.model}", True
# At the top level, outside any container: Streamlit pins the input to the bottom of the page.
prompt = st.chat_input(hint, key="pg_prompt", disabled=side.params is None or not ready)

if mode == "Chat":
    toolbar, history = st.container(horizontal=True), st.container()
    for turn in turns:
        with history:
            replies.show_turn(turn)
    if prompt:
        turns.append(transcript.Turn("user", prompt))
        with history:
            replies.show_turn(turns[-1])
    if prompt or st.session_state.pop("pg_retry_now", False):
        with history:
            request = request_for(model, transcript.request_messages(turns, side.system_prompt))
            with held(spending, [request]) as costs, GatewayClient(config, limits=limits) as client:
                turns.append(replies.stream_turn(client, request))
                costs.append(turns[-1].metrics.cost_usd if turns[-1].metrics else None)
    if turns and turns[-1].role == "assistant" and turns[-1].error is not None:  # failed or cut: try again
        history.button("Retry", key="pg_retry", icon=":material/refresh:", on_click=retry, args=("pg_retry_now", True))
    with toolbar:
        st.button("Clear chat", on_click=turns.clear, icon=":material/delete_sweep:", disabled=not turns)
        replies.downloads(
            transcript.export_json(turns, system_prompt=side.system_prompt, params=side.params, redact=config.redact),
            transcript.export_markdown(turns, system_prompt=side.system_prompt, redact=config.redact),
            "playground",
            disabled=not turns,
        )
else:
    shown, asked = st.session_state.get(replies.SIDE_RESULTS), st.session_state.get("pg_side_asked")
    if st.session_state.pop("pg_side_retry_now", False) and asked:
        prompt, picked = asked  # the same prompt to the same models
    if prompt:
        st.session_state["pg_side_asked"] = asked = (prompt, list(picked))
    names = [(result.provider, result.model) for result in shown] if shown and not prompt else picked
    if prompt or shown:
        st.caption("Prompt: " + markdown_text(asked[0] if asked else "", limit=300))
        columns = st.columns(len(names))
        for column, (provider, name) in zip(columns, names, strict=True):
            column.markdown(
                f"**{markdown_text(name)}**" + (f" · {markdown_text(provider)}" if several_providers else "")
            )
        slots = [column.empty() for column in columns]
    if prompt:
        messages = transcript.request_messages([transcript.Turn("user", prompt)], side.system_prompt)
        requests = [request_for(by_key[key], messages) for key in picked]
        with held(spending, requests) as costs, GatewayClient(config, limits=limits) as client:
            with SideBySide(client, requests) as run:
                while not run.wait(timeout=0.1):
                    for slot, text in zip(slots, run.partial_texts(), strict=True):
                        slot.markdown(without_images(text) or "…")
                shown = st.session_state[replies.SIDE_RESULTS] = run.results()
            costs.extend(result.cost_usd for result in shown)
        measure.remember_all(requests, shown)
        spend.extend(transcript.reply_turn(result) for result in shown)
    if shown and asked:
        replies.show_side_results(slots, shown)
        with st.container(horizontal=True):
            if any(result.error is not None for result in shown):
                st.button("Retry", key="pg_side_retry", icon=":material/refresh:", on_click=retry,
                          args=("pg_side_retry_now", False))  # fmt: skip
            redact, system_prompt = config.redact, side.system_prompt
            replies.downloads(
                side_by_side.export_json(asked[0], shown, system_prompt=system_prompt, redact=redact),
                side_by_side.export_markdown(asked[0], shown, system_prompt=system_prompt, redact=redact),
                "side-by-side",
            )

totals = transcript.session_totals(turns + spend)
side.totals.caption(f"**Session total** (chat and side by side): {transcript.totals_line(totals)}")
