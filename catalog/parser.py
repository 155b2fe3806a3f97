"""Read a Lava AI-gateway provider page (markdown/MDX) into provider metadata and price rows.

The page is read line by line, once. Code fences and blockquotes are skipped; every markdown table
is classified by its header, and only per-1M-token price tables (`| Model | Input / 1M tokens |
Output / 1M tokens |`) give model rows. Anything a price table holds that is not a clean price is
a `ParseError` naming the line: rows are never dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from catalog.records import ParsedPage, ParseError, PriceRow, ProviderInfo

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_H1 = re.compile(r"#\s+(.+?)\s*#*\s*$")
_HEADING = re.compile(r" {0,3}#{1,6}\s")
_CLAIMED = re.compile(r"offers\s+(\d{1,9})\s+models?\b", re.IGNORECASE)
_AUTH = re.compile(r"Authentication uses\s+`([^`]+)`", re.IGNORECASE)
_TARGET = re.compile(r"\*\*Target URL:?\*\*:?\s*`([^`]+)`", re.IGNORECASE)
_MODE = re.compile(r"\*\*(managed|unmanaged)\*\*", re.IGNORECASE)
_SEPARATOR_CELL = re.compile(r":?-+:?")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|$<>~])")
_PRICE = re.compile(
    r"(?P<sign>[-−]?)\s*\\?\$?\s*(?P<sign2>[-−]?)\s*"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
)
_SPACES = re.compile(r"\s+")
# The common row shape, `| id | $1.00 | \\$2.50 |`, read in one match; anything else takes the careful path.
# Fifteen digits at most, so a price read here is always a finite float.
_PLAIN_ROW = re.compile(
    r"\s*\|\s*([^\s|\\`](?:[^|\\`]*[^\s|\\`])?)\s*"
    r"\|\s*\\?\$((?:\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.\d{1,15})?)\s*"
    r"\|\s*\\?\$((?:\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.\d{1,15})?)\s*\|\s*"
)


@dataclass(slots=True)
class _PageState:
    """What has been read of the page so far."""

    source: str
    name: str | None = None
    name_seen: bool = False
    description: str | None = None
    target_urls: list[tuple[str, str]] = field(default_factory=list)
    heading: str = ""
    content_type: str | None = None
    streaming: bool | None = None
    auth_scheme: str | None = None
    claimed: tuple[int, int] | None = None
    modes: list[str] = field(default_factory=list)
    rows: list[PriceRow] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    price_tables: int = 0


def parse_page(text: str, source: str = "<page>", snapshot_date: str | None = None) -> ParsedPage:
    """Parse a provider page; raise `ParseError` (with a line number) for anything malformed."""
    lines = text.removeprefix("\ufeff").split("\n")
    state = _PageState(source=source)
    fence: str | None = None
    index = 0
    count = len(lines)
    while index < count:
        line = lines[index].rstrip("\r")
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and not stripped.lstrip(fence[0]).strip():
                fence = None
            index += 1
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            index += 1
            continue
        if stripped.startswith("|"):
            index = _read_table(lines, index, state)
            continue
        _read_prose(line, stripped, index + 1, state)
        index += 1
    if not state.rows:
        where = count if count else 1
        if state.price_tables:
            raise ParseError(where, "the price table has no model rows", source)
        raise ParseError(
            where,
            "no price table found: expected a table headed "
            "'| Model | Input / 1M tokens | Output / 1M tokens |'"
            + (" (a code fence is still open at the end of the page)" if fence else ""),
            source,
        )
    return ParsedPage(provider=_provider_info(state, snapshot_date), rows=tuple(state.rows), warnings=_warnings(state))


def _read_prose(line: str, stripped: str, number: int, state: _PageState) -> None:
    """Pick provider metadata out of a line that is not in a table or a code fence."""
    if not stripped:
        return
    if stripped.startswith(">"):
        if state.name_seen and state.description is None:
            quote = stripped.lstrip(">").strip()
            if quote and not quote.startswith("#"):
                state.description = quote
        return
    if _HEADING.match(line):
        state.heading = stripped.lstrip("#").strip()
        if not state.name_seen:
            h1 = _H1.match(stripped)
            if h1:
                state.name = _MD_ESCAPE.sub(r"\1", h1.group(1))
                state.name_seen = True
        return
    if state.claimed is None:
        claimed = _CLAIMED.search(stripped)
        if claimed:
            state.claimed = (int(claimed.group(1)), number)
    if state.auth_scheme is None:
        auth = _AUTH.search(stripped)
        if auth:
            header = auth.group(1).strip()
            name, _, value = header.partition(":")
            state.auth_scheme = value.strip() if name.strip().lower() == "authorization" and value.strip() else header
    target = _TARGET.search(stripped)
    if target:
        state.target_urls.append((state.heading, target.group(1).strip()))
    for mode in _MODE.findall(stripped):
        if mode.lower() not in state.modes:
            state.modes.append(mode.lower())


def _split_cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    if "\\|" in body:
        return [cell.strip() for cell in _UNESCAPED_PIPE.split(body)]
    return [cell.strip() for cell in body.split("|")]


@dataclass(frozen=True, slots=True)
class _PriceColumns:
    model: int
    input: int
    output: int
    width: int


def _price_columns(header: list[str], number: int, source: str) -> _PriceColumns | None:
    """The positions of the model and price columns, if this header is a per-1M-token price table.

    A header that prices per 1M tokens but lacks a model, input or output column is an error, not
    another kind of table: skipping it would drop its models without a word.
    """
    model = input_ = output = -1
    per_token = False
    for position, cell in enumerate(header):
        name = _SPACES.sub(" ", cell.replace("*", "").replace("\\", "")).strip().lower()
        compact = name.replace(" ", "")
        if name in ("model", "models", "model id", "model name"):
            model = position
        elif "1mtokens" in compact or "1mtok" in compact or "milliontokens" in compact:
            per_token = True
            if name.startswith("input"):
                input_ = position
            elif name.startswith("output"):
                output = position
    if not per_token:
        return None
    missing = [name for name, position in (("Model", model), ("Input", input_), ("Output", output)) if position < 0]
    if missing:
        raise ParseError(number, f"a per-1M-token price table without a {' or '.join(missing)} column", source)
    return _PriceColumns(model, input_, output, len(header))


def _is_separator(cells: list[str]) -> bool:
    return bool(cells) and all(_SEPARATOR_CELL.fullmatch(cell.replace(" ", "")) for cell in cells)


def _read_table(lines: list[str], start: int, state: _PageState) -> int:
    """Read the table that starts at `start`; return the index of the first line after it."""
    header = _split_cells(lines[start])
    columns = _price_columns(header, start + 1, state.source)
    end = start
    while end < len(lines) and lines[end].lstrip().startswith("|"):
        end += 1
    if columns is None:
        _read_metadata_table(lines, start + 1, end, state)
        return end
    state.price_tables += 1
    if start + 1 >= end or not _is_separator(_split_cells(lines[start + 1])):
        raise ParseError(
            start + 2, "the price table header is not followed by a separator row like '| --- | --- |'", state.source
        )
    plain = columns == _PriceColumns(0, 1, 2, 3)
    rows, seen, source = state.rows, state.seen, state.source
    new_row = tuple.__new__  # `PriceRow(...)` without its argument binding: half the cost, on the hot path
    for index in range(start + 2, end):
        match = _PLAIN_ROW.fullmatch(lines[index]) if plain else None
        if match is None:
            _read_price_row(lines[index], index + 1, columns, state)
            continue
        model, input_text, output_text = match.groups()
        if model in seen:
            raise ParseError(index + 1, f"duplicate model id {model!r} (first listed on line {seen[model]})", source)
        seen[model] = index + 1
        if "," in input_text or "," in output_text:
            input_text, output_text = input_text.replace(",", ""), output_text.replace(",", "")
        rows.append(new_row(PriceRow, (model, float(input_text), float(output_text), index + 1)))
    return end


def _read_metadata_table(lines: list[str], start: int, end: int, state: _PageState) -> None:
    """Pick content type and streaming support out of the small key/value table under a target URL."""
    for index in range(start, end):
        cells = _split_cells(lines[index])
        if len(cells) < 2:
            continue
        key = cells[0].replace("*", "").strip().lower()
        value = cells[1].strip().strip("`").strip()
        if key == "content type" and state.content_type is None:
            state.content_type = value
        elif key == "streaming" and state.streaming is None:
            state.streaming = value.lower().startswith("yes")


def _read_price_row(line: str, number: int, columns: _PriceColumns, state: _PageState) -> None:
    cells = _split_cells(line)
    if len(cells) != columns.width:
        what = "missing" if len(cells) < columns.width else "extra"
        raise ParseError(number, f"{what} cell: expected {columns.width} cells, found {len(cells)}", state.source)
    model = cells[columns.model]
    if "\\" in model:
        model = _MD_ESCAPE.sub(r"\1", model)
    if len(model) > 1 and model[0] == "`" and model[-1] == "`":
        model = model.strip("`").strip()
    if not model:
        raise ParseError(number, "missing cell: the model id is empty", state.source)
    first = state.seen.get(model)
    if first is not None:
        raise ParseError(number, f"duplicate model id {model!r} (first listed on line {first})", state.source)
    state.seen[model] = number
    input_usd = _price(cells[columns.input], "input", number, state.source)
    output_usd = _price(cells[columns.output], "output", number, state.source)
    state.rows.append(PriceRow(model, input_usd, output_usd, number))


def _price(cell: str, which: str, number: int, source: str) -> float:
    if not cell:
        raise ParseError(number, f"missing cell: the {which} price is empty", source)
    match = _PRICE.fullmatch(cell)
    if match is None:
        raise ParseError(number, f"the {which} price {cell!r} is not a number", source)
    if match.group("sign") or match.group("sign2"):
        raise ParseError(number, f"the {which} price {cell!r} is negative", source)
    value = float(match.group("number").replace(",", ""))
    if not math.isfinite(value):
        raise ParseError(number, f"the {which} price {cell!r} is too large", source)
    return value


def _provider_info(state: _PageState, snapshot_date: str | None) -> ProviderInfo:
    target = next((url for heading, url in state.target_urls if "chat" in heading.lower()), None)
    if target is None and state.target_urls:
        target = state.target_urls[0][1]
    return ProviderInfo(
        name=state.name or state.source,
        description=state.description,
        target_url=target,
        content_type=state.content_type,
        streaming=state.streaming,
        auth_scheme=state.auth_scheme,
        claimed_model_count=state.claimed[0] if state.claimed else None,
        modes=tuple(state.modes),
        source=state.source,
        snapshot_date=snapshot_date,
    )


def _warnings(state: _PageState) -> tuple[str, ...]:
    if state.claimed is None or state.claimed[0] == len(state.rows):
        return ()
    claimed, line = state.claimed
    name = state.name or state.source
    return (f"{name}: the page claims {claimed} models (line {line}) but its price tables list {len(state.rows)}",)
