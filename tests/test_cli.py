"""`python -m catalog`: in-process through `main(argv, stdout=..., stderr=...)`, plus one subprocess smoke test."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run

from catalog import SCHEMA_FIELDS
from catalog.sources import DEFAULT_PAGE

ROOT = Path(__file__).resolve().parents[1]


def test_python_dash_m_catalog_runs_as_a_process():
    result = subprocess.run(
        [sys.executable, "-m", "catalog", "list", "--vendor", "google"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "3 of 52 models"
    failed = subprocess.run(
        [sys.executable, "-m", "catalog", "list", "--source", "/no/such.md"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert failed.returncode == 1
    assert failed.stderr == "python -m catalog: error: /no/such.md: no such file\n"


def page_prices() -> list[tuple[str, float, float]]:
    """The seed rows read straight off the page's table lines, independently of the parser."""
    rows = []
    for line in DEFAULT_PAGE.text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("\\$"):
            rows.append((cells[0], float(cells[1][2:]), float(cells[2][2:])))
    return rows


def test_export_json_prints_exactly_the_52_models_with_their_prices():
    result = run("export", "--format", "json")
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)
    assert len(models) == 52
    assert all(list(model) == list(SCHEMA_FIELDS) for model in models)
    assert [(m["model"], m["input_usd_per_mtok"], m["output_usd_per_mtok"]) for m in models] == page_prices()
    assert {m["provider"] for m in models} == {"DeepInfra"}


def test_export_csv_has_the_same_columns_and_rows():
    result = run("export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(SCHEMA_FIELDS)
    assert [
        (r["model"], float(r["input_usd_per_mtok"]), float(r["output_usd_per_mtok"])) for r in rows
    ] == page_prices()
    turbo = next(r for r in rows if r["model"] == "deepseek-ai/DeepSeek-R1-Turbo")
    assert turbo["tags"] == "reasoning;turbo"


def test_export_full_adds_the_enrichment():
    models = json.loads(run("export", "--full").stdout)
    assert models[0]["family"] == "GLM-5"
    assert "flags" in models[0] and "display_name" in models[0]


def test_list_filters_by_tag_and_max_output_price_and_sorts():
    result = run("list", "--tag", "reasoning", "--max-output", "1", "--sort", "output_usd_per_mtok")
    assert result.returncode == 0, result.stderr
    body = result.stdout.splitlines()
    models = [line.split()[0] for line in body[2:] if line and not line.startswith(tuple("0123456789"))]
    assert models == [  # Qwen3's first release is tagged reasoning for its thinking mode (its model card)
        "Qwen/Qwen3-14B",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
        "Qwen/Qwen3-32B",
        "microsoft/phi-4-reasoning-plus",
        "Qwen/Qwen3-30B-A3B",
        "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
    ]
    assert body[-1] == "6 of 52 models"


def test_list_filters_by_vendor():
    result = run("list", "--vendor", "google")
    assert result.stdout.splitlines()[-1] == "3 of 52 models"
    assert "gemma-3-27b-it" in result.stdout


def test_cost_ranks_models_for_a_workload():
    # 2,000 in + 500 out on Llama-3.2-1B ($0.005 / $0.01): $0.000015 a request, $0.15 for 10,000.
    result = run("cost", "--input-tokens", "2000", "--output-tokens", "500", "--requests", "10000", "--top", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[3].split() == ["1", "meta-llama/Llama-3.2-1B-Instruct", "$0.000015", "$0.15"]
    # Llama-3.1-8B-Turbo ($0.02 / $0.03): 0.04 + 0.015 = $0.000055 a request, $0.55 for 10,000.
    assert lines[4].split() == ["2", "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "$0.000055", "$0.55"]
    assert len(lines) == 5
    assert lines[1].split()[-3:] == ["×", "10,000", "requests"]


def test_cost_for_one_request_says_request():
    result = run("cost", "--input-tokens", "10", "--output-tokens", "1", "--top", "1")
    assert result.stdout.splitlines()[1].split()[-3:] == ["×", "1", "request"]


def test_a_second_source_adds_a_provider_column(tmp_path):
    page = tmp_path / "groq.md"
    page.write_text(
        "# Groq\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|-|-|-|\n| tiny | $0.001 | $0.002 |\n"
    )
    result = run("list", "--source", str(page), "--source", str(ROOT / "catalog" / "data" / "lava-deepinfra.md"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split()[:2] == ["provider", "model"]
    assert result.stdout.splitlines()[2].split()[:2] == ["Groq", "tiny"]
    assert result.stdout.splitlines()[-1] == "53 of 53 models"


def test_a_count_mismatch_is_shown_as_a_warning(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(
        "# P\n\nP offers 3 models.\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|-|-|-|\n| a | $1 | $2 |\n"
    )
    result = run("list", "--source", str(page))
    assert result.returncode == 0
    assert result.stderr.strip() == "warning: P: the page claims 3 models (line 3) but its price tables list 1"


BAD_PRICE_PAGE = "# X\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|-|-|-|\n| a | $x | $2 |\n"


@pytest.mark.parametrize(
    ("args", "page_text", "message"),
    [
        pytest.param(["list", "--source", "/no/such.md"], None, "/no/such.md: no such file", id="missing-file"),
        pytest.param(["list", "--source", "http://127.0.0.1:9/x.md"], None, "could not connect", id="unreachable-url"),
        pytest.param(["list", "--source", "{page}"], BAD_PRICE_PAGE, "line 5: the input price '$x' is not a number",
                     id="bad-price"),
        pytest.param(["list", "--source", "{page}"], "# X\nno table\n", "no price table found", id="no-table"),
        pytest.param(["list", "--bogus"], None, "unrecognized arguments: --bogus", id="unknown-flag"),
        pytest.param(["list", "--sort", "nope"], None, "invalid choice: 'nope'", id="bad-sort"),
        pytest.param(["list", "--max-output", "cheap"], None, "'cheap' is not a number", id="price-not-a-number"),
        pytest.param(["cost", "--input-tokens", "-1", "--output-tokens", "5"], None, "'-1' is negative",
                     id="negative-tokens"),
        pytest.param(["cost", "--input-tokens", "10"], None, "required: --output-tokens", id="missing-output-tokens"),
        pytest.param(["export", "--format", "xml"], None, "invalid choice: 'xml'", id="bad-format"),
        pytest.param([], None, "required: command", id="no-command"),
    ],
)  # fmt: skip
def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(tmp_path, args, page_text, message):
    if page_text is not None:
        page = tmp_path / "bad.md"
        page.write_text(page_text)
        args = [arg.replace("{page}", str(page)) for arg in args]
    result = run(*args)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr


def test_help_works():
    result = run("--help")
    assert result.returncode == 0
    assert "list" in result.stdout and "export" in result.stdout and "cost" in result.stdout


def test_run_help_names_every_prompt_file_format_promptfoo_yaml_too():
    result = run("run", "--help")
    assert result.returncode == 0
    said = " ".join(result.stdout.split())  # argparse wraps the help
    assert ".jsonl, .csv (a prompt column), .txt (a prompt a line) or .yaml (a promptfoo config)" in said
