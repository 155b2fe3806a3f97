"""No input reaches the user as a traceback: every CLI command, and the dashboard's links, uploads and sources.

The hostile values are issue 22's: numbers past every range (`99999999999999999999`, `1` and 400 zeros, `1e308`,
`inf`, `nan`, digits of other scripts), days far in the future or past, JSON nested 200,000 deep, binary and NUL
bytes, malformed URLs, and loopback servers that never stop sending, send a gzip bomb, or trickle. Each command
must end with an exit code of 0, 1 or 2, and say anything wrong in lines that start as the CLI's own do.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from apps import opened
from cli_runner import run
from hostile_server import endless, gzip_bomb, hostile, sized, trickle
from html_tables import page_table
from storedb import PAGES
from streamlit.testing.v1 import AppTest

from catalog.dashboard.uploads import UploadLimits, catalog_with_extras
from catalog.records import CatalogError

ROOT = Path(__file__).resolve().parents[1]
BIG = "9" * 20
HUGE = "1" + "0" * 400
NUMBERS = [BIG, HUGE, "1e308", "inf", "nan", "-1", "١٢", "1_0", "0x10", ""]
DAYS = ["9999-12-31", "0001-01-01", "2026-02-30", "99999-01-01", "١٢"]
DEEP = "[" * 200_000
#: How each line the CLI writes to stderr starts (a progress line on a terminal aside; these runs have none).
OWN_LINES = ("python -m catalog: error: ", "warning: ")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    pages = {
        "/endless.md": endless,
        "/bomb.md": sized(gzip_bomb(50), {"Content-Encoding": "gzip"}),
        "/slow.md": trickle,
        "/deep.json": sized(DEEP.encode()),
        "/page.md.gz": sized(gzip.compress((PAGES / "v1.md").read_bytes()), {"Content-Encoding": "gzip"}),
    }
    with hostile(pages) as url:
        yield url


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("hostile")
    made = {
        "deep.json": DEEP,
        "deep.jsonl": DEEP + "\n",
        "deep.md": DEEP[:9_000] + "\n",
        "nul.md": "# \x00\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n| \x00 | $1 | $2 |\n",
        "numbers.json": json.dumps(
            {
                "deepinfra/zai-org/glm-5.2": {
                    "input_cost_per_token": "١٢",
                    "output_cost_per_token": 2e-07,
                    "max_output_tokens": 8192,
                }
            }
        ).replace("8192", f'8192, "max_input_tokens": {HUGE}'),  # a JSON number float() cannot hold
        "numbers.jsonl": json.dumps({"prompt": "hi", "max_tokens": HUGE}) + "\n",
        "prompts.jsonl": '{"prompt": "hello"}\n',
    }
    paths = {}
    for name, text in made.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths[name] = str(folder / name)
    (folder / "binary.jsonl").write_bytes(bytes(range(256)) * 64)
    paths["binary.jsonl"] = str(folder / "binary.jsonl")
    paths["missing.md"] = str(folder / "missing.md")
    return paths


@pytest.fixture(autouse=True)
def environment(tmp_path, monkeypatch) -> None:
    """A database with one page in it, no gateway credential, and short fetch bounds (the slow page)."""
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    monkeypatch.setenv("CATALOG_FETCH_DEADLINE_S", "2")
    unset = ("CATALOG_SOURCES", "LAVA_FORWARD_TOKEN", "LAVA_SECRET_KEY", "DEEPINFRA_API_KEY", "CATALOG_LITELLM_MAP")
    for name in unset:
        monkeypatch.delenv(name, raising=False)
    assert run("refresh", "--source", str(PAGES / "v1.md")).returncode == 0


def sources(server: str, files: dict[str, str]) -> list[str]:
    return [
        f"{server}/endless.md", f"{server}/bomb.md", f"{server}/slow.md", f"{server}/deep.json",
        f"{server}/page.md.gz", f"{server}/missing.md", "http://[::1", "http://u:hunter2@127.0.0.1:9/x.md",
        "file:///etc/passwd", "ftp://x/y.md", "http://2130706433:9/x.md", "", files["deep.md"], files["nul.md"],
        files["binary.jsonl"], files["deep.json"], files["missing.md"], "/", "\x00",
    ]  # fmt: skip


def commands(server: str, files: dict[str, str]) -> Iterator[list[str]]:
    """Every command, with each hostile value in each of its arguments (one at a time)."""
    for number in NUMBERS:
        yield ["cost", "--input-tokens", number, "--output-tokens", "1", "--requests", number]
        yield ["cost", "--input-tokens", "1", "--output-tokens", number, "--top", number]
        yield ["list", "--max-output", number, "--max-input", number]
        yield ["run", files["prompts.jsonl"], "--model", "x", "--max-usd", number]
        yield ["run", files["prompts.jsonl"], "--model", "x", "--repeat", number, "--concurrency", number]
        yield ["run", files["prompts.jsonl"], "--model", "x", "--max-tokens", number, "--temperature", number]
        yield ["report", number] if number not in (BIG, HUGE) else ["report", "-5"]
    for day in DAYS:
        yield ["list", "--as-of", day]
        yield ["export", "--as-of", day, "--format", "csv"]
        yield ["refresh", "--as-of", day]
        yield ["changes", "--since", day]
    for source in sources(server, files):
        yield ["list", "--source", source]
        yield ["export", "--source", source, "--format", "litellm"]
        yield ["hosts", "x", "--source", source]
        yield ["refresh", "--source", source]
        yield ["crosscheck", "--litellm", source]
        yield ["refresh", "--index", source]
    for prompts in ("deep.jsonl", "binary.jsonl", "numbers.jsonl", "missing.md", "deep.json"):
        yield ["run", files[prompts], "--model", "meta-llama/Meta-Llama-3.1-8B-Instruct"]
    for text in ("\x00" * 100, "\u202e" * 10_000, "", "-", "x" * 100_000):
        yield ["hosts", text]
        yield ["history", text]
        yield ["changes", "--provider", text]
        yield ["list", "--search", text, "--vendor", text]
        yield ["run", files["prompts.jsonl"], "--model", text]
    yield ["crosscheck", "--litellm", files["numbers.json"]]
    yield ["export", "--format", "llm-prices"]
    yield ["settings", "--format", "json"]
    yield ["runs"]
    yield ["--no-such-flag"]
    yield []


def test_every_command_with_every_hostile_value_ends_in_lines_of_its_own(server, files):
    seen, wrong = 0, []
    for argv in commands(server, files):
        shown = f"{argv!r:.200}"
        try:
            result = run(*argv)
        except Exception as error:  # what a user would see as a traceback
            wrong.append(f"{shown}: raised {type(error).__name__}: {error!s:.200}")
            continue
        seen += 1
        said = result.stdout + result.stderr
        lines = result.stderr.splitlines()
        if (
            result.returncode not in (0, 1, 2)
            or "Traceback" in said
            or "hunter2" in said
            or len(result.stderr) > 4000
            or not all(line.startswith(OWN_LINES) for line in lines)
        ):
            wrong.append(f"{shown}: exit {result.returncode}, stderr {result.stderr[:300]!r}")
    assert wrong == [], "\n".join(wrong)
    assert seen >= 240  # the generator above, whole


@pytest.mark.parametrize("argv", [["report", BIG], ["report", HUGE]])
def test_a_run_id_past_every_range_is_one_line(argv):
    result = run(*argv)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_one_subprocess_smoke_run_prints_no_traceback():
    child = subprocess.run(
        [sys.executable, "-m", "catalog", "cost", "--input-tokens", HUGE, "--output-tokens", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert child.returncode == 2
    assert child.stderr.startswith("python -m catalog: error: argument --input-tokens: '1000")
    assert child.stderr.count("\n") == 1 and "Traceback" not in child.stderr


TABLE = "# P\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n"


@pytest.mark.parametrize(
    "data",
    [
        DEEP.encode()[:900_000],
        bytes(range(256)) * 100,
        b"\x00" * 10_000,
        gzip_bomb(1),
        (TABLE + "| m | $" + HUGE + " | $1 |\n").encode(),
        (TABLE + "| m | $١٢ | $1 |\n").encode(),
        b"\xef\xbb\xbf" + "# \u202e\n".encode() * 50_000,
    ],
)
def test_a_hostile_upload_is_a_catalog_error_or_a_catalog(data):
    try:
        catalog_with_extras(uploads=[("page.md", data)], limits=UploadLimits())
    except CatalogError as error:
        assert "\n" not in str(error)


DASHBOARD_PAGES = [
    "pages/browse.py", "pages/charts.py", "pages/compare.py", "pages/providers.py", "pages/changes.py",
    "pages/runs.py", "pages/playground.py", "pages/model.py",
]  # fmt: skip
HOSTILE_LINK = {
    "in": HUGE, "out": "1e308", "per_day": "nan", "budget": "inf", "share": "١٢",
    "min_in": BIG, "max_out": "-1", "id": "\x00" * 50, "model": "\u202e" * 100, "provider": DEEP[:1000],
    "since": "0001-01-01", "run": BIG, "picks": "x" * 10_000,
}  # fmt: skip


@pytest.fixture
def hostile_sources(server, files, monkeypatch) -> None:
    """A page nested 9,000 deep and a gzip bomb as the operator's pages; a map nested 200,000 deep."""
    monkeypatch.setenv("CATALOG_SOURCES", f"{files['deep.md']},{server}/bomb.md")
    monkeypatch.setenv("CATALOG_LITELLM_MAP", files["deep.json"])


