"""The Charts page's first content as plain HTML for `st.html`: the ranked price bars, and the frontier's table.

Plain HTML is on screen with the page's text, where a plotly chart first loads 4.7 MB of JavaScript. Each bar
names its model (a link to the model's page, the full id and prices in its tooltip), is drawn in its vendor's
colour (the same as on every plotly chart) and is labelled with its price; a scale runs along the top. Every
text is escaped here with `catalog.literal.html_text`; the only links are the dashboard's own model pages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.costs import usd
from catalog.dashboard.figures import MAX_BARS, METRICS, bar_labels, cheapest, price, vendor_color, vendor_colors
from catalog.dashboard.html_table import Cell, Column, html_link, html_table, html_title
from catalog.dashboard.model_page import model_link, price_text
from catalog.dashboard.prices import column_price, nice_step
from catalog.dashboard.view import ChartMetric
from catalog.frontier import FrontierSegment
from catalog.literal import html_text
from catalog.records import ModelRecord, blended_price

#: On a log scale the smallest price is drawn at least this wide (percent of the scale), so it stays visible.
LOG_FLOOR_PCT = 1.5
#: What a free model's bar says.
FREE = "$0 · free"

#: Scoped by class names; greys are translucent so a dark theme keeps its own background and text colour.
#: A row is rank, name, bar; on a phone the name sits on its own line above a full-width bar.
STYLE = """<style>
.lpc-bars{font-size:.875rem;line-height:1.3;font-variant-numeric:tabular-nums;margin:.25rem 0 .5rem}
.lpc-bars .lpc-title{font-weight:600;margin:0 0 .2rem}
.lpc-bars .lpc-row{display:grid;grid-template-columns:2.25rem 17rem minmax(0,1fr);align-items:center}
.lpc-bars .lpc-item:hover{background:rgba(128,128,128,.08)}
.lpc-bars .lpc-rank{text-align:right;padding-right:.6rem;opacity:.55;font-size:.8125rem}
.lpc-bars .lpc-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding-right:.75rem}
.lpc-bars .lpc-name a{color:inherit;text-decoration:none}
.lpc-bars .lpc-name a:hover{text-decoration:underline}
.lpc-bars .lpc-head{opacity:.6;font-size:.75rem}
.lpc-bars .lpc-track{position:relative;height:1.7rem;margin-right:5.5rem;
  background-image:linear-gradient(to right,rgba(128,128,128,.2) 1px,transparent 1px);
  background-size:var(--lpc-step,25%) 100%}
.lpc-bars .lpc-bar{position:absolute;left:0;top:.4rem;height:.9rem;min-width:3px;border-radius:0 3px 3px 0;
  box-shadow:inset 0 0 0 1px rgba(128,128,128,.4)}
.lpc-bars .lpc-free .lpc-bar{opacity:.55}
.lpc-bars .lpc-value{position:absolute;top:0;line-height:1.7rem;padding-left:.4rem;white-space:nowrap;
  font-size:.8125rem}
.lpc-bars .lpc-scale .lpc-track{height:1.35rem;background:none;border-bottom:1px solid rgba(128,128,128,.35)}
.lpc-bars .lpc-tick{position:absolute;bottom:.2rem;transform:translateX(-50%);white-space:nowrap;
  font-size:.75rem;opacity:.7}
.lpc-bars .lpc-tick.lpc-first{transform:none}
.lpc-bars .lpc-legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin-top:.6rem;font-size:.8125rem}
.lpc-bars .lpc-swatch{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.35rem;
  vertical-align:-.05rem}
