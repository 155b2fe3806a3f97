"""The Runs page's data, read from the store only: results per model beside Compare's list-price estimate,
cost against speed, answers side by side per prompt, and the past runs; and Compare's choice of a run's measured
tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from catalog.costs import request_cost, usd
from catalog.dashboard.model_page import model_link
from catalog.literal import html_text
from catalog.records import Catalog, ModelRecord
from catalog.runs.report import MeasuredTokens, RunReport, Speed, measured_tokens, run_report
from catalog.runs.store import TrialStore
from catalog.runs.trials import Run, RunPrompt, Trial

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

#: Shown where a figure was not reported (never `None` on screen).
MISSING = "—"


def _money(value: float | Decimal | None) -> str:
    return MISSING if value is None else usd(value, 6, significant=3)


def _number(value: float | None, unit: str = "") -> str:
    return MISSING if value is None else f"{value:,.1f}{unit}"


def list_estimate(models: Catalog, provider: str, model: str, input_tokens: int, output_tokens: int) -> Decimal | None:
    """What Compare would say one request costs: the assumed tokens at the catalog's list prices."""
    record = models.find(model, provider)
    return None if record is None else request_cost(record, input_tokens, output_tokens)


def results_frame(report: RunReport, models: Catalog, input_tokens: int, output_tokens: int) -> pd.DataFrame:
    """Per model: measured cost per prompt beside the list-price estimate and their ratio, tokens, speed, billing."""
    import pandas as pd

    rows = []
    for line in report.models:
        estimate = list_estimate(models, line.provider, line.model, input_tokens, output_tokens)
        measured = line.cost_usd_mean
        ratio = measured / float(estimate) if measured is not None and estimate else None
        billed = line.billed_usd_mean
        rows.append(
            {
                "model": line.model,
                "page": model_link(line.model, line.provider),
                "provider": line.provider,
                "ok": f"{line.ok} of {line.trials}",
                "measured": _money(measured),
                "list estimate": _money(estimate),
                "ratio": MISSING if ratio is None else f"{ratio:.2f}×",
                "input tokens": _number(line.input_tokens_mean),
                "output tokens": _number(line.output_tokens_mean),
                "reasoning tokens": _number(line.reasoning_tokens_mean),
                "TTFT p50": _number(line.ttft_ms_p50, " ms"),
                "tokens/s p50": _number(line.output_tokens_per_s_p50),
                "provider's estimate": _money(line.estimated_cost_usd_mean),
                "billed": MISSING
                if billed is None
                else usd(float(billed), 6, significant=3) + ("" if line.billed_final else " (pending)"),
            }
        )
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else ["model"])


def cost_speed_figure(report: RunReport) -> go.Figure:
    """Cost per prompt against p50 output tokens per second, one point per model (labels escaped for plotly)."""
    import plotly.graph_objects as go

    points = [
        (line.model, line.output_tokens_per_s_p50, line.cost_usd_mean)
        for line in report.models
        if line.cost_usd_mean is not None and line.output_tokens_per_s_p50 is not None
    ]
    figure = go.Figure(
        go.Scatter(
            x=[speed for _, speed, _ in points],
            y=[cost for _, _, cost in points],
            mode="markers+text",
            text=[html_text(model, 40) for model, _, _ in points],
            textposition="top center",
            customdata=[[html_text(model), _money(cost)] for model, _, cost in points],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]} per prompt<br>%{x:.1f} tokens/s<extra></extra>",
            marker={"size": 12},
        )
    )
    # From zero, with room above the highest point: one model alone would otherwise sit in a ±1 range.
    top_x = max((speed for _, speed, _ in points), default=1.0) * 1.25 or 1.0
    top_y = max((cost for _, _, cost in points), default=1.0) * 1.25 or 1.0
    figure.update_layout(
        xaxis={"title": "output tokens per second (p50)", "range": [0, top_x]},
        yaxis={
            "title": "measured cost per prompt (USD)",
            "range": [0, top_y],
            "tickprefix": "$",
            "exponentformat": "e",
        },
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return figure


def answers_by_prompt(
    prompts: Sequence[RunPrompt], trials: Sequence[Trial]
) -> list[tuple[RunPrompt, list[tuple[str, str, Trial]]]]:
    """Each prompt with its first answer on each model: (prompt, [(provider, model, trial), ...])."""
    by_prompt: dict[int, dict[tuple[str, str], Trial]] = {}
    for trial in trials:
        if trial.prompt_number is None:
            continue
        answers = by_prompt.setdefault(trial.prompt_number, {})
        key = (trial.provider, trial.model)
        if key not in answers or (trial.ok and not answers[key].ok):
            answers[key] = trial
    return [
        (prompt, [(provider, model, trial) for (provider, model), trial in by_prompt.get(prompt.number, {}).items()])
        for prompt in prompts
    ]


def runs_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """The past runs, newest first."""
    import pandas as pd

    rows = [
        {
            "id": run.id,
            "name": run.name,
            "created": run.created_at.strftime("%Y-%m-%d %H:%M"),
            "status": run.status,
            "prompts": run.prompts,
            "repeat": run.repeat,
            "models": ", ".join(model for _, model in run.models),
        }
        for run in runs
    ]
    return pd.DataFrame(rows, columns=["id", "name", "created", "status", "prompts", "repeat", "models"])


def run_label(run: Run) -> str:
    return f"#{run.id} · {run.name} · {run.created_at.strftime('%Y-%m-%d %H:%M')} · {run.status}"


@dataclass(frozen=True)
class TokensChoice:
    """Compare's choice of tokens per request: the assumed pair (None), or each model's as one of `runs` (this
    visitor's and the shared ones, by id) measured them."""

    runs: Mapping[int, Run]

    @classmethod
    def of(cls, runs: Sequence[Run]) -> TokensChoice:
        return cls({run.id: run for run in runs})

    @property
    def options(self) -> list[int | None]:
        """What the picker offers: the assumed pair first, then each run."""
        return [None, *self.runs]

    def label(self, run_id: int | None) -> str:
        if run_id is None:
            return "as assumed above, for every model"
        return f"as run {run_label(self.runs[run_id])} measured"

    def measured(self, trials: TrialStore, chosen: object) -> MeasuredTokens | None:
        """Each model's measured token pair in the `chosen` run (a picker's value); None for the assumed pair, or a
        run that is not one of these."""
        run = self.runs.get(chosen) if isinstance(chosen, int) else None
        if run is None:
            return None
        return measured_tokens(run_report(run, trials.trials(run.id, with_text=False)))


MEASURED_COLUMNS = ("replies", "ttft_ms_p50", "tokens_per_s_p50")


def with_measured(
    frame: pd.DataFrame, records: Sequence[ModelRecord], speeds: dict[tuple[str, str], Speed]
) -> pd.DataFrame:
    """Browse's table (one row per record, in order) with each model's measured replies, p50 TTFT and p50 tokens/s
    from every recorded trial; empty cells (NaN, never `None`) where a model was never measured."""
    found = [speeds.get((record.provider, record.model)) for record in records]
    extended = frame.copy()
    extended["replies"] = [speed.replies if speed else 0 for speed in found]
    extended["ttft_ms_p50"] = [speed.ttft_ms_p50 if speed and speed.ttft_ms_p50 is not None else float("nan")
                               for speed in found]  # fmt: skip
    extended["tokens_per_s_p50"] = [
        speed.output_tokens_per_s_p50 if speed and speed.output_tokens_per_s_p50 is not None else float("nan")
        for speed in found
    ]
    return extended
