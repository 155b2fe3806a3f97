"""`python -m catalog`: list, export and cost the catalog from the command line."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import NoReturn, TextIO

from catalog.cli import history, hosts, interop, publish, runs, spend
from catalog.cli import settings as settings_cli
from catalog.cli.tables import print_table
from catalog.costs import CostLine, rank_by_cost, usd
from catalog.enrich import TAGS
from catalog.formats.cells import LINE_END, csv_cell
from catalog.formats.operator_limits import operator_limits_in_force
from catalog.known_context import CAPABILITIES
from catalog.limits import window_of
from catalog.query import SORT_KEYS, ModelFilter, filter_models, hidden_by_context_bound, sort_key, sort_models
from catalog.records import FULL_FIELDS, SCHEMA_FIELDS, Catalog, CatalogError, ModelRecord
from catalog.settings import Settings, applied, read_settings
from catalog.words import counted
from catalog.workload import Workload, overflowed_windows

PROG = "python -m catalog"
#: The console command `pip install .` makes: the same CLI.
SCRIPT = "llm-catalog"
DESCRIPTION = f"The LLM price catalog: list, export and cost models. Run as `{PROG}`, or `{SCRIPT}` once installed."


class UsageError(Exception):
    """A bad flag or value on the command line."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one line instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


#: The largest number a flag takes: tokens, requests and prices far past any real workload, and still far from
#: where float arithmetic overflows (`--requests 1` followed by 400 zeros did).
MAX_FLAG_VALUE = 10**15


def _non_negative(kind: Callable[[str], float]) -> Callable[[str], float]:
    def convert(text: str) -> float:
        try:
            value = kind(text) if text.isascii() else math.nan  # `int("١٢")` is 12
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
        if isinstance(value, float) and math.isnan(value):
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number")
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is negative")
        if value > MAX_FLAG_VALUE:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is more than {MAX_FLAG_VALUE:,}")
        return value

    convert.__name__ = kind.__name__
    return convert