def test_hostile_sources_are_one_error_on_the_first_screen(hostile_sources):
    at = opened(HOSTILE_LINK)
    errors = [element.value for element in at.error]
    assert len(errors) == 1 and errors[0].startswith("The configured catalog sources could not be loaded: ")
    assert errors[0].endswith("Showing the embedded page.") and "\n" not in errors[0]


@pytest.mark.parametrize("page", DASHBOARD_PAGES)
def test_every_page_opened_with_hostile_sources_a_map_and_a_link_shows_no_exception(page, hostile_sources):
    at = opened(HOSTILE_LINK, page)
    assert not at.exception
    assert len(at.main.children) >= 2  # the page drew itself (its title and more)


@pytest.mark.parametrize("day", [*DAYS, HUGE, "2026-11-25T00:00", "\x00"])
def test_any_as_of_day_in_a_link_shows_no_exception(day):
    at = opened({"as_of": day}, "pages/changes.py")
    assert not at.exception


def test_a_map_of_hostile_numbers_reaches_the_model_page_as_unknown(files, monkeypatch):
    monkeypatch.setenv("CATALOG_LITELLM_MAP", files["numbers.json"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["id"] = "zai-org/GLM-5.2"
    at.switch_page("pages/model.py").run()  # opened straight from a link
    assert not at.exception
    facts = {row["Field"]: row["Value"] for row in page_table(at, "About this model").rows}
    # What the map gives within the rules is still shown; `١٢` was read as $12,000,000 per 1M, and 10**400 crashed.
    # The cited table (issue 20) gives this model's window, so the map only fills what it lacks; its 10**400
    # context window is never shown.
    assert facts["Context window"].startswith("1,048,576 tokens (from https://deepinfra.com/zai-org/GLM-5.2)")
    assert "0000000" not in facts["Context window"]
    assert "LiteLLM's price" not in facts
