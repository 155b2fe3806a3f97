"""Read a Lava AI-gateway provider page (markdown/MDX) into provider metadata and price rows.

The page is read line by line, once. Code fences and blockquotes are skipped; every markdown table
is classified by its header, and only per-1M-token price tables (`| Model | Input / 1M tokens |
Output / 1M tokens |`) give model rows. Anything a price table holds that is not a clean price is
a `ParseError` naming the line: rows are never dropped silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.records import ParsedPage, ParseError, PriceRow, ProviderInfo

#: The longest line the parser reads (outside code blocks), and the longest table cell. Real pages stay
#: far below both; the bounds keep the work a hostile page can ask for small.
MAX_LINE_CHARS = 10_000
MAX_CELL_CHARS = 500
#: At most this many characters of a page are quoted in an error message.
QUOTE_CHARS = 80
#: The largest price read, USD per 1M tokens, on a page or in any other price input (LiteLLM's map): real
#: prices are below $1,000; a larger one is a typo or a hostile page, and would overflow what is made of it.
MAX_USD_PER_MTOK = 1_000_000.0

# Every pattern here runs on page text, so none can backtrack super-linearly: each is anchored or starts
# with a literal, quantified runs are possessive (`*+`, `++`) or bounded, and no two runs can match the
# same characters next to each other (bench/bench_catalog.py and tests/test_parser_speed.py check).
_FENCE = re.compile(r" {0,3}+(`{3,}+|~{3,}+)")
_HEADING = re.compile(r" {0,3}+#{1,6}+\s")
_CLAIMED = re.compile(r"offers\s++([0-9]{1,9}+)\s++models?\b", re.IGNORECASE)
_AUTH = re.compile(r"Authentication uses\s++`([^`]++)`", re.IGNORECASE)
_TARGET = re.compile(r"\*\*Target URL:?\*\*:?\s*+`([^`]++)`", re.IGNORECASE)
_MODE = re.compile(r"\*\*(managed|unmanaged)\*\*", re.IGNORECASE)
_SEPARATOR_CELL = re.compile(r":?+-++:?+")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|$<>~])")
# ASCII digits only: `\d` would read Arabic-Indic or full-width digits as a price.
_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})++(?:\.[0-9]++)?+|[0-9]++(?:\.[0-9]++)?+|\.[0-9]++")
_SPACES = re.compile(r"\s++")
# The common row shape, `| id | $1.00 | \\$2.50 |`, read in one match; anything else takes the careful path.
# Six whole digits at most, so a price read here is always finite and below `MAX_USD_PER_MTOK`; a larger one
# takes the careful path, which says it is too large.
_PLAIN_PRICE = r"\\?\$((?:[0-9]{1,3}(?:,[0-9]{3})?|[0-9]{1,6})(?:\.[0-9]{1,15})?)"
_PLAIN_ROW = re.compile(r"\s*+\|([^|\\`]++)\|\s*+" + _PLAIN_PRICE + r"\s*+\|\s*+" + _PLAIN_PRICE + r"\s*+\|\s*+")
# Characters that draw nothing: stripped from ids, so `a\u200bb` and `ab` are one model, not two.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Characters that reorder what is shown around them: an id holding one could read as another id.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def cut(text: str) -> str:
    """`text` cut to `QUOTE_CHARS` characters, an ellipsis marking the cut."""
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def quote(text: str) -> str:
    """`text` as a Python literal for an error message, cut to about `QUOTE_CHARS` characters."""
    return repr(cut(text))


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
    auth_header: str | None = None
    claimed: tuple[int, int] | None = None
    modes: list[str] = field(default_factory=list)
    rows: list[PriceRow] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # id → its index in `rows`
    table_start: int = 0  # the index in `rows` of the current table's first row
    price_tables: int = 0
    notes: list[str] = field(default_factory=list)


def parse_page(
    text: str, source: str = "<page>", snapshot_date: str | None = None, *, max_models: int | None = None
) -> ParsedPage:
    """Parse a provider page; raise `ParseError` (with a line number) for anything malformed.

    `max_models` bounds the rows a page may hold (an upload, say): past it, a `ParseError`.
    """
    lines = text.removeprefix("\ufeff").split("\n")
    state = _PageState(source=source)
    fence: str | None = None
    fence_line = 0
    index = 0
    count = len(lines)
    while index < count:
        line = lines[index].rstrip("\r")
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.lstrip(fence[0]).strip():
                fence = None
            elif "|" in line and _looks_like_price_header(line):
                _note_skipped(state, index + 1, f"it is inside a code block (opened on line {fence_line})")
            index += 1
            continue
        if len(line) > MAX_LINE_CHARS:
            raise ParseError(index + 1, _too_long("the line", len(line), MAX_LINE_CHARS), source)
        opening = _FENCE.match(line)
        # A backtick fence's info string holds no backtick (CommonMark): "``` a`b" is a paragraph.
        if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
            fence = opening.group(1)
            fence_line = index + 1
            index += 1
            continue
        stripped = line.strip()
        if stripped.startswith("|"):
            index = _read_table(lines, index, state)
            if max_models is not None and len(state.rows) > max_models:
                raise ParseError(
                    state.rows[max_models].source_line,
                    f"more than {max_models:,} models: a page may list at most {max_models:,}",
                    source,
                )
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
            + (
                f" (a code fence is still open at the end of the page: it opened on line {fence_line})" if fence else ""
            ),
            source,
        )
    return ParsedPage(provider=_provider_info(state, snapshot_date), rows=tuple(state.rows), warnings=_warnings(state))


def _too_long(what: str, length: int, limit: int) -> str:
    return f"{what} is {length:,} characters long, more than the {limit:,} a provider page may use"


def _looks_like_price_header(line: str) -> bool:
    """Whether a line reads like a per-1M-token price table's header, wherever it stands."""
    compact = line.lower().replace(" ", "")
    return "model" in compact and ("1mtok" in compact or "milliontok" in compact)


