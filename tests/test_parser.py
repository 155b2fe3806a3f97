"""Reading provider pages: the shapes Lava pages come in, and every way a page can be malformed."""

from __future__ import annotations

import math
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import ParseError, parse_page
from catalog.sources import DEFAULT_PAGE

HEADER = "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n"


def page(*rows: str, before: str = "# Groq\n\nGroq offers 2 models through Lava's AI Gateway.\n\n") -> str:
    return before + HEADER + "".join(row + "\n" for row in rows)


def parse_error(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_page(text, source="test.md")
    return caught.value


def test_unescaped_and_escaped_dollars_and_thousands_separators_parse():
    parsed = parse_page(page("| llama-3.3-70b-versatile | $0.59 | \\$0.79 |", "| big-model | $1,250.00 | 2,000 |"))
    assert [(r.model, r.input_usd_per_mtok, r.output_usd_per_mtok) for r in parsed.rows] == [
        ("llama-3.3-70b-versatile", 0.59, 0.79),
        ("big-model", 1250.0, 2000.0),
    ]


def test_extra_spaces_alignment_colons_and_crlf_parse():
    text = (
        "# Fireworks\r\n\r\n"
        "|   Model   |  Input / 1M tokens |Output / 1M tokens|\r\n"
        "|:----------|-------------------:|:----------------:|\r\n"
        "|   accounts/fireworks/models/kimi-k2-instruct   |   \\$0.60   |  \\$2.50  |\r\n"
    )
    parsed = parse_page(text)
    assert parsed.provider.name == "Fireworks"
    assert [(r.model, r.input_usd_per_mtok, r.output_usd_per_mtok, r.source_line) for r in parsed.rows] == [
        ("accounts/fireworks/models/kimi-k2-instruct", 0.6, 2.5, 5)
    ]


def test_table_like_lines_in_code_fences_blockquotes_and_mdx_are_not_models():
    text = textwrap.dedent(
        """\
        # Anthropic

        > | not-a-model | $9.00 | $9.00 |

        <Info>Supports **managed** mode.</Info>

        ```markdown
        | Model | Input / 1M tokens | Output / 1M tokens |
        | --- | --- | --- |
        | fenced-model | $1.00 | $2.00 |
        ```

        ~~~~
        | tilde-fenced | $1.00 | $2.00 |
        ~~~~

        <CardGroup cols={2}>
          <Card title="All Providers" href="/gateway/supported-providers">Browse</Card>
        </CardGroup>

        | Model | Input / 1M tokens | Output / 1M tokens |
        | --- | --- | --- |
        | claude-haiku-4-5 | $1.00 | $5.00 |
        """
    )
    parsed = parse_page(text)
    assert [r.model for r in parsed.rows] == ["claude-haiku-4-5"]
    assert parsed.rows[0].source_line == 23
    assert parsed.provider.modes == ("managed",)


def test_only_per_million_token_tables_give_rows():
    text = page(
        "| whisper-fast | $0.10 | $0.20 |",
        before=textwrap.dedent(
            """\
            # OpenAI

            |                  |                    |
            | ---------------- | ------------------ |
            | **Content Type** | `application/json` |
            | **Streaming**    | No                 |

            | Model | Price / minute |
            | ----- | -------------- |
            | whisper-1 | $0.006 |
            | tts-1 | per character |

            """
        ),
    )
    parsed = parse_page(text)
    assert [r.model for r in parsed.rows] == ["whisper-fast"]
    assert parsed.provider.content_type == "application/json"
    assert parsed.provider.streaming is False


def test_several_price_tables_on_one_page_all_count():
    text = page("| chat-a | $1 | $2 |") + "\n## Embeddings\n\n" + HEADER + "| embed-b | $0.02 | $0 |\n"
    parsed = parse_page(text)
    assert [(r.model, r.source_line) for r in parsed.rows] == [("chat-a", 7), ("embed-b", 13)]


def test_target_url_prefers_the_chat_completions_section():
    text = (
        textwrap.dedent(
            """\
        # Mixed

        ## Embeddings

        **Target URL:** `https://api.example.com/v1/embeddings`

        ## Chat Completions

        **Target URL:** `https://api.example.com/v1/chat/completions`

        """
        )
        + HEADER
        + "| m | $1 | $1 |\n"
    )
    assert parse_page(text).provider.target_url == "https://api.example.com/v1/chat/completions"


def test_backticked_and_escaped_model_ids_are_unwrapped():
    parsed = parse_page(page("| `gpt-4o-mini` | $0.15 | $0.60 |", "| my\\_model | $1 | $1 |"))
    assert [r.model for r in parsed.rows] == ["gpt-4o-mini", "my_model"]


def test_claimed_count_mismatch_is_a_warning_not_an_error():
    parsed = parse_page(page("| only-one | $1.00 | $2.00 |"))
    assert len(parsed.rows) == 1
    assert parsed.warnings == ("Groq: the page claims 2 models (line 3) but its price tables list 1",)


def test_a_page_without_a_claim_has_no_warning():
    parsed = parse_page(page("| a | $1 | $1 |", before="# X\n\n"))
    assert parsed.warnings == () and parsed.provider.claimed_model_count is None


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("| m | $abc | $1.00 |", "the input price '$abc' is not a number"),
        ("| m | $1.00 | n/a |", "the output price 'n/a' is not a number"),
        ("| m | $1.00 | free of charge |", "the output price 'free of charge' is not a number"),
        ("| m | $1.00 | $1.2.3 |", "the output price '$1.2.3' is not a number"),
        ("| m | -$0.40 | $1.00 |", "the input price '-$0.40' is negative"),
        ("| m | \\$-0.40 | $1.00 |", "the input price '\\\\$-0.40' is negative"),
        ("| m | $1.00 |", "missing cell: expected 3 cells, found 2"),
        ("| m | $1.00 | $2.00 | $3.00 |", "extra cell: expected 3 cells, found 4"),
        ("| m | | $2.00 |", "missing cell: the input price is empty"),
        ("|  | $1.00 | $2.00 |", "missing cell: the model id is empty"),
        ("| m | $1,00.00 | $2.00 |", "the input price '$1,00.00' is not a number"),
        ("| m | $" + "9" * 400 + " | $2.00 |", "is too large"),
    ],
)
def test_bad_price_rows_name_the_line_and_the_reason(row, reason):
    error = parse_error(page("| fine | $1.00 | $2.00 |", row))
    assert error.line == 8
    assert reason in error.reason
    assert str(error).startswith("test.md, line 8: ")


