"""The package's shape, checked: what each layer may import, and what `catalog` exports.

The import rules are the table in the README's Layout section, read from there, so the drawing and the
check cannot drift. The test walks every module's imports with `ast` (chosen over import-linter: no extra
tool, and a new module is covered the day it is added, with no contract to update).
"""

from __future__ import annotations

import ast
import re
import types
from pathlib import Path

import pytest

import catalog

PACKAGE = Path(catalog.__file__).parent
README = PACKAGE.parent / "README.md"
CORE = "catalog"
EVERYWHERE_FORBIDDEN = ("streamlit", "pages", "app")
#: Subpackages that hold data, not code: not a layer, so the README's table leaves them out.
DATA_PACKAGES = ("catalog.data",)


def read_import_rules(text: str) -> dict[str, frozenset[str]]:
    """The README's table: each package, and the packages it may import (the core is `catalog`)."""
    start = text.index("<!-- import rules")
    end = text.index("<!-- end of import rules -->")
    rules = {}
    for line in text[start:end].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        package = re.findall(r"`([a-z_.]+)`", cells[0])[0]
        allowed = set(re.findall(r"`([a-z_.]+)`", cells[1]))
        if "the core" in cells[1]:
            allowed.add(CORE)
        rules[package] = frozenset(allowed - {package})
    return rules


RULES = read_import_rules(README.read_text())
LAYERS = sorted((name for name in RULES if name != CORE), key=len, reverse=True)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, module: str | None = None) -> set[str]:
    """Every module `path` imports, at the top or inside a function; a relative import is resolved against
    `module`, the dotted name of `path` (by default, read from where it is in the package)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            origin = node.module or ""
            if node.level:  # `from . import x`, `from ..runs.store import y`
                module = module_name(path) if module is None else module
                parts = (module if path.name == "__init__.py" else module.rpartition(".")[0]).split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                origin = f"{base}.{origin}" if origin else base
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def layer_of(module: str) -> str:
    return next((layer for layer in LAYERS if module == layer or module.startswith(layer + ".")), CORE)


def allowed(module: str, imported: str) -> bool:
    """Whether `module` may import `imported` (both dotted names; only `catalog` modules are judged here)."""
    if imported.split(".")[0] in EVERYWHERE_FORBIDDEN:
        return False
    if not imported.startswith(CORE + ".") and imported != CORE:
        return True
    own, theirs = layer_of(module), layer_of(imported)
    return theirs == own or theirs in RULES[own]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(path) for path in MODULES])
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    module = module_name(path)
    if module == "catalog.__main__":
        return  # the entry point runs the CLI
    wrong = sorted(name for name in imported_modules(path) if not allowed(module, name))
    assert not wrong, f"{module} ({layer_of(module)}) must not import {wrong}"


def test_the_readme_table_names_every_subpackage_and_only_those() -> None:
    subpackages = {
        module_name(init) for init in PACKAGE.glob("*/__init__.py") if module_name(init) not in DATA_PACKAGES
    }
    assert set(LAYERS) == subpackages
    assert RULES[CORE] == frozenset()


def test_the_rules_read_from_the_readme_are_the_intended_ones() -> None:
    assert "catalog.gateway" in RULES["catalog.runs"] and "catalog.history" in RULES["catalog.runs"]
    assert "catalog.runs" not in RULES["catalog.gateway"] | RULES["catalog.history"]
    assert "catalog.gateway" not in RULES["catalog.dashboard"]
    assert all(CORE in RULES[layer] for layer in LAYERS)


def test_the_import_rules_catch_what_they_forbid(tmp_path: Path) -> None:
    offender = tmp_path / "offender.py"
    offender.write_text("def f():\n    from catalog.dashboard.view import DashboardView\n    import streamlit\n")
    found = imported_modules(offender)
    assert {"catalog.dashboard.view", "streamlit"} <= found
    assert not any(allowed("catalog.parser", name) for name in found)
    assert not allowed("catalog.dashboard.view", "catalog.gateway.client")
    assert not allowed("catalog.gateway.client", "catalog.runs.runner")
    assert not allowed("catalog.history.store", "catalog.runs.store")
    assert not allowed("catalog.costs", "catalog.history")
    assert allowed("catalog.runs.runner", "catalog.gateway.client")
    assert allowed("catalog.dashboard.runs", "catalog.runs.report")


def test_relative_imports_are_judged_as_the_modules_they_name(tmp_path: Path) -> None:
    offender = tmp_path / "store.py"
    offender.write_text("from . import schema\nfrom ..runs.store import TrialStore\nfrom .. import costs\n")
    found = imported_modules(offender, "catalog.history.store")
    assert found == {
        "catalog.history", "catalog.history.schema", "catalog.runs.store", "catalog.runs.store.TrialStore",
        "catalog", "catalog.costs",
    }  # fmt: skip
    assert [name for name in sorted(found) if not allowed("catalog.history.store", name)] == [
        "catalog.runs.store", "catalog.runs.store.TrialStore",
    ]  # fmt: skip
    package = tmp_path / "__init__.py"
    package.write_text("from .view import DashboardView\n")
    assert imported_modules(package, "catalog.dashboard") == {
        "catalog.dashboard.view",
        "catalog.dashboard.view.DashboardView",
    }


def test_a_table_row_is_read_as_its_package_and_arrows() -> None:
    text = "<!-- import rules -->\n| `catalog.x` | → the core, `catalog.y` |\n<!-- end of import rules -->"
    assert read_import_rules(text) == {"catalog.x": frozenset({"catalog", "catalog.y"})}


def test_all_lists_exactly_the_public_names() -> None:
    public = sorted(
        name
        for name, value in vars(catalog).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"  # `from __future__ import annotations`
    )
    assert sorted(catalog.__all__) == public
    assert len(set(catalog.__all__)) == len(catalog.__all__)


def test_the_installed_package_lists_every_subpackage() -> None:
    import tomllib

    listed = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    found = {module_name(init) for init in PACKAGE.rglob("__init__.py")}
    assert sorted(listed) == sorted(found)