def _note_skipped(state: _PageState, number: int, why: str) -> None:
    state.notes.append(f"line {number}: a line that looks like a price table header was skipped: {why}")


def _read_prose(line: str, stripped: str, number: int, state: _PageState) -> None:
    """Pick provider metadata out of a line that is not in a table or a code fence."""
    if not stripped:
        return
    if "|" in stripped and _looks_like_price_header(stripped):
        why = "it is quoted (starts with '>')" if stripped.startswith(">") else "it does not start with '|'"
        if not stripped.startswith(">") and stripped.lstrip("".join(map(chr, _INVISIBLE))).startswith("|"):
            why = "it starts with an invisible character"
        _note_skipped(state, number, why)
    if stripped.startswith(">"):
        if state.name_seen and state.description is None:
            quote = stripped.lstrip(">").strip()
            if quote and not quote.startswith("#"):
                state.description = quote
        return
    if _HEADING.match(line):
        state.heading = stripped.lstrip("#").strip()
        if not state.name_seen and stripped[:2] in ("# ", "#\t"):
            state.name = _provider_name(_MD_ESCAPE.sub(r"\1", _heading_text(stripped)), number, state.source)
            state.name_seen = True
        return
    if state.claimed is None:
        claimed = _CLAIMED.search(stripped)
        if claimed:
            state.claimed = (int(claimed.group(1)), number)
    if state.auth_header is None:
        auth = _AUTH.search(stripped)
        if auth:
            # `Authorization: Bearer` names a header and a scheme; `x-api-key` a header alone.
            name, _, value = auth.group(1).partition(":")
            state.auth_header = name.strip()
            state.auth_scheme = value.strip() or None
    target = _TARGET.search(stripped)
    if target:
        state.target_urls.append((state.heading, target.group(1).strip()))
    for mode in _MODE.findall(stripped):
        if mode.lower() not in state.modes:
            state.modes.append(mode.lower())


def _provider_name(name: str, number: int, source: str) -> str:
    """The page's title as the provider's name: invisible characters dropped, control characters refused."""
    name = name.translate(_INVISIBLE)
    if name.isascii() and name.isprintable():
        return name
    for char in name:
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf"):
            raise ParseError(
                number, f"the provider name {quote(name)} holds a control character (U+{ord(char):04X})", source
            )
    return name


