"""Counts in words, for the CLI and the dashboard alike."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """A count and its noun, plural as English wants it: "1 model", "2 models", "1,000 replies"."""
    if count == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{count:,} {plural}"
