"""Prices in llm-prices.com's shapes: `current-v1.json`, `historical-v1.json` and their `data/<vendor>.json`.

llm-prices lists a model under its **maker** (`vendor`, in their spelling: `LLM_PRICES_VENDORS`), and its
build script sorts the history with the open range first, then the closed ones, so its page shows the price
in force. Their files carry one price
per model id; where several hosts sell the same id, each host's entry is `<id>@<host>`, so none hides another.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from catalog.enrich import maker, split_id
from catalog.formats.files import safe_segment
from catalog.history.ranges import PriceRange
from catalog.records import ModelRecord


def display_name(model: str) -> str:
    """The name a person reads: the id without its organisation, words apart (`Llama 3.3 70B Instruct`)."""
    return split_id(model)[1].replace("_", " ").replace("-", " ")


#: llm-prices' name for a maker, by its Hugging Face organisation in lower case, so our `data/<vendor>.json`
#: lands on theirs. Read from simonw/llm-prices' `data/*.json` files and their `vendor` fields (main, 2026-08):
#: `meta-ai.json`, `deepseek.json`, `mistral.json`, `minimax.json`, `moonshot-ai.json`, `qwen.json`,
#: `google.json`, `openai.json`, `xai.json`, `amazon.json`, `anthropic.json`. `z.ai` is the name their pull
#: request #55 gives `data/z.ai.json` (not merged yet). An organisation not here keeps its own name.
LLM_PRICES_VENDORS = {
    "meta-llama": "meta-ai",
    "facebook": "meta-ai",
    "deepseek-ai": "deepseek",
    "mistralai": "mistral",
    "minimaxai": "minimax",
    "moonshotai": "moonshot-ai",
    "xai-org": "xai",
    "zai-org": "z.ai",
}


def vendor_of(model: str, provider: str) -> str:
    """llm-prices' vendor: the model's maker as they name it (`meta-llama` → `meta-ai`), else the maker's
    organisation in lower case, else the host that sells it."""
    found = (maker(model) or provider).lower()
    return LLM_PRICES_VENDORS.get(found, found)


def _ids(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The llm-prices id of each (provider, model): the model id, with `@<host>` where hosts share it."""
    hosts: dict[str, set[str]] = defaultdict(set)
    for provider, model in pairs:
        hosts[model].add(provider)
    return {
        (provider, model): model if len(hosts[model]) == 1 else f"{model}@{provider.lower()}"
        for model, providers in hosts.items()
        for provider in providers
    }


def llm_prices_current(records: Iterable[ModelRecord], updated_at: dt.date) -> dict[str, Any]:
    """`current-v1.json`: `updated_at` and one price per model, as their build script writes it."""
    rows = list(records)
    ids = _ids((record.provider, record.model) for record in rows)
    prices = [
        {
            "id": ids[(record.provider, record.model)],
            "vendor": vendor_of(record.model, record.provider),
            "name": display_name(record.model),
            "input": record.input_usd_per_mtok,
            "output": record.output_usd_per_mtok,
        }
        for record in rows
    ]
    prices.sort(key=lambda item: (item["vendor"], item["id"]))
    return {"updated_at": updated_at.isoformat(), "prices": prices}


def history_order(item: dict[str, Any]) -> tuple[Any, ...]:
    """llm-prices' build script's order: vendor, id, the open range first, then closed ranges by their
    start date read as (day, month, year), exactly as `scripts/build.py` sorts them."""
    if item["to_date"] is None:
        return (item["vendor"], item["id"], 0, ())
    return (item["vendor"], item["id"], 1, tuple(reversed((item["from_date"] or "").split("-"))))


def _history_rows(ranges: Iterable[PriceRange]) -> list[dict[str, Any]]:
    spans = list(ranges)
    ids = _ids((span.provider, span.model) for span in spans)
    return [
        {
            "id": ids[(span.provider, span.model)],
            "vendor": vendor_of(span.model, span.provider),
            "name": display_name(span.model),
            "input": span.input_usd_per_mtok,
            "input_cached": None,
            "output": span.output_usd_per_mtok,
            "from_date": span.from_date.isoformat(),
            "to_date": span.to_date.isoformat() if span.to_date else None,
        }
        for span in spans
    ]


def llm_prices_document(ranges: Iterable[PriceRange]) -> dict[str, Any]:
    """`historical-v1.json`: `{"prices": [...]}`, each with `id`, `vendor` (the maker), `name`, `input`,
    `input_cached` (unknown here: null), `output`, `from_date`, `to_date`, in their build script's order."""
    return {"prices": sorted(_history_rows(ranges), key=history_order)}


def llm_prices_vendor_files(ranges: Iterable[PriceRange]) -> dict[str, dict[str, Any]]:
    """Their `data/<vendor>.json` files, by file name: `{"vendor", "models": [{"id", "name", "price_history"}]}`."""
    files: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in sorted(_history_rows(ranges), key=history_order):
        model = files[row["vendor"]].setdefault(row["id"], {"id": row["id"], "name": row["name"], "price_history": []})
        model["price_history"].append(
            {key: row[key] for key in ("input", "output", "input_cached", "from_date", "to_date")}
        )
    return {
        f"{safe_segment(vendor)}.json": {"vendor": vendor, "models": list(models.values())}
        for vendor, models in files.items()
    }
