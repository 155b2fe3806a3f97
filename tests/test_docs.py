"""The README's generated blocks (the command reference, the settings table) match the code that defines them;
its Layout section names every module; its example report is what `tests/readme_example.py` prints; the
report's documented keys are the real ones.

Run `python tests/test_docs.py` to rewrite the two generated blocks after changing a command or a setting.
"""

from __future__ import annotations

import json
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
from tests.readme_example import COMMAND, outputs  # noqa: E402


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


#: The report's columns a run measures (times and speeds): they differ from one run to the next.
TIMING_COLUMNS = ("TTFT p50", "TTFT p95", "tok/s p50")


def without_timing(text: str) -> list[list[str]]:
    """Each line as its cells (a table's columns are two spaces or more apart), the timing columns left out."""
    lines = [re.split(r" {2,}", line.strip()) for line in text.strip().splitlines()]
    header = next(cells for cells in lines if cells[:2] == ["provider", "model"])
    dropped = {header.index(name) for name in TIMING_COLUMNS}
    return [[c for n, c in enumerate(cells) if n not in dropped] if len(cells) == len(header) else cells
            for cells in lines]  # fmt: skip


def good_enough_section(text: str) -> str:
    start = text.index("### Is the cheaper model good enough?")
    return text[start : text.index("\n## ", start)]


def test_the_good_enough_report_in_the_readme_is_what_its_script_prints():
    section = good_enough_section(README.read_text())
    marker = section.index("<!-- good-enough report:")
    block = section[section.index("```\n", marker) + 4 : section.index("```", section.index("```\n", marker) + 4)]
    command = section[section.index("```bash\n") + 8 : section.index("```", section.index("```bash\n") + 8)]
    assert " ".join(command.replace("\\\n", " ").split()) == "python -m catalog " + " ".join(COMMAND)
    ((out, err),) = outputs(COMMAND)
    assert without_timing(block) == without_timing(err + out)


def documented(text: str, start: str, end: str, pattern: str) -> list[str]:
    """The names `pattern` finds in `text` after the phrase `start`, up to the next `end`."""
    found = text.index(start) + len(start)
    return re.findall(pattern, text[found : text.index(end, found)])


def test_the_reports_json_keys_are_the_readmes_documented_lists():
    text = README.read_text()
    run_keys = documented(text, 'The JSON report is `{"run": {', "}, ", r'"(\w+)"')
    model_keys = documented(text, '"models": [{', "}]}`", r'"(\w+)"')
    section = good_enough_section(text)
    graded_keys = documented(section, "The report gains, per model:", "; at the top", r"`(\w+)`")
    top_keys = documented(section, "; at the top,", ": `{", r"`(\w+)`")
    best_keys = documented(section, "and `best`: `{", "when there is one", r'"(\w+)"|`(\w+)`')
    (first, (out, _)) = outputs(COMMAND + ("--format", "json"), ("report", "1", "--format", "json"))
    for report in (json.loads(first[0]), json.loads(out)):
        assert list(report["run"]) == run_keys
        assert [list(line) for line in report["models"]] == [[*model_keys, *graded_keys]] * 4
        assert sorted(report) == sorted(["run", "models", *top_keys])  # the prose names them in another order
        assert list(report["best"]) == [a or b for a, b in best_keys]


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
