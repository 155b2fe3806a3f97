"""The operator's LiteLLM price map (`CATALOG_LITELLM_MAP`, a path or URL) and models.dev checkout
(`CATALOG_MODELS_DEV`, a folder): read once an hour by `catalog.formats.operator_limits`, and in force for every
page's limits (filters, Compare's context check, the model page)."""

from __future__ import annotations

from collections.abc import Mapping

from catalog.formats.litellm import MAP_VARIABLE, MapEntry
from catalog.formats.models_dev import MODELS_DEV_VARIABLE
from catalog.formats.operator_limits import OperatorSources, use_operator_limits
from pages.common.settings import settings


def operator_limits() -> OperatorSources:
    """Put the operator's sources in force for this run's lookups."""
    return use_operator_limits(settings())


def price_map() -> tuple[Mapping[str, MapEntry], str | None]:
    """The configured map's entries (empty when none is set) and, when it could not be read, why."""
    found = operator_limits()
    return found.litellm_entries, found.limits.problems.get(MAP_VARIABLE)


def models_dev_problem() -> str | None:
    """Why the configured models.dev checkout could not be read, if it could not."""
    return operator_limits().limits.problems.get(MODELS_DEV_VARIABLE)
