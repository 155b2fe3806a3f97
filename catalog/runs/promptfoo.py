"""promptfoo test files (`promptfooconfig.yaml`) as a run's prompts: the common subset of its config format.

Field names follow promptfoo's configuration reference (https://www.promptfoo.dev/docs/configuration/reference/):

- `prompts`: a list of strings with `{{var}}` placeholders (Nunjucks' plain variables; no other template syntax);
- `tests`: a list of `{description, vars, assert}`; each test becomes one prompt per template;
- `assert`: `{type, value}` with the types in `ASSERT_TYPES`, plus `provider` on an `llm-rubric` (its judge);
  `metric` and `description` are labels and are ignored;
- `defaultTest` ("sets the default properties for each test case", the reference says): its `vars` sit under
  each test's own (a test's var wins), and its `assert` come first in every test, as promptfoo's evaluator
  builds each test case (`src/evaluator.ts`: `{...defaultTest.vars, ...test.vars}`,
  `[...defaultTest.assert, ...test.assert]`).

An assert's text `value` has the test's vars filled in, per test, the default asserts' too: promptfoo renders
a string value with the test's vars before it checks (`src/assertions/index.ts`, `nunjucks.renderString`). A
number `value` (`equals: 5`) is its text as JavaScript writes it, as promptfoo compares `String(value)`
(`src/assertions/equals.ts`, `contains.ts`): `5.0` is `"5"`, `1e-7` is `"1e-7"`.

Anything outside that subset is a line-numbered error naming what is supported, raised before anything is
sent. YAML is read with PyYAML's safe loader; anchors and aliases are refused (an alias bomb expands
exponentially), and so is nesting deeper than `MAX_DEPTH`: measured first in one linear pass
(`catalog/runs/yaml_depth.py`), which names the line, because PyYAML's scanner is quadratic in the depth.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import yaml

from catalog.runs.checks import CHECK_TYPES, Check, CheckError, parse_check
from catalog.runs.yaml_depth import too_deep_at

#: promptfoo's assertion types we read, and the check each becomes.
ASSERT_TYPES = {
    "equals": "equals",
    "contains": "contains",
    "icontains": "icontains",
    "not-contains": "not_contains",
    "regex": "regex",
    "starts-with": "starts_with",
    "is-json": "is_json",  # with a schema as its value: json_schema
    "contains-json": "contains_json",
    "llm-rubric": "judge",
}
MAX_DEPTH = 50
#: The fields a test (and `defaultTest`) may have; `metadata` and `options` are read by promptfoo only.
TEST_FIELDS = {"vars", "assert", "description", "metadata", "options"}
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,99})\s*\}\}")
_TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")


class PromptfooError(ValueError):
    """One problem in a promptfoo file, with the line it is on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def promptfoo_prompts(text: str, problems: list[str]) -> list[tuple[int, Any]]:
    """(line, Prompt or problem) for each prompt the file expands to; a file-wide problem goes into `problems`."""
    from catalog.runs.prompts import Prompt, _checked

    try:
        config = _compose(text)
        templates = _templates(config)
        default = _default_test(_get(config, "defaultTest"))
        found: list[tuple[int, Prompt | str]] = []
        for number, test in enumerate(_list(_get(config, "tests"), "tests"), start=1):
            line = test.start_mark.line + 1
            try:
                found += [(line, prompt) for prompt in _expand(test, number, templates, default, _checked)]
            except PromptfooError as error:
                found.append((error.line, str(error)))
        if not found:
            problems.append("line 1: no tests (promptfoo's `tests` list is empty or missing)")
        return found
    except PromptfooError as error:
        problems.append(f"line {error.line}: {error}")
        return []


