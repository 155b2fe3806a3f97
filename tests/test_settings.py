"""Every setting in one table: read once from the environment and `st.secrets`, checked, shown masked, documented."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import pytest
from cli_runner import run
from counted_environment import counted_environment
from hypothesis import given
from hypothesis import strategies as st

from catalog.cli.main import main
from catalog.settings import BY_NAME, HIDDEN, NAMES, VARIABLES, applied, in_force, mask_password, read_settings

ROOT = Path(__file__).parents[1]
#: Variables the tests read, never the product.
TEST_ONLY = {"CATALOG_TEST_PG_URL"}
SETTING_LIKE = re.compile(r"\b(?:CATALOG|LAVA|PLAYGROUND|DEEPINFRA)_[A-Z0-9_]*[A-Z0-9]\b")
#: A string that is the name of a setting, whole: what a module's `…_VARIABLE = "CATALOG_…"` holds.
SETTING_NAME = re.compile(r"(?:CATALOG|LAVA|PLAYGROUND|DEEPINFRA|OPERATOR)_[A-Z0-9_]*[A-Z0-9]")
PRODUCT = sorted([*(ROOT / "catalog").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), ROOT / "app.py"])


def test_the_environment_wins_then_secrets_and_blanks_are_unset():
    settings = read_settings(
        {"CATALOG_SOURCES": "a.md", "LAVA_BASE_URL": "  ", "UNRELATED": "x"},
        {"CATALOG_SOURCES": "b.md", "LAVA_BASE_URL": "http://127.0.0.1:9", "CATALOG_DB_URL": "sqlite:///x.db"},
    )
    assert dict(settings) == {
        "CATALOG_SOURCES": "a.md",
        "LAVA_BASE_URL": "http://127.0.0.1:9",
        "CATALOG_DB_URL": "sqlite:///x.db",
    }
    assert settings.origins == {
        "CATALOG_SOURCES": "environment",
        "LAVA_BASE_URL": "secrets",
        "CATALOG_DB_URL": "secrets",
    }
    assert settings.value("PLAYGROUND_REPLY_DEADLINE_S") == "600"  # the default, when unset


@pytest.mark.parametrize(
    ("name", "bad", "says"),
    [
        ("CATALOG_MAX_UPLOAD_BYTES", "lots", "CATALOG_MAX_UPLOAD_BYTES must be a positive whole number"),
        ("CATALOG_MAX_UPLOAD_MODELS", "0", "CATALOG_MAX_UPLOAD_MODELS must be a positive whole number"),
        ("PLAYGROUND_REPLY_DEADLINE_S", "nan", "PLAYGROUND_REPLY_DEADLINE_S must be a number above 0"),
        ("PLAYGROUND_MAX_REPLY_CHARS", "1e300", "PLAYGROUND_MAX_REPLY_CHARS must be a number above 0"),
        ("CATALOG_RUNS_KEEP_TEXT", "yes", "CATALOG_RUNS_KEEP_TEXT must be 0 or 1"),
    ],
)
def test_a_bad_value_is_a_warning_naming_it_and_its_default_is_used(name, bad, says):
    settings = read_settings({name: bad})
    assert len(settings.warnings) == 1 and settings.warnings[0].startswith(says)
    assert settings[name] == bad  # kept as written, for the code that uses it to explain
    if BY_NAME[name].kind == "whole":
        assert settings.whole(name) == int(BY_NAME[name].default)
    if BY_NAME[name].kind == "flag":
        assert settings.flag(name) is True


def test_good_values_give_no_warning():
    good = {"CATALOG_MAX_UPLOAD_BYTES": "2_000", "PLAYGROUND_REPLY_DEADLINE_S": "0.5", "CATALOG_RUNS_KEEP_TEXT": "0"}
    settings = read_settings(good)
    assert settings.warnings == ()
    assert settings.whole("CATALOG_MAX_UPLOAD_BYTES") == 2000 and settings.flag("CATALOG_RUNS_KEEP_TEXT") is False


@given(st.text(min_size=1, max_size=40))
def test_a_secret_is_never_shown(secret):
    secret = secret.strip() or "x"
    for variable in VARIABLES:
        if variable.kind == "secret":
            shown = read_settings({variable.name: secret}).shown(variable.name)
            assert shown == HIDDEN


def test_a_database_url_is_shown_with_its_password_masked():
    settings = read_settings({"CATALOG_DB_URL": "postgresql+psycopg://team:hunter2secret@db.internal:5432/prices"})
    assert settings.shown("CATALOG_DB_URL") == "postgresql+psycopg://team:***@db.internal:5432/prices"
    assert mask_password("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_the_settings_command_lists_every_setting_masked(monkeypatch, capsys):
    monkeypatch.setenv("LAVA_SECRET_KEY", "aks_live_do_not_print_me")
    monkeypatch.setenv("CATALOG_DB_URL", "postgresql://u:pw_do_not_print@127.0.0.1/db")
    monkeypatch.setenv("CATALOG_MAX_UPLOAD_MODELS", "many")
    assert main(["settings", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    rows = {row["name"]: row for row in json.loads(out)["settings"]}
    assert list(rows) == list(NAMES)
    assert rows["LAVA_SECRET_KEY"]["value"] == HIDDEN and rows["LAVA_SECRET_KEY"]["from"] == "environment"
    assert "do_not_print" not in out + err
    assert "warning: CATALOG_MAX_UPLOAD_MODELS must be a positive whole number" in err
    assert main(["settings"]) == 0
    table, _ = capsys.readouterr()
    assert all(name in table for name in NAMES) and "do_not_print" not in table


COMMANDS = [
    ["cost", "--input-tokens", "1000", "--output-tokens", "100", "--top", "1"],
    ["list", "--search", "phi"],
    ["export", "--format", "csv"],
    ["settings"],
    ["changes"],
    ["spend"],
    ["runs"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[command[0] for command in COMMANDS])
def test_every_command_reads_the_settings_once_and_names_a_bad_value_once_on_stderr(monkeypatch, command):
    environ = counted_environment(monkeypatch, CATALOG_FETCH_MAX_BYTES="lots")
    result = run(*command)
    warning = "warning: CATALOG_FETCH_MAX_BYTES must be a positive whole number, not 'lots'"
    assert result.stderr.count(warning) == 1, result.stderr
    assert warning not in result.stdout
    assert environ.reads["CATALOG_FETCH_MAX_BYTES"] == 1


def test_good_settings_print_no_warning(monkeypatch):
    counted_environment(monkeypatch, CATALOG_FETCH_MAX_BYTES="2_000_000")
    result = run("cost", "--input-tokens", "1000", "--output-tokens", "100", "--top", "1")
    assert result.returncode == 0 and "warning" not in result.stderr


def test_the_settings_in_force_are_the_applied_ones_else_read_then(monkeypatch):
    environ = counted_environment(monkeypatch, CATALOG_SOURCES="from-env.md")
    chosen = read_settings({"CATALOG_SOURCES": "chosen.md"})
    with applied(chosen):
        assert in_force() is chosen
    assert environ.reads["CATALOG_SOURCES"] == 0
    assert in_force()["CATALOG_SOURCES"] == "from-env.md" and environ.reads["CATALOG_SOURCES"] == 1


def test_help_names_both_ways_to_run_the_command():
    result = run("--help")
    assert result.returncode == 0
    assert "python -m catalog" in result.stdout and "llm-catalog" in result.stdout


def setting_names_in(path: Path) -> set[str]:
    """Every string in `path`'s code that is a setting's name, whole (a constant, or an argument)."""
    tree = ast.parse(path.read_text(), str(path))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SETTING_NAME.fullmatch(node.value)
    }


@pytest.mark.parametrize("path", PRODUCT, ids=[str(path.relative_to(ROOT)) for path in PRODUCT])
def test_every_setting_name_in_the_code_is_one_the_settings_table_lists(path):
    unknown = sorted(setting_names_in(path) - set(NAMES))
    assert not unknown, (
        f"{path.relative_to(ROOT)} names {unknown}, which catalog/settings.py's VARIABLES does not list: add a "
        "Variable there (name, kind, default, bounds, meaning), or fix the spelling"
    )


def test_the_setting_name_check_finds_constants_and_arguments(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        'DB_URL_VARIABLE = "CATALOG_DB_URL"\nTYPO = "CATALOG_DB_URI"\n'
        'def f(s):\n    return s.whole("LAVA_NO_SUCH") + len("CATALOG_DB_URL must be a URL")\n'
    )
    assert setting_names_in(planted) == {"CATALOG_DB_URL", "CATALOG_DB_URI", "LAVA_NO_SUCH"}
    assert setting_names_in(planted) - set(NAMES) == {"CATALOG_DB_URI", "LAVA_NO_SUCH"}
    assert {"CATALOG_DB_URL", "OPERATOR_UI", "CATALOG_FETCH_MAX_BYTES"} <= set().union(*map(setting_names_in, PRODUCT))


def test_only_the_settings_module_reads_the_environment():
    found = subprocess.run(
        ["grep", "-rln", "--include=*.py", "os.environ", "catalog", "pages", "app.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    assert found == ["catalog/settings.py"]


@pytest.mark.parametrize("document", ["README.md", "SECURITY.md"])
def test_every_setting_is_documented_and_every_documented_one_exists(document):
    text = (ROOT / document).read_text()
    missing = [name for name in NAMES if f"`{name}`" not in text]
    assert not missing, f"{document} does not document {missing}"
    unknown = sorted(set(SETTING_LIKE.findall(text)) - set(NAMES) - TEST_ONLY)
    assert not unknown, f"{document} names settings that do not exist: {unknown}"
