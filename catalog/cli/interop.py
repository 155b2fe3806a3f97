"""Commands and formats for other tools' price data: LiteLLM and OpenRouter exports, the LiteLLM cross-check."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from catalog.cli.tables import print_table
from catalog.formats.litellm import crosscheck, read_price_map, to_litellm
from catalog.formats.openrouter import to_openrouter
from catalog.records import Catalog
from catalog.words import counted

#: `export --format` values written by this module, each a JSON document.
EXPORT_FORMATS = {"litellm": to_litellm, "openrouter": to_openrouter}


def add_commands(commands: argparse._SubParsersAction[Any], sources: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "crosscheck", parents=[sources], help="compare the catalog's prices with LiteLLM's price map"
    )
    check.add_argument(
        "--litellm", required=True, metavar="FILE_OR_URL", help="LiteLLM's model_prices_and_context_window.json"
    )
    check.add_argument("--format", choices=("table", "json"), default="table")


def export(models: Catalog, name: str, out: TextIO) -> None:
    json.dump(EXPORT_FORMATS[name](models.models), out, indent=2)
    out.write("\n")


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
