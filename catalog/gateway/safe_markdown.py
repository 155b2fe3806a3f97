"""Text from outside shown safely: model output as markdown with every image disarmed, other text literally.

Model output may be prompt-injected: a markdown image would make the reader's browser fetch any address,
with the conversation in its URL. `without_images` escapes every `![` outside code blocks, so an image
shows as "!" and a link; code blocks keep `vec![1]` as written. `ImageDisarmer` does the same for a
streamed reply in time linear in its length: it re-reads only the lines since a checkpoint, never the
whole reply (markdown's code blocks depend only on the lines before, so decided lines stay decided).

Gateway error messages, model ids and provider names are not markdown at all: `literal` escapes them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Markdown as Streamlit renders it (CommonMark), blocks only: used to find code blocks, where `![` is text.
_MARKDOWN = MarkdownIt("commonmark").disable("inline")
_CODE_BLOCKS = ("fence", "code_block")
#: Above this many characters since the checkpoint, a stream is re-read only when that text has doubled;
#: in between, every `![` is escaped, code or not (safe, and linear: see `ImageDisarmer`).
FREE_WINDOW = 2 * 1024
#: Every ASCII punctuation character: CommonMark lets a backslash escape each of them.
_PUNCTUATION = re.compile(r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]""")
_HTML_END_TAG_KINDS = re.compile(r"<(?:script|pre|style|textarea)(?:\s|>|$)", re.IGNORECASE)


def without_images(text: str) -> str:
    """Model output whose markdown can show no image: each `![` outside code blocks gets its `!` escaped."""
    starts, ends = _code_line_ranges(_MARKDOWN.parse(text), 0)
    return _escape(text, 0, 0, lambda line: _in_ranges(line, starts, ends))


def stream_without_images(chunks: Iterable[str]) -> Iterator[str]:
    """`without_images` for a stream: the same text, piece by piece; a trailing `!` waits for what follows."""
    disarmer = ImageDisarmer()
    for chunk in chunks:
        if shown := disarmer.feed(chunk):
            yield shown
    if rest := disarmer.finish():
        yield rest


class ImageDisarmer:
    """Disarms images in a reply fed chunk by chunk; the pieces joined equal `without_images(reply)`.

    It keeps a checkpoint: a line start, with a few synthetic lines (`prefix`) that put a fresh parser in
    the state the whole reply had there (inside a paragraph, inside a fence). A line is parsed when it
    first holds a `![`; after each parse the checkpoint moves to the last complete line. Where the state
    cannot be rebuilt (deep inside one big list item or quote), the text since the checkpoint grows; past
    `FREE_WINDOW` it is parsed again only once it has doubled, and meanwhile every `![` is escaped.
    """

    def __init__(self) -> None:
        self._prefix = ""
        self._window: list[str] = []  # the reply since the checkpoint, which is a line start
        self._window_len = 0
        self._window_lines = 0  # line breaks in the window
        self._last_parse_len = 0
        self._known: tuple[int, bool] | None = None  # (window line, in code) of a line parsed with a `![`
        self._backslashes = 0  # backslashes ending the text shown so far
        self._held = ""

    def feed(self, chunk: str) -> str:
        """The next piece to show for `chunk` (maybe empty: a trailing `!` waits)."""
        text = self._held + chunk
        self._held = ""
        if text.endswith("!"):
            text, self._held = text[:-1], "!"
        if not text:
            return ""
        first_line = self._window_lines
        self._window.append(text)
        self._window_len += len(text)
        self._window_lines += text.count("\n")
        in_code: Callable[[int], bool] = self._known_line
        parsed = None
        if "![" in text and not (self._known is not None and self._known[0] == first_line and "\n" not in text):
            parsed = self._parse()
            in_code = parsed.code.__contains__
        shown = _escape(text, first_line, self._backslashes, in_code)
        self._backslashes = _trailing_backslashes(text, self._backslashes)
        if parsed is not None and parsed.tokens:
            self._advance(parsed)
        return shown

    @property
    def pending(self) -> str:
        """Text held back (a trailing `!`), safe to show alone: nothing follows it yet."""
        return self._held

    def finish(self) -> str:
        """What is left to show at the end of the reply."""
        held, self._held = self._held, ""
        return held

    def _known_line(self, line: int) -> bool:
        return self._known is not None and self._known == (line, True)

    def _parse(self) -> _Parsed:
        """The window lines in code blocks, from one parse of prefix + window (none when it is too soon)."""
        if self._window_len > FREE_WINDOW and self._window_len < 2 * self._last_parse_len:
            self._known = None
            return _Parsed(set(), [], "")  # escape every `![` until the window has doubled: linear in total
        text = "".join(self._window)
        self._window, self._last_parse_len = [text], self._window_len
        tokens = _MARKDOWN.parse(self._prefix + text)
        starts, ends = _code_line_ranges(tokens, -self._prefix.count("\n"))
        last = self._window_lines
        code = {line for line in range(last + 1) if _in_ranges(line, starts, ends)}
        # A line's code-ness is settled once it holds a `![` (it can no longer become a closing fence).
        self._known = (last, last in code) if "![" in text[text.rfind("\n") + 1 :] else None
        return _Parsed(code, tokens, text)

    def _advance(self, parsed: _Parsed) -> None:
        """Move the checkpoint to the last complete line, when the parser state there can be rebuilt."""
        prefix_lines = self._prefix.count("\n")
        lines = (self._prefix + parsed.text).split("\n")
        restart = _restart(parsed.tokens, lines, prefix_lines + self._window_lines - 1)
        if restart is None or restart[1] <= prefix_lines:
            return  # no better checkpoint: the window grows (and `_parse` limits how often it is read)
        prefix, moved = restart[0], restart[1] - prefix_lines
        cut = 0
        for _ in range(moved):
            cut = parsed.text.index("\n", cut) + 1
        self._prefix, self._window = prefix, [parsed.text[cut:]]
        self._window_len = len(parsed.text) - cut
        self._window_lines -= moved
        self._last_parse_len = 0
        if self._known is not None:
            self._known = (self._known[0] - moved, self._known[1])


