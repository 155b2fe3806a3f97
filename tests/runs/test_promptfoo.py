"""promptfoo configs: `defaultTest` as promptfoo applies it, number values as their text, and nesting measured
before PyYAML reads the file (a line named, in linear time)."""

from __future__ import annotations

import math
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.runs.checks import Check
from catalog.runs.promptfoo import MAX_DEPTH, js_number_text
from catalog.runs.prompts import PromptFileError, parse_prompts
from catalog.runs.yaml_depth import nesting_depth, too_deep_at

CONFIG = """\
prompts: ['Capital of {{country}}? Answer in {{language}}.']
defaultTest:
  vars: {language: English, city: nowhere}
  assert:
    - type: icontains
      value: "{{city}}"
tests:
  - vars: {country: France, city: Paris}
  - vars: {country: Japan, city: Tokyo, language: Japanese}
    assert:
      - type: not-contains
        value: "{{country}}"
"""


def test_default_vars_sit_under_each_tests_own_and_default_asserts_are_filled_per_test():
    france, japan = parse_prompts(CONFIG, "yaml")
    assert france.messages == (("user", "Capital of France? Answer in English."),)
    assert japan.messages == (("user", "Capital of Japan? Answer in Japanese."),)  # the test's var wins
    assert france.checks == (Check("icontains", "Paris"),)
    assert japan.checks == (Check("icontains", "Tokyo"), Check("not_contains", "Japan"))


def test_a_default_var_alone_fills_a_template():
    text = "prompts: ['{{q}}']\ndefaultTest: {vars: {q: Hello}}\ntests:\n  - description: one\n"
    (prompt,) = parse_prompts(text, "yaml")
    assert prompt.messages == (("user", "Hello"),) and prompt.label == "one"


def test_a_default_assert_naming_a_var_no_test_sets_names_its_line():
    text = "prompts: ['hi']\ndefaultTest:\n  assert:\n    - type: contains\n      value: '{{nope}}'\ntests:\n  - {}\n"
    with pytest.raises(PromptFileError, match=r"line 5: the template uses \{\{nope\}\}"):
        parse_prompts(text, "yaml")


@pytest.mark.parametrize(
    ("yaml_text", "says"),
    [
        ("prompts: ['hi']\ndefaultTest: file://default.yaml\ntests:\n  - {}\n", "line 2: `defaultTest` must be"),
        ("prompts: ['hi']\ndefaultTest:\n  threshold: 0.5\ntests:\n  - {}\n", "line 3: defaultTest has 'threshold'"),
    ],
)
def test_a_default_test_outside_the_subset_is_a_line_numbered_error(yaml_text, says):
    with pytest.raises(PromptFileError, match=says):
        parse_prompts(yaml_text, "yaml")


@pytest.mark.parametrize(
    ("value", "check"),
    [
        ("5", Check("equals", "5")),
        ("5.0", Check("equals", "5")),
        ("-2.50", Check("equals", "-2.5")),
        ("1e-7", Check("equals", "1e-7")),
        ("0x1F", Check("equals", "31")),
        ("'5.0'", Check("equals", "5.0")),  # quoted: text as written
    ],
)
def test_a_number_value_is_its_text_as_promptfoo_compares_it(value, check):
    text = f"prompts: ['2+3?']\ntests:\n  - assert:\n      - type: equals\n        value: {value}\n"
    (prompt,) = parse_prompts(text, "yaml")
    assert prompt.checks == (check,)


def test_numbers_in_contains_regex_and_rubric_values_are_text_too():
    text = "prompts: ['n?']\ntests:\n  - assert:\n      - {type: contains, value: 42}\n"
    text += "      - {type: regex, value: 7}\n      - {type: llm-rubric, value: 3, provider: m}\n"
    (prompt,) = parse_prompts(text, "yaml")
    assert prompt.checks == (Check("contains", "42"), Check("regex", "7"), Check("judge", "3", "m"))
    with pytest.raises(PromptFileError, match="line 3: a number value must be finite"):
        parse_prompts("prompts: ['n?']\ntests:\n  - assert: [{type: equals, value: .nan}]\n", "yaml")


