"""`settings`: every setting the product reads, its value in force (secrets hidden), where it came from."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from catalog.cli.tables import print_table
from catalog.settings import VARIABLES, Settings, markdown_table


def add_commands(commands: Any) -> None:
    shown = commands.add_parser("settings", help="every setting, its value (secrets hidden) and its meaning")
    shown.add_argument(
        "--format", choices=("table", "json", "markdown"), default="table", help="markdown: the README's table"
    )


def settings_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """The settings table; their warnings are in the JSON, and `main` prints them on stderr for every command."""
    rows = [
        {
            "name": variable.name,
            "value": settings.shown(variable.name),
            "from": settings.origins.get(variable.name, "—"),
            "kind": variable.kind,
            "meaning": variable.meaning,
        }
        for variable in VARIABLES
    ]
    if args.format == "markdown":
        out.write(markdown_table())
    elif args.format == "json":
        json.dump({"settings": rows, "warnings": list(settings.warnings)}, out, indent=2)
        out.write("\n")
    else:
        table = [[row["name"], row["value"], row["from"], row["meaning"]] for row in rows]
        print_table(["name", "value", "from", "meaning"], table, out, numeric=set())
    return 0
