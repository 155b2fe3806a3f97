"""Untrusted text is shown literally: checked against a CommonMark renderer (markdown-it-py) as the oracle."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from catalog.literal import QUOTE_LIMIT, WORD_JOINER, code_span, html_text, markdown_text

COMMONMARK = MarkdownIt("commonmark")
HOSTILE = [
    "![x](http://evil.test/p.png)",
    "`![x](http://evil.test/p.png)`",
    "[Session expired, log in again](http://evil.test/login)",
    '<img src="http://evil.test/h.png"> <a href="http://evil.test">a</a>',
    "# heading\n- list\n> quote",
    "``` fence",
    "a\\",
    "<http://evil.test/autolink>",
    "[x]: http://evil.test/ref\n[x]",
    "\u202etxt.exe",
]
# Markdown-heavy text: the characters that open or close CommonMark constructs, and any other text.
markdownish = st.text(alphabet=st.sampled_from(list("![]()<>`\\*_#-+=:/|~&;\"' \n\tax1.\u202e")), max_size=60)
any_text = st.one_of(markdownish, st.text(max_size=60))


def inline_children(source: str) -> list:
    tokens = COMMONMARK.parse(source)
    return [child for token in tokens for child in (token.children or [])], tokens


def shown_text(source: str) -> str:
    """The characters a reader sees, and an assertion that nothing but text and code was made."""
    children, tokens = inline_children(source)
    assert [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"], source
    kinds = {child.type for child in children}
    assert kinds <= {"text", "code_inline"}, (source, kinds)
    return "".join(child.content for child in children).replace(WORD_JOINER, "")


def expected(text: str, limit: int | None = QUOTE_LIMIT) -> str:
    line = "".join(c if c.isprintable() else " " if c in "\t\n\r\v\f" else "\ufffd" for c in text)
    return line if limit is None or len(line) <= limit else line[: limit - 1] + "…"


def test_hostile_markdown_is_shown_as_written():
    for text in HOSTILE:
        assert shown_text(f"Ignored {markdown_text(text)} in the link.") == f"Ignored {expected(text)} in the link."
        assert shown_text("No model " + code_span(text) + " here.") == f"No model {expected(text)} here."


@given(any_text)
def test_markdown_text_renders_as_exactly_its_characters(text):
    assert shown_text("a " + markdown_text(text) + " b").strip() == ("a " + expected(text) + " b").strip()


@given(any_text)
def test_a_code_span_holds_exactly_its_characters(text):
    children, _ = inline_children("a " + code_span(text) + " b")
    codes = [child for child in children if child.type == "code_inline"]
    assert len(codes) == 1 and {child.type for child in children} <= {"text", "code_inline"}
    assert codes[0].content == (expected(text) or " ")


@given(any_text)
def test_html_text_has_no_tag_and_unescapes_to_the_text(text):
    escaped = html_text(text)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
    assert html.unescape(escaped) == expected(text, None)


def test_bare_addresses_are_not_linked_by_gfm():
    # CommonMark alone does not link bare addresses; GFM (Streamlit's markdown) does, in the text it has read,
    # so the shapes it looks for are broken with an invisible word joiner (the browser test sees no link).
    for text in ("http://evil.test/x", "HTTPS://evil.test", "WWW.evil.test", "mail me@evil.test"):
        unescaped = markdown_text(text).replace("\\", "")
        assert "://" not in unescaped and "www." not in unescaped.lower() and "me@" not in unescaped
        assert shown_text(markdown_text(text)) == text


def test_long_values_are_cut():
    assert shown_text(markdown_text("x" * 1000)) == "x" * (QUOTE_LIMIT - 1) + "…"
