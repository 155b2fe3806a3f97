"""Price history in other people's shapes: llm-prices' `historical-v1.json`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalog.enrich import split_id
from catalog.history.ranges import PriceRange


def display_name(model: str) -> str:
    """The name a person reads: the id without its organisation, words apart (`Llama 3.3 70B Instruct`)."""
    return split_id(model)[1].replace("_", " ").replace("-", " ")


def llm_prices_document(ranges: Iterable[PriceRange]) -> dict[str, Any]:
    """llm-prices' shape: `{"prices": [...]}`, each with `id`, `vendor`, `name`, `input`, `input_cached`
    (unknown here: null), `output`, `from_date`, `to_date`.

    `vendor` is the provider that sells the model at that price (llm-prices lists the seller), `id` the
    model id as the page writes it, `name` its display name.
    """
    prices = []
    for item in sorted(ranges, key=lambda r: (r.provider.lower(), r.model, r.from_date)):
        prices.append(
            {
                "id": item.model,
                "vendor": item.provider.lower(),
                "name": display_name(item.model),
                "input": item.input_usd_per_mtok,
                "input_cached": None,
                "output": item.output_usd_per_mtok,
                "from_date": item.from_date.isoformat(),
                "to_date": item.to_date.isoformat() if item.to_date else None,
            }
        )
    return {"prices": prices}
