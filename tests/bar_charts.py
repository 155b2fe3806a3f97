"""Read back the ranked bars a page drew with `catalog.dashboard.bars.ranked_bars` (through `st.html`), for tests:
the title, the scale's ticks, each bar (rank, name, link, tooltip, width, colour, value) and the legend."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Bar:
    rank: str = ""
    name: str = ""
    href: str | None = None
    target: str | None = None
    title: str | None = None
    width_pct: float = 0.0
    color: str = ""
    value: str = ""
    classes: str = ""


@dataclass
class BarChart:
    title: str = ""
    label: str = ""
    ticks: list[str] = field(default_factory=list)
    tick_positions: list[float] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (vendor, colour)
    tags: set[str] = field(default_factory=set)

    @property
    def names(self) -> list[str]:
        return [bar.name for bar in self.bars]

    @property
    def values(self) -> list[str]:
        return [bar.value for bar in self.bars]


def _style(attrs: dict[str, str | None], name: str) -> str:
    found = re.search(rf"(?:^|;)\s*{name}:([^;]*)", attrs.get("style") or "")
    return found.group(1).strip() if found else ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: list[BarChart] = []
        self._text: list[str] | None = None
        self._into = ""
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if "lpc-bars" in classes:
            self.charts.append(BarChart(label=found.get("aria-label") or ""))
        if not self.charts:
            return
        chart = self.charts[-1]
        chart.tags.add(tag)
        if "lpc-item" in classes:
            chart.bars.append(Bar(classes=found.get("class") or ""))
        bar = chart.bars[-1] if chart.bars else None
        if "lpc-title" in classes:
            self._start("title")
        elif "lpc-tick" in classes:
            chart.tick_positions.append(float(_style(found, "left").rstrip("%")))
            self._start("tick")
        elif "lpc-rank" in classes and bar is not None and "lpc-item" in bar.classes and not bar.rank:
            self._start("rank")
        elif tag == "a" and bar is not None:
            bar.href, bar.target, bar.title = found.get("href"), found.get("target"), found.get("title")
            self._start("name")
        elif "lpc-bar" in classes and bar is not None:
            bar.width_pct = float(_style(found, "width").rstrip("%"))
            bar.color = _style(found, "background")
        elif "lpc-value" in classes and bar is not None:
            self._start("value")
        elif "lpc-swatch" in classes:
            chart.legend.append(("", _style(found, "background")))
        elif "lpc-vendor" in classes:
            self._start("legend")
        elif self._text is not None:
            self._depth += 1

    def _start(self, into: str) -> None:
        self._text, self._into, self._depth = [], into, 0

    def handle_endtag(self, tag: str) -> None:
        if self._text is None:
            return
        if self._depth > 0:
            self._depth -= 1
            return
        text = "".join(self._text)
        chart = self.charts[-1]
        if self._into == "title":
            chart.title = text
        elif self._into == "tick":
            chart.ticks.append(text)
        elif self._into == "rank":
            chart.bars[-1].rank = text
        elif self._into == "name":
            chart.bars[-1].name = text
        elif self._into == "value":
            chart.bars[-1].value = text
        elif self._into == "legend":
            chart.legend[-1] = (text, chart.legend[-1][1])
        self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read_bar_charts(body: str) -> list[BarChart]:
    """Every ranked bar chart in an HTML body, in order."""
    reader = _Reader()
    reader.feed(body)
    reader.close()
    return reader.charts


def page_bar_charts(at: Any) -> list[BarChart]:
    """Every ranked bar chart an AppTest run drew, in page order."""
    return [chart for element in at.get("html") for chart in read_bar_charts(element.value)]
