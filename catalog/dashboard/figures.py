"""Plotly figures for the dashboard, built from catalog rows; every point's hover names the model and its prices."""

from __future__ import annotations

import heapq
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from catalog.costs import usd
from catalog.dashboard.model_page import short_name
from catalog.dashboard.prices import column_price, nice_step
from catalog.dashboard.view import CHART_METRICS
from catalog.dashboard.view import ChartMetric as Metric
from catalog.dashboard.workload_table import money
from catalog.frontier import FrontierPoint, FrontierSegment
from catalog.literal import html_text
from catalog.records import ModelRecord, blended_price
from catalog.workload import WorkloadCost

METRICS = CHART_METRICS
#: Bars in the ranked chart by default ("show all" draws up to `MAX_BARS`), and most points in a scatter:
#: past these a chart is slow and unreadable, so the cheapest by the chosen price are drawn and the page says so.
DEFAULT_BARS = 25
MAX_BARS = 200
MAX_POINTS = 2_000
#: Plotly's config for every chart: no toolbar (on a phone it covers the titles; drag zooms, a double click resets).
CONFIG = {"displayModeBar": False}
#: The frontier opens on models of at least this size when no size filter is set: the smallest models are the
#: cheapest at every mix, which makes the default frontier one flat line saying nothing.
FRONTIER_MIN_B = 14.0
_PALETTE = qualitative.Dark24
#: Each maker's colour on every chart and every page; makers not listed get one from their name's checksum.
_VENDOR_COLORS = {
    "meta-llama": "#2E91E5",
    "deepseek-ai": "#222A2A",
    "qwen": "#FB0D0D",
    "microsoft": "#1CA71C",
    "minimaxai": "#DA16FF",
    "google": "#E15F99",
    "nvidia": "#750D86",
    "zai-org": "#EB663B",
    "gryphe": "#511CFB",
    "mistralai": "#00A08B",
    "openai": "#B68100",
    "anthropic": "#862A16",
    "moonshotai": "#FC0080",
    "nousresearch": "#6C7C32",
    "allenai": "#778AAE",
    "ibm-granite": "#A777F1",
}
_UNKNOWN_VENDOR_COLOR = "#8E9AAF"
#: Height of one bar's row: its name above, the bar below (so on a phone the names do not eat the bars' width).
_BAR_HEIGHT = 38
#: Longest model name above a bar; the full id is in the hover.
_LABEL_CHARS = 40
#: Marker of a model of unknown size where marker size means parameters: mid-sized and hollow, never a small dot.
_UNKNOWN_SIZE_SYMBOL = "diamond-open"
_UNKNOWN_SIZE = 14.0


def price(record: ModelRecord, metric: Metric, output_share: float) -> float:
    """A model's input, output or blended price per 1M tokens."""
    if metric == "input":
        return record.input_usd_per_mtok
    if metric == "output":
        return record.output_usd_per_mtok
    return blended_price(record.input_usd_per_mtok, record.output_usd_per_mtok, output_share)


def frontier_models(records: Sequence[ModelRecord], size_filtered: bool) -> tuple[list[ModelRecord], float | None]:
    """The models the frontier opens on: all of `records` when the user set a size filter, else those of at
    least `FRONTIER_MIN_B` billion parameters (returned with that bound, so the page can say so)."""
    if size_filtered:
        return list(records), None
    return [r for r in records if r.params_b is not None and r.params_b >= FRONTIER_MIN_B], FRONTIER_MIN_B


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


def vendor_color(vendor: str | None) -> str:
    """A vendor's colour: the same on every chart and page, whatever other vendors are drawn beside it."""
    if not vendor:
        return _UNKNOWN_VENDOR_COLOR
    known = _VENDOR_COLORS.get(vendor.lower())
    return known or _PALETTE[zlib.crc32(vendor.lower().encode()) % len(_PALETTE)]


def vendor_colors(records: Sequence[ModelRecord]) -> dict[str, str]:
    """The colour of each vendor of `records`, by vendor name (sorted)."""
    vendors = sorted({record.vendor or "unknown" for record in records}, key=str.lower)
    return {vendor: vendor_color(None if vendor == "unknown" else vendor) for vendor in vendors}


def short_label(model: str) -> str:
    """A model's short name cut to `_LABEL_CHARS` characters, for a chart: "Llama-3.2-1B-Instruct"."""
    name = short_name(model)
    return name if len(name) <= _LABEL_CHARS else name[: _LABEL_CHARS - 1] + "…"