def _heading_text(stripped: str) -> str:
    """The text of an ATX heading line: without its `#`s, and without a closing `#` sequence."""
    text = stripped.lstrip("#").strip()
    without = text.rstrip("#")
    if without != text and (not without or without[-1] in " \t"):
        text = without.rstrip()
    return text


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


def _price_columns(header: list[str], number: int, source: str) -> _PriceColumns | str | None:
    """The positions of the model and price columns, if this header is a per-1M-token price table.

    A header that prices per 1M tokens but lacks a model, input or output column is an error, not
    another kind of table: skipping it would drop its models without a word. A model table priced in
    other units (`Input / minute`, `Input / 1M chars`) gives the first such column's name, to be noted.
    """
    model = input_ = output = -1
    per_token = False
    other_unit = None
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
        elif other_unit is None and "/" in name and name.startswith(("input", "output", "price")):
            other_unit = cell.replace("*", "").strip()
    if not per_token:
        return other_unit if other_unit is not None and model >= 0 else None
    missing = [name for name, position in (("Model", model), ("Input", input_), ("Output", output)) if position < 0]
    if missing:
        raise ParseError(number, f"a per-1M-token price table without a {' or '.join(missing)} column", source)
    return _PriceColumns(model, input_, output, len(header))


def _is_separator(cells: list[str]) -> bool:
    return bool(cells) and all(_SEPARATOR_CELL.fullmatch(cell.replace(" ", "")) for cell in cells)


def _read_table(lines: list[str], start: int, state: _PageState) -> int:
    """Read the table that starts at `start`; return the index of the first line after it."""
    source = state.source
    end = start
    while end < len(lines) and lines[end].lstrip().startswith("|"):
        if len(lines[end]) > MAX_LINE_CHARS:
            raise ParseError(end + 1, _too_long("the line", len(lines[end]), MAX_LINE_CHARS), source)
        end += 1
    header = _split_cells(lines[start])
    columns = _price_columns(header, start + 1, source)
    if columns is None:
        _read_metadata_table(lines, start + 1, end, state)
        return end
    if isinstance(columns, str):
        state.notes.append(
            f"line {start + 1}: a price table in other units ({quote(columns)}) was skipped: "
            "the catalog holds prices per 1M tokens"
        )
        return end
    state.price_tables += 1
    state.table_start = len(state.rows)
    if start + 1 >= end or not _is_separator(_split_cells(lines[start + 1])):
        raise ParseError(
            start + 2, "the price table header is not followed by a separator row like '| --- | --- |'", source
        )
    plain = columns == _PriceColumns(0, 1, 2, 3)
    rows, seen = state.rows, state.seen
    # `PriceRow(...)` without its argument binding: half the cost, on the hot path. Its values are in the order
    # of PriceRow's fields; tests/test_fast_paths.py fails if a field is added or moved without this line.
    new_row = tuple.__new__
    for index in range(start + 2, end):
        match = _PLAIN_ROW.fullmatch(lines[index]) if plain else None
        if match is None:
            _read_price_row(lines[index], index + 1, columns, state)
            continue
        model, input_text, output_text = match.groups()
        model = model.strip()
        if not (model.isascii() and model.isprintable()) or len(model) > MAX_CELL_CHARS or not model:
            model = _clean_id(model, index + 1, source)
        if "," in input_text or "," in output_text:
            input_text, output_text = input_text.replace(",", ""), output_text.replace(",", "")
        row = new_row(PriceRow, (model, float(input_text), float(output_text), index + 1, False))
        if model in seen:
            _repeated(row, state)
            continue
        seen[model] = len(rows)
        rows.append(row)
    return end


def _repeated(row: PriceRow, state: _PageState) -> None:
    """An id listed again: an error within one table; in another section, the first listing is kept.

    Pages list a model under each endpoint that serves it (`Chat Completions` and its `(Native)`
    twin, say). The same prices again say nothing new; other prices are a warning naming both lines.
    """
    index = state.seen[row.model]
    first = state.rows[index]
    if index >= state.table_start:
        raise ParseError(
            row.source_line,
            f"duplicate model id {quote(row.model)} (first listed on line {first.source_line})",
            state.source,
        )
    if (
        first.input_usd_per_mtok != row.input_usd_per_mtok
        or first.output_usd_per_mtok != row.output_usd_per_mtok
        or first.free != row.free
    ):
        state.notes.append(
            f"line {row.source_line}: {quote(row.model)} is listed again at other prices "
            f"({_prices(row)} against {_prices(first)} on line {first.source_line}); the first listing is kept"
        )


