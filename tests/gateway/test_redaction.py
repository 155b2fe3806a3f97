"""Secrets never shown: redacted in every form they travel in, before any text is cut (issue 8, finding 5).

Each path a secret could take to the screen: an HTTP error body, an error chunk mid-stream, the text of
an exception and its chain, and both exports. Against the real fake gateway on loopback.
"""

from __future__ import annotations

import base64
import json
import traceback

import pytest
from fake_gateway import TARGET_URL, running_fake

from catalog.gateway.client import GatewayClient, RetryPolicy
from catalog.gateway.config import SessionCredential, SessionKind, resolve_config
from catalog.gateway.errors import AuthenticationFailed, ConnectionFailed, GatewayError, UpstreamError
from catalog.gateway.messages import ChatRequest, Message
from catalog.gateway.transcript import Turn, export_json, export_markdown, reply_turn
from catalog.records import ModelRecord

SECRET_KEY = "aks_live_REDACTME_secret_0123456789"
PROVIDER_KEY = "di_REDACTME_provider_9876543210"
RECORD = ModelRecord("DeepInfra", "org/model", "org", 1.0, 2.0, 1.25, None, None, (), 1)
NO_RETRY = RetryPolicy(attempts=1)


def request(prompt: str) -> ChatRequest:
    return ChatRequest(RECORD, TARGET_URL, (Message("user", prompt),))


def pieces_of(secret: str) -> list[str]:
    """Recognisable fragments: the start of the secret and of its base64 (a cut token still leaks them)."""
    encoded = base64.b64encode(secret.encode()).decode()
    return [secret[:12], encoded[:16]]


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        for piece in pieces_of(secret):
            assert piece not in text, (piece, text)


@pytest.fixture
def fake():
    with running_fake(secret_key=SECRET_KEY, deepinfra_key=PROVIDER_KEY) as server:
        yield server


def test_a_mid_stream_error_quoting_the_token_near_the_cut_is_redacted_before_it_is_cut(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_SECRET_KEY": SECRET_KEY})
    with GatewayClient(config) as client, client.stream(request("!fake:echoerror")) as reply:
        list(reply)
    error = reply.result.error
    assert isinstance(error, UpstreamError) and "during the reply" in str(error)
    assert "Bearer [redacted]" in str(error)
    assert_no_secret(str(error), config.credential, SECRET_KEY)


def test_a_sidebar_key_in_direct_mode_is_redacted_from_a_mid_stream_error(fake):
    session = SessionCredential(SessionKind.DEEPINFRA_KEY, PROVIDER_KEY)
    config = resolve_config({"DEEPINFRA_BASE_URL": fake.url}, session)
    with GatewayClient(config) as client, client.stream(request("!fake:echoerror")) as reply:
        list(reply)
    assert_no_secret(str(reply.result.error), PROVIDER_KEY)


def test_an_http_error_quoting_the_start_of_the_token_is_redacted(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_SECRET_KEY": SECRET_KEY})
    with GatewayClient(config) as client, pytest.raises(AuthenticationFailed) as raised:
        with client.stream(request("!fake:echo401")):
            pass
    assert "Rejected credential" in str(raised.value)
    assert_no_secret(str(raised.value), config.credential)


def test_a_raised_error_keeps_no_chain_to_the_request_and_its_text_holds_no_secret():
    config = resolve_config({"LAVA_BASE_URL": "http://127.0.0.1:9", "LAVA_SECRET_KEY": SECRET_KEY})
    with GatewayClient(config, retry=NO_RETRY) as client, pytest.raises(ConnectionFailed) as raised:
        with client.stream(request("hi")):
            pass
    error = raised.value
    # An httpx error chained here would hold the request, and the request holds `Authorization: Bearer …`.
    assert error.__cause__ is None and error.__context__ is None
    assert_no_secret("".join(traceback.format_exception(error)) + repr(error), config.credential, SECRET_KEY)


def test_exports_redact_a_secret_a_reply_or_an_error_echoed(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_SECRET_KEY": SECRET_KEY})
    with GatewayClient(config) as client, client.stream(request("!fake:echoerror")) as reply:
        list(reply)
    echoed = Turn("assistant", f"Your key is {SECRET_KEY}, token {config.credential}", "org/model")
    turns = [Turn("user", "hi"), reply_turn(reply.result), echoed]
    exported = export_json(turns, system_prompt="", params=None, redact=config.redact)
    markdown = export_markdown(turns, system_prompt="", redact=config.redact)
    assert json.loads(exported)["messages"][2]["content"] == "Your key is [redacted], token [redacted]"
    for text in (exported, markdown):
        assert_no_secret(text, config.credential, SECRET_KEY)


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda key, token: key, id="the key"),
        pytest.param(lambda key, token: token, id="the forward token"),
        pytest.param(lambda key, token: base64.b64encode(key.encode()).decode(), id="the key in base64"),
        pytest.param(lambda key, token: base64.urlsafe_b64encode(key.encode()).decode().rstrip("="), id="urlsafe"),
        pytest.param(lambda key, token: json.dumps({"secret_key": key}), id="the token's JSON"),
        pytest.param(lambda key, token: key[:14] + "…", id="the key cut short"),
        pytest.param(lambda key, token: "Bearer " + token[:20], id="a bearer cut short"),
        pytest.param(lambda key, token: token[:30], id="the token cut short"),
    ],
)
def test_every_form_of_a_secret_is_redacted(form):
    config = resolve_config({"LAVA_SECRET_KEY": SECRET_KEY, "DEEPINFRA_API_KEY": PROVIDER_KEY})
    text = config.redact(f"said: {form(SECRET_KEY, config.credential)} (end)")
    assert_no_secret(text, SECRET_KEY, config.credential)
    assert text.startswith("said: ") and text.endswith(" (end)") and "[redacted]" in text


def test_redaction_keeps_ordinary_text():
    config = resolve_config({"LAVA_FORWARD_TOKEN": "fwd_tok_REDACTME_opaque_0123456789"})
    text = "Rate limit exceeded: 200 concurrent requests for meta-llama/Llama-3.3-70B-Instruct"
    assert config.redact(text) == text


def test_error_messages_are_detached_even_when_kept_in_a_result(fake):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_SECRET_KEY": SECRET_KEY})
    with GatewayClient(config) as client, client.stream(request("!fake:cut")) as reply:
        list(reply)
    error = reply.result.error
    assert isinstance(error, GatewayError) and error.__cause__ is None and error.__context__ is None