@pytest.mark.parametrize(
    ("number", "text"),
    [(5, "5"), (5.0, "5"), (0.1, "0.1"), (-2.5, "-2.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
     (1.5e-7, "1.5e-7"), (1e-6, "0.000001"), (-0.0, "0"), (2**70, "1.1805916207174113e+21"), (123.456, "123.456")],
)  # fmt: skip
def test_numbers_are_written_as_javascript_writes_them(number, text):
    assert js_number_text(number) == text


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**25), 10**25))
def test_a_numbers_text_reads_back_as_the_same_number(number):
    text = js_number_text(number)
    assert float(text) == float(number) and " " not in text


def test_a_100_kb_file_of_brackets_is_refused_fast_naming_its_line():
    text = "description: deep\nprompts:\n  - " + "[" * 100_000 + "\ntests: []\n"
    started = time.perf_counter()
    with pytest.raises(PromptFileError, match=f"line 3: the YAML nests deeper than {MAX_DEPTH} levels"):
        parse_prompts(text, "yaml")
    assert time.perf_counter() - started < 5  # PyYAML alone took over a minute (quadratic in the depth)


def test_deep_block_nesting_names_its_line():
    text = "description: deep\nprompts:\n  " + "- " * 50_000 + "x\ntests: []\n"
    with pytest.raises(PromptFileError, match=f"line 3: the YAML nests deeper than {MAX_DEPTH} levels"):
        parse_prompts(text, "yaml")
    indented = "prompts: ['hi']\ntests:\n  - vars:\n" + "".join(f"{' ' * (6 + 2 * n)}k{n}:\n" for n in range(60))
    with pytest.raises(PromptFileError, match=f"line {3 + MAX_DEPTH - 1}: the YAML nests deeper"):
        parse_prompts(indented, "yaml")


def test_nesting_up_to_the_limit_is_read():
    # The config (0), tests (1), the test (2), metadata (3), then lists down to `x` at level 50.
    lists = "{q: " + "[" * (MAX_DEPTH - 4) + "x" + "]" * (MAX_DEPTH - 4) + "}"
    text = f"prompts: ['hi']\ntests:\n  - vars: {{q: ok}}\n    metadata: {lists}\n"
    assert len(parse_prompts(text, "yaml")) == 1
    deeper = text.replace("[x]", "[[x]]")
    with pytest.raises(PromptFileError, match="line 4: the YAML nests deeper"):
        parse_prompts(deeper, "yaml")


def _depth(node: yaml.Node, level: int = 0) -> int:
    children = [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else node.value
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        return max([_depth(child, level + 1) for child in children] + [level])
    return level


_scalars = st.one_of(
    st.text(max_size=12), st.integers(), st.booleans(), st.none(),
    st.sampled_from(["a: b", "[x", "- y", "#c", "it's", 'say "hi"', "x\ny", "{", "&a", "!t", "|", "> q", "---", "?"]),
)  # fmt: skip
_keys = st.text(max_size=6) | st.just("a b")
_data = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4), max_leaves=30
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(_data, st.sampled_from([False, True, None]), st.sampled_from([None, '"', "'", "|"]), st.booleans())
def test_the_measure_is_the_depth_pyyaml_reads_or_one_more(value, flow, style, start):
    text = yaml.safe_dump(value, default_flow_style=flow, default_style=style, explicit_start=start, width=30)
    depth = _depth(yaml.compose(text, Loader=yaml.SafeLoader))
    assert depth <= nesting_depth(text) <= depth + 1
    assert too_deep_at(text, depth + 1) is None


@given(st.text(max_size=300))
def test_measuring_any_text_never_raises(text):
    assert nesting_depth(text) >= 0 and not math.isnan(nesting_depth(text))
