"""JSON from outside (prompt files, LiteLLM's map): `json.loads`, with nesting too deep a plain error, not a crash.

Python's parser recurses once per level and gives up with a `RecursionError` about a thousand levels down
(`[` × 200,000 is a 200 KB file). No input the product reads nests past a few levels, so that is caught here
and told as a `NestingError` (a `ValueError`, as every other bad JSON is), with the line where the text
passed `SHOWN_DEPTH` levels.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

#: The depth the message names: deep enough for any real input, far short of where the parser gives up.
SHOWN_DEPTH = 100
#: A JSON string (skipped whole, so brackets inside it do not count) or a bracket. Possessive: no backtracking.
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


class NestingError(ValueError):
    """A JSON text nested deeper than the parser can go; `line` is where it passed `SHOWN_DEPTH` levels."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: nested more than {SHOWN_DEPTH} levels deep")
        self.line = line


def loads(text: str, **options: Any) -> Any:
    """`json.loads(text, **options)`; a `NestingError` instead of a `RecursionError`."""
    try:
        return json.loads(text, **options)
    except RecursionError:
        raise NestingError(too_deep_at(text)) from None


def exact_number(text: str) -> Decimal | str:
    """A JSON number as an exact `Decimal` (for `parse_float=` and `parse_int=`), never through float; one past
    `Decimal`'s own range (`1e99999999999999999999`, where `Decimal()` raises `InvalidOperation`) stays its text,
    which no number rule reads as a number (`catalog.parser.plain_number`)."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def too_deep_at(text: str) -> int:
    """The line on which `text` first opens more than `SHOWN_DEPTH` levels (its last line if it never does).

    Linear: one pass over the brackets and strings, stopping there.
    """
    depth = 0
    for token in _TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > SHOWN_DEPTH:
                return text.count("\n", 0, token.start()) + 1
        elif bracket in ("]", "}"):
            depth -= 1
    return text.count("\n") + 1
