"""The report README's "Is the cheaper model good enough?" shows, made again: `python -m tests.readme_example`.

It runs the README's command on `tests/runs/files/good_enough.jsonl` through the CLI, in this process, against
the loopback fake gateway with its models of known quality (`tests/fake_models.py`), in a fresh database, with
every setting of the product unset but the gateway's, and prints what a terminal shows: the run's summary line
(stderr), then its report (stdout). `tests/test_docs.py` checks the README's block against it, the timing
columns aside (they are measured, so they differ from one run to the next).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "tests"):  # as a module (`python -m tests.readme_example`) or as a script
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fake_gateway import running_fake  # noqa: E402
from fake_models import JUDGE, PRICEY, PROSE, SLOPPY, SOLID, quality_models  # noqa: E402

from catalog.cli import main  # noqa: E402
from catalog.settings import VARIABLES  # noqa: E402

PROMPTS = "tests/runs/files/good_enough.jsonl"
#: The README's command, after `python -m catalog`.
COMMAND = (
    "run", PROMPTS, "--judge", JUDGE, "--model", SLOPPY, "--model", SOLID, "--model", PROSE, "--model", PRICEY,
    "--name", "good-enough",
)  # fmt: skip
TOKEN = "fwd_readme_example_token"


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Every product setting unset but `values`, for the time inside; the environment as it was afterwards."""
    names = {variable.name for variable in VARIABLES} | {"CATALOG_SOURCES"} | set(values)
    saved = {name: os.environ[name] for name in names if name in os.environ}
    for name in names:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(saved)


def outputs(*commands: tuple[str, ...]) -> list[tuple[str, str]]:
    """(stdout, stderr) of each command in turn, in one fresh database, against the fake's models of known quality;
    a command that fails raises, with what it said."""
    said = []
    with tempfile.TemporaryDirectory() as folder, quality_models(), running_fake(forward_tokens={TOKEN}) as fake:
        database = f"sqlite:///{Path(folder) / 'runs.sqlite3'}"
        values = {"CATALOG_DB_URL": database, "LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN}
        with _environment(values), contextlib.chdir(ROOT):
            for command in commands:
                out, err = io.StringIO(), io.StringIO()
                code = main(list(command), stdout=out, stderr=err)
                if code != 0:
                    raise RuntimeError(f"`{' '.join(command)}` failed ({code}): {err.getvalue()}")
                said.append((out.getvalue(), err.getvalue()))
    return said


def report_text() -> str:
    """What the README's command prints: stderr's summary line first, then the report."""
    ((out, err),) = outputs(COMMAND)
    return err + out


if __name__ == "__main__":
    print(report_text(), end="")
