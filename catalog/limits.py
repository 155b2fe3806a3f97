"""Context windows, output limits and capabilities: the one lookup every part of the catalog uses.

The cited table (`catalog.known_context`) comes first. Where it is silent, the operator's own sources fill
in, field by field (window, longest output, capabilities), each value naming where it came from:

1. LiteLLM's map (`CATALOG_LITELLM_MAP`): the entry for the same host (`deepinfra/<id>`), else the first
   entry, in key order, for the same weights on any host (`model_key`);
2. a models.dev checkout (`CATALOG_MODELS_DEV`): the first provider, in name order, that states the model.

Those sources are read by `catalog.formats.operator_limits` (once, then kept an hour, within bounds), which
puts them in force here with `use_limits`: the CLI once per command, the dashboard once per run. Until then,
and where neither is set, only the table counts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from catalog import known_context
from catalog.enrich import model_key
from catalog.known_context import KnownLimits
from catalog.records import ModelRecord


def _no_host_key(provider: str, model: str) -> str:
    return ""


@dataclass(frozen=True, slots=True)
class OperatorLimits:
    """What the operator's LiteLLM map and models.dev checkout say, ready for lookups, and what went wrong."""

    #: From LiteLLM's map, by its lower-cased key (`deepinfra/meta-llama/llama-3.3-70b-instruct`).
    litellm_by_host: Mapping[str, KnownLimits] = field(default_factory=dict)
    #: From LiteLLM's map, by `model_key`: the first entry in key order for those weights.
    litellm_by_key: Mapping[str, KnownLimits] = field(default_factory=dict)
    #: From the models.dev checkout, by `model_key`.
    models_dev: Mapping[str, KnownLimits] = field(default_factory=dict)
    #: Why a configured source could not be read, by its setting's name.
    problems: Mapping[str, str] = field(default_factory=dict)
    #: The map's lower-cased key for a provider's model (`DeepInfra`, `x/Y` → `deepinfra/x/y`).
    host_key: Callable[[str, str], str] = _no_host_key

    def __bool__(self) -> bool:
        return bool(self.litellm_by_host or self.litellm_by_key or self.models_dev)

    def candidates(self, record: ModelRecord) -> list[KnownLimits]:
        """What each source says of this host's model, in the order they count."""
        key = record.model_key or model_key(record.model)
        found = [
            self.litellm_by_host.get(self.host_key(record.provider, record.model)),
            self.litellm_by_key.get(key),
            self.models_dev.get(key),
        ]
        return [limits for limits in found if limits is not None]


NO_OPERATOR_LIMITS = OperatorLimits()
_in_force = NO_OPERATOR_LIMITS


def limits_of(record: ModelRecord) -> KnownLimits | None:
    """A catalog row's window, longest output and capabilities: the cited table's, filled by the operator's."""
    table = known_context.limits_of(record)
    extra = _in_force
    if not extra or (table is not None and table.max_output_tokens is not None and table.context_window is not None):
        return table  # a table entry states its capabilities whole: with both counts it leaves nothing to fill
    return merged(table, extra.candidates(record))


def window_of(record: ModelRecord) -> int | None:
    """A row's context window in tokens, where anyone cited one (Compare checks every row on every rerun)."""
    limits = limits_of(record)
    return limits.context_window if limits is not None else None


def merged(table: KnownLimits | None, others: list[KnownLimits]) -> KnownLimits | None:
    """The table's limits, each field it lacks from the first of `others` that states it, with that source.

    Capabilities are one field: the table's entry states them whole (its source lists every tag it has), so
    only a model the table lacks takes them from the first other source that names any.
    """
    found = [table, *others] if table is not None else others
    if not found:
        return None
    context = next((limits for limits in found if limits.context_window is not None), None)
    output = next((limits for limits in found if limits.max_output_tokens is not None), None)
    tags = table if table is not None else next((limits for limits in others if limits.capabilities), None)
    return KnownLimits(
        context.context_window if context else None,
        output.max_output_tokens if output else None,
        tags.capabilities if tags else (),
        found[0].source,
        context_source=context.source_of("context_window") if context else None,
        output_source=output.source_of("max_output_tokens") if output else None,
        capabilities_source=tags.source_of("capabilities") if tags else None,
    )


def use_limits(found: OperatorLimits) -> OperatorLimits:
    """Use `found` in every lookup from now on (for the whole process: the settings are the process's)."""
    global _in_force
    _in_force = found
    return found


@contextlib.contextmanager
def limits_in_force(found: OperatorLimits) -> Iterator[OperatorLimits]:
    """`use_limits` for the length of a `with` block, then whatever was in force before."""
    before = _in_force
    try:
        yield use_limits(found)
    finally:
        use_limits(before)
