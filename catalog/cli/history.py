"""`refresh`, `changes` and `history`: the price-history commands, and how `list`/`export`/`cost` read history."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import threading
from collections.abc import Callable
from typing import Any, TextIO

from catalog.cli.imported import refresh_sources
from catalog.cli.tables import print_table
from catalog.costs import usd
from catalog.discovery import DEFAULT_INDEX, Fetched
from catalog.fetch import redact_url
from catalog.formats.site import SiteHistory
from catalog.history import (
    Change,
    NoHistoryYet,
    PriceRange,
    Store,
    StoreError,
    catalog_as_of,
    check_as_of,
    configured_url,
    describe_location,
    newest_catalog,
    refresh_index,
)
from catalog.parser import quote
from catalog.records import Catalog, CatalogError
from catalog.runs.report import measured_by_host
from catalog.runs.store import TrialStore
from catalog.settings import in_force
from catalog.sources import SOURCES_VARIABLE, configured_sources, load_catalog
from catalog.words import counted


def day(text: str) -> dt.date:
    """A YYYY-MM-DD date from the command line."""
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a date (expected YYYY-MM-DD)") from None


def epilog() -> str:
    return f"Price history is kept in {describe_location(configured_url())}."


def add_as_of(sources: argparse.ArgumentParser) -> None:
    sources.add_argument("--as-of", type=day, metavar="YYYY-MM-DD", help="the catalog as stored on that day")


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """The history commands, on the CLI's subcommand list."""
    formats = {"choices": ("table", "json"), "default": "table"}
    fresh = commands.add_parser("refresh", help="record the provider pages that changed in the price history")
    fresh.add_argument(
        "--source", action="append", default=[], metavar="PATH_OR_URL",
        help=f"a page to read (repeatable); default: ${SOURCES_VARIABLE}, else the embedded page",
    )  # fmt: skip
    fresh.add_argument(
        "--index", nargs="?", const=DEFAULT_INDEX, metavar="URL",
        help=f"read every provider page Lava's docs index links to on its own host (default {DEFAULT_INDEX})",
    )  # fmt: skip
    fresh.add_argument("--as-of", type=day, metavar="YYYY-MM-DD", help="record the pages as seen on that day")
    changes = commands.add_parser("changes", help="what changed in the prices, newest first")
    changes.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="only changes on or after that day")
    changes.add_argument("--provider", help="only this provider")
    changes.add_argument("--format", **formats)
    history = commands.add_parser("history", help="the price ranges of one model, oldest first")
    history.add_argument("model", metavar="MODEL", help="the model id as the page writes it")
    history.add_argument("--provider", help="only this provider")
    history.add_argument("--format", **formats)


COMMANDS = ("refresh", "changes", "history")


def open_store(*, create: bool = True) -> Store:
    return Store(configured_url(), create=create)


def catalog_for(sources: list[str], as_of: dt.date | None, err: TextIO) -> Catalog:
    """The catalog `list`, `export` and `cost` show: `--source`, else `--as-of`, else the newest known pages."""
    if sources:
        if as_of is not None:
            raise CatalogError("--as-of reads the stored history and cannot be combined with --source")
        return load_catalog(sources)
    store = None
    try:
        store = open_store(create=False)
        return newest_catalog(store) if as_of is None else catalog_as_of(store, as_of)
    except NoHistoryYet:
        return newest_catalog(None) if as_of is None else catalog_as_of(None, as_of)
    except StoreError as error:
        if as_of is not None:
            raise  # the day asked for cannot be shown: an error, not a silent "today"
        print(f"warning: {error}; showing the embedded page", file=err)
        return newest_catalog(None)
    finally:
        if store is not None:
            store.close()


