"""How deep a YAML text nests, measured in one linear pass before PyYAML reads it.

PyYAML's pure-Python scanner takes time quadratic in the flow depth (each `[` or `{` makes every later token
look at every open level): a 100 KB file of `[` took over a minute. Its composer recurses once per level and
gives up with a `RecursionError` that names no line. So a promptfoo file is measured here first, and one
deeper than the limit is refused with the line where it got too deep, before the parser sees it.

The measure follows what YAML nests, without parsing it: a block mapping key or a `- ` (or `? `) entry opens
a level that lasts while later lines are indented deeper, and each `[` or `{` that starts a node opens one
until it closes. Quoted scalars, comments, block scalars (`|`, `>`) and brackets inside a plain block scalar
(`a [b`) open nothing. For what PyYAML reads, the measure is the depth of its deepest node, or one more (an
empty `[]` or `{}` at the bottom counts as a level); a limit one above the composed check's is never too strict.
"""

from __future__ import annotations

import re

#: Every line break PyYAML counts (so the line named is the one its own errors would name).
_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
#: What the pass stops at: a line start with its indent, a quote, a comment, a bracket, an indicator.
_TOKEN = re.compile(r"\n[ ]*|[\"'\[\]{},|>&!:]|(?<![^ \t\n])#|[-?](?=[ \t\n]|\Z)")
_DOCUMENT_MARKER = re.compile(r"(?:---|\.\.\.)(?=[ \t\n]|\Z)")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_SINGLE_QUOTED = re.compile(r"'(?:[^']++|'')*+'", re.S)
_NOT_SPACE = re.compile(r"[^ \t\n]*")
_SPACES = re.compile(r"[ ]*")


def too_deep_at(text: str, limit: int) -> int | None:
    """The line on which `text` first nests more than `limit` levels, or None if it never does."""
    return _Scan(_BREAKS.sub("\n", text), limit).run()


def nesting_depth(text: str) -> int:
    """The deepest `text` nests, by the measure above (for tests: `too_deep_at` stops at the limit)."""
    scan = _Scan(_BREAKS.sub("\n", text), None)
    scan.run()
    return scan.deepest


def _past_spaces(text: str, position: int) -> int:
    match = _SPACES.match(text, position)
    return match.end() if match else position


class _Scan:
    """One pass over the text: the open block levels (indent, whether a `- ` entry), the open flow levels."""

    def __init__(self, text: str, limit: int | None) -> None:
        self.text, self.limit = text, limit
        self.blocks: list[tuple[int, bool]] = []
        self.flow = 0
        self.line, self.line_start = 1, 0
        self.node_start = True  # the next text starts a node (a key, an entry, a value)
        self.node_column = 0  # where the current line's innermost node began
        self.scalar_parent: int | None = None  # inside a block scalar: lines indented deeper than this are text
        self.deepest = 0

    def run(self) -> int | None:
        text = self.text
        position = self._begin_line(0)
        while (token := _TOKEN.search(text, position)) is not None:
            start, kind = token.start(), token.group()[:1]
            if text[position:start].strip(" \t\n"):
                self.node_start = False  # plain text came first: what follows is inside a plain scalar
            position = token.end()
            if kind == "\n":
                self.line, self.line_start = self.line + 1, start + 1
                if self.flow == 0:
                    position = self._begin_line(start + 1)
                continue
            if kind == "#":
                position = self._skip_line(start)
            elif kind in "\"'":
                if self.node_start:
                    position = self._quoted(start)
            elif kind in "[{":
                if self.flow or self.node_start:
                    self.flow += 1
                    if self._too_deep():
                        return self.line
                    self.node_start = True
            elif kind in "]}":
                self.flow = max(self.flow - 1, 0)
                self.node_start = False
            elif kind == ",":
                self.node_start = self.flow > 0
            elif kind in "|>":
                if self.node_start and not self.flow:
                    self.scalar_parent = self.blocks[-1][0] if self.blocks else -1
                    position = self._skip_line(start)
            elif kind in "&!":
                if self.node_start:  # an anchor or a tag before a node: the node still starts after it
                    match = _NOT_SPACE.match(text, start)
                    position = match.end() if match else position
            elif kind in "-?":
                if self.node_start and not self.flow and self._entry(start):
                    return self.line
            elif kind == ":" and self._key(start):
                return self.line
        return None

    def _begin_line(self, start: int) -> int:
        """A new line outside flow: the levels its indent closes; where to go on (past the line when it is all
        skipped: blank, a comment, a directive, or the text of a block scalar)."""
        text = self.text
        column = _past_spaces(text, start)
        indent, rest = column - start, text[column : column + 1]
        if rest in ("", "\n", "#") or (indent == 0 and rest == "%"):
            return self._skip_line(start)
        if self.scalar_parent is not None:
            if indent > self.scalar_parent:
                return self._skip_line(start)
            self.scalar_parent = None
        while self.blocks and self.blocks[-1][0] > indent:
            self.blocks.pop()
        self.node_start, self.node_column = True, indent
        marker = _DOCUMENT_MARKER.match(text, column) if indent == 0 else None
        if marker is not None:  # a new document: nothing stays open
            self.blocks.clear()
            return marker.end()
        return column

    def _skip_line(self, start: int) -> int:
        end = self.text.find("\n", start)
        return len(self.text) if end < 0 else end

    def _quoted(self, start: int) -> int:
        """Past a quoted scalar (its line breaks counted); the node it is has begun."""
        pattern = _DOUBLE_QUOTED if self.text[start] == '"' else _SINGLE_QUOTED
        match = pattern.match(self.text, start)
        if match is None:
            return len(self.text)  # unterminated: PyYAML names the error
        breaks = self.text.count("\n", start, match.end())
        if breaks:
            self.line += breaks
            self.line_start = self.text.rindex("\n", start, match.end()) + 1
        self.node_start = False
        return match.end()

    def _entry(self, start: int) -> bool:
        """A `- ` (or `? `) entry: a sequence level at its column, ending a sibling entry at the same column (not
        the key it may sit under, at that same column); the entry's node begins after the spaces that follow."""
        column = start - self.line_start
        while self.blocks and (self.blocks[-1][0] > column or self.blocks[-1] == (column, True)):
            self.blocks.pop()
        self.blocks.append((column, True))
        self.node_column = _past_spaces(self.text, start + 1) - self.line_start
        self.node_start = True
        return self._too_deep()

    def _key(self, start: int) -> bool:
        """A `:`. In flow, a value follows. In a block, followed by a space or a line end, the node begun at
        `node_column` is a mapping key (a level, ending any sibling at that column); otherwise it is plain text."""
        if self.flow:
            self.node_start = True
            return False
        if self.text[start + 1 : start + 2] not in ("", " ", "\t", "\n"):
            self.node_start = False
            return False
        column = self.node_column
        while self.blocks and self.blocks[-1][0] >= column:
            self.blocks.pop()
        self.blocks.append((column, False))
        self.node_column = _past_spaces(self.text, start + 1) - self.line_start  # the value may be a key too
        self.node_start = True
        return self._too_deep()

    def _too_deep(self) -> bool:
        depth = len(self.blocks) + self.flow
        self.deepest = max(self.deepest, depth)
        return self.limit is not None and depth > self.limit