@media (max-width:640px){
  .lpc-bars .lpc-row{grid-template-columns:1.75rem minmax(0,1fr)}
  .lpc-bars .lpc-rank{padding-right:.4rem}
  .lpc-bars .lpc-item .lpc-name,.lpc-bars .lpc-item .lpc-rank{padding-top:.35rem}
  .lpc-bars .lpc-track{grid-column:1/-1;height:1.3rem;margin-right:4.75rem}
  .lpc-bars .lpc-bar{top:.2rem}
  .lpc-bars .lpc-value{line-height:1.3rem}
  .lpc-bars .lpc-scale .lpc-rank,.lpc-bars .lpc-scale .lpc-head{display:none}
}
</style>"""


@dataclass(frozen=True, slots=True)
class Tick:
    """A mark on the scale: where it sits (percent of the scale's width) and its label."""

    at_pct: float
    text: str


def ranked_bars(
    records: Sequence[ModelRecord],
    metric: ChartMetric = "blended",
    output_share: float = 0.25,
    log_scale: bool = False,
    limit: int = MAX_BARS,
) -> str:
    """The `limit` (at most `MAX_BARS`) cheapest models by one price, cheapest first, as HTML bars."""
    ranked = cheapest(records, metric, output_share, min(limit, MAX_BARS))
    values = [price(record, metric, output_share) for record in ranked]
    widths = bar_widths(values, log_scale)
    ticks = scale_ticks(values, log_scale)
    step = ticks[1].at_pct - ticks[0].at_pct if len(ticks) > 1 else 100.0
    title = scale_title(metric, output_share, log_scale)
    head = '<span class="lpc-rank"></span><span class="lpc-name lpc-head">Model</span>'
    marks = "".join(
        f'<span class="lpc-tick{" lpc-first" if index == 0 else ""}" style="left:{tick.at_pct:.3f}%">'
        f"{html_text(tick.text)}</span>"
        for index, tick in enumerate(ticks)
    )
    rows = "".join(
        _row(rank, record, label, value, width, metric, output_share)
        for rank, (record, label, value, width) in enumerate(
            zip(ranked, bar_labels(ranked), values, widths, strict=True), start=1
        )
    )
    legend = "".join(
        f'<span class="lpc-key"><span class="lpc-swatch" style="background:{color}"></span>'
        f'<span class="lpc-vendor">{html_text(vendor)}</span></span>'
        for vendor, color in vendor_colors(ranked).items()
    )
    return (
        f'{STYLE}<div class="lpc-bars" role="figure" aria-label="{html_text(title)}" style="--lpc-step:{step:.3f}%">'
        f'<div class="lpc-title">{html_text(title)}</div>'
        f'<div class="lpc-row lpc-scale">{head}<div class="lpc-track">{marks}</div></div>'
        f'<div class="lpc-list">{rows}</div><div class="lpc-legend">{legend}</div></div>'
    )


def _row(
    rank: int, record: ModelRecord, label: str, value: float, width: float, metric: ChartMetric, share: float
) -> str:
    facts = "\n".join(tooltip(record, share))
    free = " lpc-free" if value == 0 else ""
    name = html_link(Cell(label, href=model_link(record.model, record.provider), title=facts))
    return (
        f'<div class="lpc-row lpc-item{free}"><span class="lpc-rank">{rank}</span>'
        f'<span class="lpc-name">{name}</span><div class="lpc-track" title="{html_title(facts)}">'
        f'<span class="lpc-bar" style="width:{width:.3f}%;background:{vendor_color(record.vendor)}"></span>'
        f'<span class="lpc-value" style="left:{width:.3f}%">{html_text(value_text(value, metric))}</span></div></div>'
    )


def tooltip(record: ModelRecord, output_share: float) -> list[str]:
    """A bar's tooltip, one fact a line: the full id, the provider, the three prices per 1M tokens."""
    blended = blended_price(record.input_usd_per_mtok, record.output_usd_per_mtok, output_share)
    return [
        record.model,
        f"on {record.provider}",
        f"input {price_text(record.input_usd_per_mtok)} · output {price_text(record.output_usd_per_mtok)}",
        f"blended {usd(blended, significant=3)} per 1M tokens at {100 * output_share:g}% output",
    ]


def value_text(value: float, metric: ChartMetric) -> str:
    """A bar's label, in the shape of every price column (`catalog.dashboard.prices`): $0.0225, $0.0350, $0.100,
    whichever price the bars measure; a free model's bar says so."""
    return FREE if value == 0 else column_price(value)


def scale_title(metric: ChartMetric, output_share: float, log_scale: bool) -> str:
    """What the bars measure: "Blended price, USD per 1M tokens (75% input + 25% output), log scale"."""
    mix = ""
    if metric == "blended":
        output_pct = round(100 * output_share, 2)
        mix = f" ({100 - output_pct:g}% input + {output_pct:g}% output)"
    return f"{METRICS[metric]} price, USD per 1M tokens{mix}" + (", log scale" if log_scale else "")


def _log_range(values: Sequence[float]) -> tuple[int, int] | None:
    """The decades the positive values span (lowest decade at or below the smallest, highest at or above the
    largest), or None if none is positive."""
    positive = [value for value in values if value > 0]
    if not positive:
        return None
    low = math.floor(math.log10(min(positive)) + 1e-12)
    high = math.ceil(math.log10(max(positive)) - 1e-12)
    return low, max(high, low + 1)


def bar_widths(values: Sequence[float], log_scale: bool) -> list[float]:
    """Each bar's width in percent of the scale: its share of the largest value, or on a log scale its place
    between the decades around the values (at least `LOG_FLOOR_PCT`); a free model's bar is 0 (a stub)."""
    if log_scale:
        span = _log_range(values)
        if span is None:
            return [0.0 for _ in values]
        low, high = span
        return [
            max(LOG_FLOOR_PCT, 100 * (math.log10(value) - low) / (high - low)) if value > 0 else 0.0 for value in values
        ]
    top = max(values, default=0.0)
    return [100 * value / top if top > 0 else 0.0 for value in values]


def scale_ticks(values: Sequence[float], log_scale: bool) -> list[Tick]:
    """The scale's marks: on a linear scale $0 and round steps up to the largest value; on a log scale every
    decade ($0.01, $0.1, $1) from below the smallest value to above the largest."""
    if log_scale:
        span = _log_range(values)
        if span is None:
            return [Tick(0.0, tick_text(0.0))]
        low, high = span
        return [Tick(100 * (power - low) / (high - low), tick_text(10.0**power)) for power in range(low, high + 1)]
    top = max(values, default=0.0)
    if top <= 0:
        return [Tick(0.0, tick_text(0.0))]
    step = nice_step(top / 6)  # four to seven ticks: readable on a phone
    count = math.floor(top / step + 1e-9)
    return [Tick(100 * index * step / top, tick_text(round(index * step, 12))) for index in range(count + 1)]


def tick_text(value: float) -> str:
    """A scale label in the bars' own shape, so a tick reads like the label beside it: $0.00, $0.0500, $0.100,
    $2.50."""
    return column_price(value)


#: The frontier's table: who is cheapest over which range of output shares, at what prices.
FRONTIER_COLUMNS = (
    Column("Cheapest model(s)", "The cheapest model over this range of output shares (ties all named)", pinned=True),
    Column("From output %", "Output share of tokens where this range starts", numeric=True),
    Column("To output %", "Output share of tokens where this range ends", numeric=True),
    Column("Input $/1M", "Input price per 1M tokens, as the provider's page writes it", numeric=True),
    Column("Output $/1M", "Output price per 1M tokens, as the provider's page writes it", numeric=True),
)


def frontier_table(segments: Sequence[FrontierSegment]) -> str:
    """The frontier's segments as an HTML table labelled "Frontier"; each model's name links to its page."""
    rows = [
        (
            Cell(
                ", ".join(segment.models),
                href=model_link(segment.record.model, segment.record.provider),
                title=", ".join(segment.models),
            ),
            f"{100 * float(segment.start):.2f}%",
            f"{100 * float(segment.end):.2f}%",
            price_text(float(segment.line.input_usd)),
            price_text(float(segment.line.output_usd)),
        )
        for segment in segments
    ]
    return html_table(FRONTIER_COLUMNS, rows, label="Frontier", max_height=None)
