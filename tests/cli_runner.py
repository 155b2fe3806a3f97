"""Run `python -m catalog` in this process, as `llm`'s tests use CliRunner: fast, with exit code and output."""

from __future__ import annotations

import contextlib
import io
from typing import NamedTuple

from catalog.cli import main


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Result:
    """Run the CLI in this process, as `python -m catalog ARGS` would, and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out):  # argparse prints --help to sys.stdout and exits
        try:
            code = main(list(args), stdout=out, stderr=err)
        except SystemExit as stop:
            code = int(stop.code or 0)
    return Result(code, out.getvalue(), err.getvalue())
