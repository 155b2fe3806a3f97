"""ReplyState without a socket: chunks in, deltas out (the pure half of the stream)."""

from __future__ import annotations

import pytest

from catalog.gateway.errors import MalformedChunk, UpstreamError
from catalog.gateway.messages import Delta
from catalog.gateway.reply import ReplyState
from catalog.records import ModelRecord

RECORD = ModelRecord("DeepInfra", "org/model", "org", 1.0, 2.0, 1.25, None, None, (), 1)


def state(**kwargs) -> ReplyState:
    ticks = iter(range(1, 100))
    return ReplyState(RECORD, 0.0, clock=lambda: float(next(ticks)), **kwargs)


def chunk(content: str = "", reasoning: str = "", finish: str | None = None) -> dict:
    delta = {"content": content} | ({"reasoning_content": reasoning} if reasoning else {})
    return {"id": "chatcmpl-1", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_chunks_become_deltas_and_a_result_with_usage_cost_and_timing():
    reply = state()
    assert reply.apply(chunk(reasoning="hmm")) == Delta(content="", reasoning="hmm")
    assert reply.apply(chunk("Hel")) == Delta(content="Hel", reasoning="")
    assert reply.apply(chunk("lo", finish="stop")) == Delta(content="lo", reasoning="")
    assert reply.apply({"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 3}}) is None
    reply.finish()
    result = reply.result(request_id=None)
    assert (result.content, result.reasoning, result.finish_reason) == ("Hello", "hmm", "stop")
    assert result.request_id == "chatcmpl-1" and result.ttft_s == 1.0 and result.total_s == 2.0
    assert result.cost_usd == pytest.approx((10 * 1.0 + 3 * 2.0) / 1e6) and result.complete


def test_the_text_stops_exactly_at_the_size_limit():
    reply = state(max_chars=5)
    assert reply.apply(chunk("abc")) == Delta(content="abc", reasoning="")
    assert reply.apply(chunk("defgh")) == Delta(content="de", reasoning="") and reply.full
    assert reply.content == "abcde"


def test_an_error_chunk_is_redacted_whole_before_it_is_cut():
    secret = "sk_SECRET_value_0123456789"
    reply = state(redact=lambda text: text.replace(secret, "[redacted]"))
    message = "x" * 290 + secret
    with pytest.raises(UpstreamError) as raised:
        reply.apply({"error": {"message": message}})
    assert "sk_SECRET" not in str(raised.value)


def test_non_text_content_is_malformed():
    with pytest.raises(MalformedChunk):
        state().apply({"choices": [{"delta": {"content": 5}}]})
