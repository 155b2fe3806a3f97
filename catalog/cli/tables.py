"""Plain-text tables for the terminal."""

from __future__ import annotations

from typing import TextIO


def print_table(header: list[str], rows: list[list[str]], out: TextIO, numeric: set[str]) -> None:
    """Columns padded to their widest cell; `numeric` columns right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        parts = (
            cell.rjust(width) if name in numeric else cell.ljust(width)
            for cell, width, name in zip(cells, widths, header, strict=True)
        )
        return "  ".join(parts).rstrip()

    print(line(header), file=out)
    print("  ".join("-" * width for width in widths), file=out)
    for row in rows:
        print(line(row), file=out)
