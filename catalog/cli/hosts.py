"""`hosts NAME`: every provider selling the same weights, cheapest blended price first."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from catalog.cli.tables import print_table
from catalog.costs import usd
from catalog.hosts import hosts_of
from catalog.parser import quote
from catalog.records import Catalog, CatalogError

FIELDS = ("provider", "model", "model_key", "input_usd_per_mtok", "output_usd_per_mtok", "blended_usd_per_mtok")


def add_commands(commands: argparse._SubParsersAction[Any], sources: argparse.ArgumentParser) -> None:
    hosts = commands.add_parser("hosts", parents=[sources], help="every host of a model, cheapest first")
    hosts.add_argument("name", metavar="NAME", help="the model's id as any host writes it, or its model_key")
    hosts.add_argument("--format", choices=("table", "json"), default="table")


def hosts_command(models: Catalog, args: argparse.Namespace, out: TextIO) -> None:
    found = hosts_of(models.models, args.name)
    if not found:
        raise CatalogError(f"no model {quote(args.name)} in the catalog (try `list --search`)")
    if args.format == "json":
        json.dump([{name: getattr(record, name) for name in FIELDS} for record in found], out, indent=2)
        out.write("\n")
        return
    rows = [
        [
            r.provider,
            r.model,
            usd(r.input_usd_per_mtok, 8),
            usd(r.output_usd_per_mtok, 8),
            usd(r.blended_usd_per_mtok, 8),
        ]
        for r in found
    ]
    header = ["provider", "model", "input $/1M", "output $/1M", "blended $/1M"]
    print_table(header, rows, out, numeric=set(header[2:]))
    if len(found) > 1:
        spread = (
            found[-1].blended_usd_per_mtok / found[0].blended_usd_per_mtok if found[0].blended_usd_per_mtok else None
        )
        print(
            f"\n{len(found)} hosts of {found[0].model_key}"
            + (f"; the dearest costs {spread:.1f}× the cheapest" if spread else ""),
            file=out,
        )
