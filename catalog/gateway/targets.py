"""Which model a chat goes to, and where: a catalog row chosen by provider and id, sent only to its page's URL.

Models are keyed by (provider, id): the same id on two pages is two models, so an extra page can never
hide or replace another provider's copy of a model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from catalog.costs import usd
from catalog.gateway.config import ConfigError
from catalog.gateway.messages import ChatParams, ChatRequest, Message
from catalog.literal import code_span
from catalog.records import Catalog, ModelRecord

#: Preselected when the URL names no model (or one the catalog lacks): cheap, fast, widely known.
DEFAULT_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"
#: Hosts a chat request may target. The catalog can include pages a user uploaded, and their target URL
#: must not be able to send the operator's credential (or the DeepInfra key, in direct mode) elsewhere.
TRUSTED_TARGET_HOSTS = frozenset({"api.deepinfra.com"})
#: The operator's extra chat hosts, comma-separated (`api.cerebras.ai,api.sambanova.ai`). They are trusted
#: only through Lava's forward proxy: in direct mode the DeepInfra key must never leave DeepInfra.
TARGET_HOSTS_VARIABLE = "PLAYGROUND_TARGET_HOSTS"
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z]{2,63}")

#: A model as the playground names it: (provider, model id).
ModelKey = tuple[str, str]


def model_key(record: ModelRecord) -> ModelKey:
    return record.provider, record.model


def models_by_key(catalog: Catalog) -> dict[ModelKey, ModelRecord]:
    """Every model of the catalog by (provider, id), in catalog order (the first row wins a duplicate)."""
    keyed: dict[ModelKey, ModelRecord] = {}
    for record in catalog.models:
        keyed.setdefault(model_key(record), record)
    return keyed


def resolve_model(
    catalog: Catalog, requested: str | None, provider: str | None = None
) -> tuple[ModelRecord, str | None]:
    """The model a link names (`?model=` and optionally `?provider=`), else the default, with a warning to show.

    Without a provider the first row with that id is taken: the embedded DeepInfra page comes first.
    """
    if requested:
        record = catalog.find(requested, provider or None)
        if record is not None:
            return record, None
    default = catalog.find(DEFAULT_MODEL) or catalog.models[0]
    if not requested:
        return default, None
    named = f"{code_span(requested)} from {code_span(provider)}" if provider else code_span(requested)
    return default, f"The catalog has no model {named}; showing {code_span(default.model)} instead."


def price_label(record: ModelRecord, *, with_provider: bool = False) -> str:
    """A model with its prices, for pickers (plain text: pickers do not render markdown)."""
    where = f" · {record.provider}" if with_provider else ""
    prices = f"{usd(record.input_usd_per_mtok)} in · {usd(record.output_usd_per_mtok)} out per 1M"
    return f"{record.model}{where} — {prices}"


def parse_stop(text: str) -> tuple[str, ...]:
    """Stop sequences from a text field, one per line (at most 4 are allowed)."""
    return tuple(line for line in text.splitlines() if line.strip())


def trusted_hosts(settings: Mapping[str, str], *, through_lava: bool = True) -> frozenset[str]:
    """The chat hosts requests may go to: DeepInfra's, plus the operator's `PLAYGROUND_TARGET_HOSTS` when
    requests go through Lava. A `ConfigError` names the setting when a value is not a plain host name."""
    extra = [part.strip().lower() for part in settings.get(TARGET_HOSTS_VARIABLE, "").split(",") if part.strip()]
    for host in extra:
        if len(host) > 253 or not _HOST_NAME.fullmatch(host):
            raise ConfigError(
                f"{TARGET_HOSTS_VARIABLE} holds {code_span(host)}, which is not a plain host name "
                "(no scheme, port or path: `api.example.com`)."
            )
    return TRUSTED_TARGET_HOSTS | frozenset(extra) if through_lava else TRUSTED_TARGET_HOSTS


def chat_request(
    catalog: Catalog,
    record: ModelRecord,
    messages: tuple[Message, ...],
    params: ChatParams,
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
) -> ChatRequest:
    """A request for `record`, sent to the chat URL its provider's page gives (never one from the UI), if
    that URL is on one of the trusted `hosts`."""
    target_url = catalog.provider(record.provider).target_url
    if not target_url:
        raise ConfigError(f"The provider page for {record.provider} gives no chat-completions URL.")
    if not is_trusted_target(target_url, hosts):
        trusted = ", ".join(sorted(hosts))
        raise ConfigError(
            f"The playground sends requests only to known provider endpoints (https on {trusted}); "
            f"the page for {record.provider} gives another address."
        )
    return ChatRequest(record, target_url, messages, params)


def is_trusted_target(url: str, hosts: frozenset[str] = TRUSTED_TARGET_HOSTS) -> bool:
    """An https URL on a trusted host, spelled plainly: no user info, port, query, fragment or odd character.

    The URL is checked here with `urlsplit` but parsed again by httpx (direct mode) or by Lava (`u`); a
    plain spelling leaves no room for the parsers to disagree about the host (`https://evil\\t@trusted/`).
    """
    if not _VISIBLE_ASCII.fullmatch(url):
        return False
    parts = urlsplit(url)
    return (
        parts.scheme == "https" and parts.netloc in hosts and not parts.query and not parts.fragment and "\\" not in url
    )
