"""The operator's LiteLLM map (`CATALOG_LITELLM_MAP`, a file or an http(s) URL) and models.dev checkout
(`CATALOG_MODELS_DEV`, a folder), read as limits for `catalog.limits` to fill what the cited table lacks.

Each pair of settings is read once and then kept for an hour (`KEEP_S`), within its readers' bounds: a map
file past `MAX_MAP_BYTES` is refused unread, a URL within the fetch limits, a checkout within
`MAX_LIMIT_FILES` files. A source is named by its file's name or its URL without credentials or query, never
a local folder. One that cannot be read is skipped, and why is kept in `OperatorLimits.problems`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from catalog.enrich import model_key
from catalog.formats.litellm import MAP_VARIABLE, MAX_MAP_BYTES, MapEntry, litellm_provider, read_price_map
from catalog.formats.models_dev import MODELS_DEV_VARIABLE, read_models_dev_limits
from catalog.known_context import KnownLimits
from catalog.limits import NO_OPERATOR_LIMITS, OperatorLimits, limits_in_force, use_limits
from catalog.records import CatalogError
from catalog.sources import is_url, public_source

#: How long one reading of the operator's sources is used before they are read again, in seconds.
KEEP_S = 3600.0


@dataclass(frozen=True, slots=True)
class OperatorSources:
    """The operator's sources as limits, and LiteLLM's map as read (for its prices: the model page's check)."""

    limits: OperatorLimits = NO_OPERATOR_LIMITS
    litellm_entries: Mapping[str, MapEntry] = field(default_factory=dict)


NO_SOURCES = OperatorSources()
_read: dict[tuple[str, str], tuple[float, OperatorSources]] = {}
_reading = threading.Lock()


def operator_sources(settings: Mapping[str, str]) -> OperatorSources:
    """The sources `settings` name, read once and kept for `KEEP_S` seconds; none when both are blank."""
    specs = (settings.get(MAP_VARIABLE, "").strip(), settings.get(MODELS_DEV_VARIABLE, "").strip())
    if specs == ("", ""):
        return NO_SOURCES
    with _reading:  # one reader at a time: dashboard sessions run in threads, and a map may be a URL
        kept = _read.get(specs)
        if kept is not None and time.monotonic() - kept[0] < KEEP_S:
            return kept[1]
        found = _read_sources(*specs)
        _read.clear()  # only the settings in force are kept
        _read[specs] = (time.monotonic(), found)
        return found


def use_operator_limits(settings: Mapping[str, str]) -> OperatorSources:
    """Read the sources `settings` name (see `operator_sources`) and use them in every lookup from now on."""
    found = operator_sources(settings)
    use_limits(found.limits)
    return found


@contextlib.contextmanager
def operator_limits_in_force(settings: Mapping[str, str]) -> Iterator[OperatorLimits]:
    """The sources `settings` name, in force for the length of a `with` block (one CLI command)."""
    with limits_in_force(operator_sources(settings).limits) as found:
        yield found


def _read_sources(litellm_spec: str, models_dev_spec: str) -> OperatorSources:
    entries: dict[str, MapEntry] = {}
    by_host: dict[str, KnownLimits] = {}
    by_key: dict[str, KnownLimits] = {}
    models_dev: dict[str, KnownLimits] = {}
    problems: dict[str, str] = {}
    if litellm_spec:
        try:
            entries = _read_map(litellm_spec)
        except CatalogError as error:
            problems[MAP_VARIABLE] = str(error)
        by_host, by_key = _litellm_limits(entries, public_source(litellm_spec) or "LiteLLM map")
    if models_dev_spec:
        try:
            models_dev = read_models_dev_limits(Path(models_dev_spec))
        except CatalogError as error:
            problems[MODELS_DEV_VARIABLE] = str(error)
    limits = OperatorLimits(by_host, by_key, models_dev, problems, _host_key)
    return OperatorSources(limits, entries)


def _host_key(provider: str, model: str) -> str:
    return f"{litellm_provider(provider)}/{model}".lower()


def _read_map(spec: str) -> dict[str, MapEntry]:
    """LiteLLM's map from a file (refused unread past `MAX_MAP_BYTES`, or if not a file) or a URL."""
    if not is_url(spec):
        path = Path(spec)
        if path.exists() and not path.is_file():
            raise CatalogError(f"{spec}: not a file, so not a LiteLLM price map")
        if path.is_file() and path.stat().st_size > MAX_MAP_BYTES:
            raise CatalogError(f"{spec}: larger than {MAX_MAP_BYTES // 1_000_000} MB, not a LiteLLM price map")
    return read_price_map(spec)


def _litellm_limits(
    entries: Mapping[str, MapEntry], name: str
) -> tuple[dict[str, KnownLimits], dict[str, KnownLimits]]:
    """The map's limits: by its lower-cased key, and by `model_key` (the first key in order wins)."""
    by_host: dict[str, KnownLimits] = {}
    by_key: dict[str, KnownLimits] = {}
    for key, entry in sorted(entries.items()):
        if entry.max_input_tokens is None and entry.max_output_tokens is None and not entry.capabilities:
            continue
        limits = KnownLimits(
            entry.max_input_tokens, entry.max_output_tokens, entry.capabilities, f"LiteLLM map {name}: {entry.key}"
        )
        by_host[key] = limits
        by_key.setdefault(model_key(entry.key.partition("/")[2] or entry.key), limits)
    return by_host, by_key
