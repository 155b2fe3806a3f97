"""Gateway configuration and credentials, resolved from plain mappings of settings (env vars, secrets).

Pure functions: nothing here reads the process environment or Streamlit. The credential lives only in
fields excluded from `repr`, so printing a config, or an error that holds one, never shows it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from catalog.gateway.messages import ReplyLimits
from catalog.records import CatalogError
from catalog.settings import BY_NAME, VARIABLES

DEFAULT_LAVA_BASE_URL = "https://api.lava.so"
#: What a credential may contain to travel in an `Authorization` header: visible ASCII, no spaces.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
FORWARD_PATH = "/v1/forward"

#: Every setting the gateway reads, by its environment-variable (and `st.secrets`) name.
SETTING_NAMES = tuple(variable.name for variable in VARIABLES if variable.group == "gateway")
#: The operator's bounds on one reply (`catalog.settings` gives their defaults and largest values).
LIMIT_SETTINGS = ("PLAYGROUND_REPLY_DEADLINE_S", "PLAYGROUND_MAX_REPLY_CHARS")
REDACTED = "[redacted]"
#: A bearer credential wherever it is quoted, even cut short: the word after `Bearer`.
_BEARER = re.compile(r"(?i)\b(bearer\s+)\S+")
#: Base64 of a JSON object (a forward token, a JWT), whole or cut: `eyJ` is base64 for `{"`.
_BASE64_JSON = re.compile(r"eyJ[A-Za-z0-9+/_=-]{8,}")
#: A secret field of a decoded forward token, quoted as JSON.
_SECRET_FIELD = re.compile(r'("(?:secret_key|provider_key|connection_secret|product_secret)"\s*:\s*")[^"]*')
#: A secret cut short is still recognised by this many leading characters (when it is longer than twice that).
_PREFIX = 10

#: What a person without any credential is told to set.
SETUP_HELP = """\
No gateway credential is configured. Set **one** of these as an environment variable before starting
the app, or in `.streamlit/secrets.toml` with the same name:

- `LAVA_FORWARD_TOKEN`: a ready Lava forward token, sent as is.
- `LAVA_SECRET_KEY`: your Lava secret key (`aks_live_…`); the app builds the forward token. Optional:
  `LAVA_CUSTOMER_ID`, `LAVA_METER_SLUG`, and `DEEPINFRA_API_KEY` to bring your own DeepInfra key (unmanaged mode).
- `DEEPINFRA_API_KEY` alone: direct mode, calling DeepInfra without Lava.

For example: `export LAVA_FORWARD_TOKEN=…` then `streamlit run app.py`.
`LAVA_BASE_URL` (default `https://api.lava.so`) chooses the gateway.
Or paste a credential on the Playground page: it is kept for this browser session only."""


class ConfigError(CatalogError):
    """The operator's gateway configuration is unusable (never contains a credential)."""


class Mode(StrEnum):
    """How a request reaches the provider, and who is billed."""

    FORWARD_TOKEN = "Lava forward token"
    MANAGED = "Lava managed"
    UNMANAGED = "Lava unmanaged (your own DeepInfra key)"
    DIRECT = "Direct to DeepInfra (no Lava)"


class SessionKind(StrEnum):
    """How the Playground's pasted credential is read."""

    FORWARD_TOKEN = "Lava forward token"
    SECRET_KEY = "Lava secret key"
    DEEPINFRA_KEY = "DeepInfra API key"


