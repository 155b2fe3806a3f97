"""Tables as plain HTML for `st.html`: on screen as soon as the page's text, where `st.dataframe` first loads
its grid's JavaScript (about half a second more before a first-time visitor sees anything).

Every text is escaped here, so a model id or provider name can never become markup; links are the
dashboard's own relative URLs (a model's page, the Playground). The first column can be pinned, so a
phone shows a model's name beside its prices while the rest scrolls sideways; a cut name keeps its full
text in a tooltip. On a wider screen too narrow for every column, the columns marked `hide` give way, least
useful first: the table estimates each column's width from the font's metrics, and a CSS container query per
level hides them while the table's box is narrower than the rest need (it follows the window and the side panel).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from catalog.literal import html_text

#: What an empty cell shows: the page or the model card does not say.
EMPTY = "—"

#: One stylesheet for every table, scoped by its class names. Colours are translucent, so a dark theme
#: keeps its own background; the pinned column and the header take the theme's background colour.
STYLE = """<style>
.lpc-wrap{overflow:auto;border:1px solid rgba(128,128,128,.25);border-radius:.5rem;margin-bottom:.5rem}
.lpc-table{border-collapse:separate;border-spacing:0;width:100%;font-size:.875rem;line-height:1.35;
  font-variant-numeric:tabular-nums}
.lpc-table th,.lpc-table td{padding:.4rem .55rem;border-bottom:1px solid rgba(128,128,128,.18);
  white-space:nowrap;text-align:left;vertical-align:top}