def bar_labels(records: Sequence[ModelRecord]) -> list[str]:
    """One distinct label per bar, as plain text: the short name, or the full id (and provider) where short
    names clash."""
    shorts = [short_label(record.model) for record in records]
    labels = [
        short if shorts.count(short) == 1 else record.model for short, record in zip(shorts, records, strict=True)
    ]
    return [
        label if labels.count(label) == 1 else f"{label} ({record.provider})"
        for label, record in zip(labels, records, strict=True)
    ]


def _bar_labels(records: Sequence[ModelRecord]) -> list[str]:
    """`bar_labels` escaped for plotly."""
    return [html_text(label) for label in bar_labels(records)]


def _names_above_bars(figure: go.Figure, labels: Sequence[str]) -> None:
    """Write each bar's name above it, from the left edge, instead of beside it as a tick label."""
    figure.update_yaxes(autorange="reversed", type="category", showticklabels=False)
    figure.update_layout(
        bargap=0.5,
        annotations=[
            {
                "x": 0,
                "xref": "paper",
                "y": label,
                "yref": "y",
                "yshift": 9,
                "text": label,
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
            }
            for label in labels
        ],
    )


def log_ticks(values: Iterable[float], money: bool = True) -> dict[str, Any]:
    """Tick values and labels for a log axis over `values`: every decade ($0.0100, $0.100, $1.00, as the price
    columns write them), and 2 and 5 between them when the values span less than two decades, each labelled in
    full (no bare "2, 5")."""
    positive = [value for value in values if value > 0]
    if not positive:
        return {}
    low, high = math.log10(min(positive)), math.log10(max(positive))
    steps = (1.0,) if high - low >= 2 else (1.0, 2.0, 5.0)
    low, high = math.floor(low), math.ceil(high)
    ticks = [round(step * 10.0**power, 12) for power in range(low, high) for step in steps] + [round(10.0**high, 12)]
    text = [column_price(tick) if money else f"{tick:g}" for tick in ticks]  # as the price columns write them
    return {"tickmode": "array", "tickvals": ticks, "ticktext": text, "minor": {"showgrid": False}}


def _layout(figure: go.Figure, title: str, height: int = 480) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hoverlabel={"align": "left"},
        # Below the plot, horizontal: on a phone a legend at the side squeezes the plot to a sliver.
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
    )
    return figure


def model_of(record: ModelRecord) -> list[str]:
    """What a bar or point carries so a click can open its model's page: `[model id, provider]`."""
    return [record.model, record.provider]


