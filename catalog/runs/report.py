"""What recorded trials say about each model: token means, measured cost per prompt, speed percentiles.

Pure arithmetic over `Trial` values: the CLI's `report`, the Runs page and Browse's measured columns share it.
A figure no trial reported is None (`null` in JSON), never 0.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from catalog.costs import report_mean, request_cost
from catalog.formats.cells import LINE_END, csv_cell
from catalog.records import ModelRecord
from catalog.runs.grading import GRADE_FIELDS, NO_GRADING_JSON, Grading
from catalog.runs.trials import Run, Trial
from catalog.workload import Workload, WorkloadCost, cost_lines


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` percentile (0–1) with linear interpolation between ranks, as numpy's default; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Iterable[float | int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True, slots=True)
class Speed:
    """A model's measured speed over every recorded trial (Browse's optional columns)."""

    replies: int
    ttft_ms_p50: float | None
    output_tokens_per_s_p50: float | None


def speed_by_model(trials: Iterable[Trial]) -> dict[tuple[str, str], Speed]:
    """Per (provider, model): ok replies counted, p50 time to first token, p50 output tokens per second."""
    grouped: dict[tuple[str, str], list[Trial]] = {}
    for trial in trials:
        if trial.ok:
            grouped.setdefault((trial.provider, trial.model), []).append(trial)
    return {
        key: Speed(
            len(items),
            percentile([t.ttft_ms for t in items if t.ttft_ms is not None], 0.5),
            percentile([t.output_tokens_per_s for t in items if t.output_tokens_per_s is not None], 0.5),
        )
        for key, items in grouped.items()
    }


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """One model's line of a report: counts over every trial, means and percentiles over its ok trials.

    Field order is the JSON's and the CSV's (`MODEL_FIELDS`); a figure no trial reported is None (`null`).
    """

    provider: str
    model: str
    trials: int
    ok: int
    failed: int
    input_tokens_mean: float | None
    output_tokens_mean: float | None
    reasoning_tokens_mean: float | None
    cost_usd_mean: float | None
    estimated_cost_usd_mean: float | None
    ttft_ms_p50: float | None
    ttft_ms_p95: float | None
    output_tokens_per_s_p50: float | None
    chars_per_input_token: float | None
    #: What Lava billed, over the ok trials it has a record of (kept exact; a decimal string in JSON and CSV).
    billed_usd_mean: Decimal | None
    billed_trials: int
    #: True when every ok trial has a final billed figure; False while some are pending or not fetched.
    billed_final: bool

    def as_json(self) -> dict[str, Any]:
        """The documented JSON object, keys in `MODEL_FIELDS` order."""
        line = {name: getattr(self, name) for name in MODEL_FIELDS}
        line["billed_usd_mean"] = None if self.billed_usd_mean is None else str(self.billed_usd_mean)
        return line


#: The keys of a report's model line, in order: the fields of `ModelSummary`, so the two cannot drift.
MODEL_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ModelSummary))


@dataclass(frozen=True, slots=True)
class RunReport:
    """What a run measured: the run, one `ModelSummary` per model in the order the run named them, and, for a run
    with checks, its `Grading` (each model's pass statistics, in the same order; None: the run had no checks).

    `as_json`, `json_text` and `csv_text` are the only places its exports are made: the CLI's `report` and the
    Runs page's downloads both call them.
    """

    run: Run
    models: tuple[ModelSummary, ...]
    grading: Grading | None = None

    def run_json(self) -> dict[str, Any]:
        run = self.run
        return {
            "id": run.id,
            "name": run.name,
            "created_at": run.created_at.isoformat() + "Z",
            "status": run.status,
            "prompts": run.prompts,
            "repeat": run.repeat,
            "models": [f"{provider}:{model}" for provider, model in run.models],
        }

    def model_lines(self) -> list[dict[str, Any]]:
        """Each model's line, keys in `REPORT_MODEL_FIELDS` order (the grade fields null without checks)."""
        if self.grading is None:
            return [line.as_json() | dict.fromkeys(GRADE_FIELDS) for line in self.models]
        return [line.as_json() | grade.to_json() for line, grade in zip(self.models, self.grading.grades, strict=True)]

    def as_json(self) -> dict[str, Any]:
        """`{"run": {...}, "models": [...], "judge_cost_usd", "best", "min_pass_rate", "judging"}`, as README's
        Runs section and "Is the cheaper model good enough?" document it."""
        top = NO_GRADING_JSON if self.grading is None else self.grading.to_json()
        return {"run": self.run_json(), "models": self.model_lines(), **top}

    def json_text(self) -> str:
        """The report as JSON text; never `NaN` or `Infinity` (a figure that is not finite is a bug: it raises)."""
        return json.dumps(self.as_json(), indent=2, allow_nan=False)

    def csv_text(self) -> str:
        """The model lines as CSV, one row per model, with the run's id first; the grade columns (`checked`,
        `passed`, …, `cost_per_pass_usd`, `judge_cost_usd`) only when the run has checks."""
        names = REPORT_MODEL_FIELDS if self.grading is not None else MODEL_FIELDS
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=LINE_END)
        writer.writerow(("run_id", *names))
        for values in self.model_lines():
            writer.writerow((self.run.id, *(csv_cell(values[name]) for name in names)))
        return out.getvalue()


