"""Catalog data made flat for CSV, the same way in the CLI's export and the dashboard's downloads."""

from __future__ import annotations

#: Joins the items of a list-valued field (tags, flags) in one CSV cell.
LIST_SEPARATOR = ";"


def csv_cell(value: object) -> object:
    """A value as one CSV cell: a list or tuple joined with `;`, anything else unchanged."""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value
