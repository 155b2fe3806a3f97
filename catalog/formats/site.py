"""The catalog as a static site any web server or object store can serve (`python -m catalog publish DIR`).

A team then shares one catalog without running Python for every reader: OpenRouter's and LiteLLM's shapes,
llm-prices' files, one JSON file per model (every host, the price history, measured figures from runs), an
Atom feed of price changes, and an index page. Everything here is public: a page read from a file is named
by the file's name only, a URL without its credentials (`catalog.sources.public_source`).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.formats.atom import changes_feed
from catalog.formats.files import safe_segment
from catalog.formats.litellm import to_litellm
from catalog.formats.llm_prices import llm_prices_current, llm_prices_document
from catalog.formats.openrouter import to_openrouter
from catalog.history.ranges import Change, PriceRange
from catalog.records import Catalog, ModelRecord
from catalog.sources import public_source
from catalog.words import counted


@dataclass(frozen=True, slots=True)
class SiteHistory:
    """What the store knows: price ranges (None: no history, so each current price is one open range), price
    changes for the feed, and what runs measured of each (provider, model), as a run report's model line."""

    ranges: Sequence[PriceRange] | None = None
    changes: Sequence[Change] = ()
    measured: Mapping[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def catalog_day(models: Catalog) -> dt.date:
    """The day the catalog's prices are from: its newest page's snapshot date, else today."""
    days = [info.snapshot_date for info in models.providers if info.snapshot_date]
    return dt.date.fromisoformat(max(days)) if days else dt.date.today()


def current_ranges(models: Catalog) -> list[PriceRange]:
    """Without a history, each price as a range open since its page's snapshot day."""
    today = catalog_day(models)
    days = {info.name: dt.date.fromisoformat(info.snapshot_date) for info in models.providers if info.snapshot_date}
    return [
        PriceRange(
            record.provider,
            record.model,
            record.input_usd_per_mtok,
            record.output_usd_per_mtok,
            days.get(record.provider, today),
            None,
        )
        for record in models.models
    ]


def model_file_name(record: ModelRecord) -> str:
    """`models/<model_key>.json`: the key is the same for the same weights on every host."""
    return f"models/{safe_segment(record.model_key or record.model)}.json"


def model_files(
    models: Catalog, ranges: Sequence[PriceRange], measured: Mapping[tuple[str, str], dict[str, Any]]
) -> dict[str, str]:
    """One file per `model_key`: every host with its prices and source, its price history, its measurements."""
    by_key: dict[str, list[ModelRecord]] = defaultdict(list)
    for record in models.models:
        by_key[model_file_name(record)].append(record)
    spans: dict[tuple[str, str], list[PriceRange]] = defaultdict(list)
    for span in ranges:
        spans[(span.provider, span.model)].append(span)
    files = {}
    for name, records in by_key.items():
        files[name] = _json(
            {
                "model_key": records[0].model_key,
                "hosts": [
                    {
                        **record.to_dict(),
                        "source": public_source(record.source),
                        "price_history": [span.to_json() for span in spans[(record.provider, record.model)]],
                        "measured": measured.get((record.provider, record.model)),  # None: never run
                    }
                    for record in records
                ],
            }
        )
    return files


def index_page(names: Iterable[str], models: Catalog) -> str:
    """A small HTML page listing the files, each a relative link (names escaped: a model key is page text)."""
    items = "\n".join(f'<li><a href="{html.escape(name)}">{html.escape(name)}</a></li>' for name in sorted(names))
    title = f"LLM price catalog: {counted(len(models), 'model')}, prices of {catalog_day(models).isoformat()}"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body><h1>{html.escape(title)}</h1>\n<ul>\n{items}\n</ul>\n"
        "</body></html>\n"
    )


def site_files(models: Catalog, history: SiteHistory) -> dict[str, str]:
    """Every file of the site, by its relative path."""
    spans = history.ranges if history.ranges is not None else current_ranges(models)
    day = catalog_day(models)
    models_by_host = {(record.provider, record.model): model_file_name(record) for record in models.models}
    files = {
        "api/v1/models.json": _json(to_openrouter(models.models, created=day)),
        "litellm.json": _json(to_litellm(models.models)),
        "llm-prices/current-v1.json": _json(llm_prices_current(models.models, day)),
        "llm-prices/historical-v1.json": _json(llm_prices_document(spans)),
        "changes.atom": changes_feed(history.changes, day, models_by_host),
        **model_files(models, spans, history.measured),
    }
    files["index.html"] = index_page(files, models)
    return files


def _json(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
