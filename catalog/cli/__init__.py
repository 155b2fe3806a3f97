"""`python -m catalog`: the command line, one module per group of commands."""

from __future__ import annotations

from catalog.cli.main import main

__all__ = ["main"]
