"""OpenRouter's `/api/v1/models` shape: prices as decimal strings, USD per token."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalog.formats.per_token import per_token, plain
from catalog.records import ModelRecord


def to_openrouter(records: Iterable[ModelRecord]) -> dict[str, list[dict[str, Any]]]:
    """A document in the shape of OpenRouter's `/api/v1/models`: prices as strings, USD per token."""
    return {
        "data": [
            {
                "id": record.model,
                "name": record.display_name or record.model,
                "provider": record.provider,
                "pricing": {
                    "prompt": plain(per_token(record.input_usd_per_mtok)),
                    "completion": plain(per_token(record.output_usd_per_mtok)),
                },
            }
            for record in records
        ]
    }