def test_duplicate_model_ids_name_both_lines():
    error = parse_error(page("| dup | $1.00 | $2.00 |", "| other | $1 | $1 |", "| dup | $1.00 | $2.00 |"))
    assert (error.line, error.reason) == (9, "duplicate model id 'dup' (first listed on line 7)")


def test_a_page_with_no_price_table_is_an_error():
    error = parse_error("# Nothing\n\nJust prose.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n")
    assert error.line == 8
    assert "no price table found" in error.reason


def test_an_empty_page_is_an_error():
    assert parse_error("").line == 1


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("| Name | Input / 1M tokens | Output / 1M tokens |", "Model"),
        ("| Model | Price / 1M tokens |", "Input or Output"),
    ],
)
def test_a_per_token_table_missing_a_column_is_an_error_not_skipped(header, missing):
    error = parse_error(f"# X\n\n{header}\n| --- | --- | --- |\n| m | $1 | $2 |\n")
    assert (error.line, error.reason) == (3, f"a per-1M-token price table without a {missing} column")


def test_a_price_table_with_no_rows_is_an_error():
    error = parse_error("# X\n\n" + HEADER + "\nAfter.\n")
    assert "the price table has no model rows" in error.reason


def test_a_price_header_without_separator_is_an_error():
    error = parse_error("# X\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n| m | $1 | $2 |\n")
    assert error.line == 4
    assert "separator" in error.reason


def test_an_unclosed_code_fence_is_mentioned():
    error = parse_error("# X\n\n```\n" + HEADER + "| m | $1 | $2 |\n")
    assert "code fence is still open" in error.reason


# --- properties -----------------------------------------------------------------------------------------

SEED_TEXT = DEFAULT_PAGE.text()
SEED_LINES = SEED_TEXT.split("\n")
FRAGMENTS = ["|", "||", "| --- |", "$", "\\$", "-", ",", "```", "~~~", ">", "#", "\r", " ", "0", "1.5", "abc", "\n"]