#: The keys of a report's model line in JSON: `ModelSummary`'s fields, then the pass statistics' (issue 19).
REPORT_MODEL_FIELDS: tuple[str, ...] = (*MODEL_FIELDS, *GRADE_FIELDS)


def model_summary(provider: str, model: str, trials: Sequence[Trial]) -> ModelSummary:
    """One model's line of a report; means over its ok trials."""
    ok = [t for t in trials if t.ok]
    ttft = [t.ttft_ms for t in ok if t.ttft_ms is not None]
    speed = [t.output_tokens_per_s for t in ok if t.output_tokens_per_s is not None]
    with_input = [t for t in ok if t.input_tokens]
    chars_per_token = (
        sum(t.prompt_chars for t in with_input) / sum(t.input_tokens or 0 for t in with_input) if with_input else None
    )
    billed = [t.billed_usd for t in ok if t.billed_usd is not None]
    billed_mean = sum(billed, Decimal(0)) / len(billed) if billed else None
    return ModelSummary(
        provider=provider,
        model=model,
        trials=len(trials),
        ok=len(ok),
        failed=len(trials) - len(ok),
        input_tokens_mean=_rounded(_mean(t.input_tokens for t in ok), 3),
        output_tokens_mean=_rounded(_mean(t.output_tokens for t in ok), 3),
        reasoning_tokens_mean=_rounded(_mean(t.reasoning_tokens for t in ok), 3),
        cost_usd_mean=report_mean(t.cost_usd for t in ok),
        estimated_cost_usd_mean=report_mean(t.estimated_cost_usd for t in ok),
        ttft_ms_p50=_rounded(percentile(ttft, 0.5), 1),
        ttft_ms_p95=_rounded(percentile(ttft, 0.95), 1),
        output_tokens_per_s_p50=_rounded(percentile(speed, 0.5), 2),
        chars_per_input_token=_rounded(chars_per_token, 3),
        billed_usd_mean=None if billed_mean is None else billed_mean.quantize(Decimal("1e-10")),
        billed_trials=len(billed),
        billed_final=bool(ok) and all(t.billed_final for t in ok),
    )


def run_report(run: Run, trials: Sequence[Trial]) -> RunReport:
    """The report of a run, models in the order the run named them (then any other a trial names)."""
    grouped: dict[tuple[str, str], list[Trial]] = {name: [] for name in run.models}
    for trial in trials:
        grouped.setdefault((trial.provider, trial.model), []).append(trial)
    return RunReport(run, tuple(model_summary(provider, model, items) for (provider, model), items in grouped.items()))


#: Per (provider, model): the mean input and output tokens (reasoning included) a run measured.
MeasuredTokens = dict[tuple[str, str], tuple[float, float]]


def measured_tokens(report: RunReport) -> MeasuredTokens:
    """Each model's measured token pair from a run's report (models no ok trial measured are left out)."""
    return {
        (line.provider, line.model): (line.input_tokens_mean, line.output_tokens_mean)
        for line in report.models
        if line.input_tokens_mean is not None and line.output_tokens_mean is not None
    }


def costs_with_measured(
    records: Iterable[ModelRecord],
    workload: Workload,
    measured: MeasuredTokens,
    baseline: ModelRecord | None = None,
    budget_usd_per_month: float | None = None,
) -> list[tuple[WorkloadCost, bool]]:
    """Compare's costs with each model's own measured tokens where a run has them, else the workload's assumed
    pair; cheapest first, each line with whether its tokens were measured. The baseline is priced the same way."""

    def per_request(record: ModelRecord) -> Decimal:
        pair = measured.get((record.provider, record.model))
        return request_cost(record, *(pair if pair is not None else (workload.input_tokens, workload.output_tokens)))

    base = None if baseline is None else per_request(baseline)
    lines = cost_lines([(record, per_request(record)) for record in records], workload, base, budget_usd_per_month)
    return [(line, (line.record.provider, line.record.model) in measured) for line in lines]


def measured_by_host(trials: Iterable[Trial]) -> dict[tuple[str, str], dict[str, Any]]:
    """What runs measured of each (provider, model), as a report's model line in JSON (a published site's)."""
    by_host: dict[tuple[str, str], list[Trial]] = {}
    for trial in trials:
        by_host.setdefault((trial.provider, trial.model), []).append(trial)
    return {host: model_summary(*host, found).as_json() for host, found in by_host.items()}
