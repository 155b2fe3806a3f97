"""The same weights on several hosts: models grouped by `model_key`, cheapest host first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.enrich import model_key
from catalog.records import ModelRecord


def _cheapest_first(records: Iterable[ModelRecord]) -> list[ModelRecord]:
    return sorted(records, key=lambda r: (r.blended_usd_per_mtok, r.provider.lower(), r.model))


def hosts_of(records: Iterable[ModelRecord], name: str) -> list[ModelRecord]:
    """Every host of the model `name` (any host's spelling of its id, or its key), cheapest first."""
    key = model_key(name)
    return _cheapest_first(r for r in records if r.model_key == key or r.model == name)


@dataclass(frozen=True, slots=True)
class HostGroup:
    """One model's hosts, cheapest first (never empty)."""

    key: str
    hosts: tuple[ModelRecord, ...]

    @property
    def cheapest(self) -> ModelRecord:
        return self.hosts[0]

    @property
    def dearest(self) -> ModelRecord:
        return self.hosts[-1]

    @property
    def providers(self) -> frozenset[str]:
        return frozenset(record.provider for record in self.hosts)


def host_groups(records: Iterable[ModelRecord], min_hosts: int = 1) -> list[HostGroup]:
    """The models grouped by key, those with at least `min_hosts` providers, most hosts first then by name."""
    groups: dict[str, list[ModelRecord]] = {}
    for record in records:
        groups.setdefault(record.model_key or record.model, []).append(record)
    found = [HostGroup(key, tuple(_cheapest_first(members))) for key, members in groups.items()]
    found = [group for group in found if len(group.providers) >= min_hosts]
    return sorted(found, key=lambda group: (-len(group.providers), group.key))