def stored_history(err: TextIO) -> SiteHistory:
    """The stored price ranges, changes and ok trials, for `publish` and llm-prices' history exports.

    No store yet, or one that cannot be read, gives no ranges (each current price then stands as one range
    open since its page's snapshot day), with a warning saying so.
    """
    try:
        with open_store(create=False) as store:
            return SiteHistory(store.all_ranges(), store.changes(), measured_by_host(TrialStore(store).measured()))
    except NoHistoryYet:
        print("warning: no price history yet (python -m catalog refresh records it); each current price is "
              "one range open since its page's snapshot day", file=err)  # fmt: skip
    except StoreError as error:
        print(f"warning: {error}; each current price is one range open since its page's snapshot day", file=err)
    return SiteHistory()


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one history command; returns the exit code."""
    if args.command == "refresh":
        return _refresh(args, out, err)
    with open_store(create=False) as store:
        if args.command == "changes":
            _changes(store.changes(args.since, args.provider), args.format, out)
        else:
            ranges = store.history(args.model, args.provider)
            if not ranges:
                raise CatalogError(f"no stored prices for model {quote(args.model)}" + _on(args.provider))
            _history(ranges, args.format, out)
    return 0


def _on(provider: str | None) -> str:
    return f" on provider {quote(provider)}" if provider else ""


def _refresh(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.index and args.source:
        raise CatalogError("--index reads the pages the index links to and cannot be combined with --source")
    check_as_of(args.as_of)  # before the database is opened, let alone made
    with open_store() as store:
        if args.index:
            index, outcomes = refresh_index(store, args.index, args.as_of, on_fetched=_progress(err))
            for link, reason in index.skipped:
                print(f"{link}: skipped: {reason}", file=out)
            if not outcomes:
                raise CatalogError(f"{redact_url(args.index)}: the index links to no provider page on its own host")
        else:
            specs: list[str | None] = list(args.source or configured_sources(in_force().get(SOURCES_VARIABLE)))
            outcomes = refresh_sources(store, specs or [None], args.as_of)  # Lava pages and other databases
    for outcome in outcomes:
        print(outcome.summary(), file=out)
        for change in outcome.changes:
            print(f"  {_describe(change)}", file=out)
    return 1 if all(outcome.outcome == "failed" for outcome in outcomes) else 0


def _progress(err: TextIO) -> Callable[[Fetched], None] | None:
    """A one-line progress count on a terminal (fetches finish in any order, several threads at once)."""
    if not err.isatty():
        return None
    done = itertools.count(1)
    lock = threading.Lock()

    def show(_: Fetched) -> None:
        with lock:
            print(f"\rfetched {next(done)} provider pages", end="", file=err, flush=True)

    return show


def _describe(change: Change) -> str:
    head = f"{change.date} {change.provider} {change.model}"
    if change.change == "added":
        return f"{head}: added at {_pair(change.new_input, change.new_output)}"
    if change.change == "removed":
        return f"{head}: removed (was {_pair(change.old_input, change.old_output)})"
    move = f" ({change.move_pct:+.1f}%)" if change.move_pct is not None else ""
    return f"{head}: {_pair(change.old_input, change.old_output)} → {_pair(change.new_input, change.new_output)}{move}"


def _pair(input_usd: float | None, output_usd: float | None) -> str:
    return f"{_money(input_usd)} in / {_money(output_usd)} out per 1M"


def _money(value: float | None) -> str:
    return "—" if value is None else usd(value, max_decimals=6)


def _changes(changes: list[Change], form: str, out: TextIO) -> None:
    if form == "json":
        json.dump([change.to_json() for change in changes], out, indent=2)
        out.write("\n")
        return
    header = ["date", "provider", "model", "change", "input $/1M", "output $/1M", "move"]
    rows = [
        [
            change.date.isoformat(), change.provider, change.model, change.change,
            _arrow(change.old_input, change.new_input), _arrow(change.old_output, change.new_output),
            f"{change.move_pct:+.1f}%" if change.move_pct is not None else "",
        ]
        for change in changes
    ]  # fmt: skip
    print_table(header, rows, out, numeric=set())
    print(f"\n{counted(len(changes), 'change')}", file=out)


def _arrow(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return _money(new if old is None else old)
    return f"{_money(old)} → {_money(new)}" if old != new else _money(new)


def _history(ranges: list[PriceRange], form: str, out: TextIO) -> None:
    if form == "json":
        json.dump([item.to_json() for item in ranges], out, indent=2)
        out.write("\n")
        return
    header = ["provider", "model", "input $/1M", "output $/1M", "from", "to"]
    rows = [
        [
            item.provider, item.model, _money(item.input_usd_per_mtok), _money(item.output_usd_per_mtok),
            item.from_date.isoformat(), item.to_date.isoformat() if item.to_date else "(current)",
        ]
        for item in ranges
    ]  # fmt: skip
    print_table(header, rows, out, numeric=set())
