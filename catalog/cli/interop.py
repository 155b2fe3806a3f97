"""Commands and formats for other tools' price data: every `export --format` another tool reads, the LiteLLM
cross-check.

A format is a JSON document printed on stdout, or a folder of files (`--output DIR`, written atomically).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from catalog.cli.history import open_store
from catalog.cli.tables import print_table
from catalog.formats.files import write_tree
from catalog.formats.genai_prices import to_genai_prices
from catalog.formats.litellm import crosscheck, read_price_map, to_litellm
from catalog.formats.llm_prices import llm_prices_current, llm_prices_vendor_files
from catalog.formats.models_dev import to_models_dev
from catalog.formats.openrouter import to_openrouter
from catalog.records import Catalog, CatalogError
from catalog.words import counted


def catalog_day(models: Catalog) -> dt.date:
    """The day the catalog's prices are from: its newest page's snapshot date, else today."""
    days = [info.snapshot_date for info in models.providers if info.snapshot_date]
    return dt.date.fromisoformat(max(days)) if days else dt.date.today()


#: `export --format` values printed as one JSON document, with the tool that reads each.
EXPORT_FORMATS: dict[str, Callable[[Catalog, argparse.Namespace], Any]] = {
    "litellm": lambda models, args: to_litellm(models.models, lowercase_keys=args.lowercase_keys),
    "openrouter": lambda models, args: to_openrouter(models.models, created=catalog_day(models)),
    "llm-prices-current": lambda models, args: llm_prices_current(models.models, catalog_day(models)),
    "genai-prices": lambda models, args: to_genai_prices(models),
}
#: `export --format` values written as a folder of files (`--output DIR`).
FOLDER_FORMATS = ("models-dev", "llm-prices-vendor")


def add_commands(commands: argparse._SubParsersAction[Any], sources: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "crosscheck", parents=[sources], help="compare the catalog's prices with LiteLLM's price map"
    )
    check.add_argument(
        "--litellm", required=True, metavar="FILE_OR_URL", help="LiteLLM's model_prices_and_context_window.json"
    )
    check.add_argument("--format", choices=("table", "json"), default="table")


def add_export_flags(export: argparse.ArgumentParser) -> None:
    export.add_argument(
        "--lowercase-keys", action="store_true", help="litellm: keys in lower case, as tokencost looks them up"
    )
    export.add_argument(
        "--output", metavar="DIR", type=Path, help="the folder models-dev and llm-prices-vendor are written to"
    )


def export(models: Catalog, args: argparse.Namespace, out: TextIO) -> None:
    json.dump(EXPORT_FORMATS[args.format](models, args), out, indent=2)
    out.write("\n")


def export_folder(models: Catalog, args: argparse.Namespace, out: TextIO) -> None:
    """Write a folder format; say how many files, and which models were left out and why."""
    if args.output is None:
        raise CatalogError(f"--format {args.format} writes a folder: give it with --output DIR")
    if args.format == "models-dev":
        tree = to_models_dev(models, catalog_day(models))
        files = tree.files
        for record in tree.skipped:
            print(f"left out {record.provider} {record.model}: its context window is unknown", file=out)
    else:
        with open_store(create=False) as store:
            files = {
                f"data/{name}": json.dumps(doc, indent=2) + "\n"
                for name, doc in llm_prices_vendor_files(store.all_ranges()).items()
            }
    write_tree(files, args.output)
    print(f"wrote {counted(len(files), 'file')} to {args.output}", file=out)


def crosscheck_command(models: Catalog, args: argparse.Namespace, out: TextIO) -> None:
    result = crosscheck(models.models, read_price_map(args.litellm))
    if args.format == "json":
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
        return
    rows = [[d.provider, d.model, d.field, repr(d.ours), repr(d.theirs)] for d in result.disagreements]
    rows += [[r.provider, r.model, "not in the map", "", ""] for r in result.missing]
    print_table(["provider", "model", "field", "ours", "theirs"], rows, out, numeric={"ours", "theirs"})
    agree = result.found - len({(d.provider, d.model) for d in result.disagreements})
    print(
        f"\n{result.found} of {len(models)} models in the map: {agree} agree, "
        f"{counted(len(result.disagreements), 'price')} {'differs' if len(result.disagreements) == 1 else 'differ'}, "
        f"{len(result.missing)} missing",
        file=out,
    )