def picked_model(points: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The model a chart selection names (its first point's `model_of`), or None."""
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list) and len(data) == 2 and all(isinstance(part, str) for part in data):
            return data[0], data[1]
    return None


def _size(record: ModelRecord) -> float:
    # Area grows with parameters; an unknown size gets its own hollow marker (see `_UNKNOWN_SIZE_SYMBOL`).
    return _UNKNOWN_SIZE if record.params_b is None else 6.0 + 3.0 * math.sqrt(record.params_b)


def _symbol(record: ModelRecord) -> str:
    return _UNKNOWN_SIZE_SYMBOL if record.params_b is None else "circle"


def _vendor_scatter(
    records: Sequence[ModelRecord],
    x: Callable[[ModelRecord], float],
    y: Callable[[ModelRecord], float],
    size: Callable[[ModelRecord], float],
    output_share: float,
    opacity: float,
    symbol: Callable[[ModelRecord], str] = lambda record: "circle",
) -> go.Figure:
    """A scatter with one trace (one colour, one legend entry) per vendor, every point hovering its model."""
    groups: dict[str, list[ModelRecord]] = {}
    for record in records:
        groups.setdefault(record.vendor or "unknown", []).append(record)
    figure = go.Figure()
    for vendor, color in vendor_colors(records).items():
        # Plotly draws a trace's legend symbol from its first point: a known size first, so a vendor's entry
        # is a dot unless all its models are of unknown size.
        group = sorted(groups[vendor], key=lambda record: symbol(record) != "circle")
        marker = {"color": color, "size": [size(r) for r in group], "symbol": [symbol(r) for r in group]}
        figure.add_trace(
            go.Scatter(
                x=[x(record) for record in group],
                y=[y(record) for record in group],
                mode="markers",
                name=html_text(vendor),
                marker={**marker, "opacity": opacity},
                hovertext=[hover(record, output_share) for record in group],
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=[model_of(record) for record in group],
            )
        )
    return figure


def price_scatter(records: Sequence[ModelRecord], output_share: float = 0.25) -> go.Figure:
    """Input against output price on log axes, one colour per vendor, marker size by parameters; a model of
    unknown size is a hollow diamond (with its own legend entry), never a small dot."""
    figure = _vendor_scatter(
        records,
        lambda record: record.input_usd_per_mtok,
        lambda record: record.output_usd_per_mtok,
        _size,
        output_share,
        opacity=0.8,
        symbol=_symbol,
    )
    unknown = sum(record.params_b is None for record in records)
    if unknown:
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"◇ size unknown ({unknown})",
                marker={"symbol": _UNKNOWN_SIZE_SYMBOL, "size": _UNKNOWN_SIZE, "color": _UNKNOWN_VENDOR_COLOR},
                hoverinfo="skip",
            )
        )
    figure.update_xaxes(type="log", title="Input USD per 1M tokens", **log_ticks(r.input_usd_per_mtok for r in records))
    figure.update_yaxes(
        type="log", title="Output USD per 1M tokens", **log_ticks(r.output_usd_per_mtok for r in records)
    )
    return _layout(figure, "Input vs output price<br>log axes · marker size = parameters", 600)


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
    figure.update_xaxes(
        type="log", title="Parameters (billions, log)", **log_ticks((r.params_b or 0.0 for r in sized), money=False)
    )
    figure.update_yaxes(
        type="log",
        title=f"{METRICS[metric]} USD per 1M tokens (log)",
        **log_ticks(price(record, metric, output_share) for record in sized),
    )
    left_out = len(records) - len(sized)
    return _layout(figure, f"{METRICS[metric]} price vs size<br>{left_out} of unknown size left out", 560)


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
        # The vendor's colour; a dashed line where the model before it on the frontier is of the same vendor.
        same_vendor = index > 0 and segments[index - 1].record.vendor == segment.record.vendor
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=html_text(short_label(segment.record.model)),
                line={
                    "color": vendor_color(segment.record.vendor),
                    "width": 3,
                    "dash": "dash" if same_vendor else "solid",
                },
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
    # Three significant digits, as the price columns write them ($0.0500, $0.100, $1.50).
    figure.update_yaxes(title="USD per 1M tokens", tickprefix="$", tickformat=".3r", row=1, col=1)
    figure.update_yaxes(title="% cheaper", ticksuffix="%", row=2, col=1)
    return _layout(figure, "Cheapest model by output share", 640)


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
    """Each model's monthly cost for the workload, cheapest at the top, in its vendor's colour; the baseline
    hatched and named so."""
    records = [line.record for line in lines]
    labels = [
        label + (" (baseline)" if record.model == baseline else "")
        for label, record in zip(_bar_labels(records), records, strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=[float(line.per_month_usd) for line in lines],  # the bars' lengths; their labels are exact
            y=labels,
            orientation="h",
            marker_color=[vendor_color(record.vendor) for record in records],
            marker_pattern_shape=["/" if record.model == baseline else "" for record in records],
            text=[money(line.per_month_usd) for line in lines],
            textposition="outside",
            cliponaxis=False,
            hovertext=[_monthly_hover(line) for line in lines],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    _names_above_bars(figure, labels)
    top = max((float(line.per_month_usd) for line in lines), default=1.0)
    figure.update_xaxes(side="top", range=[0, 1.2 * top or 1.0], **money_ticks(top))  # "$" on every tick: no title
    _layout(figure, "Monthly cost", max(260, _BAR_HEIGHT * len(lines) + 120))
    # Room for half the "$0.00" tick, centred on the bars' left edge: plotly hides a label past the figure.
    figure.update_layout(margin={"l": 24})
    return figure


def money_ticks(top: float) -> dict[str, Any]:
    """Round ticks from $0 to at least `top`, labelled as the bars are (`money`): $0.10 beside $0.10, not $0.1."""
    if top <= 0:
        return {"tickmode": "array", "tickvals": [0.0], "ticktext": [money(0.0)]}
    step = nice_step(top / 4)
    ticks = [round(index * step, 12) for index in range(math.floor(1.2 * top / step + 1e-9) + 1)]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [money(tick) for tick in ticks]}


def _monthly_hover(line: WorkloadCost) -> str:
    record = line.record
    return (
        f"<b>{html_text(record.model)}</b><br>{usd(line.per_month_usd)} per month · {usd(line.per_request_usd, 6)}"
        f" per request<br>input {usd(record.input_usd_per_mtok)} · output {usd(record.output_usd_per_mtok)}"
        " per 1M tokens"
    )