def _prices(row: PriceRow) -> str:
    return (
        "Free"
        if row.free and not (row.input_usd_per_mtok or row.output_usd_per_mtok)
        else (f"${row.input_usd_per_mtok:g} / ${row.output_usd_per_mtok:g}")
    )


def _read_metadata_table(lines: list[str], start: int, end: int, state: _PageState) -> None:
    """Pick content type and streaming support out of the small key/value table under a target URL."""
    for index in range(start, end):
        if _looks_like_price_header(lines[index]):
            _note_skipped(
                state, index + 1, f"it is a row of the table that starts on line {start} (no blank line before it?)"
            )
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
    source = state.source
    cells = _split_cells(line)
    if len(cells) != columns.width:
        what = "missing" if len(cells) < columns.width else "extra"
        raise ParseError(number, f"{what} cell: expected {columns.width} cells, found {len(cells)}", source)
    for cell in cells:
        if len(cell) > MAX_CELL_CHARS:
            raise ParseError(number, _too_long(f"the cell {quote(cell)}", len(cell), MAX_CELL_CHARS), source)
    model = cells[columns.model]
    if "\\" in model:
        model = _MD_ESCAPE.sub(r"\1", model)
    if len(model) > 1 and model[0] == "`" and model[-1] == "`":
        model = model.strip("`").strip()
    model = _clean_id(model, number, source)
    input_cell, output_cell = cells[columns.input], cells[columns.output]
    free = _is_free(input_cell) or _is_free(output_cell)
    input_usd = 0.0 if _is_free(input_cell) else _price(input_cell, "input", number, source)
    output_usd = 0.0 if _is_free(output_cell) else _price(output_cell, "output", number, source)
    row = PriceRow(model, input_usd, output_usd, number, free)
    if model in state.seen:
        _repeated(row, state)
        return
    state.seen[model] = len(state.rows)
    state.rows.append(row)


def _is_free(cell: str) -> bool:
    """`Free` (or `**Free**`) in a price cell: a price of 0 that the page means."""
    return len(cell) <= 12 and cell.replace("*", "").strip().casefold() == "free"