.lpc-table th{position:sticky;top:0;z-index:2;font-weight:600;background:var(--lpc-bg,#fff);white-space:normal;
  vertical-align:bottom}
.lpc-table .lpc-keep{white-space:nowrap}
.lpc-table th[title]{text-decoration:underline dotted rgba(128,128,128,.6);text-underline-offset:3px}
.lpc-table .num{text-align:right}
.lpc-table .wrap{white-space:normal;overflow-wrap:anywhere;min-width:8rem}
.lpc-table .pin{position:sticky;left:0;z-index:1;background:var(--lpc-bg,#fff);max-width:22rem;
  overflow:hidden;text-overflow:ellipsis;border-right:1px solid rgba(128,128,128,.18)}
.lpc-table th.pin{z-index:3}
.lpc-table tbody tr:hover td{background-image:linear-gradient(rgba(128,128,128,.08),rgba(128,128,128,.08))}
.lpc-table a{color:var(--lpc-link,#0068c9);text-decoration:none}
.lpc-table a:hover{text-decoration:underline}
.lpc-table .empty{opacity:.55}
.lpc-lines,.stHtml ul.lpc-lines{list-style:none;margin:0 0 .25rem;padding:0;font-size:.875rem;line-height:1.5;
  color:rgba(128,128,128,1)}
.lpc-lines a,.lpc-summary a{color:var(--lpc-link,#0068c9);text-decoration:none}
.lpc-stats,.stHtml dl.lpc-stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.75rem 1rem;
  margin:0 0 .5rem;padding:0}
.lpc-stats dt{font-size:.875rem;opacity:.75;font-weight:400}
.lpc-stats dd{margin:0;font-size:2rem;line-height:1.25;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.lpc-stats dd.lpc-note{font-size:.875rem;line-height:1.5;opacity:.75}
.lpc-stats dd.lpc-good{color:#09ab3b;opacity:1}
.lpc-stats dd.lpc-bad{color:#ff2b2b;opacity:1}
.lpc-short{display:none}
.lpc-table th a{color:inherit}
@media (max-width:640px){.lpc-table{font-size:.8125rem}.lpc-table .pin{max-width:10rem}
  .lpc-table th,.lpc-table td{padding:.35rem .5rem}.lpc-long{display:none}.lpc-short{display:inline}}
</style>"""


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header, a tooltip saying what it holds, right-aligned numbers, pinned to the left, wrapped."""

    label: str
    help: str | None = None
    numeric: bool = False
    pinned: bool = False
    #: Long texts wrap onto more lines instead of widening the table (a fact's value, a note).
    wrap: bool = False
    #: A link the header opens (the same view sorted by this column), or None.
    href: str | None = None
    #: When a screen (wider than a phone) is too narrow for every column, the columns of level 1 hide first, then
    #: those of level 2, and so on; 0 never hides. A phone keeps them all and scrolls sideways.
    hide: int = 0


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its text, a link (the dashboard's own relative URL), a tooltip (a line a fact, by "\\n").
    `None` text is an empty cell."""

    text: str | None
    href: str | None = None
    title: str | None = None
    new_tab: bool = True
    #: The link leaves the dashboard (a provider's page, from the operator's configuration): http(s) only.
    external: bool = False
    strong: bool = False
    #: The text on a phone (narrower than 640 px), where the pinned column is narrow: `catalog.dashboard.names`.
    short: str | None = None


def html_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell | str | None]],
    *,
    label: str,
    max_height: int | None = None,
    dark: bool = False,
) -> str:
    """The rows as an HTML table under `columns`, for `st.html`: the page scrolls, not the table (one scrollbar),
    unless `max_height` pixels bound a box that scrolls on its own. A header wraps between its words when the
    columns would not fit otherwise; a row's cells do not (only `wrap` columns), so rows stay one line.

    A cell is a `Cell`, plain text, or `None` (shown as "—", with the column's tooltip). `label` names the
    table for screen readers."""
    table = [[cell if isinstance(cell, Cell) else Cell(cell) for cell in row] for row in rows]
    head = "".join(_header(column) for column in columns)
    body = "".join(
        "<tr>" + "".join(_cell(column, cell) for column, cell in zip(columns, row, strict=True)) + "</tr>"
        for row in table
    )
    height = f"max-height:{max_height}px;" if max_height else ""
    background = "--lpc-bg:#0e1117;--lpc-link:#58a6ff;" if dark else ""
    fit, scope = _fitting(columns, table, label), ""
    if fit:
        scope = f" lpc-fit {_scope(label)}"
    return (
        f'{STYLE}{fit}<div class="lpc-wrap{scope}" style="{height}{background}">'
        f'<table class="lpc-table" aria-label="{_escape(label)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


# How wide a text comes out: Source Sans's advance widths (Streamlit's font), in thousandths of an em, as headless
# Chromium measured them for the printable ASCII characters; a character outside counts as a whole em, so a text of
# other scripts is taken wider than it is, never narrower. Against widths Chromium drew, within about 1%.
#: Regular (400), then semibold (600), for the characters from " " (32) to "~" (126).
_REGULAR = (
    200, 289, 426, 497, 497, 824, 609, 249, 303, 303, 418, 497, 249, 311, 249, 350, 497, 497, 497, 497, 497, 497,
    497, 497, 497, 497, 249, 249, 497, 497, 497, 425, 847, 543, 588, 571, 615, 527, 494, 617, 652, 263, 479, 579,
    486, 727, 647, 664, 566, 664, 569, 534, 536, 645, 515, 786, 513, 476, 539, 303, 350, 303, 497, 500, 542, 504,
    553, 456, 555, 496, 292, 504, 544, 246, 247, 495, 255, 829, 547, 542, 555, 555, 347, 419, 338, 544, 467, 719,
    446, 467, 425, 303, 241, 303, 497,
)  # fmt: skip
_SEMIBOLD = (
    200, 315, 482, 513, 513, 841, 639, 275, 324, 324, 438, 513, 275, 322, 275, 344, 513, 513, 513, 513, 513, 513,
    513, 513, 513, 513, 275, 275, 513, 513, 513, 444, 875, 558, 597, 576, 625, 538, 510, 628, 663, 282, 494, 597,
    502, 745, 657, 674, 582, 674, 592, 545, 546, 655, 536, 800, 541, 501, 540, 324, 344, 324, 513, 500, 549, 516,
    563, 462, 564, 507, 317, 520, 558, 262, 263, 522, 271, 843, 560, 549, 564, 564, 373, 431, 361, 556, 495, 748,
    481, 495, 443, 324, 255, 324, 513,
)  # fmt: skip
#: The marks the tables write beside a text: ▲ ▼ (sort), ↗ (opens elsewhere), — (empty), ⚠ (doubted), ★.
_MARKS = {"▲": 600, "▼": 600, "↗": 619, "—": 800, "⚠": 896, "★": 896, "×": 497, "−": 497}
_EM = 1000


def text_px(text: str, font_px: float, *, bold: bool = False) -> float:
    """The width of one line of `text` at `font_px`, in CSS pixels (no kerning: a little wide)."""
    table = _SEMIBOLD if bold else _REGULAR
    units = 0
    for char in text:
        code = ord(char)
        units += table[code - 32] if 32 <= code < 127 else _MARKS.get(char, _EM)
    return units * font_px / _EM


def widest_px(texts: Iterable[str], font_px: float, *, bold: bool = False) -> float:
    """The widest of `texts` (0 for none)."""
    return max((text_px(text, font_px, bold=bold) for text in texts), default=0.0)


#: The table's font size and a cell's padding and border, in CSS pixels (`STYLE`, wider than a phone).
FONT_PX, CELL_PX = 14.0, 2 * 0.55 * 16 + 1
#: Screens narrower than this (phones) keep every column and scroll sideways.
FIT_FROM_PX = 600
#: Room kept for what the width estimate misses (kerning, rounding).
FIT_MARGIN = 1.02


def column_px(column: Column, cells: Sequence[Cell]) -> float:
    """The narrowest a column can be drawn: its widest cell (cells never wrap unless `wrap`) or its header's
    widest word (headers wrap between words; a sort mark stays with the word before it)."""
    words = column.label.split(" ")
    if len(words) > 1 and words[-1] in SORT_MARKS:
        words[-2:] = [" ".join(words[-2:])]
    header = widest_px(words, FONT_PX, bold=True)
    if column.wrap:
        return max(header, 8 * 16) + CELL_PX  # `.wrap`: min-width 8rem
    if column.pinned:  # `.pin`: at most 22rem, a longer name cut (its full text in the tooltip)
        return min(max(header, widest_px((cell.text or "" for cell in cells), FONT_PX)), 22 * 16) + CELL_PX
    plain = widest_px((cell.text for cell in cells if cell.text and not cell.strong), FONT_PX)
    strong = widest_px((cell.text for cell in cells if cell.text and cell.strong), FONT_PX, bold=True)
    empty = text_px(EMPTY, FONT_PX) if any(not cell.text for cell in cells) else 0.0
    return max(header, plain, strong, empty) + CELL_PX


def _fitting(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], label: str) -> str:
    """The style that hides the columns of each `hide` level, lowest first, while the table's box is narrower
    than the columns still shown need (CSS container queries: it follows the screen and the side panel)."""
    levels = sorted({column.hide for column in columns if column.hide})
    if not levels:
        return ""
    widths = [column_px(column, [row[index] for row in rows]) for index, column in enumerate(columns)]
    needed = sum(widths)
    rules = []
    for level in levels:
        rules.append(
            f"@container (min-width:{FIT_FROM_PX}px) and (max-width:{math.ceil(needed * FIT_MARGIN)}px)"
            f"{{.{_scope(label)} .lpc-h{level}{{display:none}}}}"
        )
        needed -= sum(width for width, column in zip(widths, columns, strict=True) if column.hide == level)
    return f"<style>.lpc-fit{{container-type:inline-size}}{''.join(rules)}</style>"


def _scope(label: str) -> str:
    return "lpc-t-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _classes(column: Column) -> str:
    names = [name for name, on in (("num", column.numeric), ("pin", column.pinned), ("wrap", column.wrap)) if on]
    if column.hide:
        names.append(f"lpc-h{column.hide}")
    return f' class="{" ".join(names)}"' if names else ""


def _header(column: Column) -> str:
    title = f' title="{_escape(column.help)}"' if column.help else ""
    label = _label(column.label)
    if column.href is not None:  # a header that sorts: the dashboard's own link, in this tab
        label = _linked(Cell(column.label, href=column.href, new_tab=False), label)
    return f'<th scope="col"{_classes(column)}{title}>{label}</th>'


#: The marks a sorted column's header ends with (`catalog.dashboard.tables.sort_marker`).
SORT_MARKS = ("▲", "▼")


def _label(label: str) -> str:
    """A header's text, escaped; its sort mark kept beside the word before it when the header wraps."""
    if not label.endswith(SORT_MARKS):
        return _escape(label)
    head, space, last = label[:-1].rstrip().rpartition(" ")
    kept = f"{last} {label[-1]}" if last else label[-1]
    return f'{_escape(head + space)}<span class="lpc-keep">{_escape(kept)}</span>'


def _cell(column: Column, cell: Cell) -> str:
    if cell.text is None or cell.text == "":
        title = cell.title or column.help
        tip = f' title="{html_title(title)}"' if title else ""
        return f'<td{_classes(column)}><span class="empty"{tip}>{EMPTY}</span></td>'
    title = f' title="{html_title(cell.title)}"' if cell.title else ""
    return f"<td{_classes(column)}{title}>{html_link(replace(cell, title=None))}</td>"


def html_lines(lines: Iterable[Sequence[Cell | str]], *, label: str) -> str:
    """Short lines of text and links for `st.html` (a list of pages, a summary), parts joined by " · "."""
    items = "".join(
        "<li>" + " · ".join(html_link(part if isinstance(part, Cell) else Cell(part)) for part in line) + "</li>"
        for line in lines
    )
    return f'{STYLE}<ul class="lpc-lines" aria-label="{_escape(label)}">{items}</ul>'


@dataclass(frozen=True, slots=True)
class Stat:
    """A figure: its label, its value, and short notes under it; `good` colours the first note green (True) or
    red (False), as a cost that falls or rises."""

    label: str
    value: str
    notes: tuple[str, ...] = ()
    good: bool | None = None


def html_stats(stats: Sequence[Stat | tuple[str, str]], *, label: str) -> str:
    """Figures with their labels, big, side by side (stacked on a phone), like `st.metric` without its code."""
    items = []
    for stat in stats:
        stat = stat if isinstance(stat, Stat) else Stat(*stat)
        notes = "".join(
            f'<dd class="lpc-note{_tone(stat.good) if number == 0 else ""}">{_escape(note)}</dd>'
            for number, note in enumerate(stat.notes)
        )
        items.append(f"<div><dt>{_escape(stat.label)}</dt><dd>{_escape(stat.value)}</dd>{notes}</div>")
    return f'{STYLE}<dl class="lpc-stats" aria-label="{_escape(label)}">{"".join(items)}</dl>'


def _tone(good: bool | None) -> str:
    return "" if good is None else " lpc-good" if good else " lpc-bad"


def html_link(cell: Cell) -> str:
    """The cell's text, escaped, inside its link if it has one (checked: never a script or another site's
    link unless marked external, and then http(s) only), its title a tooltip on the link."""
    text = _escape(cell.text or "")
    if cell.short is not None and cell.short != cell.text:
        text = f'<span class="lpc-long">{text}</span><span class="lpc-short">{_escape(cell.short)}</span>'
    if cell.strong:
        text = f"<strong>{text}</strong>"
    return _linked(cell, text)


def _linked(cell: Cell, text: str) -> str:
    """`text` (HTML, already escaped) inside the cell's link, if it has one (checked as `html_link` says)."""
    if cell.href is None:
        return text
    if cell.external:
        if not cell.href.startswith(("https://", "http://")):
            raise ValueError(f"not an http(s) link: {cell.href[:80]!r}")
    elif not cell.href.startswith(("/", "?")) or cell.href.startswith("//"):
        raise ValueError(f"not one of the dashboard's own links: {cell.href[:80]!r}")
    target = ""
    if cell.external:
        target = ' target="_blank" rel="noopener noreferrer"'  # another site learns nothing of the dashboard
    elif cell.new_tab:
        target = ' target="_blank" rel="noopener"'
    title = f' title="{html_title(cell.title)}"' if cell.title else ""
    return f'<a href="{_escape(cell.href)}"{target}{title}>{text}</a>'


def keep_room(key: str, height_px: int, phone_height_px: int | None = None) -> str:
    """A style for `st.html` that keeps `height_px` (on a phone, narrower than 640 px, `phone_height_px`) for
    the container `st.container(key=key)`: room held for widgets drawn into it after the first-visit pause,
    so what is below does not jump when they arrive. The container must already show something."""
    phone = f"@media (max-width:640px){{.st-key-{key}{{min-height:{phone_height_px}px}}}}" if phone_height_px else ""
    return f"<style>.st-key-{key}{{min-height:{height_px}px}}{phone}</style>"


def html_title(text: str) -> str:
    """A `title` attribute's value: `text` escaped, its line breaks kept (a tooltip of one fact a line)."""
    return "&#10;".join(_escape(line) for line in text.split("\n"))


def _escape(text: str) -> str:
    return html_text(text)