def _default_test(node: yaml.Node | None) -> tuple[dict[str, str], yaml.Node | None]:
    """`defaultTest`'s vars, and its asserts' node (filled in per test, with that test's vars)."""
    if node is None:
        return {}, None
    if not isinstance(node, yaml.MappingNode):
        raise PromptfooError(node.start_mark.line + 1, "`defaultTest` must be a mapping (vars, assert), written inline")
    _only(node, TEST_FIELDS, "defaultTest")
    return _variables(_get(node, "vars")), _get(node, "assert")


def _expand(
    test: yaml.Node,
    number: int,
    templates: list[tuple[int, str]],
    default: tuple[dict[str, str], yaml.Node | None],
    checked: Any,
) -> list[Any]:
    if not isinstance(test, yaml.MappingNode):
        raise PromptfooError(test.start_mark.line + 1, "each test must be a mapping (vars, assert, description)")
    _only(test, TEST_FIELDS, "a test")
    default_vars, default_asserts = default
    variables = {**default_vars, **_variables(_get(test, "vars"))}
    checks = _checks(default_asserts, variables) + _checks(_get(test, "assert"), variables)
    description = _get(test, "description")
    label = _scalar(description) if description is not None else f"test {number}"
    prompts = []
    for index, (line, template) in enumerate(templates, start=1):
        prompt = checked(
            label if len(templates) == 1 else f"{label} · prompt {index}",
            (("user", _fill(template, variables, line)),),
            None,
            tuple(checks),
        )
        if isinstance(prompt, str):
            raise PromptfooError(test.start_mark.line + 1, prompt)
        prompts.append(prompt)
    return prompts


