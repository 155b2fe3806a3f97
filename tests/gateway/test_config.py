"""Resolving the gateway configuration from settings: priority, token building, and no secret in reprs."""

from __future__ import annotations

import pytest

from catalog.gateway.config import (
    DEFAULT_LAVA_BASE_URL,
    ConfigError,
    Mode,
    SessionCredential,
    SessionKind,
    build_forward_token,
    decode_forward_token,
    resolve_config,
)
from catalog.settings import read_settings

TARGET = "https://api.deepinfra.com/v1/openai/chat/completions"
SECRET = "aks_live_SECRET_0123456789"
PROVIDER_KEY = "di_PROVIDER_KEY_987654321"
TOKEN = "fwd_TOKEN_ABCDEFGHIJKLMNOP"


def test_no_credential_resolves_to_none():
    assert resolve_config({}) is None
    assert resolve_config({"LAVA_BASE_URL": "http://127.0.0.1:9", "LAVA_CUSTOMER_ID": "cus_1"}) is None


def test_forward_token_is_sent_as_is_and_wins_over_a_secret_key():
    config = resolve_config({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_SECRET_KEY": SECRET, "DEEPINFRA_API_KEY": "x"})
    assert config is not None
    assert (config.mode, config.credential, config.source) == (Mode.FORWARD_TOKEN, TOKEN, "LAVA_FORWARD_TOKEN")
    assert config.lava_base_url == DEFAULT_LAVA_BASE_URL


def test_secret_key_alone_builds_a_managed_token_with_only_the_fields_given():
    config = resolve_config({"LAVA_SECRET_KEY": SECRET, "LAVA_METER_SLUG": "chat"})
    assert config is not None and config.mode is Mode.MANAGED
    assert decode_forward_token(config.credential) == {"secret_key": SECRET, "meter_slug": "chat"}


def test_secret_key_with_deepinfra_key_is_unmanaged_and_carries_the_provider_key():
    settings = {"LAVA_SECRET_KEY": SECRET, "LAVA_CUSTOMER_ID": "cus_42", "DEEPINFRA_API_KEY": PROVIDER_KEY}
    config = resolve_config(settings)
    assert config is not None and config.mode is Mode.UNMANAGED
    assert decode_forward_token(config.credential) == {
        "secret_key": SECRET,
        "customer_id": "cus_42",
        "provider_key": PROVIDER_KEY,
    }


def test_deepinfra_key_alone_is_direct_mode_to_the_catalog_target_or_the_operator_base():
    config = resolve_config({"DEEPINFRA_API_KEY": PROVIDER_KEY})
    assert config is not None and config.mode is Mode.DIRECT and config.credential == PROVIDER_KEY
    assert config.endpoint(TARGET).url == TARGET and config.endpoint(TARGET).params == ()
    local = resolve_config({"DEEPINFRA_API_KEY": PROVIDER_KEY, "DEEPINFRA_BASE_URL": "http://127.0.0.1:8080/"})
    assert local is not None
    assert local.endpoint(TARGET).url == "http://127.0.0.1:8080/v1/openai/chat/completions"


def test_lava_endpoint_puts_the_target_in_the_u_parameter():
    config = resolve_config({"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_BASE_URL": "http://127.0.0.1:8080/"})
    assert config is not None
    endpoint = config.endpoint(TARGET)
    assert endpoint.url == "http://127.0.0.1:8080/v1/forward"
    assert endpoint.params == (("u", TARGET),)


@pytest.mark.parametrize(
    ("kind", "mode"),
    [
        (SessionKind.FORWARD_TOKEN, Mode.FORWARD_TOKEN),
        (SessionKind.SECRET_KEY, Mode.MANAGED),
        (SessionKind.DEEPINFRA_KEY, Mode.DIRECT),
    ],
)
def test_a_pasted_credential_wins_and_stands_alone(kind, mode):
    settings = {"LAVA_FORWARD_TOKEN": TOKEN, "LAVA_CUSTOMER_ID": "cus_op", "DEEPINFRA_API_KEY": PROVIDER_KEY}
    config = resolve_config(settings, SessionCredential(kind, f"  {SECRET}  "))
    assert config is not None and config.mode is mode
    assert "the page" in config.source and "this session only" in config.source
    assert config.pasted  # the visitor's own: no cap, no ledger
    if kind is SessionKind.SECRET_KEY:
        assert decode_forward_token(config.credential) == {"secret_key": SECRET}
    else:
        assert config.credential == SECRET


def test_a_blank_pasted_credential_falls_back_to_the_configured_one_which_the_operator_pays():
    config = resolve_config({"LAVA_FORWARD_TOKEN": TOKEN}, SessionCredential(SessionKind.FORWARD_TOKEN, "  "))
    assert config is not None and config.credential == TOKEN
    assert not config.pasted  # the operator's credential: the spending gate and the ledger apply
    assert resolve_config({"LAVA_FORWARD_TOKEN": TOKEN}) == config


def test_environment_wins_over_secrets_and_blanks_count_as_unset():
    merged = read_settings(
        {"LAVA_FORWARD_TOKEN": "from-env", "LAVA_SECRET_KEY": " ", "UNRELATED": "x"},
        {"LAVA_FORWARD_TOKEN": "from-secrets", "LAVA_SECRET_KEY": "secret-from-secrets", "LAVA_BASE_URL": ""},
    )
    assert dict(merged) == {"LAVA_FORWARD_TOKEN": "from-env", "LAVA_SECRET_KEY": "secret-from-secrets"}


@pytest.mark.parametrize(
    "url",
    ["ftp://api.lava.so", "api.lava.so", "https://api.lava.so/?u=https://evil.example", "https://user:pw@api.lava.so"],
)
def test_unusable_base_urls_are_refused(url):
    with pytest.raises(ConfigError, match="LAVA_BASE_URL"):
        resolve_config({"LAVA_BASE_URL": url, "LAVA_FORWARD_TOKEN": TOKEN})


def test_no_secret_appears_in_reprs_or_descriptions():
    settings = {"LAVA_SECRET_KEY": SECRET, "DEEPINFRA_API_KEY": PROVIDER_KEY}
    config = resolve_config(settings)
    assert config is not None
    session = SessionCredential(SessionKind.FORWARD_TOKEN, TOKEN)
    shown = " ".join([repr(config), str(config), repr(session), str(session)])
    for secret in (SECRET, PROVIDER_KEY, TOKEN, config.credential):
        assert secret not in shown


def test_redact_scrubs_every_secret_the_token_was_built_from():
    config = resolve_config({"LAVA_SECRET_KEY": SECRET, "DEEPINFRA_API_KEY": PROVIDER_KEY})
    assert config is not None
    text = f"bad key {SECRET}; provider {PROVIDER_KEY}; token {config.credential}"
    assert config.redact(text) == "bad key [redacted]; provider [redacted]; token [redacted]"


def test_decoding_a_non_token_fails_without_echoing_it():
    with pytest.raises(ValueError) as raised:
        decode_forward_token(TOKEN)
    assert TOKEN not in str(raised.value)
    with pytest.raises(ValueError):
        decode_forward_token(build_forward_token("k").replace("=", "") + "!")


def test_a_forward_token_needs_a_secret_key():
    with pytest.raises(ConfigError):
        build_forward_token("")


@pytest.mark.parametrize(
    ("settings", "session", "source"),
    [
        ({"LAVA_FORWARD_TOKEN": "eyJzZWNyZXRfa2V5Ijoi\nYWtzX2xpdmVfWFlaIn0="}, None, "LAVA_FORWARD_TOKEN"),
        ({"DEEPINFRA_API_KEY": "di_key with_space"}, None, "DEEPINFRA_API_KEY"),
        ({}, SessionCredential(SessionKind.FORWARD_TOKEN, "fwd_tok_pasted…"), "the page"),
        ({}, SessionCredential(SessionKind.DEEPINFRA_KEY, "di_key\x00"), "the page"),
    ],
)
def test_a_credential_that_cannot_travel_in_a_header_is_refused_without_echoing_it(settings, session, source):
    # Sent anyway, httpx would raise an exception holding the whole header, or h11 one quoting it.
    with pytest.raises(ConfigError, match=source) as raised:
        resolve_config(settings, session)
    for secret in [*settings.values(), session.value if session else "x" * 99]:
        for piece in secret.split():
            assert piece not in str(raised.value)


@pytest.mark.parametrize("url", ["htps://user:PASSWORD_IN_URL@api.lava.so", "https://api.lava.so/?key=PASSWORD_IN_URL"])
def test_a_refused_base_url_is_not_quoted_back(url):
    with pytest.raises(ConfigError, match="LAVA_BASE_URL") as raised:
        resolve_config({"LAVA_BASE_URL": url, "LAVA_FORWARD_TOKEN": TOKEN})
    assert "PASSWORD_IN_URL" not in str(raised.value)


@pytest.mark.parametrize("kind", [None, SessionKind.FORWARD_TOKEN])
def test_keys_inside_a_ready_forward_token_are_redacted_too(kind):
    token = build_forward_token(SECRET, customer_id="cus_1", provider_key=PROVIDER_KEY)
    session = SessionCredential(kind, token) if kind else None
    config = resolve_config({} if kind else {"LAVA_FORWARD_TOKEN": token}, session)
    assert config is not None and config.credential == token  # still sent as is
    said = f"invalid secret key {SECRET} for provider key {PROVIDER_KEY} (token {token}, customer cus_1)"
    assert (
        config.redact(said)
        == "invalid secret key [redacted] for provider key [redacted] (token [redacted], customer cus_1)"
    )
