"""The typed graded report (`RunReport` with its `Grading`): one JSON and one CSV, made in one place for the CLI
and the Runs page; the pass columns in CSV only when the run has checks."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from cli_runner import run
from fake_models import SLOPPY, SOLID, capital_prompts
from runfixtures import TOKEN, model_flags, quality_lava, run_env  # noqa: F401  (fixtures)

from catalog.history import Store
from catalog.runs.check_store import graded_run_report
from catalog.runs.grading import GRADE_FIELDS
from catalog.runs.report import MODEL_FIELDS, REPORT_MODEL_FIELDS
from catalog.runs.store import TrialStore


def write(folder: Path, lines: list[dict], name: str) -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_with_checks_the_csv_gains_the_pass_columns_with_the_jsons_figures(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, capital_prompts("word"), "capitals.jsonl")
    assert run("run", str(prompts), *model_flags(SLOPPY, SOLID)).returncode == 0
    report = json.loads(run("report", "1", "--format", "json").stdout)
    table = run("report", "1", "--format", "csv").stdout
    assert table.splitlines()[0] == ",".join(("run_id", *MODEL_FIELDS, *GRADE_FIELDS))
    for line, row in zip(report["models"], rows(table), strict=True):
        assert row["model"] == line["model"] and row["passed"] == str(line["passed"])
        assert float(row["pass_rate"]) == line["pass_rate"]
        assert float(row["cost_per_pass_usd"]) == pytest.approx(line["cost_per_pass_usd"], rel=1e-9)
        assert row["checked"] == "8" and row["not_judged"] == "0"


def test_without_checks_the_csv_is_as_before_and_the_json_grade_fields_are_null(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, [{"prompt": "Capital of Peru?"}], "plain.jsonl")
    result = run("run", str(prompts), *model_flags(SOLID), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["run", "models", "judge_cost_usd", "best", "min_pass_rate", "judging"]
    assert [report[key] for key in ("judge_cost_usd", "best", "min_pass_rate", "judging")] == [None] * 4
    assert list(report["models"][0]) == list(REPORT_MODEL_FIELDS)
    assert all(report["models"][0][name] is None for name in GRADE_FIELDS)
    assert run("report", "1", "--format", "csv").stdout.splitlines()[0] == ",".join(("run_id", *MODEL_FIELDS))


def test_the_cli_prints_the_typed_reports_own_text(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, capital_prompts("json"), "capitals.jsonl")
    assert run("run", str(prompts), *model_flags(SLOPPY, SOLID)).returncode == 0
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        trials = TrialStore(store)
        saved = trials.run(1)
        assert saved is not None
        report = graded_run_report(trials, saved, trials.trials(1, with_text=False), 0.5)
    assert report.grading is not None and len(report.grading.grades) == len(report.models) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.grading = None  # type: ignore[misc]
    assert run("report", "1", "--format", "json", "--min-pass-rate", "0.5").stdout == report.json_text() + "\n"
    assert run("report", "1", "--format", "csv", "--min-pass-rate", "0.5").stdout == report.csv_text()
