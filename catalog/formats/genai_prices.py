"""pydantic's genai-prices data: a list of providers, each with `match` clauses and prices per 1M tokens.

This is the structure of genai-prices' `data.json`, which its `UpdatePrices` and `set_custom_snapshot`
read: a provider matches requests by its API's URL (`api_pattern`, a regex) and each model by an exact,
case-insensitive `equals` clause on the id, so no other model is priced by ours.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from catalog.formats.litellm import litellm_provider
from catalog.formats.models_dev import sold_by
from catalog.limits import limits_of
from catalog.records import Catalog, ModelRecord


def to_genai_prices(models: Catalog) -> list[dict[str, Any]]:
    """Every provider of the catalog as a genai-prices provider, with its models and their prices."""
    return [
        {
            "id": litellm_provider(info.name),
            "name": info.name,
            "api_pattern": _api_pattern(info.target_url),
            "pricing_urls": [info.source] if info.source.startswith(("http://", "https://")) else None,
            "models": [_model(record) for record in sold_by(models.models, info.name)],
        }
        for info in models.providers
    ]


def _model(record: ModelRecord) -> dict[str, Any]:
    limits = limits_of(record)
    return {
        "id": record.model,
        "name": record.display_name or record.model,
        "match": {"equals": record.model},
        "context_window": limits.context_window if limits else None,
        # Prices as the page's decimal strings, so genai-prices' Decimal arithmetic starts from the page's digits.
        "prices": {"input_mtok": repr(record.input_usd_per_mtok), "output_mtok": repr(record.output_usd_per_mtok)},
    }


def _api_pattern(target_url: str | None) -> str:
    """A regex matching the provider's API host (`https://api\\.deepinfra\\.com`); never matches where unknown."""
    host = urlsplit(target_url).netloc if target_url else ""
    return f"https://{re.escape(host)}" if host else r"(?!x)x"
