"""What the empty Changes and Runs pages show a newcomer: an example of each page, drawn from made-up figures
(never the catalog's, so nobody mistakes them for prices), and a starter prompt file for a first run."""

from __future__ import annotations

import datetime as dt
import json

from catalog.dashboard.history import CHANGE_COLUMNS, change_rows
from catalog.dashboard.html_table import Column, html_table
from catalog.history import Change

_DAY = dt.date(2026, 11, 2)
#: Made-up moves on made-up model ids: a cut, a rise, an addition.
EXAMPLE_CHANGES = (
    Change(_DAY, "ExampleHost", "example/chat-70b", "price", 0.40, 0.30, 0.80, 0.60),
    Change(_DAY + dt.timedelta(days=9), "ExampleHost", "example/coder-32b", "price", 0.10, 0.12, 0.30, 0.30),
    Change(_DAY + dt.timedelta(days=15), "ExampleHost", "example/reasoner-8b", "added", None, 0.05, None, 0.20),
)
RUN_COLUMNS = (
    Column("Model", pinned=True),
    Column("Cost per answer", help="Measured tokens at list prices", numeric=True),
    Column("Output tokens", help="Per answer, reasoning included", numeric=True),
    Column("Seconds per answer", numeric=True),
    Column("Measured ÷ estimate", numeric=True),
)
#: Made-up figures of a three-prompt run on two models: the reasoner writes eight times the tokens.
EXAMPLE_RUN = (
    ("example/chat-70b", "$0.00021", "310", "2.1", "0.9×"),
    ("example/reasoner-8b", "$0.00049", "2,450", "9.8", "4.1×"),
)
#: A first prompt file: one JSON object a line, each with an id and the user's prompt.
STARTER_PROMPTS = (
    ("summary", "Summarise in two sentences why the sky is blue."),
    ("code", "Write a Python function that checks whether a string is a palindrome."),
    ("extract", "List the dates in: 'We met on 3 May 2024 and again on 9 June 2025.'"),
)


def example_changes_table() -> str:
    """The Changes table for made-up moves; the names do not link (there is no such history to open)."""
    rows = [
        [row["model"], row["change"], row["move"] or None, row["input"], row["output"], row["date"], row["provider"]]
        for row in change_rows(EXAMPLE_CHANGES)
    ]
    return html_table(CHANGE_COLUMNS, rows, label="Example price changes", max_height=None)


def example_run_table() -> str:
    """A run's results table for made-up figures: what each model cost per answer and how fast."""
    rows = [list(row) for row in EXAMPLE_RUN]
    return html_table(RUN_COLUMNS, rows, label="Example run results", max_height=None)


def starter_prompt_file() -> str:
    """A `.jsonl` prompt file a newcomer can download, edit and upload for a first run."""
    return "".join(json.dumps({"id": label, "prompt": text}) + "\n" for label, text in STARTER_PROMPTS)
