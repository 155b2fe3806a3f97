"""Catalog data made flat for CSV, the same way in the CLI's export, the run reports and the dashboard's downloads.

Every CSV writer passes each cell through `csv_cell`; that is the one place the CSV-injection rule lives.
"""

from __future__ import annotations

from decimal import Decimal

from catalog.costs import decimal_text

#: Significant digits a float keeps in a CSV cell: every decimal of up to 15 digits survives a double.
FLOAT_DIGITS = 15
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
    """A value as one CSV cell: a list or tuple joined with `;`, a float to 15 significant digits, an exact amount
    (`Decimal`) as its plain digits, and text that a spreadsheet would run as a formula (starting with `=`, `+`,
    `-`, `@`, tab or CR) prefixed with `'`.

    Numbers stay numbers, so a negative price is written as `-0.5`, never guarded: only text is a formula risk.
    """
    if type(value) is Decimal:  # first: a Compare export holds five amount columns
        return decimal_text(value)  # an exact amount: every digit, never rounded, never guarded
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, float):
        # Its 15 significant digits (a double's): any decimal of up to 15 digits it was made from, without the
        # binary noise a 17-digit repr shows (0.7000000000000001). No rounding to a fixed number of decimals,
        # which cut a run report's mean cost at 1e-9 USD.
        return float(f"{value:.{FLOAT_DIGITS}g}")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return FORMULA_GUARD + value
    return value
