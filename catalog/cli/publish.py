"""`python -m catalog publish DIR`: the catalog as a static site (`catalog.formats.site`), written by
`catalog.formats.files.write_tree`, which refuses a folder it must not replace."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from catalog.cli.history import stored_history
from catalog.formats.files import MARKER, guard_folder, write_tree
from catalog.formats.site import site_files
from catalog.records import Catalog
from catalog.words import counted


def folder(text: str) -> Path:
    """A folder named on the command line; an empty name is the current directory, so it is refused here."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder is empty; name a new folder, such as ./site")
    return Path(text)


def add_commands(commands: argparse._SubParsersAction[Any], sources: argparse.ArgumentParser) -> None:
    publish = commands.add_parser(
        "publish", parents=[sources], help="write the catalog as a static site (JSON, an Atom feed, an index)"
    )
    publish.add_argument(
        "folder", metavar="DIR", type=folder, help=f"a new folder, or one an earlier publish wrote ({MARKER})"
    )
    add_force(publish)


def add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help=f"replace the folder even if it holds files and no {MARKER}"
    )


def publish_command(models: Catalog, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    guard_folder(args.folder, force=args.force)  # before any work: a folder it must not replace is refused now
    files = site_files(models, stored_history(err))
    write_tree(files, args.folder, force=args.force)
    print(f"wrote {counted(len(files), 'file')} to {args.folder}", file=out)
