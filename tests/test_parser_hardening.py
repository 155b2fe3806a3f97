"""Hostile pages: nothing a page holds can make parsing slow, and nothing deceptive becomes a model id.

The adversarial inputs are the ones reported in issue 8; each ran for tens of seconds on the old parser
(a regex holding the GIL), so each runs here in a forked child with a deadline, which the old code misses.
"""

from __future__ import annotations

import gc
import multiprocessing
import statistics
import time
from collections.abc import Callable

import pytest

from catalog import ParseError, PriceRow, SourceError, build_catalog, enrich, parse_page
from catalog.parser import MAX_CELL_CHARS, MAX_LINE_CHARS

HEADER = "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n"
TABLE = HEADER + "| m | $1 | $2 |\n"


def _outcome(text: str) -> str:
    try:
        parsed = parse_page(text, source="t.md")
    except ParseError as error:
        return f"error: {error}"
    return f"rows: {len(parsed.rows)}"


def _child(text: str, connection: multiprocessing.connection.Connection) -> None:
    connection.send(_outcome(text))


def within(seconds: float, text: str) -> str:
    """What parsing `text` gives, from a forked child that must finish within `seconds`."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(text, sender))
    child.start()
    try:
        if not receiver.poll(seconds):
            pytest.fail(f"parsing took more than {seconds} s")
        return str(receiver.recv())
    finally:
        child.kill()
        child.join()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("# a" + " " * 4000 + "x\n\n" + TABLE, id="title-line-with-4000-spaces"),
        pytest.param("# a" + " " * 8000 + "x\n\n" + TABLE, id="title-line-with-8000-spaces"),
        pytest.param("# X\n\n" + HEADER + "| m | -" + " " * 2000 + "- | $1 |\n", id="price-cell-minus-2000-spaces"),
        pytest.param("# X\n\n" + HEADER + "| m | -" + " " * 450 + "- | $1 |\n", id="price-cell-minus-450-spaces"),
        pytest.param("# X\n\n" + HEADER + "| a" + " " * 9000 + "b | $1 | $1 |\n", id="model-cell-of-spaces"),
        pytest.param("Authentication uses `" + "a" * 9000 + "\n# X\n\n" + TABLE, id="unclosed-auth-code-span"),
    ],
)
def test_reported_adversarial_pages_parse_in_well_under_a_second(text):
    assert within(2.0, text)


def test_the_title_line_with_spaces_is_read_as_the_title():
    assert parse_page("# a" + " " * 4000 + "x\n\n" + TABLE).provider.name == "a" + " " * 4000 + "x"
    assert parse_page("# Groq ##\n\n" + TABLE).provider.name == "Groq"
    assert parse_page("# C# #\n\n" + TABLE).provider.name == "C#"


def test_family_detection_is_linear_in_the_length_of_the_id():
    context = multiprocessing.get_context("fork")
    child = context.Process(target=enrich, args=(PriceRow("llama" * 90_000, 1.0, 1.0, 1), "P"))
    started = time.perf_counter()
    child.start()
    child.join(2.0)
    alive = child.is_alive()
    child.kill()
    child.join()
    assert not alive, "enriching a 450 KB id took more than 2 s"
    assert child.exitcode == 0 and time.perf_counter() - started < 2.0


def test_a_line_longer_than_the_bound_is_an_error_naming_it():
    with pytest.raises(ParseError) as caught:
        parse_page("# X\n\n" + "word " * (MAX_LINE_CHARS // 4) + "\n" + TABLE)
    assert caught.value.line == 3
    assert f"more than the {MAX_LINE_CHARS:,}" in caught.value.reason


def test_a_table_line_longer_than_the_bound_is_an_error_naming_it():
    with pytest.raises(ParseError) as caught:
        parse_page("# X\n\n" + TABLE + "| n | $1 | $" + "9" * MAX_LINE_CHARS + " |\n")
    assert caught.value.line == 6
    assert len(str(caught.value)) < 200


def test_a_cell_longer_than_the_bound_is_an_error_quoting_at_most_80_characters():
    with pytest.raises(ParseError) as caught:
        parse_page("# X\n\n" + HEADER + "| m | $" + "1" * (MAX_CELL_CHARS + 1) + "x | $1 |\n")
    assert caught.value.line == 5
    assert "…" in caught.value.reason and len(caught.value.reason) < 200
    with pytest.raises(ParseError) as caught:
        parse_page("# X\n\n" + HEADER + "| " + "m" * (MAX_CELL_CHARS + 1) + " | $1 | $1 |\n")
    assert "the model id 'mmm" in caught.value.reason and len(caught.value.reason) < 200


def test_error_messages_quote_at_most_about_80_characters_of_a_cell():
    with pytest.raises(ParseError) as caught:
        parse_page("# X\n\n" + HEADER + "| m | $" + "abc" * 100 + " | $1 |\n")
    quoted = caught.value.reason.split("price ", 1)[1].rsplit(" is not", 1)[0]
    assert quoted.endswith("…'") and len(quoted) <= 84


# --- ids a person can trust --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "what"),
    [
        pytest.param("a\x00b", "a control character (U+0000)", id="NUL"),
        pytest.param("\x1b[31mred", "a control character (U+001B)", id="ESC"),
        pytest.param("gpt\u202e4o", "a bidirectional control character (U+202E)", id="RLO"),
        pytest.param("gpt\u2066x\u2069", "a bidirectional control character (U+2066)", id="LRI"),
        pytest.param("a\u00a0b", "a non-ASCII space (U+00A0)", id="NBSP-inside"),
        pytest.param("a\u2028b", "an invisible or unassigned character (U+2028)", id="line-separator"),
    ],
)
def test_ids_with_control_or_bidi_characters_are_refused_with_the_line(model, what):
    for row in (f"| {model} | $1 | $1 |", f"| {model} | 1 | $1 |"):  # the fast path and the careful one
        with pytest.raises(ParseError) as caught:
            parse_page("# X\n\n" + HEADER + "| fine | $1 | $1 |\n" + row + "\n")
        assert caught.value.line == 6
        assert what in caught.value.reason
        assert "\x1b" not in str(caught.value) and "\u202e" not in str(caught.value)


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u200d", "\u2060", "\u00ad"])
def test_zero_width_characters_and_boms_are_stripped_so_look_alikes_are_one_model(invisible):
    parsed = parse_page("# X\n\n" + HEADER + f"| Qwen/{invisible}Qwen3-32B{invisible} | $1 | 2 |\n")
    assert [row.model for row in parsed.rows] == ["Qwen/Qwen3-32B"]
    with pytest.raises(ParseError, match="duplicate model id 'Qwen/Qwen3-32B' \\(first listed on line 5\\)"):
        parse_page("# X\n\n" + HEADER + "| Qwen/Qwen3-32B | $1 | $1 |\n" + f"| Qwen/Qwen3{invisible}-32B | $1 | $1 |\n")


def test_a_no_break_space_around_an_id_is_trimmed_like_any_space():
    assert parse_page("# X\n\n" + HEADER + "|\u00a0m\u00a0| $1 | $1 |\n").rows[0].model == "m"


def test_ids_differing_only_in_case_are_both_kept_and_reported():
    parsed = parse_page("# X\n\n" + HEADER + "| Qwen/Qwen3-32B | $1 | $1 |\n| qwen/qwen3-32b | $2 | $2 |\n")
    assert [row.model for row in parsed.rows] == ["Qwen/Qwen3-32B", "qwen/qwen3-32b"]
    assert parsed.warnings == (
        "X: line 6: the model id 'qwen/qwen3-32b' differs from 'Qwen/Qwen3-32B' (line 5) only in case; both are kept",
    )


@pytest.mark.parametrize("price", ["$٣.٥", "\\$٣", "٣٫٥", "$３.５", "$1٣"])
def test_non_ascii_digits_are_not_prices(price):
    with pytest.raises(ParseError) as caught:
        parse_page("# X\n\n" + HEADER + f"| m | {price} | $1 |\n")
    assert caught.value.line == 5
    assert "is written with non-ASCII digits" in caught.value.reason


def test_a_price_header_starting_with_an_invisible_character_is_a_warning_not_silence():
    text = "# X\n\n" + TABLE + "\n## More\n\n\u200b" + HEADER + "| hidden | $1 | $1 |\n"
    parsed = parse_page(text)
    assert [row.model for row in parsed.rows] == ["m"]
    assert parsed.warnings == (
        "X: line 9: a line that looks like a price table header was skipped: it starts with an invisible character",
    )


def test_a_backtick_line_that_is_not_a_fence_does_not_hide_the_table_after_it():
    parsed = parse_page("# X\n\n``` a`b\n\n" + HEADER + "| after | $1 | $1 |\n")
    assert [row.model for row in parsed.rows] == ["after"]
    assert parsed.warnings == ()


def test_a_price_table_in_a_code_block_or_a_quote_is_skipped_with_a_warning():
    text = "# X\n\n```md\n" + TABLE + "```\n\n> " + HEADER + "\n" + HEADER + "| real | $1 | $1 |\n"
    parsed = parse_page(text)
    assert [row.model for row in parsed.rows] == ["real"]
    assert parsed.warnings == (
        "X: line 4: a line that looks like a price table header was skipped: "
        "it is inside a code block (opened on line 3)",
        "X: line 9: a line that looks like a price table header was skipped: it is quoted (starts with '>')",
    )


def test_a_page_can_be_held_to_a_number_of_models():
    text = "# X\n\n" + HEADER + "".join(f"| m{i} | $1 | $1 |\n" for i in range(4))
    assert len(parse_page(text, max_models=4).rows) == 4
    with pytest.raises(ParseError) as caught:
        parse_page(text, max_models=3)
    assert (caught.value.line, caught.value.reason) == (8, "more than 3 models: a page may list at most 3")


# --- linear time, measured -----------------------------------------------------------------------------


def _seconds(function: Callable[[], object], repeat: int = 1) -> float:
    """CPU seconds of `repeat` calls: CPU time, not wall time, so waiting for a busy machine's cores is not counted."""
    started = time.process_time()
    for _ in range(repeat):
        function()
    return time.process_time() - started


