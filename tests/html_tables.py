"""Read back the tables a page drew with `catalog.dashboard.html_table` (through `st.html`), for AppTest tests:
the header labels, each row's cell texts by label, and the links in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Table:
    """One drawn table: `rows` maps each header label to the cell's text; `links` to the cell's href or None;
    `titles` to its tooltip or None."""

    label: str
    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str | None]] = field(default_factory=list)
    titles: list[dict[str, str | None]] = field(default_factory=list)
    #: Each row's phone texts (`Cell.short`), by label, where a cell has one.
    phone: list[dict[str, str]] = field(default_factory=list)
    #: Each header's link (a header that sorts), by label, or None.
    header_links: dict[str, str | None] = field(default_factory=dict)

    def column(self, label: str) -> list[str]:
        return [row[label] for row in self.rows]

    def model_ids(self, label: str = "Model") -> list[str]:
        """Each row's model id, read from the `id=` of the link in its `label` cell (the model's page)."""
        return [parse_qs(urlsplit(links[label] or "").query)["id"][0] for links in self.links]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._cell: list[str] | None = None
        self._href: str | None = None
        self._title: str | None = None
        self._row: list[tuple[str, str | None, str | None]] | None = None
        self._in_head = False
        self._short: list[str] | None = None
        self._shorts: dict[int, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.tables.append(Table(found.get("aria-label") or "", []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._row, self._shorts = [], {}
        elif tag in ("td", "th"):
            self._cell, self._href, self._title = [], None, found.get("title")
        elif tag == "a" and self._cell is not None:
            self._href = found.get("href")
        elif tag == "span" and self._cell is not None and found.get("class") == "lpc-short":
            self._short = []
        elif tag == "span" and self._cell is not None and found.get("title"):
            self._title = self._title or found.get("title")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._short is not None and self._row is not None:
            self._shorts[len(self._row)] = "".join(self._short)
            self._short = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(("".join(self._cell), self._href, self._title))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if self._in_head:
                table.columns = [text for text, _, _ in self._row]
                table.header_links = {text: href for text, href, _ in self._row}
            else:
                table.rows.append({label: text for label, (text, _, _) in zip(table.columns, self._row, strict=True)})
                table.links.append({label: href for label, (_, href, _) in zip(table.columns, self._row, strict=True)})
                table.titles.append(
                    {label: title for label, (_, _, title) in zip(table.columns, self._row, strict=True)}
                )
                table.phone.append({table.columns[index]: text for index, text in self._shorts.items()})
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._short is not None:
            self._short.append(data)  # the phone's text: not the cell's (desktop) text
        elif self._cell is not None:
            self._cell.append(data)


def read_tables(body: str) -> list[Table]:
    """Every table in an HTML body, in order."""
    reader = _Reader()
    reader.feed(body)
    reader.close()
    return reader.tables


def page_tables(at: Any) -> list[Table]:
    """Every HTML table an AppTest run drew, in page order."""
    return [table for element in at.get("html") for table in read_tables(element.value)]


def page_table(at: Any, label: str) -> Table:
    """The table an AppTest run drew under `label` (its aria-label)."""
    tables = [table for table in page_tables(at) if table.label == label]
    assert tables, f"no table {label!r}; drawn: {[table.label for table in page_tables(at)]}"
    return tables[0]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip = tag == "style"
        if tag == "li" and self.parts:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def read_lines(body: str) -> list[str]:
    """The text lines (list items) of one `st.html` body."""
    reader = _Text()
    reader.feed(body)
    return [line for line in "".join(reader.parts).split("\n") if line]


def html_lines_of(block: Any) -> list[str]:
    """The text lines (list items) of every `st.html` in an AppTest block, e.g. `at.sidebar`."""
    return [line for element in block.get("html") for line in read_lines(element.value)]


class _Stats(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, dict[str, str]] = {}
        self.notes: dict[str, dict[str, list[str]]] = {}
        self._list: dict[str, str] | None = None
        self._label = ""
        self._term: list[str] | None = None
        self._value: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "dl":
            self._label = dict(attrs).get("aria-label") or ""
            self._list = self.found.setdefault(self._label, {})
        elif tag == "dt":
            self._term = []
        elif tag == "dd":
            self._value = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "dt" and self._term is not None:
            self._name, self._term = "".join(self._term), None
        elif tag == "dd" and self._value is not None and self._list is not None:
            if self._name in self._list:  # the value came first: this is a note under it
                self.notes.setdefault(self._label, {}).setdefault(self._name, []).append("".join(self._value))
            else:
                self._list[self._name] = "".join(self._value)
            self._value = None

    def handle_data(self, data: str) -> None:
        for part in (self._term, self._value):
            if part is not None:
                part.append(data)


def page_stats(at: Any, label: str) -> dict[str, str]:
    """The figures (label → value) an AppTest run drew with `html_stats` under `label`."""
    return _read_stats(at, label).found[label]


def page_stat_notes(at: Any, label: str) -> dict[str, list[str]]:
    """The notes under each figure (label → notes) drawn with `html_stats` under `label`."""
    return _read_stats(at, label).notes.get(label, {})


def _read_stats(at: Any, label: str) -> _Stats:
    reader = _Stats()
    for element in at.get("html"):
        reader.feed(element.value)
    assert label in reader.found, f"no figures {label!r}; drawn: {list(reader.found)}"
    return reader
