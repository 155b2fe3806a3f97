"""Prompt files: the three formats, every bad line named, and any text either parses or is one clear error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.runs.prompts import (
    MAX_PROMPT_CHARS,
    MAX_UPLOAD_BYTES,
    Prompt,
    PromptFileError,
    parse_prompts,
    prompts_given,
    read_prompts,
)


def test_jsonl_takes_prompt_or_messages_with_optional_id_and_max_tokens():
    text = "\n".join([
        json.dumps({"id": "greet", "prompt": "Hello", "max_tokens": 50}),
        "",
        json.dumps({"messages": [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}]}),
    ])  # fmt: skip
    first, second = parse_prompts(text, "jsonl")
    assert first == Prompt("greet", (("user", "Hello"),), 50)
    assert second.label == "line 3" and second.messages == (("system", "Be brief"), ("user", "Hi"))
    assert second.chars == len("Be brief") + len("Hi")


def test_csv_needs_a_prompt_column_and_keeps_quoted_newlines():
    prompts = parse_prompts('id,prompt\na,"two\nlines"\n,plain\n', "csv")
    assert [(p.label, p.messages[0][1]) for p in prompts] == [("a", "two\nlines"), ("line 4", "plain")]
    with pytest.raises(PromptFileError, match="line 1: the header has no `prompt` column"):
        parse_prompts("question\nwhy\n", "csv")


def test_txt_is_one_prompt_a_line_and_skips_blank_lines():
    assert [p.label for p in parse_prompts("one\n\n  \nfour\n", "txt")] == ["line 1", "line 4"]


def test_every_bad_line_is_named_in_one_message():
    lines = ['{"prompt": "ok"}', "[1]", '{"prompt": "x", "max_tokens": 0}', '{"prompt": "x", "extra": 1}']
    text = "\n".join([*lines, '{"id": true, "prompt": "x"}'])
    with pytest.raises(PromptFileError) as raised:
        parse_prompts(text, "jsonl", "p.jsonl")
    message = str(raised.value)
    assert message.startswith("p.jsonl: line 2: not a JSON object; line 3: `max_tokens` must be")
    assert "line 4: unknown field 'extra'" in message and "line 5: `id` must be" in message


def test_a_prompt_too_long_or_a_file_without_prompts_is_refused(tmp_path):
    with pytest.raises(PromptFileError, match=f"at most {MAX_PROMPT_CHARS:,}"):
        parse_prompts("x" * (MAX_PROMPT_CHARS + 1), "txt")
    with pytest.raises(PromptFileError, match="no prompts"):
        parse_prompts("\n\n", "txt")
    (tmp_path / "p.md").write_text("hi")
    with pytest.raises(PromptFileError, match="must end in .jsonl, .csv, .txt or .yaml"):
        read_prompts(tmp_path / "p.md")
    (tmp_path / "bad.txt").write_bytes(b"fine\n\xff\xfe\n")
    with pytest.raises(PromptFileError, match="bad.txt, line 2: not UTF-8 text"):
        read_prompts(tmp_path / "bad.txt")
    with pytest.raises(PromptFileError, match="cannot be read"):
        read_prompts(tmp_path / "missing.txt")


def test_the_digest_changes_with_what_is_sent():
    a, b = parse_prompts("hello\nhello!\n", "txt")
    assert a.sha256 != b.sha256 and a.sha256 == parse_prompts("hello\n", "txt")[0].sha256


@given(st.text(max_size=300), st.sampled_from(["jsonl", "csv", "txt"]))
def test_any_text_parses_or_is_one_prompt_file_error(text, kind):
    try:
        prompts = parse_prompts(text, kind)
    except PromptFileError as error:
        assert "\n" not in str(error).split(": ", 1)[0]
    else:
        assert prompts and all(p.messages and p.chars <= MAX_PROMPT_CHARS for p in prompts)


def test_the_runs_page_reads_an_upload_by_its_suffix_else_the_pasted_text():
    upload = ("mine.JSONL", '\ufeff{"id": "q", "prompt": "Hi"}\n'.encode())  # a byte-order mark is dropped
    assert prompts_given("ignored", "txt", upload) == [Prompt("q", (("user", "Hi"),))]
    assert prompts_given("Hi\nHello", "txt") == parse_prompts("Hi\nHello", "txt", "the pasted prompts")
    with pytest.raises(PromptFileError, match="^the pasted prompts: no prompts$"):
        prompts_given("\n", "txt")


@pytest.mark.parametrize(
    ("upload", "said"),
    [
        (("notes.md", b"Hi"), "notes.md: a prompt file must end in .jsonl, .csv, .txt or .yaml (promptfoo)"),
        (("big.txt", b"x" * (MAX_UPLOAD_BYTES + 1)), "big.txt: larger than 5 MB"),
        (("bad.txt", b"fine\nalso fine\n\xff\xfe"), "bad.txt, line 3: not UTF-8 text"),
    ],
)
def test_an_upload_of_the_wrong_kind_too_large_or_not_text_is_refused_by_name(upload, said):
    with pytest.raises(PromptFileError) as refused:
        prompts_given("", "txt", upload)
    assert str(refused.value) == said


upload_names = st.builds(
    lambda stem, suffix: stem + suffix,
    st.text(max_size=10),
    st.sampled_from(["", ".txt", ".CSV", ".jsonl", ".yaml", ".yml", ".md"]),
)


@given(upload_names, st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_upload_gives_prompts_or_one_prompt_file_error(name, data):
    try:
        prompts = prompts_given("", "txt", (name, data))
    except PromptFileError as error:
        assert str(error).startswith(name)
    else:
        assert prompts and all(p.messages and p.chars <= MAX_PROMPT_CHARS for p in prompts)
