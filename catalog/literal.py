"""Untrusted text shown literally: the one place that escapes it for markdown and for plotly's HTML labels.

Link values, provider pages (names, ids, descriptions, parse errors) and uploaded file names come from
outside. Whatever they hold, they must reach the screen as the characters they are: never as a markdown
image that makes the browser fetch an address, a link, a heading or an HTML tag. Every such text that
goes into markdown (Streamlit's `st.markdown`, alerts, captions, metric and link labels) passes through
`markdown_text` or `code_span`; into a plotly label or hover, through `html_text`.
"""

from __future__ import annotations

import html
import re

#: Most characters of one untrusted value quoted in a sentence; the rest is cut with "…".
QUOTE_LIMIT = 80
# A backslash makes any ASCII punctuation literal in CommonMark. These are the characters that can start
# a construct inside a line: emphasis, code, links and images (`[`), HTML and autolinks (`<`), entities,
# math (`$`), strikethrough, table cells, Streamlit's `:color[...]` and `:icon:`, and headings. Others
# (`.`, `-`, `(`) stay as they are, so the text stays readable.
_ESCAPED = {ord(char): "\\" + char for char in "\\`*_[]<>&$~|:#"}
# At the start of a line a few more open a block: a list item (`-`, `+`, `1.`, `1)`), a quote (`>`).
_LINE_START = ("-", "+", "=")
# GFM (Streamlit's markdown) also links bare `http://…`, `www.…` and `name@host` text, after escapes are
# read, so no escape can stop it: an invisible word joiner inside each shape does. No repetition: linear.
_BARE_LINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def _printable(text: str, limit: int | None) -> str:
    """One line: line breaks and tabs become spaces, other invisible controls (bidi overrides) U+FFFD."""
    chars = (char if char.isprintable() else " " if char in "\t\n\r\v\f" else "\ufffd" for char in text)
    line = "".join(chars)
    if limit is not None and len(line) > limit:
        line = line[: limit - 1] + "…"
    return line


def markdown_text(text: str, limit: int | None = QUOTE_LIMIT) -> str:
    """`text` as markdown that shows exactly these characters (on one line, cut at `limit`).

    Bare addresses get an invisible word joiner (U+2060) after `:` of `://`, `www` and before `@`.
    """
    escaped = _BARE_LINK.sub(WORD_JOINER, _printable(text, limit)).translate(_ESCAPED)
    head = escaped.lstrip(" ")
    digits = len(head) - len(head.lstrip("0123456789"))
    if head.startswith(_LINE_START) or (0 < digits < len(head) and head[digits] in ".)"):
        at = len(escaped) - len(head) + digits
        escaped = escaped[:at] + "\\" + escaped[at:]
    return escaped


def code_span(text: str, limit: int | None = QUOTE_LIMIT) -> str:
    """`text` as one inline markdown code span holding exactly these characters, backticks included.

    The fence is one backtick longer than the longest run inside; a space pads the text where CommonMark
    would otherwise take an edge backtick for the fence or strip an edge space (it strips one, padded).
    """
    line = _printable(text, limit) or " "
    longest = run = 0
    for char in line:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    padded = line.strip(" ") and (line[0] == "`" or line[-1] == "`" or (line[0] == " " and line[-1] == " "))
    return f"{fence} {line} {fence}" if padded else f"{fence}{line}{fence}"


def html_text(text: str, limit: int | None = None) -> str:
    """`text` for a plotly label or hover (plotly reads tags in them): every `<`, `>`, `&` and quote escaped."""
    return html.escape(_printable(text, limit), quote=True)
