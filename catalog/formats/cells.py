"""Catalog data made flat for CSV, the same way in the CLI's export, the run reports and the dashboard's downloads.

Every CSV writer passes each cell through `csv_cell`; that is the one place the CSV-injection rule lives.
"""

from __future__ import annotations

from catalog.records import DECIMALS

#: Joins the items of a list-valued field (tags, flags) in one CSV cell.
LIST_SEPARATOR = ";"
#: A text cell starting with one of these is read as a formula by spreadsheets (OWASP's CSV-injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Put before such a cell, so a spreadsheet shows the text instead of running it.
FORMULA_GUARD = "'"
#: Every CSV writer ends its rows with CRLF (RFC 4180): Python's csv quotes a cell holding any character of the
#: line end, so with a bare "\n" a cell holding "\r" was written unquoted and split its row in a spreadsheet.
LINE_END = "\r\n"


def csv_cell(value: object) -> object:
    """A value as one CSV cell: a list or tuple joined with `;`, a float without float noise, and text that a
    spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) prefixed with `'`.

    Numbers stay numbers, so a negative price is written as `-0.5`, never guarded: only text is a formula risk.
    """
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return FORMULA_GUARD + value
    return value