def _compose(text: str) -> yaml.MappingNode:
    deep = too_deep_at(text, MAX_DEPTH + 1)  # the measure may count one level more than there is
    if deep is not None:
        raise PromptfooError(deep, f"the YAML nests deeper than {MAX_DEPTH} levels")
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise PromptfooError(line, "YAML anchors and aliases are not supported")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise PromptfooError(mark.line + 1 if mark else 1, f"not valid YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise PromptfooError(1, f"not valid YAML: {str(error)[:200]}") from None
    except RecursionError:
        raise PromptfooError(1, "the YAML nests too deep") from None
    if not isinstance(node, yaml.MappingNode):
        raise PromptfooError(1, "a promptfoo config is a mapping with `prompts` and `tests`")
    _depth(node, 0)
    return node


def _depth(node: yaml.Node, level: int) -> None:
    if level > MAX_DEPTH:
        raise PromptfooError(node.start_mark.line + 1, f"the YAML nests deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            _depth(value, level + 1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _depth(item, level + 1)


def _templates(config: yaml.MappingNode) -> list[tuple[int, str]]:
    prompts = _get(config, "prompts")
    if prompts is None:
        raise PromptfooError(1, "no `prompts`: list the prompt templates, with {{var}} placeholders")
    items = [prompts] if isinstance(prompts, yaml.ScalarNode) else _list(prompts, "prompts")
    templates = []
    for item in items:
        text = _scalar(item)
        if text.startswith(("file://", "file:")):
            raise PromptfooError(item.start_mark.line + 1, "prompts from files are not supported: write them inline")
        templates.append((item.start_mark.line + 1, text))
    return templates


def _checks(node: yaml.Node | None, variables: dict[str, str]) -> list[Check]:
    checks = []
    for item in _list(node, "assert") if node is not None else []:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise PromptfooError(line, "each assert must be a mapping with a `type`")
        _only(item, {"type", "value", "provider", "metric", "description"}, "an assert")
        kind_node = _get(item, "type")
        kind = _scalar(kind_node) if kind_node is not None else ""
        if kind not in ASSERT_TYPES:
            supported = ", ".join(ASSERT_TYPES)
            raise PromptfooError(line, f"assert type {kind[:40]!r} is not supported; supported: {supported}")
        value_node, provider = _get(item, "value"), _get(item, "provider")
        value = _value(value_node, variables, ASSERT_TYPES[kind]) if value_node is not None else None
        check: dict[str, Any] = {"type": ASSERT_TYPES[kind]}
        if kind == "is-json" and value is not None:
            check["type"] = "json_schema"
        if kind == "contains-json" and value is not None:
            raise PromptfooError(line, "contains-json with a schema is not supported: use is-json with the schema")
        if value is not None:
            check["value"] = value
        if provider is not None:
            if kind != "llm-rubric":
                raise PromptfooError(line, "only an llm-rubric assert takes a `provider` (its judge)")
            check["judge"] = _scalar(provider)
        try:
            checks.append(parse_check(check))
        except CheckError as error:
            raise PromptfooError(line, str(error)) from None
    return checks


def _variables(node: yaml.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise PromptfooError(node.start_mark.line + 1, "`vars` must be a mapping of names to values")
    variables = {}
    for key, value in node.value:
        if not isinstance(value, yaml.ScalarNode):
            raise PromptfooError(value.start_mark.line + 1, "a var's value must be text or a number")
        variables[_scalar(key)] = _scalar(value)
    return variables


def _fill(template: str, variables: dict[str, str], line: int) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise PromptfooError(line, f"the template uses {{{{{name}}}}}, which this test's vars do not set")
        return variables[name]

    filled = _VARIABLE.sub(value, template)
    leftover = _TEMPLATE_SYNTAX.search(_VARIABLE.sub("", template))
    if leftover is not None:
        raise PromptfooError(line, "only {{var}} placeholders are supported (no filters, tags or comments)")
    return filled


def _value(node: yaml.Node, variables: dict[str, str], check_type: str) -> Any:
    """An assert's value as Python data: text gets the test's vars filled in (`value: "{{expected}}"`); a number,
    where the check compares text, is its text as JavaScript's `String()` writes it (as promptfoo compares)."""
    data = yaml.safe_load(yaml.serialize(node))
    line = node.start_mark.line + 1
    compares_text = CHECK_TYPES[check_type] in ("text", "pattern", "rubric")
    if compares_text and isinstance(data, int | float) and not isinstance(data, bool):
        if isinstance(data, float) and not math.isfinite(data):
            raise PromptfooError(line, "a number value must be finite")
        return js_number_text(data)
    if isinstance(data, str):
        return _fill(data, variables, line)
    return data


def js_number_text(number: int | float) -> str:
    """A number as JavaScript's `String(number)` writes it (ECMAScript Number::toString): the shortest digits
    that read back as the same double, in plain notation from 1e-6 up to 1e21, else as `d.ddde±x`."""
    if isinstance(number, int) and abs(number) < 10**21:
        return str(number)
    number = float(number)
    if number == 0:
        return "0"
    _, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    shown = "".join(map(str, digits))
    assert isinstance(exponent, int)
    point = len(shown) + exponent  # value = 0.<shown> × 10^point
    minus = "-" if number < 0 else ""
    if len(shown) <= point <= 21:
        return minus + shown + "0" * (point - len(shown))
    if 0 < point <= 21:
        return minus + shown[:point] + "." + shown[point:]
    if -6 < point <= 0:
        return minus + "0." + "0" * -point + shown
    power = point - 1
    mantissa = shown if len(shown) == 1 else shown[0] + "." + shown[1:]
    return f"{minus}{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if isinstance(name, yaml.ScalarNode) and name.value == key), None)


def _only(node: yaml.MappingNode, allowed: set[str], what: str) -> None:
    for name, _ in node.value:
        if _scalar(name) not in allowed:
            listed = ", ".join(sorted(allowed))
            raise PromptfooError(name.start_mark.line + 1, f"{what} has {_scalar(name)[:40]!r}; supported: {listed}")


def _list(node: yaml.Node | None, field: str) -> list[yaml.Node]:
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise PromptfooError(node.start_mark.line + 1, f"`{field}` must be a list")
    return list(node.value)


def _scalar(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise PromptfooError(node.start_mark.line + 1, "expected text here")
    return str(node.value)
