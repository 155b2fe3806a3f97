"""`spend`: what the operator's credential spent today in the dashboard, by mode and by (anonymised) session;
`spend --hash` makes the passphrase hash for `CATALOG_SPEND_PASSPHRASE_HASH`."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any, TextIO

from catalog.cli.tables import print_table
from catalog.costs import usd
from catalog.history import NoHistoryYet, Store, configured_url
from catalog.settings import in_force
from catalog.spend import Caps, SpendLedger, SpendLine, hash_passphrase
from catalog.words import counted


def add_commands(commands: Any) -> None:
    spend = commands.add_parser("spend", help="today's spend on the operator's credential, by mode and session")
    spend.add_argument("--format", choices=("table", "json"), default="table")
    spend.add_argument(
        "--hash", action="store_true", help="read a passphrase (twice, not echoed) and print its hash for the setting"
    )


def spend_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.hash:
        return _hash(out, err)
    settings = in_force()
    try:
        store = Store(configured_url(), create=False)
    except NoHistoryYet:
        print("nothing spent yet: the database does not exist", file=out)
        return 0
    with store:
        ledger = SpendLedger(store, Caps.from_settings(settings))
        by_mode, by_session = ledger.today("mode"), ledger.today("session")
    daily = settings.number("CATALOG_SPEND_DAILY_USD")
    if args.format == "json":
        lines = {"by_mode": [_json(line) for line in by_mode], "by_session": [_json(line) for line in by_session]}
        json.dump({"daily_cap_usd": daily, **lines}, out, indent=2)
        out.write("\n")
        return 0
    total = sum(line.settled_usd + line.reserved_usd for line in by_mode)
    print(f"today (UTC): {usd(total, 6, significant=3)} of the daily cap {usd(daily)}", file=out)
    if not by_mode:
        return 0
    header = ["mode", "settled", "reserved", "requests"]
    print_table(header, [_row(line.key, line) for line in by_mode], out, numeric=set(header[1:]))
    # Sessions are numbered, never named: the store keeps only a digest, and even that stays out of the output.
    header = ["session", "settled", "reserved", "requests"]
    rows = [_row(f"visitor {n}", line) for n, line in enumerate(by_session, 1)]
    print(f"\n{counted(len(by_session), 'session')}, largest first:", file=out)
    print_table(header, rows, out, numeric=set(header[1:]))
    return 0


def _row(name: str, line: SpendLine) -> list[str]:
    return [
        name,
        usd(line.settled_usd, 6, significant=3),
        usd(line.reserved_usd, 6, significant=3),
        f"{line.requests:,}",
    ]


def _json(line: SpendLine) -> dict[str, Any]:
    return {"key": line.key, "settled_usd": round(line.settled_usd, 9), "reserved_usd": round(line.reserved_usd, 9),
            "requests": line.requests}  # fmt: skip


def _hash(out: TextIO, err: TextIO) -> int:
    try:
        first, again = getpass.getpass("passphrase: ", stream=err), getpass.getpass("again: ", stream=err)
    except EOFError:  # no terminal, and the input ended (a script, a CI job)
        print("\nno passphrase was given (the input ended); nothing printed", file=err)
        return 1
    if again != first:
        print("the two passphrases differ; nothing printed", file=err)
        return 1
    if len(first) < 12:
        print("a passphrase needs at least 12 characters; nothing printed", file=err)
        return 1
    print(hash_passphrase(first), file=out)
    return 0