def _clean_id(model: str, number: int, source: str) -> str:
    """A model id without invisible characters; a `ParseError` if it is empty, too long or deceptive.

    Zero-width characters, BOMs and soft hyphens are dropped (a look-alike must not become a second
    model). Control characters, bidirectional controls, other format characters and non-ASCII spaces
    (such as a no-break space) are refused: no rule could say which id was meant.
    """
    model = model.translate(_INVISIBLE).strip()
    if not model:
        raise ParseError(number, "missing cell: the model id is empty", source)
    if len(model) > MAX_CELL_CHARS:
        raise ParseError(number, _too_long(f"the model id {quote(model)}", len(model), MAX_CELL_CHARS), source)
    if model.isascii() and model.isprintable():
        return model
    for char in model:
        if char.isascii() and char.isprintable():
            continue
        category = unicodedata.category(char)
        if char in _BIDI_CONTROLS:
            what = "a bidirectional control character"
        elif category == "Cc":
            what = "a control character"
        elif category in ("Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            what = "an invisible or unassigned character"
        elif category == "Zs":
            what = "a non-ASCII space"
        else:
            continue
        raise ParseError(number, f"the model id {quote(model)} holds {what} (U+{ord(char):04X})", source)
    return model


def _price(cell: str, which: str, number: int, source: str) -> float:
    if not cell:
        raise ParseError(number, f"missing cell: the {which} price is empty", source)
    # An optional sign, `\$` or `$`, and another optional sign, with spaces between: read with string
    # operations, since adjacent optional spaces in one regex backtrack cubically (`- <2,000 spaces> -`).
    negative, text = _sign(cell.strip())
    if text.startswith("\\"):
        text = text[1:]
    if text.startswith("$"):
        text = text[1:].lstrip()
    negative_after, text = _sign(text)
    if _NUMBER.fullmatch(text) is None:
        if any(char.isdigit() and not char.isascii() for char in text):
            raise ParseError(number, f"the {which} price {quote(cell)} is written with non-ASCII digits", source)
        raise ParseError(number, f"the {which} price {quote(cell)} is not a number", source)
    if negative or negative_after:
        raise ParseError(number, f"the {which} price {quote(cell)} is negative", source)
    value = float(text.replace(",", ""))
    if not value <= MAX_USD_PER_MTOK:  # also inf
        raise ParseError(
            number, f"the {which} price {quote(cell)} is too large (at most ${MAX_USD_PER_MTOK:,.0f} per 1M tokens)",
            source,
        )  # fmt: skip
    return value


def _sign(text: str) -> tuple[bool, str]:
    """Whether `text` starts with a minus sign, and the text after it and its spaces."""
    if text.startswith(("-", "−")):
        return True, text[1:].lstrip()
    return False, text


def _provider_info(state: _PageState, snapshot_date: str | None) -> ProviderInfo:
    # The chat endpoint, preferring the OpenAI-compatible one to a `(Native)` one; else the first named.
    chats = [(heading.lower(), url) for heading, url in state.target_urls if "chat" in heading.lower()]
    target = next((url for heading, url in chats if "native" not in heading), None)
    target = target or next((url for _, url in chats), None)
    if target is None and state.target_urls:
        target = state.target_urls[0][1]
    return ProviderInfo(
        name=state.name or state.source,
        description=state.description,
        target_url=target,
        content_type=state.content_type,
        streaming=state.streaming,
        auth_scheme=state.auth_scheme,
        auth_header=state.auth_header,
        endpoints=tuple(state.target_urls),
        claimed_model_count=state.claimed[0] if state.claimed else None,
        modes=tuple(state.modes),
        source=state.source,
        snapshot_date=snapshot_date,
    )


def _warnings(state: _PageState) -> tuple[str, ...]:
    name = cut(state.name or state.source)
    warnings = [f"{name}: {note}" for note in state.notes]
    warnings += [f"{name}: {note}" for note in _case_only_duplicates(state.rows)]
    if state.claimed is not None and state.claimed[0] != len(state.rows):
        claimed, line = state.claimed
        warnings.append(
            f"{name}: the page claims {claimed} models (line {line}) but its price tables list {len(state.rows)}"
        )
    return tuple(warnings)


def _case_only_duplicates(rows: list[PriceRow]) -> list[str]:
    """Ids that differ from an earlier one only in case: both are kept (hosts may tell them apart), and said."""
    first: dict[str, PriceRow] = {}
    notes = []
    for row in rows:
        earlier = first.setdefault(row.model.casefold(), row)
        if earlier is not row:
            notes.append(
                f"line {row.source_line}: the model id {quote(row.model)} differs from {quote(earlier.model)} "
                f"(line {earlier.source_line}) only in case; both are kept"
            )
    return notes


#: A number outside a page (a JSON or TOML value, or a string holding one) by the same rules: ASCII digits, with an
#: optional fraction and exponent as JSON writes them. No sign, `_`, other scripts' digits, `inf` or `nan`, all of
#: which `float()` or `Decimal()` would take. Possessive and bounded: linear, and never past `Decimal`'s range.
_PLAIN_NUMBER = re.compile(r"[0-9]{1,30}+(?:\.[0-9]{1,30}+)?+(?:[eE][-+]?+[0-9]{1,3}+)?+")


def plain_number(value: object) -> Decimal | None:
    """`value` as an exact decimal, if it is a number by the page parser's rules: ASCII digits, finite, ≥ 0, and no
    sign at all (`-0.0` is refused, never a negative zero on screen). It takes a string, an int, a float (by its
    shortest repr) or a `Decimal` (JSON's `parse_float=Decimal`); a bool or anything else is None. How large a
    number may be is the caller's bound (a price, a count), checked before any arithmetic."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)  # `1e-07`; `inf`, `nan` and `-0.0` fail the pattern
    if isinstance(value, str):
        text = value.strip()
        return Decimal(text) if _PLAIN_NUMBER.fullmatch(text) else None
    if isinstance(value, int):
        return Decimal(value) if value >= 0 else None
    if isinstance(value, Decimal) and value.is_finite() and not value.is_signed():
        return value
    return None
