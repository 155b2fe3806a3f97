"""Catalog data made flat for CSV, the same way in the CLI's export and the dashboard's downloads."""

from __future__ import annotations

from catalog.records import DECIMALS

#: Joins the items of a list-valued field (tags, flags) in one CSV cell.
LIST_SEPARATOR = ";"


def csv_cell(value: object) -> object:
    """A value as one CSV cell: a list or tuple joined with `;`, a float without float noise, else unchanged."""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, float):
        return round(value, DECIMALS)
    return value
