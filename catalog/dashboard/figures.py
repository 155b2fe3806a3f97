"""Plotly figures for the dashboard, built from catalog rows; every point's hover names the model and its prices."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence

import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from catalog.costs import usd
from catalog.dashboard.view import CHART_METRICS
from catalog.dashboard.view import ChartMetric as Metric
from catalog.frontier import FrontierPoint, FrontierSegment
from catalog.literal import html_text
from catalog.records import ModelRecord, blended_price
from catalog.workload import WorkloadCost

METRICS = CHART_METRICS
#: Most bars in the ranked chart, and most points in a scatter: past these a chart is slow and unreadable,
#: so the cheapest by the chosen price are drawn and the page says so.
MAX_BARS = 200
MAX_POINTS = 2_000
_PALETTE = qualitative.Dark24
_BAR_HEIGHT = 20


def savings_label(line: WorkloadCost, baseline: str | None) -> str | None:
    """How a model's monthly cost compares with the baseline's, in words: "-84.8% vs baseline"."""
    if line.record.model == baseline or line.savings_pct is None:
        return None
    return f"{-line.savings_pct:+.1f}% vs baseline"


def price(record: ModelRecord, metric: Metric, output_share: float) -> float:
    """A model's input, output or blended price per 1M tokens."""
    if metric == "input":
        return record.input_usd_per_mtok
    if metric == "output":
        return record.output_usd_per_mtok
    return blended_price(record.input_usd_per_mtok, record.output_usd_per_mtok, output_share)


def cheapest(records: Sequence[ModelRecord], metric: Metric, output_share: float, limit: int) -> list[ModelRecord]:
    """The `limit` cheapest models by one price (ties by id), cheapest first."""
    return heapq.nsmallest(limit, records, key=lambda record: (price(record, metric, output_share), record.model))


def hover(record: ModelRecord, output_share: float) -> str:
    """The hover text of a model: its id, its prices, and its size where known."""
    blended = blended_price(record.input_usd_per_mtok, record.output_usd_per_mtok, output_share)
    size = f"<br>{record.params_b:g}B parameters" if record.params_b is not None else ""
    name = html_text(record.model)
    prices = f"input {usd(record.input_usd_per_mtok)} · output {usd(record.output_usd_per_mtok)}"
    return f"<b>{name}</b><br>{prices} · blended {usd(blended)} per 1M tokens{size}"


def vendor_colors(records: Sequence[ModelRecord]) -> dict[str, str]:
    """A stable colour for each vendor."""
    vendors = sorted({record.vendor or "unknown" for record in records}, key=str.lower)
    return {vendor: _PALETTE[index % len(_PALETTE)] for index, vendor in enumerate(vendors)}


def _layout(figure: go.Figure, title: str, height: int = 480) -> go.Figure:
    figure.update_layout(
        title=title, height=height, margin={"l": 10, "r": 10, "t": 60, "b": 10}, hoverlabel={"align": "left"}
    )
    return figure


