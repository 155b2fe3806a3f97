"""The Playground's replies: one drawn as it streams, past turns, side-by-side results, exports.

Untrusted text stays literal here: gateway errors go through `markdown_text`, ids through `code_span`, and model
output through the image-disarming markdown (Streamlit's markdown never renders raw HTML).
"""

from __future__ import annotations

import contextlib
from typing import Any

import streamlit as st

from catalog.dashboard.model_page import model_link
from catalog.gateway import transcript
from catalog.gateway.client import GatewayClient
from catalog.gateway.errors import GatewayError
from catalog.gateway.messages import ChatRequest, ChatResult
from catalog.gateway.safe_markdown import ImageDisarmer, stream_without_images, without_images
from catalog.gateway.side_by_side import comparison_rows
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
