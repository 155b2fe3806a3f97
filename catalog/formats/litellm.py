"""LiteLLM's price map: export the catalog in its shape, read a map, and cross-check the catalog against it.

Prices there are USD **per token**; ours are USD per 1M tokens as the page writes them (see `per_token`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog import json_text
from catalog.fetch import fetch_text, redact_url
from catalog.formats.per_token import TOKENS_PER_MTOK, per_mtok, per_token
from catalog.known_context import CAPABILITIES, KnownLimits
from catalog.limits import limits_of
from catalog.parser import MAX_USD_PER_MTOK, plain_number, quote
from catalog.records import CatalogError, ModelRecord
from catalog.sources import is_url, public_source, read_text

#: LiteLLM's provider prefix for the Lava providers whose spelling is not simply the name in lower case.
LITELLM_PROVIDERS = {
    "DeepInfra": "deepinfra",
    "Fireworks": "fireworks_ai",
    "Fireworks AI": "fireworks_ai",
    "Together": "together_ai",
    "Together AI": "together_ai",
    "SambaNova": "sambanova",
    "Cerebras": "cerebras",
    "Groq": "groq",
    "Mistral": "mistral",
    "Nebius": "nebius",
    "Novita": "novita",
    "xAI": "xai",
}
#: The operator's setting naming LiteLLM's map (a path or an http(s) URL) for the dashboard's notes.
MAP_VARIABLE = "CATALOG_LITELLM_MAP"
#: Largest map accepted for a cross-check (LiteLLM's own file is about 1.5 MB).
MAX_MAP_BYTES = 50_000_000


def litellm_provider(provider: str) -> str:
    """LiteLLM's name for a provider: `DeepInfra` → `deepinfra`, `Fireworks` → `fireworks_ai`."""
    return LITELLM_PROVIDERS.get(provider, provider.lower().replace(" ", "_"))


def to_litellm(records: Iterable[ModelRecord], *, lowercase_keys: bool = False) -> dict[str, dict[str, Any]]:
    """Entries in the shape of LiteLLM's `model_prices_and_context_window.json`, keyed `<provider>/<model>`.

    Context windows and `supports_*` come from `catalog.limits` wherever it knows the model, and `source`
    names the page (a file by its name only) and line the prices came from. `lowercase_keys` writes every key
    in lower case, as tokencost looks them up.
    """
    entries = {}
    for record in records:
        key = f"{litellm_provider(record.provider)}/{record.model}"
        entries[key.lower() if lowercase_keys else key] = litellm_entry(record, limits_of(record))
    return entries


def litellm_entry(record: ModelRecord, limits: KnownLimits | None) -> dict[str, Any]:
    """One model as LiteLLM's map writes it: prices per token, limits and capabilities where known."""
    provider = litellm_provider(record.provider)
    entry: dict[str, Any] = {
        "input_cost_per_token": float(per_token(record.input_usd_per_mtok)),
        "output_cost_per_token": float(per_token(record.output_usd_per_mtok)),
        "litellm_provider": provider,
        "mode": "chat",
    }
    if limits is not None:
        if limits.context_window is not None:
            entry["max_input_tokens"] = limits.context_window
        # LiteLLM's `max_tokens` is the longest reply too; where nobody states it, neither is written.
        if limits.max_output_tokens is not None:
            entry["max_output_tokens"] = limits.max_output_tokens
            entry["max_tokens"] = limits.max_output_tokens
        entry["supports_function_calling"] = "tools" in limits.capabilities
        entry["supports_tool_choice"] = "tools" in limits.capabilities
        entry["supports_vision"] = "vision" in limits.capabilities
        entry["supports_response_schema"] = "json_mode" in limits.capabilities
    entry["supports_reasoning"] = "reasoning" in record.tags
    if source := public_source(record.source):
        entry["source"] = f"{source}#L{record.source_line}"
    return entry


@dataclass(frozen=True, slots=True)
class MapEntry:
    """What LiteLLM's map says of one model: prices per 1M tokens and context windows, where it says them."""

    key: str
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    max_input_tokens: int | None
    max_output_tokens: int | None
    #: What was set aside as unknown, and why (a price in other digits, past $1,000,000 per 1M tokens, …).
    notes: tuple[str, ...] = ()
    #: The capability tags its `supports_*` flags state (`supports_function_calling: true` is `tools`).
    capabilities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A price on which our page and LiteLLM's map differ."""

    provider: str
    model: str
    field: str
    ours: float
    theirs: float


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The result of holding the catalog against LiteLLM's map."""

    disagreements: tuple[Disagreement, ...]
    missing: tuple[ModelRecord, ...]
    found: int

    def to_json(self) -> dict[str, Any]:
        return {
            "disagreements": [
                {"provider": d.provider, "model": d.model, "field": d.field, "ours": d.ours, "theirs": d.theirs}
                for d in self.disagreements
            ],
            "missing": [{"provider": r.provider, "model": r.model} for r in self.missing],
            "found": self.found,
        }


#: The largest context window read, in tokens (today's largest are about 10M).
MAX_TOKENS = 1_000_000_000
_MAX_PER_TOKEN = Decimal(MAX_USD_PER_MTOK) / TOKENS_PER_MTOK
#: A JSON constant (`NaN`, `Infinity`) is no number at all: kept apart so it is noted, never read as one.
_CONSTANT = object()


