"""The README's generated blocks (the command reference, the settings table) match the code that defines them.

Run `python tests/test_docs.py` to rewrite both blocks after changing a command or a setting.
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
sys.path.insert(0, str(README.parent))

from catalog.cli.main import build_parser  # noqa: E402
from catalog.cli.reference import reference_markdown  # noqa: E402
from catalog.settings import markdown_table  # noqa: E402


def blocks() -> dict[str, str]:
    """Each generated block's marker name and its text as the code writes it now."""
    return {"command reference": reference_markdown(build_parser()), "settings": markdown_table()}


def between(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"<!-- {name}: generated")
    start = text.index("\n", start) + 1
    return start, text.index(f"<!-- end of {name} -->", start)


def test_each_generated_block_of_the_readme_is_what_the_code_writes():
    text = README.read_text()
    for name, expected in blocks().items():
        start, end = between(text, name)
        assert text[start:end].strip() == expected.strip(), f"README's {name} is stale: run python tests/test_docs.py"


def test_the_reference_names_every_command_and_flag():
    reference = reference_markdown(build_parser())
    for command in ("list", "export", "cost", "refresh", "run", "report", "settings"):
        assert f"`python -m catalog {command}`" in reference
    assert "`--max-usd` X" in reference and "`--as-of` YYYY-MM-DD" in reference


if __name__ == "__main__":
    text = README.read_text()
    for name, block in blocks().items():
        start, end = between(text, name)
        text = text[:start] + block.strip() + "\n" + text[end:]
    README.write_text(text)


def test_the_readmes_first_screen_shows_the_dashboard():
    """The picture sits under the title, on the first screen of the rendered page, and the file is there."""
    lines = README.read_text().splitlines()
    (picture,) = [number for number, line in enumerate(lines) if line.startswith("![") and "docs/dashboard.png" in line]
    assert picture <= 3 and lines[0].startswith("# ")
    assert (README.parent / "docs" / "dashboard.png").stat().st_size > 10_000