@dataclass(frozen=True, slots=True)
class SessionCredential:
    """A credential typed into the page, kept for one browser session."""

    kind: SessionKind
    value: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a chat request goes: a URL and its query parameters (never a credential)."""

    url: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """A resolved way to call the provider; `repr` shows the mode and source, never the credential."""

    mode: Mode
    source: str
    lava_base_url: str = DEFAULT_LAVA_BASE_URL
    direct_base_url: str | None = None
    credential: str = field(default="", repr=False)
    #: Every secret string the credential was built from, to scrub from any message shown to people.
    sensitive: tuple[str, ...] = field(default=(), repr=False)
    #: Whether a visitor pasted the credential (theirs to spend); False: the operator's configured one pays.
    pasted: bool = False

    def __post_init__(self) -> None:
        # httpx refuses non-ASCII header values with an exception that holds the whole header, and h11
        # refuses line breaks with a message that quotes it: reject such a credential here, naming only its source.
        if not _HEADER_SAFE.fullmatch(self.credential):
            raise ConfigError(
                f"The credential from {self.source} is empty or contains spaces, line breaks or non-ASCII "
                "characters, so it cannot be sent; check that it was copied whole and on one line."
            )

    @property
    def uses_lava(self) -> bool:
        return self.mode is not Mode.DIRECT

    def endpoint(self, target_url: str) -> Endpoint:
        """The URL to call for `target_url` (the catalog's chat-completions URL)."""
        if self.uses_lava:
            return Endpoint(self.lava_base_url + FORWARD_PATH, (("u", target_url),))
        if self.direct_base_url is None:
            return Endpoint(target_url)
        return Endpoint(self.direct_base_url + urlsplit(target_url).path)

    def redact(self, text: str) -> str:
        """`text` with every form of every secret this config holds replaced by a placeholder.

        Redact before cutting a text to length: a cut secret is no longer the secret string. The forms: each
        secret as is, in base64 (standard or URL-safe, padded or not) and JSON-escaped; a secret cut short
        (by its first characters); any bearer credential; any base64 JSON object; a forward token's fields.
        """
        forms = {form for secret in self.sensitive if secret for form in _forms(secret)}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, REDACTED)
        for secret in self.sensitive:
            if len(secret) > 2 * _PREFIX:
                text = re.sub(re.escape(secret[:_PREFIX]) + r"\S*", REDACTED, text)
        text = _BEARER.sub(lambda match: match.group(1) + REDACTED, text)
        text = _BASE64_JSON.sub(REDACTED, text)
        return _SECRET_FIELD.sub(lambda match: match.group(1) + REDACTED, text)


def _forms(secret: str) -> tuple[str, ...]:
    """The ways `secret` may be written in a message: as is, base64 (four spellings), JSON-escaped."""
    encoded = base64.b64encode(secret.encode()).decode("ascii")
    urlsafe = base64.urlsafe_b64encode(secret.encode()).decode("ascii")
    return (secret, encoded, encoded.rstrip("="), urlsafe, urlsafe.rstrip("="), json.dumps(secret)[1:-1])


def reply_limits(settings: Mapping[str, str]) -> ReplyLimits:
    """The operator's bounds on a reply (`PLAYGROUND_REPLY_DEADLINE_S`, `PLAYGROUND_MAX_REPLY_CHARS`)."""
    values = {}
    for name in LIMIT_SETTINGS:
        variable = BY_NAME[name]
        text = settings.get(name) or variable.default
        if (problem := variable.problem(text)) is not None:
            raise ConfigError(problem)
        values[name] = float(text)
    deadline, max_chars = values["PLAYGROUND_REPLY_DEADLINE_S"], values["PLAYGROUND_MAX_REPLY_CHARS"]
    return ReplyLimits(deadline_s=deadline, max_chars=max(1, int(max_chars)))


def build_forward_token(
    secret_key: str,
    *,
    customer_id: str | None = None,
    meter_slug: str | None = None,
    provider_key: str | None = None,
) -> str:
    """A Lava forward token: base64 of JSON `{"secret_key", ...}`; absent optional fields are left out."""
    if not secret_key:
        raise ConfigError("a forward token needs a secret key")
    payload: dict[str, str] = {"secret_key": secret_key}
    optional = {"customer_id": customer_id, "meter_slug": meter_slug, "provider_key": provider_key}
    payload.update({name: value for name, value in optional.items() if value})
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode("ascii")


def decode_forward_token(token: str) -> dict[str, Any]:
    """The JSON fields of a built forward token; raises ValueError (without the token) if it is not one."""
    try:
        decoded = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("not a base64 JSON forward token") from None
    if not isinstance(decoded, dict):
        raise ValueError("not a base64 JSON forward token")
    return decoded


