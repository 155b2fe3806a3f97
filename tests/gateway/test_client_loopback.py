"""The gateway client against a real fake gateway on loopback (SSE framing, cuts, retries, errors)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from decimal import Decimal

import httpx
import pytest
from fake_gateway import TARGET_URL, running_fake

from catalog.costs import request_cost
from catalog.gateway.client import GatewayClient, RetryPolicy
from catalog.gateway.config import GatewayConfig, Mode, resolve_config
from catalog.gateway.errors import (
    AuthenticationFailed,
    Cancelled,
    ConnectionFailed,
    GatewayError,
    GatewayTimeout,
    MalformedChunk,
    PaymentRequired,
    RateLimited,
    RequestRejected,
    StreamInterrupted,
    UpstreamError,
)
from catalog.gateway.messages import ChatParams, ChatRequest, Message
from catalog.records import ModelRecord

TOKEN = "fwd_tok_DISTINCTIVE_SECRET_4b1d"
SECRET_KEY = "aks_test_DISTINCTIVE_SECRET_KEY"
PROVIDER_KEY = "di_DISTINCTIVE_PROVIDER_KEY"
FAST_RETRY = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.02, max_retry_after_s=1.0)


def record(model: str = "meta-llama/Meta-Llama-3.1-8B-Instruct", price_in: float = 0.03, price_out: float = 0.05):
    return ModelRecord("DeepInfra", model, model.split("/")[0], price_in, price_out, 0.0, None, None, (), 1)


def request(prompt: str = "Hello", model: str = "meta-llama/Meta-Llama-3.1-8B-Instruct", **params) -> ChatRequest:
    return ChatRequest(record(model), TARGET_URL, (Message("user", prompt),), ChatParams(**params))


@pytest.fixture
def fake():
    with running_fake(forward_tokens={TOKEN}, secret_key=SECRET_KEY, deepinfra_key=PROVIDER_KEY, slow_s=1.0) as server:
        yield server


@pytest.fixture
def client(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
    with GatewayClient(config, retry=FAST_RETRY, timeout=httpx.Timeout(5, connect=2)) as gateway:
        yield gateway


def stream(client: GatewayClient, chat: ChatRequest):
    with client.stream(chat) as reply:
        deltas = list(reply)
    return deltas, reply.result


def test_streamed_reply_has_text_usage_cost_timing_and_request_id(client, fake):
    deltas, result = stream(client, request("Hi there"))
    assert result.content == "".join(delta.content for delta in deltas)
    assert result.content == "**meta-llama/Meta-Llama-3.1-8B-Instruct** says hello — café, naïve ✓. You wrote: Hi there"
    assert result.complete and result.finish_reason == "stop" and result.reasoning == ""
    assert result.usage is not None and result.usage.completion_tokens == len(deltas) == 11
    assert result.usage.estimated_cost_usd == pytest.approx(result.usage.total_tokens * 2e-7)
    assert Decimal(repr(result.cost_usd)) == request_cost(record(), result.usage.prompt_tokens, 11)  # its digits exact
    assert result.request_id == "req_fake_1"
    assert 0 < result.ttft_s <= result.total_s and result.tokens_per_s > 0


def test_request_carries_target_bearer_and_the_documented_body(client, fake):
    stream(client, request("Hi", temperature=0.3, top_p=0.9, max_tokens=50, stop=("END",)))
    sent = fake.requests[0]
    assert sent["query"] == {"u": [TARGET_URL]}
    assert sent["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert sent["body"] == {
        "model": "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 50,
        "stop": ["END"],
        "stream_options": {"include_usage": True},
    }


def test_reasoning_arrives_apart_from_the_answer(client):
    deltas, result = stream(client, request("Why?", model="deepseek-ai/DeepSeek-R1"))
    assert result.reasoning == "Let me think about this… done."
    assert "think" not in result.content
    assert [d.reasoning for d in deltas if d.reasoning] == ["Let me think ", "about this… ", "done."]
    assert result.usage.completion_tokens == len(deltas)


def test_awkward_byte_boundaries_and_keepalives_give_the_same_reply(client):
    _, whole = stream(client, request("Split ünïcode 🙂 here"))
    _, split = stream(client, request("Split ünïcode 🙂 here !fake:split"))
    assert split.content == whole.content and split.complete
    assert split.usage.completion_tokens == whole.usage.completion_tokens


def test_usage_without_estimated_cost_still_costs_from_the_catalog(client):
    _, result = stream(client, request("!fake:noestimate"))
    assert result.usage.estimated_cost_usd is None and result.cost_usd > 0


def test_stream_without_done_but_with_finish_reason_is_complete(client):
    _, result = stream(client, request("!fake:nodone"))
    assert result.complete and result.usage is not None


def test_json_reply_to_a_streaming_request_is_accepted(client):
    _, result = stream(client, request("!fake:json"))
    assert result.complete and result.content.startswith("**meta-llama")


def test_built_secret_key_token_is_checked_by_the_gateway(fake):
    fake.token_fields = {"customer_id": "cus_7", "provider_key": PROVIDER_KEY}
    settings = {"LAVA_BASE_URL": fake.url, "LAVA_SECRET_KEY": SECRET_KEY, "LAVA_CUSTOMER_ID": "cus_7"}
    with GatewayClient(resolve_config({**settings, "DEEPINFRA_API_KEY": PROVIDER_KEY})) as unmanaged:
        assert stream(unmanaged, request())[1].complete
    assert fake.requests[0]["token"] == {"secret_key": SECRET_KEY, "customer_id": "cus_7", "provider_key": PROVIDER_KEY}
    with GatewayClient(resolve_config(settings)) as managed, pytest.raises(AuthenticationFailed):
        stream(managed, request())  # the gateway expects the provider key here, so the token is refused


def test_direct_mode_calls_the_deepinfra_path_with_the_provider_key(fake):
    config = resolve_config({"DEEPINFRA_API_KEY": PROVIDER_KEY, "DEEPINFRA_BASE_URL": fake.url})
    with GatewayClient(config) as direct:
        _, result = stream(direct, request("Direct"))
    assert result.complete and result.content.endswith("Direct")
    assert fake.requests[0]["path"] == "/v1/openai/chat/completions"
    assert fake.requests[0]["headers"]["Authorization"] == f"Bearer {PROVIDER_KEY}"


@pytest.mark.parametrize(
    ("directive", "error_type", "status", "said"),
    [
        ("401", AuthenticationFailed, 401, "Invalid forward token"),
        ("403", AuthenticationFailed, 403, "Forbidden: this key may not use this model"),
        ("402", PaymentRequired, 402, "Insufficient balance"),
        ("404", RequestRejected, 404, "does not exist"),
        ("422", RequestRejected, 422, "body.temperature: must be <= 2"),
        ("422message", RequestRejected, 422, "max_tokens is too large for this model"),
        ("400", RequestRejected, 400, "maximum context length is 8192 tokens"),
        ("500", UpstreamError, 500, "Internal server error"),
    ],
)
def test_error_replies_become_typed_errors_with_the_providers_message(
    client, fake, directive, error_type, status, said
):
    with pytest.raises(error_type) as raised:
        stream(client, request(f"!fake:{directive}"))
    error = raised.value
    assert error.status == status and said in str(error) and error.request_id == "req_fake_1"
    assert len(fake.requests) == 1  # not retried


def test_wrong_token_reads_as_authentication_failed(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": "fwd_wrong_token_value"})
    with GatewayClient(config) as wrong, pytest.raises(AuthenticationFailed) as raised:
        stream(wrong, request())
    assert str(raised.value).startswith("Authentication failed (HTTP 401)")
    assert "LAVA_FORWARD_TOKEN" in str(raised.value) and "fwd_wrong_token_value" not in str(raised.value)


def test_validation_error_from_the_gateway_names_the_field(client):
    chat = ChatRequest(record(), TARGET_URL, (Message("user", "hi"),), ChatParams())
    object.__setattr__(chat.params, "temperature", 3.0)  # bypass our own check to see the provider's answer
    with pytest.raises(RequestRejected, match="temperature: must be between 0 and 2"):
        stream(client, chat)


def test_503_and_429_are_retried_with_backoff_then_succeed(fake):
    sleeps: list[float] = []
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
    with GatewayClient(config, retry=FAST_RETRY, sleep=sleeps.append) as gateway:
        assert stream(gateway, request("!fake:503once"))[1].complete
        fake.retry_after = "0.5"
        assert stream(gateway, request("!fake:429once"))[1].complete
    assert sleeps == [0.01, 0.5] and len(fake.requests) == 4


def test_persistent_5xx_gives_up_after_the_allowed_attempts(client, fake):
    with pytest.raises(UpstreamError, match=r"HTTP 502.*502 Bad Gateway") as raised:
        stream(client, request("!fake:html502"))
    assert "<html>" not in str(raised.value) and len(fake.requests) == 3


def test_429_asking_for_a_long_wait_is_reported_not_waited_for(client, fake):
    fake.retry_after = "30"
    started = time.perf_counter()
    with pytest.raises(RateLimited, match="asks to wait 30 s") as raised:
        stream(client, request("!fake:429"))
    assert raised.value.retry_after == 30 and len(fake.requests) == 1 and time.perf_counter() - started < 1


def test_connection_refused_is_retried_then_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        sleeps: list[float] = []
        config = resolve_config({"LAVA_BASE_URL": f"http://127.0.0.1:{port}", "LAVA_FORWARD_TOKEN": TOKEN})
        with GatewayClient(config, retry=FAST_RETRY, sleep=sleeps.append) as gateway:
            with pytest.raises(ConnectionFailed, match="Could not connect"):
                stream(gateway, request())
    assert sleeps == [0.01, 0.02]


def test_no_reply_within_the_read_timeout_is_a_timeout_and_not_retried(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
    with GatewayClient(config, timeout=httpx.Timeout(0.2, connect=2), retry=FAST_RETRY) as gateway:
        with pytest.raises(GatewayTimeout, match="within 0.2 s"):
            stream(gateway, request("!fake:slow"))
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("directive", "error_type"),
    [
        ("cut", StreamInterrupted),
        ("eof", StreamInterrupted),
        ("malformed", MalformedChunk),
        ("miderror", UpstreamError),
    ],
)
def test_a_stream_broken_midway_keeps_its_partial_text_and_is_marked_incomplete(client, fake, directive, error_type):
    deltas, result = stream(client, request(f"!fake:{directive}"))
    assert not result.complete and isinstance(result.error, error_type)
    assert result.content == "**meta-llama/Meta-Llama-3.1-8B-Instruct** says " == "".join(d.content for d in deltas)
    assert "incomplete" in str(result.error) or "during the reply" in str(result.error)
    assert len(fake.requests) == 1  # bytes had arrived: never retried


def test_a_stream_stalled_midway_times_out_with_its_partial_text(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
    with GatewayClient(config, timeout=httpx.Timeout(0.2, connect=2)) as gateway:
        _, result = stream(gateway, request("!fake:stall"))
    assert isinstance(result.error, GatewayTimeout) and result.content.endswith("says ")


def test_cancel_from_another_thread_stops_the_stream(client):
    with client.stream(request("!fake:chunks=500 !fake:chunk_delay=0.01")) as reply:
        got = []
        for delta in reply:
            got.append(delta.content)
            if len(got) == 3:
                threading.Thread(target=reply.cancel).start()
    result = reply.result
    assert isinstance(result.error, Cancelled) and 3 <= len(got) < 50 and result.content == "".join(got)


def test_leaving_a_stream_unread_marks_it_cancelled(client):
    with client.stream(request()) as reply:
        pass
    assert isinstance(reply.result.error, Cancelled) and reply.result.content == ""


def test_twenty_concurrent_streams_lose_no_chunk(client):
    results = {}

    def one(index: int) -> None:
        results[index] = stream(client, request(f"!fake:chunks=200 #{index}"))[1]

    threads = [threading.Thread(target=one, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = "".join(f"{number} " for number in range(200))
    assert all(results[index].content == expected and results[index].complete for index in range(20))


def test_no_secret_in_errors_results_or_logs(fake, caplog):
    caplog.set_level(logging.DEBUG)
    settings = {"LAVA_BASE_URL": fake.url, "LAVA_SECRET_KEY": SECRET_KEY, "DEEPINFRA_API_KEY": PROVIDER_KEY}
    config = resolve_config(settings)
    fake.token_fields = {"provider_key": "something else"}
    shown = []
    with GatewayClient(config, retry=FAST_RETRY) as gateway:
        for prompt in ("!fake:401", "!fake:503once", "!fake:cut", "!fake:html502"):
            try:
                _, result = stream(gateway, request(prompt))
                shown += [repr(result), str(result.error)]
            except GatewayError as error:
                shown += [str(error), repr(error), repr(error.__cause__)]
        shown.append(repr(gateway))
    text = " ".join(shown) + caplog.text
    for secret in (SECRET_KEY, PROVIDER_KEY, config.credential):
        assert secret not in text


def test_a_provider_echoing_the_key_has_it_redacted(fake):
    config = GatewayConfig(
        Mode.FORWARD_TOKEN, "LAVA_FORWARD_TOKEN", fake.url, credential="Invalid", sensitive=("Invalid",)
    )
    with GatewayClient(config) as gateway, pytest.raises(AuthenticationFailed) as raised:
        stream(gateway, request())
    assert "Invalid" not in str(raised.value) and "[redacted] forward token" in str(raised.value)


def test_a_finished_reply_leaves_its_connection_to_the_next_request(client, fake):
    for prompt in ("one", "two", "three"):
        _, result = stream(client, request(prompt))
        assert result.complete and result.error is None
    assert len({entry["peer"] for entry in fake.requests}) == 1  # one connection served all three


def test_a_cut_reply_does_not_hand_its_connection_on(client, fake):
    _, cut = stream(client, request("Hello !fake:cut"))
    _, whole = stream(client, request("Hello"))
    assert not cut.complete and whole.complete
    assert len({entry["peer"] for entry in fake.requests}) == 2
