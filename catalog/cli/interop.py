"""Commands and formats for other tools' price data: every `export --format` another tool reads, the LiteLLM
cross-check.

A format is a JSON document printed on stdout, or a folder of files (`--output DIR`, written atomically).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from catalog.cli.history import stored_history
from catalog.cli.publish import add_force
from catalog.cli.tables import print_table
from catalog.formats.files import guard_folder, write_tree
from catalog.formats.genai_prices import to_genai_prices
from catalog.formats.litellm import crosscheck, read_price_map, to_litellm
from catalog.formats.llm_prices import llm_prices_current, llm_prices_document, llm_prices_vendor_files
from catalog.formats.models_dev import to_models_dev
from catalog.formats.openrouter import to_openrouter
from catalog.formats.site import catalog_day, current_ranges
from catalog.history import PriceRange
from catalog.records import Catalog, CatalogError
from catalog.words import counted

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
    add_force(export)


def export(models: Catalog, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    """Print a one-document format, or write a folder format; the history formats fall back to the current
    prices when there is no stored history, as `publish` does."""
    if args.format in FOLDER_FORMATS:
        export_folder(models, args, out, err)
    elif args.format == "llm-prices":
        _print_json(llm_prices_document(_ranges(models, err)), out)
    else:
        _print_json(EXPORT_FORMATS[args.format](models, args), out)


def _print_json(document: Any, out: TextIO) -> None:
    json.dump(document, out, indent=2)
    out.write("\n")


def _ranges(models: Catalog, err: TextIO) -> list[PriceRange]:
    ranges = stored_history(err).ranges
    return list(ranges) if ranges is not None else current_ranges(models)


def export_folder(models: Catalog, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    """Write a folder format; say how many files, and which models were left out and why."""
    if args.output is None:
        raise CatalogError(f"--format {args.format} writes a folder: give it with --output DIR")
    guard_folder(args.output, force=args.force)  # before any work: a folder it must not replace is refused now
    if args.format == "models-dev":
        tree = to_models_dev(models, catalog_day(models))
        files = tree.files
        for record, why in tree.skipped:
            print(f"left out {record.provider} {record.model}: {why}", file=out)
    else:
        files = {
            f"data/{name}": json.dumps(doc, indent=2) + "\n"
            for name, doc in llm_prices_vendor_files(_ranges(models, err)).items()
        }
    write_tree(files, args.output, force=args.force)
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
