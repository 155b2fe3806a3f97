"""The package's shape, checked: what each layer may import, and what `catalog` exports.

The import rules are a test that walks every module's imports with `ast` (chosen over import-linter: no
extra tool, and a new core module is covered the day it is added, with no contract to update).
"""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest

import catalog

PACKAGE = Path(catalog.__file__).parent
#: Subpackages above the core, and what each of them must never import.
APPLICATION_LAYERS = {
    "catalog.dashboard": ("catalog.chat", "catalog.cli"),
    "catalog.chat": ("catalog.dashboard", "catalog.cli"),
    "catalog.cli": (),
}
EVERYWHERE_FORBIDDEN = ("streamlit", "pages", "app")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def layer_of(module: str) -> str:
    return next((layer for layer in APPLICATION_LAYERS if module.startswith(layer)), "core")


def forbidden_for(module: str) -> tuple[str, ...]:
    layer = layer_of(module)
    return EVERYWHERE_FORBIDDEN + (tuple(APPLICATION_LAYERS) if layer == "core" else APPLICATION_LAYERS[layer])


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(path) for path in MODULES])
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    module = module_name(path)
    if module == "catalog.__main__":
        return  # the entry point runs the CLI
    banned = forbidden_for(module)
    wrong = sorted(name for name in imported_modules(path) if name.split(".")[0] in banned or name.startswith(banned))
    assert not wrong, f"{module} ({layer_of(module)}) must not import {wrong}"


def test_the_import_rules_catch_a_core_module_importing_the_dashboard(tmp_path: Path) -> None:
    offender = tmp_path / "offender.py"
    offender.write_text("def f():\n    from catalog.dashboard.view import DashboardView\n    import streamlit\n")
    found = imported_modules(offender)
    assert {"catalog.dashboard.view", "streamlit"} <= found
    assert all(
        name.startswith(forbidden_for("catalog.parser")) for name in found - {"catalog.dashboard.view.DashboardView"}
    )


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