FRAGMENT = st.sampled_from(FRAGMENTS)
# The property tests below run without hypothesis' wall-clock deadline: on a shared 2-core machine a
# pause of the whole process fails it at random. Parse time is checked in CPU time by test_parser_hardening.


def fragments(max_size: int, alphabet: st.SearchStrategy[str] = FRAGMENT) -> st.SearchStrategy[str]:
    """Text made of markdown-table fragments, which find the parser's edges faster than random characters."""
    return st.lists(alphabet, max_size=max_size).map("".join)


def _check_result(text: str) -> None:
    """Parsing either fails with ParseError or gives rows that are clean and really on the page."""
    try:
        parsed = parse_page(text)
    except ParseError as error:
        assert error.line >= 1
        assert error.reason
        return
    lines = text.removeprefix("\ufeff").split("\n")
    ids = [row.model for row in parsed.rows]
    assert len(ids) == len(set(ids))
    for row in parsed.rows:
        assert row.model
        assert math.isfinite(row.input_usd_per_mtok) and row.input_usd_per_mtok >= 0
        assert math.isfinite(row.output_usd_per_mtok) and row.output_usd_per_mtok >= 0
        assert 1 <= row.source_line <= len(lines)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(fragments(200, FRAGMENT | st.characters()))
def test_arbitrary_text_raises_nothing_but_parse_error(text):
    _check_result(text)


@st.composite
def mutated_seed_pages(draw: st.DrawFn) -> str:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "splice", "truncate"]))
        if action == "delete" and len(lines) > 1:
            del lines[position]
        elif action == "duplicate":
            lines.insert(position, lines[position])
        elif action == "insert":
            lines.insert(position, draw(fragments(12)))
        elif action == "splice":
            line = lines[position]
            cut = draw(st.integers(min_value=0, max_value=len(line)))
            lines[position] = line[:cut] + draw(fragments(4)) + line[cut:]
        else:
            lines = lines[: position + 1]
    return "\n".join(lines)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(mutated_seed_pages())
def test_mutated_seed_pages_raise_nothing_but_parse_error(text):
    _check_result(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9./_-]{0,40}", fullmatch=True),
            st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False),
            st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
        unique_by=lambda row: row[0],
    ),
    st.sampled_from(["${:,}", "\\${}", "{}", "$ {}"]),
)
def test_generated_tables_round_trip_exactly(rows, price_format):
    text = (
        "# Gen\n\n"
        + HEADER
        + "".join(f"| {model} | {price_format.format(a)} | {price_format.format(b)} |\n" for model, a, b in rows)
    )
    parsed = parse_page(text)
    assert [(r.model, r.input_usd_per_mtok, r.output_usd_per_mtok, r.source_line) for r in parsed.rows] == [
        (model, float(a), float(b), 5 + index) for index, (model, a, b) in enumerate(rows)
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9./_-]{0,30}", fullmatch=True),
            st.one_of(st.just("Free"), st.decimals(min_value=0, max_value=1000, places=2).map("${}".format)),
            st.one_of(st.just("Free"), st.decimals(min_value=0, max_value=1000, places=2).map("\\${}".format)),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda row: row[0],
    ),
    st.integers(min_value=0, max_value=12),
)
def test_sections_repeating_ids_keep_the_first_listing_and_free_is_zero(rows, repeated):
    """A second section listing some of the same ids (a `(Native)` twin) adds no model and changes no price."""
    first = "".join(f"| {model} | {a} | {b} |\n" for model, a, b in rows)
    second = "".join(f"| {model} | {a} | {b} |\n" for model, a, b in rows[:repeated])
    parsed = parse_page("# Gen\n\n" + HEADER + first + "\n## Chat Completions (Native)\n\n" + HEADER + second)
    expected = [
        (model, 0.0 if a == "Free" else float(a.lstrip("\\$")), 0.0 if b == "Free" else float(b.lstrip("\\$")))
        for model, a, b in rows
    ]
    assert [(r.model, r.input_usd_per_mtok, r.output_usd_per_mtok) for r in parsed.rows] == expected
    assert [r.free for r in parsed.rows] == ["Free" in (a, b) for _, a, b in rows]
    assert not [warning for warning in parsed.warnings if "listed again" in warning]
