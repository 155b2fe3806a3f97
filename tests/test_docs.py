"""The README's generated blocks (the command reference, the settings table) match the code that defines them,
and its Layout section names every module.

Run `python tests/test_docs.py` to rewrite both blocks after changing a command or a setting.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
ROOT = README.parent
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


def layout_rows(text: str) -> dict[str, str]:
    """The README's Layout table: each path of a row's first cell, and the row's second cell."""
    section = text[text.index("\n## Layout") :]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            rows.update(dict.fromkeys(re.findall(r"`([^`]+)`", cells[0]), cells[1]))
    return rows


def folder_row(module: Path) -> str:
    """The Layout row that names `module`: `catalog/*.py` for the core, else its folder (`pages/common/`)."""
    folder = module.relative_to(ROOT).parent.as_posix()
    return "catalog/*.py" if folder == "catalog" else f"{folder}/"


MODULES = sorted(
    path for folder in ("catalog", "pages") for path in (ROOT / folder).rglob("*.py") if not path.name.startswith("__")
)


def named_in(stem: str, row: str) -> bool:
    return f"`{stem}`" in row or f"`{stem}.py`" in row


@pytest.mark.parametrize("module", MODULES, ids=[str(path.relative_to(ROOT)) for path in MODULES])
def test_every_module_is_named_in_its_folders_row_of_the_readme_layout(module):
    rows, row = layout_rows(README.read_text()), folder_row(module)
    assert row in rows, f"README's Layout table has no row for {row}: add one, naming {module.stem} and what it holds"
    assert named_in(module.stem, rows[row]), (
        f"README's Layout section does not name {module.relative_to(ROOT)}: add `{module.stem}` to the "
        f"{row} row, with a few words on what it holds"
    )


def test_the_layout_check_reads_a_row_and_finds_a_missing_module():
    rows = layout_rows("\n## Layout\n| `catalog/x/` | `a` (this), `b.py` |\n| `app.py`, `pages/` | `browse` |\n")
    assert rows == {"catalog/x/": "`a` (this), `b.py`", "app.py": "`browse`", "pages/": "`browse`"}
    assert named_in("a", rows["catalog/x/"]) and named_in("b", rows["catalog/x/"])
    assert not named_in("c", rows["catalog/x/"]) and not named_in("brows", rows["pages/"])
    assert folder_row(ROOT / "catalog" / "costs.py") == "catalog/*.py"
    assert folder_row(ROOT / "pages" / "common" / "state.py") == "pages/common/"


if __name__ == "__main__":
    text = README.read_text()
    for name, block in blocks().items():
        start, end = between(text, name)
        text = text[:start] + block.strip() + "\n" + text[end:]
    README.write_text(text)
