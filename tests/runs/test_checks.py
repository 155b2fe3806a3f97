"""Checks on answers (`expect`), and promptfoo config files read as prompts with checks."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.runs.checks import (
    CHECK_TYPES,
    Check,
    CheckError,
    parse_check,
    parse_checks,
    passed,
    read_verdict,
    run_check,
    run_checks,
)
from catalog.runs.prompts import PromptFileError, parse_prompts, read_prompts

FILES = Path(__file__).parent / "files"


def verdict(kind, value, answer):
    return run_check(parse_check({"type": kind, "value": value} if value is not None else {"type": kind}), answer)


@pytest.mark.parametrize(
    ("kind", "value", "answer", "expected"),
    [
        ("equals", "Paris", "  Paris\n", True),
        ("equals", "Paris", "Paris.", False),
        ("contains", "Paris", "It is Paris.", True),
        ("contains", "Paris", "It is paris.", False),
        ("icontains", "paris", "It is PARIS.", True),
        ("not_contains", "sorry", "Sure: Paris", True),
        ("not_contains", "sorry", "sorry, no", False),
        ("starts_with", "Paris", "Paris, of course", True),
        ("starts_with", "Paris", "It is Paris", False),
        ("regex", r"^\d{3}-\d{4}$", "555-1234", True),
        ("regex", r"^\d{3}-\d{4}$", "call 555-1234", False),
        ("is_json", None, '{"a": 1}', True),
        ("is_json", None, '```json\n{"a": 1}\n```', True),
        ("is_json", None, 'Here you go: {"a": 1}', False),
        ("contains_json", None, 'Here you go: {"a": 1} enjoy', True),
        ("contains_json", None, "no json here", False),
        ("max_words", 3, "one two three", True),
        ("max_words", 3, "one two three four", False),
        ("max_chars", 5, "abcde", True),
        ("max_chars", 5, "abcdef", False),
    ],
)
def test_each_check_type_decides_as_documented(kind, value, answer, expected):
    result = verdict(kind, value, answer)
    assert result.passed is expected and result.type == kind
    assert (result.reason == "") is expected  # a failure always says why


def test_a_json_schema_check_validates_and_names_where_it_fails():
    schema = {"type": "object", "required": ["name", "age"], "properties": {"age": {"type": "integer"}}}
    assert verdict("json_schema", schema, '{"name": "Ada", "age": 36}').passed is True
    wrong = verdict("json_schema", schema, '{"name": "Ada", "age": "36"}')
    assert wrong.passed is False and "age" in wrong.reason
    prose = verdict("json_schema", schema, 'Sure! {"name": "Ada", "age": 36}')
    assert prose.passed is False and "not JSON" in prose.reason


@pytest.mark.parametrize(
    ("check", "says"),
    [
        ({"type": "sounds_right"}, "unknown check type 'sounds_right'; supported: equals"),
        ({"type": "regex", "value": "(unclosed"}, "does not compile"),
        ({"type": "json_schema", "value": {"type": "no-such-type"}}, "the JSON schema is invalid"),
        ({"type": "max_words", "value": -1}, "whole number"),
        ({"type": "contains"}, "needs a text value"),
        ({"type": "contains", "value": "x", "judge": "m"}, "only a judge check"),
        ({"type": "contains", "value": "x", "weight": 2}, "unknown field 'weight'"),
    ],
)
def test_a_bad_check_is_refused_with_a_reason(check, says):
    with pytest.raises(CheckError, match=says.replace("(", r"\(")):
        parse_check(check)


def test_a_catastrophic_regex_is_not_judged_after_its_time_bound_never_a_frozen_run():
    started = time.perf_counter()
    result = verdict("regex", r"^(a|aa)+$", "a" * 5000 + "!")  # exponential in any backtracking engine
    assert result.passed is None and "took longer" in result.reason
    assert time.perf_counter() - started < 2


def test_deep_json_in_an_answer_is_a_failure_not_a_recursion_error():
    assert verdict("is_json", None, "[" * 200_000).passed is False
    assert verdict("contains_json", None, "[" * 50_000).passed is False


def test_an_answer_passes_only_when_every_check_holds():
    checks = parse_checks([{"type": "icontains", "value": "paris"}, {"type": "max_words", "value": 2}])
    assert passed(run_checks(checks, "Paris")) is True
    assert passed(run_checks(checks, "It is Paris of course")) is False
    judged = parse_checks([{"type": "icontains", "value": "paris"}, {"type": "judge", "value": "polite"}])
    assert passed(run_checks(judged, "Paris")) is None  # the judge has not graded it yet


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"pass": true, "score": 0.9, "reason": "apologises once"}', True),
        ('```json\n{"pass": false, "score": 0.1, "reason": "no next step"}\n```', False),
        ('Verdict: {"pass": true, "score": 1, "reason": "ok"}', None),  # never picked out of prose
        ("It passes, I think.", None),
        ('{"pass": "yes"}', None),
        ('{"pass": true, "score": 7}', None),
    ],
)
def test_a_judges_reply_is_a_verdict_or_an_error_of_the_judge(reply, expected):
    assert read_verdict(reply).passed is expected


@given(st.text(max_size=300), st.sampled_from([k for k in CHECK_TYPES if k not in ("judge", "json_schema")]))
def test_no_answer_makes_a_check_raise(answer, kind):
    shape = CHECK_TYPES[kind]
    value = {"text": "a", "pattern": "a+b", "whole": 3, "none": None}[shape]
    result = run_check(Check(kind, value), answer)
    assert result.passed in (True, False, None)


def test_expect_in_jsonl_and_csv_files():
    prompts = read_prompts(FILES / "capitals.jsonl")
    assert [p.label for p in prompts] == ["france", "japan", "peru", "kenya"]
    assert prompts[0].checks == (Check("icontains", "paris"),)
    csv_text = 'id,prompt,expect\nfr,Capital of France?,"[{""type"": ""icontains"", ""value"": ""paris""}]"\nx,Hi,\n'
    rows = parse_prompts(csv_text, "csv")
    assert rows[0].checks == (Check("icontains", "paris"),) and rows[1].checks == ()


def test_a_bad_check_in_a_prompt_file_names_its_line_before_anything_is_sent():
    text = '{"prompt": "a"}\n{"prompt": "b", "expect": [{"type": "regex", "value": "(("}]}\n'
    with pytest.raises(PromptFileError, match="line 2: the regex"):
        parse_prompts(text, "jsonl")
    with pytest.raises(PromptFileError, match="line 2: the `expect` cell is not JSON"):
        parse_prompts("prompt,expect\nhello,[oops\n", "csv")


def test_a_promptfoo_file_of_3_prompts_by_4_tests_is_12_prompts_with_the_jsonl_checks():
    prompts = read_prompts(FILES / "promptfooconfig.yaml")
    assert len(prompts) == 12
    jsonl = {p.label: p for p in read_prompts(FILES / "capitals.jsonl")}
    for prompt in prompts:
        test = prompt.label.split(" · ")[0]
        assert prompt.checks == (Check("not_contains", "I don't know"), *jsonl[test].checks)
    assert prompts[0].messages == (("user", "Capital of France? One word."),)
    assert prompts[0].messages == jsonl["france"].messages
    assert prompts[1].messages[0][1] == "What is the capital city of France? Answer with the city only."


@pytest.mark.parametrize(
    ("yaml_text", "says"),
    [
        (
            "prompts: ['{{q}}']\ntests:\n  - vars: {q: hi}\n    assert:\n      - type: similar\n",
            "line 5: assert type 'similar'",
        ),
        ("prompts: ['{{q}}']\ntests:\n  - vars: {x: hi}\n", "line 1: the template uses {{q}}"),
        ("prompts: ['{{q | upper}}']\ntests:\n  - vars: {q: hi}\n", "only {{var}} placeholders"),
        ("prompts: ['file://p.txt']\ntests: []\n", "prompts from files are not supported"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases are not supported"),
        ("prompts: [\n", "not valid YAML"),
        ("tests:\n  - vars: {q: hi}\n", "no `prompts`"),
        (
            "prompts: ['q']\ntests:\n  - vars: {q: hi}\n    assert:\n      - type: contains\n        weight: 2\n",
            "line 6: an assert has 'weight'",
        ),
    ],
)
def test_a_promptfoo_file_outside_the_subset_is_a_line_numbered_error(yaml_text, says):
    with pytest.raises(PromptFileError, match=says.replace("(", r"\(").replace("|", r"\|").replace("*", r"\*")):
        parse_prompts(yaml_text, "yaml")


def test_deep_yaml_is_a_clear_error():
    with pytest.raises(PromptFileError, match="nests"):
        parse_prompts("prompts: " + "[" * 5000 + "]" * 5000 + "\n", "yaml")


def test_llm_rubric_becomes_a_judge_check_with_its_provider():
    text = "prompts: ['Reply to {{who}}']\ntests:\n  - vars: {who: Ann}\n    assert:\n"
    text += "      - type: llm-rubric\n        value: Apologises once\n        provider: DeepInfra:microsoft/phi-4\n"
    text += "      - type: is-json\n        value: {type: object}\n"
    (prompt,) = parse_prompts(text, "yaml")
    assert prompt.checks == (
        Check("judge", "Apologises once", "DeepInfra:microsoft/phi-4"),
        Check("json_schema", {"type": "object"}),
    )
    assert json.dumps([c.to_json() for c in prompt.checks])
