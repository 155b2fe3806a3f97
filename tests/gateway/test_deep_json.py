"""JSON nested past Python's parser, from the gateway: a reply, a chunk of one, or an error body, is a plain failure
of that request (a `GatewayError`), never a `RecursionError` (issue 22)."""

from __future__ import annotations

import httpx
import pytest
from fake_gateway import TARGET_URL, running_fake

from catalog.gateway.client import GatewayClient, RetryPolicy
from catalog.gateway.config import resolve_config
from catalog.gateway.errors import MalformedChunk, RequestRejected, UpstreamError, provider_message
from catalog.gateway.messages import ChatParams, ChatRequest, Message
from catalog.records import ModelRecord

TOKEN = "fwd_tok_DEEP_JSON"
MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"


def request(prompt: str) -> ChatRequest:
    record = ModelRecord("DeepInfra", MODEL, "meta-llama", 0.03, 0.05, 0.0, None, None, (), 1)
    return ChatRequest(record, TARGET_URL, (Message("user", prompt),), ChatParams())


@pytest.fixture
def client():
    with running_fake(forward_tokens={TOKEN}) as fake:
        config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
        no_retry = RetryPolicy(attempts=1)
        with GatewayClient(config, retry=no_retry, timeout=httpx.Timeout(5, connect=2)) as gateway:
            yield gateway


@pytest.mark.parametrize("prompt", ["!fake:deep", "!fake:json !fake:deep"])
def test_a_reply_nested_too_deeply_is_a_malformed_reply_with_a_plain_reason(client, prompt):
    with client.stream(request(prompt)) as reply:
        list(reply)
    result = reply.result
    assert not result.complete and isinstance(result.error, MalformedChunk)
    assert str(result.error) == "A reply chunk is nested too deeply to read; the reply is incomplete."
    if prompt == "!fake:deep":  # what arrived before it is kept
        assert result.content.startswith(f"**{MODEL}** says")


def test_an_error_body_nested_too_deeply_is_the_status_without_a_quote(client):
    with pytest.raises(UpstreamError) as raised:
        with client.stream(request("!fake:deep500")):
            pass
    assert str(raised.value) == "The gateway or provider failed (HTTP 500); try again later."


@pytest.mark.parametrize("shape", ['{"error":', '{"error": {"message":', "["])
def test_an_error_body_at_any_depth_is_a_message_or_none(shape):
    """Each depth up to past the parser: the body is read, or not, but never raises (a depth the parser just
    reads must not break the search for the message either)."""
    close = "]" if shape == "[" else "}" * shape.count("{")
    for depth in range(1, 1_200, 7):
        body = shape * depth + '"the message"' + close * depth
        said = provider_message(body)
        assert said is None or said == "the message" or said.startswith(shape[:2])


def test_an_error_chunk_nested_deeply_mid_reply_is_an_upstream_error():
    from catalog.gateway.reply import ReplyState

    record = ModelRecord("DeepInfra", MODEL, "meta-llama", 0.03, 0.05, 0.0, None, None, (), 1)
    for depth in range(1, 1_200, 7):
        state = ReplyState(record, 0.0, max_chars=1000)
        chunk: object = "overloaded"
        for _ in range(depth):
            chunk = [chunk]
        with pytest.raises(UpstreamError):
            state.apply({"error": chunk})


def test_a_rejected_request_still_quotes_an_ordinary_body(client):
    with pytest.raises(RequestRejected, match="The provider said: max_tokens is too large for this model"):
        with client.stream(request("!fake:422message")):
            pass


def test_an_error_body_with_a_number_past_pythons_digit_limit_is_quoted_as_text():
    body = '{"error": ' + "1" * 5_000 + "}"  # json.loads raises a ValueError that is not a JSONDecodeError
    said = provider_message(body)
    assert said is not None and said.startswith('{"error": 111') and len(said) <= 300