def check_base_url(url: str, name: str) -> str:
    """`url` without a trailing slash, if it is a plain http(s) origin with an optional path.

    The message never quotes the value: a mistyped URL can still carry a password or a key in it.
    """
    wrong = ConfigError(f"{name} must be an http(s) URL with a host and no query or fragment")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # `http://[::1`: a bracket never closed
        raise wrong from None
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
        raise wrong
    if parts.username or parts.password:
        raise ConfigError(f"{name} must not contain a user name or password")
    return url.rstrip("/")


def resolve_config(settings: Mapping[str, str], session: SessionCredential | None = None) -> GatewayConfig | None:
    """The gateway configuration by priority: sidebar credential, forward token, secret key, direct; or None."""
    lava_base_url = check_base_url(settings.get("LAVA_BASE_URL", DEFAULT_LAVA_BASE_URL), "LAVA_BASE_URL")
    direct_base = settings.get("DEEPINFRA_BASE_URL")
    direct_base_url = check_base_url(direct_base, "DEEPINFRA_BASE_URL") if direct_base else None
    chosen = _credential(settings, session)
    if chosen is None:
        return None
    mode, source, credential, sensitive = chosen
    return GatewayConfig(mode, source, lava_base_url, direct_base_url, credential, sensitive, _pasted(session))


_Chosen = tuple[Mode, str, str, tuple[str, ...]]


def _credential(settings: Mapping[str, str], session: SessionCredential | None) -> _Chosen | None:
    """Mode, source name, credential to send, and every secret it contains. A blank pasted value is no
    credential: the configured one is used, and the config says so (`pasted` False: the operator pays)."""
    if session is not None and session.value.strip():
        return _session_credential(session.kind, session.value.strip())
    if token := settings.get("LAVA_FORWARD_TOKEN"):
        return Mode.FORWARD_TOKEN, "LAVA_FORWARD_TOKEN", token, _forward_token_secrets(token)
    provider_key = settings.get("DEEPINFRA_API_KEY")
    if secret_key := settings.get("LAVA_SECRET_KEY"):
        token = build_forward_token(
            secret_key,
            customer_id=settings.get("LAVA_CUSTOMER_ID"),
            meter_slug=settings.get("LAVA_METER_SLUG"),
            provider_key=provider_key,
        )
        if provider_key:
            return Mode.UNMANAGED, "LAVA_SECRET_KEY + DEEPINFRA_API_KEY", token, (token, secret_key, provider_key)
        return Mode.MANAGED, "LAVA_SECRET_KEY", token, (token, secret_key)
    if provider_key:
        return Mode.DIRECT, "DEEPINFRA_API_KEY", provider_key, (provider_key,)
    return None


def _session_credential(kind: SessionKind, value: str) -> _Chosen:
    """A sidebar credential stands alone: it is never combined with the operator's keys or ids."""
    source = f"the page ({kind.value}, this session only)"
    if kind is SessionKind.FORWARD_TOKEN:
        return Mode.FORWARD_TOKEN, source, value, _forward_token_secrets(value)
    if kind is SessionKind.SECRET_KEY:
        token = build_forward_token(value)
        return Mode.MANAGED, source, token, (token, value)
    return Mode.DIRECT, source, value, (value,)


def _pasted(session: SessionCredential | None) -> bool:
    """Whether the page holds a credential: a blank (whitespace-only) paste is none."""
    return session is not None and bool(session.value.strip())


#: Fields of a forward token (current and older formats) that hold a secret of their own.
_TOKEN_SECRET_FIELDS = ("secret_key", "provider_key", "connection_secret", "product_secret")


def _forward_token_secrets(token: str) -> tuple[str, ...]:
    """A ready token, and the keys inside it when it decodes: a gateway may quote those back decoded."""
    try:
        fields = decode_forward_token(token)
    except ValueError:
        return (token,)  # opaque: sent as is
    inner = (fields.get(name) for name in _TOKEN_SECRET_FIELDS)
    return (token, *(value for value in inner if isinstance(value, str) and value))