def _growth(make: Callable[[int], Callable[[], object]], size: int) -> float:
    """Time at 2 × size over time at size: medians of five runs, the two sizes in turn.

    Each run repeats the work until the smaller size takes about 5 ms, well above the clock's grain.
    The machine is shared and noisy, so a try that reads 3× or more is measured again, up to three
    times, and the lowest ratio counts: noise can make one try slow, while a quadratic cost is 4× on
    every try. The collector is off while timing: its passes grow with the objects alive, not the input.
    """
    small, large = make(size), make(2 * size)
    large()  # warm up
    repeat = max(1, round(0.005 / max(_seconds(small), 1e-6)))
    ratios = []
    for _ in range(3):
        small_times, large_times = [], []
        gc.disable()
        try:
            for _ in range(5):
                small_times.append(_seconds(small, repeat))
                large_times.append(_seconds(large, repeat))
        finally:
            gc.enable()
        ratios.append(statistics.median(large_times) / statistics.median(small_times))
        if ratios[-1] < 3:
            break
    return min(ratios)


def _page_of(unit: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
    """A page of `count` lines made by `unit(i)`, after a valid table; parsing it is the measured work."""

    def make(count: int) -> Callable[[], object]:
        text = "# X\n\nX offers 1 models.\n\n" + TABLE + "\n" + "".join(unit(i) + "\n" for i in range(count))
        return lambda: parse_page(text)

    return make


PAGE_SHAPES = {
    "rows-with-spaced-ids": lambda i: ("" if i else HEADER) + f"| a{i}" + " " * 200 + f"b | $1 | \\$ {i} |",
    "rows-with-signed-spaced-prices": lambda i: ("" if i else HEADER) + f"| r{i} | $ " + " " * 200 + "1 | 2 |",
    "headings-of-hashes-and-spaces": lambda i: "## " + "#" * 100 + " " * 200 + "x",
    "unclosed-code-spans": lambda i: "Authentication uses `" + "a" * 300 + " **Target URL:** `" + "b" * 300,
    "offers-without-a-count": lambda i: "offers " * 60 + " " * 200,
    "pipes-that-are-no-table": lambda i: "x | Model | Input / 1M tokens " + "|" * 200,
    "fence-lines-with-backticks": lambda i: "``` a`b" + "`" * 300,
    "escaped-pipes": lambda i: ("" if i else HEADER) + f"| e{i}" + "\\|" * 100 + " | $1 | $1 |",
}


@pytest.mark.parametrize("shape", PAGE_SHAPES)
def test_parse_time_grows_linearly_on_adversarial_pages(shape):
    assert _growth(_page_of(PAGE_SHAPES[shape]), 1_000) < 3


def _enrich_id(unit: str) -> Callable[[int], Callable[[], object]]:
    def make(length: int) -> Callable[[], object]:
        row = PriceRow(unit * (length // len(unit)), 1.0, 2.0, 1)
        return lambda: enrich(row, "P")

    return make


ID_SHAPES = ["llama", "llama-3", "l", "1", "a1", "qwen-", "deepseek-v1.", "nemotron-llama-", "8x", "-", "claude-"]


@pytest.mark.parametrize("unit", ID_SHAPES)
def test_enrichment_time_grows_linearly_on_adversarial_ids(unit):
    assert _growth(_enrich_id(unit), 200_000) < 3


def _one_line_page(unit: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
    """A page whose one adversarial line is `length` characters long (parsing it may raise)."""

    def make(length: int) -> Callable[[], object]:
        text = unit(length)
        return lambda: _outcome(text)

    return make


LINE_SHAPES = {
    "title-of-spaces": lambda n: "# a" + " " * n + "x\n\n" + TABLE,
    "price-cell-minus-spaces-minus": lambda n: "# X\n\n" + HEADER + "| m | -" + " " * (n // 10) + "- | $1 |\n",
    "price-cell-dollar-spaces": lambda n: "# X\n\n" + HEADER + "| m | $" + " " * (n // 10) + "x | $1 |\n",
    "model-cell-spaces": lambda n: "# X\n\n" + HEADER + "| a" + " " * (n // 10) + "b | $1 | $1\n",
    "heading-hashes-spaces": lambda n: "# X " + "#" * n + " " * n + "x\n\n" + TABLE,
    "claimed-offers-spaces": lambda n: "# X\n\n" + "offers " * (n // 7) + "\n" + TABLE,
}


@pytest.mark.parametrize("shape", LINE_SHAPES)
def test_parse_time_grows_linearly_in_the_length_of_one_line(shape):
    assert _growth(_one_line_page(LINE_SHAPES[shape]), 2_000) < 3


def test_a_long_title_is_cut_in_warnings_and_errors():
    title = "T" * 5_000
    parsed = parse_page(f"# {title}\n\n{title} offers 2 models.\n\n" + TABLE)
    (warning,) = parsed.warnings
    assert warning.startswith("T" * 79 + "…: the page claims 2 models") and len(warning) < 200
    page = parse_page(f"# {title}\n\n" + TABLE)
    with pytest.raises(SourceError) as caught:
        build_catalog([page, page])
    assert len(str(caught.value)) < 250 and "…" in str(caught.value)


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\u202e", "\u2066"])
def test_a_provider_name_with_control_characters_is_refused_with_its_line(char):
    with pytest.raises(ParseError) as caught:
        parse_page(f"\n# Evil{char}[31m\n\n" + TABLE)
    assert caught.value.line == 2 and "the provider name" in caught.value.reason
    assert char not in str(caught.value)


def test_a_provider_name_loses_its_invisible_characters():
    assert parse_page("# Fire\u200bworks\n\n" + TABLE).provider.name == "Fireworks"


def test_a_price_header_inside_another_table_is_a_warning_not_silence():
    text = "# X\n\n| | |\n| - | - |\n| **Streaming** | Yes |\n" + HEADER + "| hidden | $1 | $1 |\n\n" + TABLE
    parsed = parse_page(text)
    assert [row.model for row in parsed.rows] == ["m"]
    assert parsed.warnings == (
        "X: line 6: a line that looks like a price table header was skipped: "
        "it is a row of the table that starts on line 3 (no blank line before it?)",
    )
