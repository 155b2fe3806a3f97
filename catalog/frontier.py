"""The cheapest-model frontier: which model is cheapest as the output share of tokens goes from 0 to 1.

At output share s a model costs (1 − s) × input + s × output per 1M tokens: a straight line in s. The
cheapest model at each s is the lower envelope of those lines, found exactly: prices are read as the
decimals they were written as (`Fraction`), and each switch point is the crossing of two lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from catalog.records import ModelRecord, blended_price

#: Output shares sampled for the frontier chart: 0%, 1%, …, 100%.
DEFAULT_STEPS = 101


@dataclass(frozen=True, slots=True)
class PriceLine:
    """Models with the same input and output price: one line of price against output share."""

    input_usd: Fraction
    output_usd: Fraction
    records: tuple[ModelRecord, ...]

    @property
    def slope(self) -> Fraction:
        return self.output_usd - self.input_usd

    def at(self, share: Fraction) -> Fraction:
        return self.input_usd + share * self.slope


@dataclass(frozen=True, slots=True)
class FrontierSegment:
    """From `start` to `end` output share (exact), the models of `line` are the cheapest."""

    start: Fraction
    end: Fraction
    line: PriceLine

    @property
    def record(self) -> ModelRecord:
        """The model shown for the segment (the first id among equally priced models)."""
        return self.line.records[0]

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(record.model for record in self.line.records)


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """At one output share: the cheapest model, the runner-up and the margin between them."""

    share: float
    record: ModelRecord
    price: float
    tied: tuple[str, ...]
    runner_up: ModelRecord | None
    runner_up_price: float | None
    margin_usd: float | None
    margin_pct: float | None


def exact(price: float) -> Fraction:
    """A price as the decimal it was written as: 0.345 → 345/1000, not the nearest binary float."""
    return Fraction(repr(price))


def price_lines(records: Iterable[ModelRecord]) -> list[PriceLine]:
    """Models grouped by (input, output) price, each group's models in id order."""
    groups: dict[tuple[Fraction, Fraction], list[ModelRecord]] = {}
    for record in records:
        key = (exact(record.input_usd_per_mtok), exact(record.output_usd_per_mtok))
        groups.setdefault(key, []).append(record)
    return [
        PriceLine(key[0], key[1], tuple(sorted(members, key=lambda r: (r.model, r.provider))))
        for key, members in groups.items()
    ]


def frontier_segments(records: Iterable[ModelRecord]) -> list[FrontierSegment]:
    """The lower envelope of the models' price lines over output share [0, 1], as exact segments."""
    return _envelope(price_lines(records))


def _envelope(lines: Sequence[PriceLine]) -> list[FrontierSegment]:
    if not lines:
        return []
    start = Fraction(0)
    # At share 0 the cheapest input price wins; of equals, the one that grows slowest stays cheapest longest.
    current = min(lines, key=lambda line: (line.input_usd, line.slope, line.records[0].model))
    segments = []
    while True:
        crossing: tuple[Fraction, Fraction, str, PriceLine] | None = None
        for line in lines:
            if line.slope < current.slope:
                # Every flatter line is dearer than `current` at `start`, so it crosses after `start`.
                at = (line.input_usd - current.input_usd) / (current.slope - line.slope)
                candidate = (at, line.slope, line.records[0].model, line)
                if crossing is None or candidate[:3] < crossing[:3]:
                    crossing = candidate
        if crossing is None or crossing[0] >= 1:
            segments.append(FrontierSegment(start, Fraction(1), current))
            return segments
        segments.append(FrontierSegment(start, crossing[0], current))
        start, current = crossing[0], crossing[3]


def switch_points(segments: Sequence[FrontierSegment]) -> list[Fraction]:
    """The output shares where the cheapest model changes."""
    return [segment.start for segment in segments[1:]]


def segment_at(segments: Sequence[FrontierSegment], share: float) -> FrontierSegment:
    """The segment covering `share` (at a switch point, the segment that starts there)."""
    exact_share = Fraction(share)
    for segment in reversed(segments):
        if segment.start <= exact_share:
            return segment
    return segments[0]


def frontier_points(records: Iterable[ModelRecord], steps: int = DEFAULT_STEPS) -> list[FrontierPoint]:
    """The frontier sampled at `steps` evenly spaced output shares from 0 to 1, with margins over the runner-up."""
    if steps < 2:
        raise ValueError("steps must be at least 2")
    lines = price_lines(records)
    segments = _envelope(lines)
    floats = [(float(line.input_usd), float(line.output_usd), line) for line in lines]
    points = []
    for step in range(steps):
        share = step / (steps - 1)
        winner = segment_at(segments, share).line
        price = blended_price(float(winner.input_usd), float(winner.output_usd), share)
        others = [(blended_price(i, o, share), line) for i, o, line in floats if line is not winner]
        runner = min(others, key=lambda pair: (pair[0], pair[1].records[0].model), default=None)
        # At a switch point float rounding could make the margin a hair below zero; it is zero there.
        margin = max(runner[0] - price, 0.0) if runner else None
        points.append(
            FrontierPoint(
                share=share,
                record=winner.records[0],
                price=price,
                tied=tuple(record.model for record in winner.records),
                runner_up=runner[1].records[0] if runner else None,
                runner_up_price=runner[0] if runner else None,
                margin_usd=margin,
                margin_pct=100.0 * margin / runner[0] if runner and margin is not None and runner[0] > 0 else None,
            )
        )
    return points