def _sort_order(text: str) -> str:
    try:
        return sort_key(text)  # a key, or its record field as earlier versions took
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {', '.join(SORT_KEYS)})") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=history.epilog())
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sources = _Parser(add_help=False)
    sources.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="PATH_OR_URL",
        help="a Lava provider page (file or http(s) URL); repeat to combine; default: the newest stored pages, "
        "else the embedded DeepInfra page",
    )
    history.add_as_of(sources)

    listing = commands.add_parser("list", parents=[sources], help="show the models as a table")
    listing.add_argument(
        "--sort", default="blended", type=_sort_order, metavar="KEY", help=f"one of {', '.join(SORT_KEYS)}"
    )
    listing.add_argument("--desc", action="store_true", help="sort in descending order")
    listing.add_argument("--vendor", action="append", default=[], help="only this vendor (repeatable)")
    listing.add_argument("--tag", action="append", default=[], choices=TAGS, help="only models with this tag")
    listing.add_argument("--max-output", type=_non_negative(float), metavar="PRICE", help="max output $/1M tokens")
    listing.add_argument("--max-input", type=_non_negative(float), metavar="PRICE", help="max input $/1M tokens")
    listing.add_argument("--search", default="", help="words that must all appear in the id or name")
    listing.add_argument(
        "--min-context", type=_non_negative(int), metavar="TOKENS", help="only models with at least this context window"
    )
    listing.add_argument(
        "--capability", action="append", default=[], choices=CAPABILITIES, help="only models that have it (repeatable)"
    )

    export = commands.add_parser("export", parents=[sources], help="print the catalog as JSON or CSV")
    export.add_argument(
        "--format",
        choices=("json", "csv", "llm-prices", *interop.EXPORT_FORMATS, *interop.FOLDER_FORMATS),
        default="json",
        help="default: json",
    )
    export.add_argument("--full", action="store_true", help="add display name, family, flags and source")
    interop.add_export_flags(export)

    cost = commands.add_parser("cost", parents=[sources], help="rank models by the cost of a workload")
    cost.add_argument(
        "--input-tokens", type=_non_negative(int), required=True, metavar="N", help="input tokens per request"
    )
    cost.add_argument(
        "--output-tokens", type=_non_negative(int), required=True, metavar="M", help="output tokens per request"
    )
    cost.add_argument("--requests", type=_non_negative(int), default=1, metavar="R", help="requests (default 1)")
    cost.add_argument("--top", type=_non_negative(int), metavar="K", help="show only the K cheapest")
    interop.add_commands(commands, sources)
    publish.add_commands(commands, sources)
    hosts.add_commands(commands, sources)
    history.add_commands(commands, _Parser)
    runs.add_commands(commands, sources)
    settings_cli.add_commands(commands)
    spend.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the CLI; every failure is one line on stderr and a non-zero exit code.

    The settings are read here, once, and applied for the whole command: whatever below needs one reads them
    with `catalog.settings.in_force()`. A value that does not fit is named on stderr before the command runs.
    """
    settings = read_settings()
    with applied(settings):
        return _run(argv, settings, stdout or sys.stdout, stderr or sys.stderr)


def _run(argv: Sequence[str] | None, settings: Settings, out: TextIO, err: TextIO) -> int:
    try:
        args = build_parser().parse_args(argv)
        for warning in settings.warnings:
            print(f"warning: {warning}", file=err)
        if args.command in history.COMMANDS:
            return history.run(args, out, err)
        if args.command == "run":
            return runs.run_command(args, history.catalog_for, out, err)
        if args.command == "runs":
            return runs.runs_command(args, out)
        if args.command == "report":
            return runs.report_command(args, out, history.catalog_for, err)
        if args.command == "settings":
            return settings_cli.settings_command(args, settings, out)
        if args.command == "spend":
            return spend.spend_command(args, out, err)
        models = history.catalog_for(args.source, args.as_of, err)
        for warning in models.warnings:
            print(f"warning: {warning}", file=err)
        with operator_limits_in_force(settings) as extra:  # the operator's map and checkout fill the table
            for problem in extra.problems.values():
                print(f"warning: {problem}; its context windows and capabilities are left out", file=err)
            if args.command == "publish":
                publish.publish_command(models, args, out, err)
            elif args.command == "export":
                _export(models, args, out, err)
            else:
                COMMANDS[args.command](models, args, out)
    except UsageError as error:
        print(f"{PROG}: error: {error} (see {PROG} --help)", file=err)
        return 2
    except CatalogError as error:
        print(f"{PROG}: error: {error}", file=err)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`): not an error worth a traceback.
        sys.stderr.close()
        return 0
    return 0


def _list(models: Catalog, args: argparse.Namespace, out: TextIO) -> None:
    condition = ModelFilter(
        search=args.search,
        vendors=args.vendor,
        tags=args.tag,
        max_output=args.max_output,
        max_input=args.max_input,
        min_context=args.min_context,
        capabilities=args.capability,
    )
    rows = sort_models(filter_models(models.models, condition), args.sort, descending=args.desc)
    multi = len(models.providers) > 1
    limited = args.min_context is not None or bool(args.capability)  # then the window is worth a column
    header = [
        *(["provider"] if multi else []), "model", "input $/1M", "output $/1M", "blended $/1M", "params",
        *(["context"] if limited else []), "tags",
    ]  # fmt: skip
    table = [
        [
            *([row.provider] if multi else []), row.model, *_prices(row), _size(row),
            *([_window(row)] if limited else []), ", ".join(row.tags),
        ]
        for row in rows
    ]  # fmt: skip
    print_table(header, table, out, numeric={"input $/1M", "output $/1M", "blended $/1M", "params", "context"})
    print(f"\n{len(rows)} of {len(models)} models", file=out)
    unknown = hidden_by_context_bound(models.models, condition)
    if unknown:
        print(f"{counted(unknown, 'model')} of unknown context window left out by --min-context", file=out)


def _export(models: Catalog, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    if args.format not in ("json", "csv"):
        interop.export(models, args, out, err)
        return
    records = models.to_records(full=args.full)
    if args.format == "json":
        json.dump(records, out, indent=2)
        out.write("\n")
        return
    writer = csv.DictWriter(out, fieldnames=FULL_FIELDS if args.full else SCHEMA_FIELDS, lineterminator=LINE_END)
    writer.writeheader()
    for record in records:
        writer.writerow({key: csv_cell(value) for key, value in record.items()})


def _cost(models: Catalog, args: argparse.Namespace, out: TextIO) -> None:
    """The models by cost, cheapest first. As on Compare, a model whose context window one request overflows is
    never the cheapest: it is ranked after them all (without --top), marked, and counted."""
    lines = rank_by_cost(models.models, args.input_tokens, args.output_tokens, args.requests)
    overflows = overflowed_windows([line.record for line in lines], Workload(args.input_tokens, args.output_tokens, 1))
    fitting = [line for line, window in zip(lines, overflows, strict=True) if window is None]
    over = [(line, window) for line, window in zip(lines, overflows, strict=True) if window is not None]
    shown = fitting if args.top is None else fitting[: args.top]
    marked = over if args.top is None else []
    multi = len(models.providers) > 1
    total = f"× {counted(args.requests, 'request')}"
    header = ["#", *(["provider"] if multi else []), "model", "per request", total]

    def row(rank: str, line: CostLine) -> list[str]:
        provider = [line.record.provider] if multi else []
        return [rank, *provider, line.record.model, _dollars(line.per_request_usd), _dollars(line.total_usd)]

    table = [row(str(rank), line) for rank, line in enumerate(shown, start=1)]
    if marked:
        header.append("too long for")
        table = [[*cells, ""] for cells in table]
        table += [[*row("-", line), f"its {window:,}-token window"] for line, window in marked]
    print(f"{args.input_tokens:,} input + {args.output_tokens:,} output tokens per request", file=out)
    print_table(header, table, out, numeric={"#", "per request", total})
    if over:
        tokens = args.input_tokens + args.output_tokens
        where = "listed last, marked" if marked else "not shown with --top"
        print(
            f"\n{counted(len(over), 'model')} left out of the ranking ({where}): one request of {tokens:,} tokens "
            f"overflows {'its' if len(over) == 1 else 'their'} context window",
            file=out,
        )


COMMANDS: dict[str, Callable[[Catalog, argparse.Namespace, TextIO], None]] = {
    "list": _list,
    "cost": _cost,
    "crosscheck": interop.crosscheck_command,
    "hosts": hosts.hosts_command,
}


def _dollars(value: float | Decimal) -> str:
    return usd(value, max_decimals=8)  # a request can cost a few millionths of a dollar


def _prices(row: ModelRecord) -> list[str]:
    return [_dollars(row.input_usd_per_mtok), _dollars(row.output_usd_per_mtok), _dollars(row.blended_usd_per_mtok)]


def _window(row: ModelRecord) -> str:
    window = window_of(row)
    return f"{window:,}" if window is not None else "?"


def _size(row: ModelRecord) -> str:
    if row.params_b is None:
        return f"{row.active_params_b:g}B active" if row.active_params_b is not None else "?"
    active = f" ({row.active_params_b:g}B active)" if row.active_params_b is not None else ""
    return f"{row.params_b:g}B{active}"
