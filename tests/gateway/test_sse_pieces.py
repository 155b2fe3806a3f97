"""Server-sent events however the bytes arrive: the reader's fast path (pieces of whole one-line events) and its
line reader (anything else) must give the same reply, and a usage number only Python's parser reads (past 64
bits) is judged by the usage rules, not called malformed JSON."""

from __future__ import annotations

import json

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.gateway.client import GatewayClient
from catalog.gateway.config import resolve_config
from catalog.gateway.errors import MalformedChunk
from catalog.gateway.messages import ChatRequest, Message
from catalog.records import ModelRecord

TARGET = "https://api.deepinfra.com/v1/openai/chat/completions"
RECORD = ModelRecord("DeepInfra", "org/model", "org", 1.0, 2.0, 1.25, None, None, (), 1)
REQUEST = ChatRequest(RECORD, TARGET, (Message("user", "hi"),))
CONFIG = resolve_config({"LAVA_BASE_URL": "http://gateway.test", "LAVA_FORWARD_TOKEN": "tok_unit_SECRET"})


def chunk(text: str) -> str:
    return json.dumps({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]})


def event(data: str, style: str) -> bytes:
    """One event in one of the shapes a server may write: one data line, a comment first, CRLF line ends, or the
    JSON split over two data lines between two of its tokens (joined by a newline, which JSON reads as space)."""
    if style == "comment":
        return f": keep-alive\n\ndata: {data}\n\n".encode()
    if style == "crlf":
        return f"data: {data}\r\n\r\n".encode()
    if style == "two-lines" and ", " in data:  # split between two JSON tokens (the first ", " is `"index": 0, `)
        head, tail = data.split(", ", 1)
        return f"data: {head},\ndata:{tail}\n\n".encode()
    return f"data: {data}\n\n".encode()


def reply_of(pieces: list[bytes]) -> tuple[str, object]:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(pieces))
    )
    with GatewayClient(CONFIG, transport=transport) as client, client.stream(REQUEST) as reply:
        text = "".join(reply.text())
    return text, reply.result.finish_reason


texts = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12), max_size=8)
styles = st.sampled_from(["plain", "plain", "comment", "crlf", "two-lines"])


@settings(max_examples=150, deadline=None)
@given(texts=texts, styles=st.lists(styles, min_size=10, max_size=10), cuts=st.lists(st.integers(0, 400), max_size=6))
def test_any_split_of_any_event_shapes_gives_the_same_reply(texts, styles, cuts):
    end = json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    datas = [chunk(text) for text in texts] + [end, "[DONE]"]
    body = b"".join(event(data, styles[n % len(styles)]) for n, data in enumerate(datas))
    whole = reply_of([body])
    marks = sorted({min(cut, len(body)) for cut in cuts})
    pieces = [body[a:b] for a, b in zip([0, *marks], [*marks, len(body)], strict=True) if body[a:b]]
    assert reply_of(pieces) == whole == ("".join(texts), "stop")


def test_one_event_a_piece_is_read_as_the_line_reader_reads_it():
    datas = [chunk("Hel"), chunk("lo"), json.dumps({"choices": [{"delta": {}, "finish_reason": "stop"}]}), "[DONE]"]
    assert reply_of([event(data, "plain") for data in datas]) == ("Hello", "stop")
    assert reply_of([b"".join(event(data, "plain") for data in datas)]) == ("Hello", "stop")


def test_a_usage_count_past_64_bits_is_an_unreadable_usage_not_malformed_json():
    usage = '{"prompt_tokens": 100000000000000000000000, "completion_tokens": 2}'
    body = f'data: {chunk("ok")}\n\ndata: {{"choices": [], "usage": {usage}}}\n\ndata: [DONE]\n\n'.encode()
    text, _ = reply_of([body])
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    )
    with GatewayClient(CONFIG, transport=transport) as client, client.stream(REQUEST) as reply:
        list(reply)
    error = reply.result.error
    assert text == "ok" and isinstance(error, MalformedChunk) and "JSON" not in str(error)