@dataclass(frozen=True, slots=True)
class _Parsed:
    code: set[int]
    tokens: list[Token]
    text: str


def _restart(tokens: list[Token], lines: list[str], line: int) -> tuple[str, int] | None:
    """(prefix, parse line) to restart at so that a fresh parse of prefix + lines[parse line:] sees
    `lines[line]` in the state the whole parse had; None when that state cannot be rebuilt.

    `lines[line]` is the last complete line: whether a block goes on into it is already decided.
    """
    if line < 1:
        return None
    top = [token for token in tokens if token.level == 0 and token.nesting >= 0 and token.map]
    block = next((token for token in reversed(top) if _span(token)[0] <= line - 1 < _span(token)[1]), None)
    if block is None:  # the line before is blank, or a link reference definition (which has no token)
        if lines[line - 1].strip():
            return None
        before = next((token for token in reversed(top) if _span(token)[1] <= line - 1), None)
        return None if before is not None and before.type.endswith("list_open") else ("", line)
    first, end = _span(block)
    if end <= line:  # the block ended before this line
        if block.type.endswith("list_open") and not lines[line].strip():
            return None  # a list can go on after blank lines
        return "", line
    if block.type == "paragraph_open" or (block.type == "heading_open" and block.markup in ("=", "-")):
        return "x\n", line  # inside a paragraph: this line continues it
    if block.type == "fence":
        opener = lines[first]
        return opener[: len(opener) - len(opener.lstrip(" "))] + block.markup + "\n", line
    if block.type == "code_block":
        return "", line
    if block.type == "html_block":
        return _html_opener(lines[first]), line
    if block.type.endswith("list_open"):
        items = [token for token in tokens if token.type == "list_item_open" and token.level == 1 and token.map]
        item = next((token for token in reversed(items) if _span(token)[0] <= line < _span(token)[1]), None)
        if item is not None:
            return "", _span(item)[0]  # a list item read alone has the same indentation and content
    return None


def _span(token: Token) -> tuple[int, int]:
    assert token.map is not None
    return token.map[0], token.map[1]


def _html_opener(line: str) -> str:
    """A short line that opens an HTML block of the same kind as `line` (so it ends the same way)."""
    start = line.lstrip(" ").lower()
    if start.startswith("<!--"):
        return "<!--\n"
    if start.startswith("<?"):
        return "<?\n"
    if start.startswith("<![cdata["):
        return "<![CDATA[\n"
    if start.startswith("<!"):
        return "<!X\n"
    if _HTML_END_TAG_KINDS.match(start):
        return "<pre>\n"
    return "<div>\n"  # kinds 6 and 7 both end at a blank line


def _code_line_ranges(tokens: list[Token], shift: int) -> tuple[list[int], list[int]]:
    """Sorted starts and ends of the lines that show as code (a fence's first line shows no text)."""
    spans = []
    for token in tokens:
        if token.map and token.type in _CODE_BLOCKS:
            first, end = token.map
            spans.append((first + 1 if token.type == "fence" else first, end))
    spans.sort()
    return [first + shift for first, _ in spans], [end + shift for _, end in spans]


def _in_ranges(line: int, starts: list[int], ends: list[int]) -> bool:
    """Whether `line` is in one of the (disjoint, sorted) spans."""
    index = bisect.bisect_right(starts, line) - 1
    return index >= 0 and line < ends[index]


def _escape(text: str, first_line: int, backslashes: int, in_code: Callable[[int], bool]) -> str:
    """`text` with each `![` escaped, unless an odd run of backslashes escapes it already or it is in code.

    `first_line` is the line `text` starts on and `backslashes` how many end the text before it.
    """
    pieces, last, line, counted = [], 0, first_line, 0
    bang = text.find("![")
    while bang >= 0:
        line += text.count("\n", counted, bang)
        counted = bang
        before = bang
        while before > 0 and text[before - 1] == "\\":
            before -= 1
        run = bang - before + (backslashes if before == 0 else 0)
        if run % 2 == 0 and not in_code(line):
            pieces += [text[last:bang], "\\"]
            last = bang
        bang = text.find("![", bang + 2)
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _trailing_backslashes(text: str, before: int) -> int:
    stripped = text.rstrip("\\")
    return len(text) - len(stripped) + (before if not stripped else 0)
