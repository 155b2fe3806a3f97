"""Checks in the store: each run prompt's checks, and each ok trial's check results per judging (issue 19).

Kept beside `TrialStore` rather than in it: the trial rows stay as they were, and a run without checks writes
nothing here. A verdict is keyed by its trial's run cell and judging; recording one that exists already is
skipped, so a run resumed after being killed during judging never judges (nor bills) the same answer twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace

import sqlalchemy as sa

from catalog.history.schema import run_prompt_checks, trial_checks
from catalog.history.store import Store
from catalog.runs.checks import Check, parse_checks
from catalog.runs.grading import DEFAULT_MIN_PASS_RATE, Cell, TrialVerdict, grading_for, results_from_json
from catalog.runs.owners import RunOwners
from catalog.runs.report import RunReport, run_report
from catalog.runs.store import TrialStore
from catalog.runs.trials import Run, Trial, now

#: The most runs with checks a model's page or Compare reads reports of (newest first).
MAX_RUNS_READ = 20


class CheckStore:
    """Run prompts' checks and trials' verdicts, in the history database that `store` opened."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def save_prompt_checks(self, run_id: int, checks: Mapping[int, Sequence[Check]]) -> None:
        """The checks of each prompt number that has any (a prompt without checks writes no row)."""
        rows = [
            {"run_id": run_id, "number": number, "checks": json.dumps([c.to_json() for c in found], ensure_ascii=False)}
            for number, found in checks.items()
            if found
        ]
        if rows:
            with self.store._connect("written", write=True) as connection:
                connection.execute(run_prompt_checks.insert(), rows)

    def prompt_checks(self, run_id: int) -> dict[int, tuple[Check, ...]]:
        table = run_prompt_checks
        with self.store._connect("read") as connection:
            rows = connection.execute(sa.select(table.c.number, table.c.checks).where(table.c.run_id == run_id)).all()
        return {int(number): parse_checks(json.loads(text)) for number, text in rows}

    def checked_runs(self) -> set[int]:
        """The runs whose prompts carry checks."""
        with self.store._connect("read") as connection:
            rows = connection.execute(sa.select(run_prompt_checks.c.run_id).distinct()).all()
        return {int(row[0]) for row in rows}

    def record(self, run_id: int, verdicts: Sequence[TrialVerdict]) -> int:
        """Store verdicts in one transaction, skipping any already recorded for its cell and judging; how many
        were new."""
        if not verdicts:
            return 0
        table = trial_checks
        judgings = {v.judging for v in verdicts}
        with self.store._connect("written", write=True) as connection:
            existing = {
                (row[0], row[1], row[2], row[3], row[4])
                for row in connection.execute(
                    sa.select(table.c.prompt_number, table.c.repetition, table.c.provider, table.c.model,
                              table.c.judging).where(table.c.run_id == run_id, table.c.judging.in_(judgings))
                ).all()
            }  # fmt: skip
            created = now()
            rows = []
            for verdict in verdicts:
                if (*verdict.cell, verdict.judging) in existing:
                    continue
                existing.add((*verdict.cell, verdict.judging))
                number, repetition, provider, model = verdict.cell
                rows.append({
                    "run_id": run_id, "prompt_number": number, "repetition": repetition, "provider": provider,
                    "model": model, "judging": verdict.judging, "created_at": created, "passed": verdict.passed,
                    "results": verdict.results_json(), "judge_input_tokens": verdict.judge_input_tokens,
                    "judge_output_tokens": verdict.judge_output_tokens, "judge_cost_usd": verdict.judge_cost_usd,
                })  # fmt: skip
            if rows:
                connection.execute(table.insert(), rows)
        return len(rows)

    def judgings(self, run_id: int) -> list[int]:
        """The run's judgings, oldest first (1 is the run's own)."""
        table = trial_checks
        query = sa.select(table.c.judging).where(table.c.run_id == run_id).distinct().order_by(table.c.judging)
        with self.store._connect("read") as connection:
            return [int(row[0]) for row in connection.execute(query).all()]

    def verdicts(self, run_id: int, judging: int | None = None) -> dict[Cell, TrialVerdict]:
        """The verdicts of one judging (default: the latest the run has), by cell."""
        table = trial_checks
        if judging is None:
            found = self.judgings(run_id)
            if not found:
                return {}
            judging = found[-1]
        query = sa.select(table).where(table.c.run_id == run_id, table.c.judging == judging)
        with self.store._connect("read") as connection:
            rows = connection.execute(query).all()
        return {
            (row.prompt_number, row.repetition, row.provider, row.model): TrialVerdict(
                (row.prompt_number, row.repetition, row.provider, row.model), results_from_json(row.results),
                row.passed, row.judging, row.judge_input_tokens, row.judge_output_tokens, row.judge_cost_usd,
            )
            for row in rows
        }  # fmt: skip


def graded_run_report(
    trials: TrialStore,
    run: Run,
    found: Sequence[Trial],
    min_pass_rate: float = DEFAULT_MIN_PASS_RATE,
    report: RunReport | None = None,
) -> RunReport:
    """A run's report with its pass statistics from the latest judging (no grading when the run had no checks);
    `report` is the run's report when the caller already made it."""
    checks = CheckStore(trials.store)
    report = report or run_report(run, found)
    judgings = checks.judgings(run.id)
    models = [(line.provider, line.model) for line in report.models]
    checked = frozenset(checks.prompt_checks(run.id))
    grading = grading_for(models, found, checked, checks.verdicts(run.id), min_pass_rate,
                          judgings[-1] if judgings else None)  # fmt: skip
    return replace(report, grading=grading)


def runs_with_checks(
    trials: TrialStore, viewer: str, model: tuple[str, str] | None = None, most: int = MAX_RUNS_READ
) -> list[Run]:
    """The runs `viewer` (a visitor's owner) may see, their own and the shared ones, whose prompts carry checks;
    those that ran `model` (provider, model id) when given; newest first, `most` at the most."""
    checked = CheckStore(trials.store).checked_runs()
    runs = [run for run in trials.runs() if run.id in checked and (model is None or model in run.models)]
    return RunOwners(trials.store).visible(runs, viewer)[:most]
