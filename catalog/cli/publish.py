"""`python -m catalog publish DIR`: the catalog as a static site any web server or object store can serve.

A team then shares one catalog without running Python for every reader: OpenRouter's and LiteLLM's shapes,
llm-prices' files, one JSON file per model (every host, the price history, measured figures from runs), an
Atom feed of price changes, and an index page. The folder is written whole, then renamed into place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from catalog.cli.history import open_store
from catalog.cli.interop import catalog_day
from catalog.formats.atom import changes_feed
from catalog.formats.files import safe_segment, write_tree
from catalog.formats.litellm import to_litellm
from catalog.formats.llm_prices import llm_prices_current, llm_prices_document
from catalog.formats.openrouter import to_openrouter
from catalog.history import Change, NoHistoryYet, PriceRange, StoreError
from catalog.records import Catalog, ModelRecord
from catalog.runs.report import model_summary
from catalog.runs.store import TrialStore
from catalog.runs.trials import Trial
from catalog.words import counted


def add_commands(commands: argparse._SubParsersAction[Any], sources: argparse.ArgumentParser) -> None:
    publish = commands.add_parser(
        "publish", parents=[sources], help="write the catalog as a static site (JSON, an Atom feed, an index)"
    )
    publish.add_argument("folder", metavar="DIR", type=Path, help="the folder to write (replaced whole)")


def _json(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def model_file_name(record: ModelRecord) -> str:
    """`models/<model_key>.json`: the key is the same for the same weights on every host."""
    return f"models/{safe_segment(record.model_key or record.model)}.json"


def _history(err: TextIO) -> tuple[list[PriceRange] | None, list[Change], list[Trial]]:
    """The stored ranges, changes and ok trials; no store yet (or an unreadable one) gives none, with a note."""
    try:
        with open_store(create=False) as store:
            return store.all_ranges(), store.changes(), TrialStore(store).measured()
    except NoHistoryYet:
        return None, [], []
    except StoreError as error:
        print(f"warning: {error}; publishing without price history or measurements", file=err)
        return None, [], []


def _current_ranges(models: Catalog) -> list[PriceRange]:
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


def model_files(models: Catalog, ranges: Sequence[PriceRange], trials: Iterable[Trial]) -> dict[str, str]:
    """One file per `model_key`: every host with its prices and source, its price history, its measurements."""
    by_key: dict[str, list[ModelRecord]] = defaultdict(list)
    for record in models.models:
        by_key[model_file_name(record)].append(record)
    spans: dict[tuple[str, str], list[PriceRange]] = defaultdict(list)
    for span in ranges:
        spans[(span.provider, span.model)].append(span)
    measured: dict[tuple[str, str], list[Trial]] = defaultdict(list)
    for trial in trials:
        measured[(trial.provider, trial.model)].append(trial)
    files = {}
    for name, records in by_key.items():
        files[name] = _json(
            {
                "model_key": records[0].model_key,
                "hosts": [
                    {
                        **record.to_dict(),
                        "source": record.source,
                        "price_history": [span.to_json() for span in spans[(record.provider, record.model)]],
                        "measured": _measured(record, measured[(record.provider, record.model)]),
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


def site_files(models: Catalog, err: TextIO) -> dict[str, str]:
    """Every file of the site, by its relative path."""
    ranges, changes, trials = _history(err)
    spans = ranges if ranges is not None else _current_ranges(models)
    day = catalog_day(models)
    models_by_host = {(record.provider, record.model): model_file_name(record) for record in models.models}
    files = {
        "api/v1/models.json": _json(to_openrouter(models.models, created=day)),
        "litellm.json": _json(to_litellm(models.models)),
        "llm-prices/current-v1.json": _json(llm_prices_current(models.models, day)),
        "llm-prices/historical-v1.json": _json(llm_prices_document(spans)),
        "changes.atom": changes_feed(changes, day, models_by_host),
        **model_files(models, spans, trials),
    }
    files["index.html"] = index_page(files, models)
    return files


def publish_command(models: Catalog, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    files = site_files(models, err)
    write_tree(files, args.folder)
    print(f"wrote {counted(len(files), 'file')} to {args.folder}", file=out)


def _measured(record: ModelRecord, trials: list[Trial]) -> dict[str, Any] | None:
    """What runs measured of this host's model, as a run report's model line; None when it was never run."""
    return model_summary(record.provider, record.model, trials).as_json() if trials else None