def _unread(name: str, value: Any, why: str) -> str:
    shown = "a JSON constant (NaN or Infinity)" if value is _CONSTANT else quote(str(value))
    return f"{name} {shown} {why}; read as unknown"


def _price(value: Any, name: str, notes: list[str]) -> float | None:
    """A per-token price from the map, as USD per 1M tokens; None where it is missing or not a price (noted)."""
    if value is None:
        return None
    number = plain_number(value)
    if number is None:
        notes.append(_unread(name, value, "is not a price in ASCII digits"))
        return None
    if number > _MAX_PER_TOKEN:  # compared before any arithmetic: `1e999999999` would overflow it
        notes.append(_unread(name, value, f"is more than ${MAX_USD_PER_MTOK:,.0f} per 1M tokens"))
        return None
    return per_mtok(number)


def _count(value: Any, name: str, notes: list[str]) -> int | None:
    if value is None:
        return None
    number = plain_number(value)
    if number is None or number != number.to_integral_value():
        notes.append(_unread(name, value, "is not a whole number in ASCII digits"))
        return None
    if number > MAX_TOKENS:
        notes.append(_unread(name, value, f"is more than {MAX_TOKENS:,} tokens"))
        return None
    return int(number)


def _entry(key: str, value: Mapping[str, Any]) -> MapEntry:
    notes: list[str] = []
    return MapEntry(
        key=key,
        input_usd_per_mtok=_price(value.get("input_cost_per_token"), "input_cost_per_token", notes),
        output_usd_per_mtok=_price(value.get("output_cost_per_token"), "output_cost_per_token", notes),
        max_input_tokens=_count(value.get("max_input_tokens"), "max_input_tokens", notes),
        max_output_tokens=_count(value.get("max_output_tokens"), "max_output_tokens", notes),
        notes=tuple(notes),
        capabilities=map_capabilities(value),
    )


def read_litellm_map(text: str, source: str = "the LiteLLM map") -> dict[str, MapEntry]:
    """LiteLLM's map, keyed by its lower-cased keys; a `CatalogError` if it is not such a map.

    Numbers are read as exact decimals by the page parser's rules; a price or count that breaks them is
    unknown (`None`), with a note in the entry's `notes`, and the rest of the map is still read.
    """
    if len(text) > MAX_MAP_BYTES:
        raise CatalogError(f"{source}: larger than {MAX_MAP_BYTES // 1_000_000} MB, not a LiteLLM price map")
    try:
        exact = json_text.exact_number
        data = json_text.loads(text, parse_float=exact, parse_int=exact, parse_constant=lambda _: _CONSTANT)
    except json.JSONDecodeError as error:
        raise CatalogError(f"{source}: not JSON (line {error.lineno}: {error.msg})") from None
    except ValueError as error:  # nested too deeply (it names the line)
        raise CatalogError(f"{source}: not a LiteLLM price map ({error})") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{source}: not a LiteLLM price map (expected a JSON object of models)")
    # LiteLLM's `sample_spec` and the like are not models
    return {str(key).lower(): _entry(str(key), value) for key, value in data.items() if isinstance(value, Mapping)}


def read_price_map(spec: str) -> dict[str, MapEntry]:
    """LiteLLM's map from a file or an http(s) URL; a `CatalogError` with a plain reason otherwise."""
    if is_url(spec):
        return read_litellm_map(fetch_text(spec), source=redact_url(spec))
    return read_litellm_map(read_text(spec), source=spec)


def map_entry(record: ModelRecord, entries: Mapping[str, MapEntry]) -> MapEntry | None:
    """The map's entry for this model on this provider (`<litellm provider>/<model id>`), if any."""
    return entries.get(f"{litellm_provider(record.provider)}/{record.model}".lower())


def crosscheck(records: Iterable[ModelRecord], entries: Mapping[str, MapEntry]) -> CrossCheck:
    """Every price on which the map disagrees with the page, and every model the map lacks."""
    disagreements, missing, found = [], [], 0
    for record in records:
        entry = map_entry(record, entries)
        if entry is None:
            missing.append(record)
            continue
        found += 1
        for name, ours, theirs in (
            ("input_usd_per_mtok", record.input_usd_per_mtok, entry.input_usd_per_mtok),
            ("output_usd_per_mtok", record.output_usd_per_mtok, entry.output_usd_per_mtok),
        ):
            if theirs is not None and Decimal(repr(ours)) != Decimal(repr(theirs)):
                disagreements.append(Disagreement(record.provider, record.model, name, ours, theirs))
    return CrossCheck(tuple(disagreements), tuple(missing), found)


#: LiteLLM's flag for each capability tag.
SUPPORTS_FLAGS = {
    "tools": "supports_function_calling",
    "vision": "supports_vision",
    "json_mode": "supports_response_schema",
}


def map_capabilities(value: Mapping[str, Any]) -> tuple[str, ...]:
    """The capability tags a map entry's `supports_*` flags state (only a JSON `true` counts)."""
    return tuple(tag for tag in CAPABILITIES if value.get(SUPPORTS_FLAGS[tag]) is True)
