"""Gateway client pieces without a socket: error bodies, retry arithmetic, and MockTransport replies."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from catalog.gateway.client import GatewayClient, RetryPolicy, parse_retry_after
from catalog.gateway.config import resolve_config
from catalog.gateway.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    MalformedChunk,
    UpstreamError,
    provider_message,
)
from catalog.gateway.messages import ChatParams, ChatRequest, Message
from catalog.records import ModelRecord

TARGET = "https://api.deepinfra.com/v1/openai/chat/completions"
RECORD = ModelRecord("DeepInfra", "org/model", "org", 1.0, 2.0, 1.25, None, None, (), 1)
REQUEST = ChatRequest(RECORD, TARGET, (Message("user", "hi"),))
CONFIG = resolve_config({"LAVA_BASE_URL": "http://gateway.test", "LAVA_FORWARD_TOKEN": "tok_unit_SECRET"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"error": {"message": "bad key"}}', "bad key"),
        ('{"error": "no credit"}', "no credit"),
        ('{"detail": [{"loc": ["body", "top_p"], "msg": "too big"}, {"msg": "also"}]}', "body.top_p: too big; also"),
        ('{"detail": "Not Found"}', "Not Found"),
        ('{"message": "model unknown", "code": 404}', "model unknown"),
        ('{"error": {"type": "server_error"}}', "server_error"),
        ("<h1>503 Service Unavailable</h1>", "503 Service Unavailable"),
        ("", None),
        ('{"unexpected": 1}', '{"unexpected": 1}'),
    ],
)
def test_provider_message_reads_every_documented_error_shape(body, message):
    assert provider_message(body) == message


def test_long_provider_messages_are_shortened():
    assert len(provider_message("x" * 5000)) == 300


def test_retry_policy_backs_off_exponentially_and_honours_a_capped_retry_after():
    policy = RetryPolicy(attempts=4, backoff_s=0.5, max_backoff_s=1.5, max_retry_after_s=10)
    refused = ConnectionFailed("refused")
    assert [policy.delay(refused, attempt) for attempt in (1, 2, 3, 4)] == [0.5, 1.0, 1.5, None]
    assert policy.delay(UpstreamError("busy", status=503, retry_after=3), 1) == 3
    assert policy.delay(UpstreamError("busy", status=503, retry_after=11), 1) is None
    assert policy.delay(AuthenticationFailed("no", status=401), 1) is None  # a request reached the gateway


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("7") == 7
    assert parse_retry_after(email.utils.formatdate(1_000_030, usegmt=True), now=1_000_000) == 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_chat_params_are_checked():
    for bad in ({"temperature": 2.5}, {"top_p": 0}, {"max_tokens": 0}, {"stop": ("a", "b", "c", "d", "e")}):
        with pytest.raises(ValueError):
            ChatParams(**bad)


def sse_transport(*events: str, content_type: str = "text/event-stream") -> httpx.MockTransport:
    body = "".join(f"data: {event}\n\n" for event in events).encode()
    return httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"content-type": content_type}, content=body)
    )


def test_usage_only_chunk_with_empty_choices_and_cached_tokens():
    usage = '{"prompt_tokens": 1000, "completion_tokens": 500, "prompt_tokens_details": {"cached_tokens": 200}}'
    transport = sse_transport(
        '{"choices": [{"index": 0, "delta": {"content": "Hi"}}]}',
        '{"choices": [{"index": 1, "delta": {"content": "other choice"}}]}',
        '{"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]}',
        f'{{"choices": [], "usage": {usage}}}',
        "[DONE]",
    )
    with GatewayClient(CONFIG, transport=transport) as client, client.stream(REQUEST) as reply:
        assert list(reply.text()) == ["Hi"]
    result = reply.result
    assert result.usage.cached_tokens == 200 and result.usage.total_tokens == 1500
    assert result.cost_usd == pytest.approx((1000 * 1.0 + 500 * 2.0) / 1e6)
    assert result.finish_reason == "length" and result.usage.estimated_cost_usd is None


@pytest.mark.parametrize("bad", ["[1, 2]", '{"choices": "nope"}', '{"choices": [{"delta": {"content": 5}}]}'])
def test_chunks_of_the_wrong_shape_are_malformed(bad):
    transport = sse_transport('{"choices": [{"delta": {"content": "ok"}}]}', bad, "[DONE]")
    with GatewayClient(CONFIG, transport=transport) as client, client.stream(REQUEST) as reply:
        list(reply)
    assert isinstance(reply.result.error, MalformedChunk) and reply.result.content == "ok"


def test_redirects_are_not_followed():
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"location": "https://elsewhere.example/steal"})

    with GatewayClient(CONFIG, transport=httpx.MockTransport(redirect)) as client:
        with pytest.raises(UpstreamError, match="redirect"), client.stream(REQUEST):
            pass


def test_a_finished_reply_replays_its_deltas_when_iterated_again():
    transport = sse_transport(
        '{"choices": [{"delta": {"content": "Hi"}}]}', '{"choices": [{"delta": {"content": "!"}}]}'
    )
    with GatewayClient(CONFIG, transport=transport) as client, client.stream(REQUEST) as reply:
        first = list(reply)
        assert list(reply) == first and [delta.content for delta in first] == ["Hi", "!"]
    assert list(reply.text()) == ["Hi", "!"]


@pytest.mark.parametrize(
    "usage", ['{"prompt_tokens": "many"}', '{"completion_tokens": {"n": 1}}', '{"total_tokens": -3}']
)
def test_unreadable_usage_is_a_malformed_reply_not_a_crash(usage):
    transport = sse_transport('{"choices": [{"delta": {"content": "ok"}}]}', f'{{"choices": [], "usage": {usage}}}')
    with GatewayClient(CONFIG, transport=transport) as client, client.stream(REQUEST) as reply:
        assert list(reply.text()) == ["ok"]
    assert isinstance(reply.result.error, MalformedChunk) and reply.result.content == "ok"


def test_whole_float_token_counts_are_read_as_counts():
    usage = '{"prompt_tokens": 10.0, "completion_tokens": 2, "total_tokens": null}'
    transport = sse_transport(f'{{"choices": [], "usage": {usage}}}', "[DONE]")
    with GatewayClient(CONFIG, transport=transport) as client, client.stream(REQUEST) as reply:
        list(reply)
    assert reply.result.complete and reply.result.usage.total_tokens == 12