def price_bars(
    records: Sequence[ModelRecord], metric: Metric = "blended", output_share: float = 0.25, log: bool = False
) -> go.Figure:
    """The `MAX_BARS` cheapest models by one price, ranked, cheapest at the top."""
    ranked = cheapest(records, metric, output_share, MAX_BARS)
    colors = vendor_colors(records)
    figure = go.Figure(
        go.Bar(
            x=[price(record, metric, output_share) for record in ranked],
            y=[html_text(record.model) for record in ranked],
            orientation="h",
            marker_color=[colors[record.vendor or "unknown"] for record in ranked],
            hovertext=[hover(record, output_share) for record in ranked],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", type="category", automargin=True)
    figure.update_xaxes(title=f"{METRICS[metric]} USD per 1M tokens", type="log" if log else "linear")
    return _layout(figure, f"{METRICS[metric]} price, cheapest first", max(300, _BAR_HEIGHT * len(ranked) + 120))


def _size(record: ModelRecord) -> float:
    # Area grows with parameters; unknown sizes get a small fixed marker.
    return 6.0 if record.params_b is None else 6.0 + 3.0 * math.sqrt(record.params_b)


def _vendor_scatter(
    records: Sequence[ModelRecord],
    x: Callable[[ModelRecord], float],
    y: Callable[[ModelRecord], float],
    size: Callable[[ModelRecord], float],
    output_share: float,
    opacity: float,
) -> go.Figure:
    """A scatter with one trace (one colour, one legend entry) per vendor, every point hovering its model."""
    groups: dict[str, list[ModelRecord]] = {}
    for record in records:
        groups.setdefault(record.vendor or "unknown", []).append(record)
    figure = go.Figure()
    for vendor, color in vendor_colors(records).items():
        group = groups[vendor]
        figure.add_trace(
            go.Scatter(
                x=[x(record) for record in group],
                y=[y(record) for record in group],
                mode="markers",
                name=html_text(vendor),
                marker={"color": color, "size": [size(record) for record in group], "opacity": opacity},
                hovertext=[hover(record, output_share) for record in group],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return figure


def price_scatter(records: Sequence[ModelRecord], output_share: float = 0.25) -> go.Figure:
    """Input against output price on log axes, one colour per vendor, marker size by parameters."""
    figure = _vendor_scatter(
        records,
        lambda record: record.input_usd_per_mtok,
        lambda record: record.output_usd_per_mtok,
        _size,
        output_share,
        opacity=0.8,
    )
    figure.update_xaxes(type="log", title="Input USD per 1M tokens")
    figure.update_yaxes(type="log", title="Output USD per 1M tokens")
    return _layout(figure, "Input vs output price (log axes; marker size = parameters)", 560)


def price_vs_params(
    records: Sequence[ModelRecord], metric: Metric = "blended", output_share: float = 0.25
) -> go.Figure:
    """Price against parameter count (models whose size is unknown are left out)."""
    sized = [record for record in records if record.params_b is not None]
    figure = _vendor_scatter(
        sized,
        lambda record: record.params_b or 0.0,
        lambda record: price(record, metric, output_share),
        lambda record: 11.0,
        output_share,
        opacity=0.85,
    )
    figure.update_xaxes(type="log", title="Parameters (billions, log)")
    figure.update_yaxes(type="log", title=f"{METRICS[metric]} USD per 1M tokens (log)")
    return _layout(figure, f"{METRICS[metric]} price vs size ({len(records) - len(sized)} of unknown size left out)")


def frontier_figure(points: Sequence[FrontierPoint], segments: Sequence[FrontierSegment]) -> go.Figure:
    """The cheapest model's blended price across output shares, one colour per model, and its margin."""
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.65, 0.35],
        vertical_spacing=0.08,
        subplot_titles=("Cheapest blended price", "Margin over the runner-up"),
    )
    for index, segment in enumerate(segments):
        x, y, text = _segment_series(segment, points)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=html_text(segment.record.model),
                line={"color": _PALETTE[index % len(_PALETTE)], "width": 3},
                marker={"size": 4},
                hovertext=text,
                hovertemplate="%{hovertext}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Bar(
            x=[100 * point.share for point in points],
            y=[point.margin_pct for point in points],
            marker_color="#8e9aaf",
            name="margin %",
            showlegend=False,
            hovertext=[_frontier_hover(point) for point in points],
            hovertemplate="%{hovertext}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    for switch in segments[1:]:
        figure.add_vline(x=100 * float(switch.start), line_dash="dot", line_color="#888")
    figure.update_xaxes(title="Output share of tokens (%)", row=2, col=1)
    figure.update_yaxes(title="USD per 1M tokens", row=1, col=1)
    figure.update_yaxes(title="% cheaper", row=2, col=1)
    return _layout(figure, "Cheapest model as the output share goes from 0% to 100%", 620)


def _segment_series(
    segment: FrontierSegment, points: Sequence[FrontierPoint]
) -> tuple[list[float], list[float], list[str]]:
    """A segment's line from its exact start to its exact end, through the sampled points inside it."""
    inside = [point for point in points if point.record.model == segment.record.model]
    series = [(100 * point.share, point.price, _frontier_hover(point)) for point in inside]
    for share in (segment.start, segment.end):
        percent = 100 * float(share)
        if all(abs(percent - x) > 1e-9 for x, _, _ in series):
            at = float(segment.line.at(share))
            label = f"<b>{html_text(segment.record.model)}</b>: {usd(at)} per 1M at {percent:.2f}% output"
            series.append((percent, at, label))
    series.sort()
    return [x for x, _, _ in series], [y for _, y, _ in series], [text for _, _, text in series]


def _frontier_hover(point: FrontierPoint) -> str:
    text = f"<b>{html_text(point.record.model)}</b> at {100 * point.share:.0f}% output: {usd(point.price)} per 1M"
    if point.runner_up is not None and point.runner_up_price is not None and point.margin_usd is not None:
        pct = f" ({point.margin_pct:.1f}%)" if point.margin_pct is not None else ""
        text += (
            f"<br>runner-up {html_text(point.runner_up.model)}: {usd(point.runner_up_price)}"
            f"<br>margin {usd(point.margin_usd)}{pct}"
        )
    return text


def monthly_cost_bars(lines: Sequence[WorkloadCost], baseline: str | None = None) -> go.Figure:
    """Each model's monthly cost for the workload, cheapest at the top, the baseline highlighted."""
    figure = go.Figure(
        go.Bar(
            x=[line.per_month_usd for line in lines],
            y=[html_text(line.record.model) for line in lines],
            orientation="h",
            marker_color=["#d1495b" if line.record.model == baseline else "#2e86ab" for line in lines],
            hovertext=[_monthly_hover(line) for line in lines],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", type="category", automargin=True)
    figure.update_xaxes(title="USD per month", tickprefix="$")
    return _layout(figure, "Monthly cost", max(300, _BAR_HEIGHT * len(lines) + 120))


def _monthly_hover(line: WorkloadCost) -> str:
    record = line.record
    return (
        f"<b>{html_text(record.model)}</b><br>{usd(line.per_month_usd)} per month · {usd(line.per_request_usd, 6)}"
        f" per request<br>input {usd(record.input_usd_per_mtok)} · output {usd(record.output_usd_per_mtok)}"
        " per 1M tokens"
    )
