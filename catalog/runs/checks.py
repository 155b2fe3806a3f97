"""Checks on an answer: does the cheap model's reply to *your* prompt pass? (`expect` in a prompt file.)

A prompt may carry a list of checks; an answer passes when every one holds. Each check applies to the answer
only, never to the reasoning. Every check but `judge` is decided here, in bounded time: a regex runs under
a time limit (the `regex` package's `timeout=`), JSON is parsed with a nesting bound, and an answer is read
at most `MAX_ANSWER_CHARS` deep. A `judge` check is graded by a judge model through the gateway (see
`catalog/runs/judge.py`); here it only has its rubric and the judge's verdict is read by `read_verdict`.

A check that cannot be decided (a regex that ran out of time, a judge that did not answer with a verdict) is
`passed=None`: not judged, which is neither a pass nor a failure of the answer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import regex

#: Every check type, and what its `value` must be.
CHECK_TYPES: dict[str, str] = {
    "equals": "text",
    "contains": "text",
    "icontains": "text",
    "not_contains": "text",
    "starts_with": "text",
    "regex": "pattern",
    "is_json": "none",
    "contains_json": "none",
    "json_schema": "schema",
    "max_words": "whole",
    "max_chars": "whole",
    "judge": "rubric",
}
#: The longest a regex may take on one answer, in seconds.
REGEX_SECONDS = 0.1
#: An answer longer than this is checked on its first this many characters (and says so).
MAX_ANSWER_CHARS = 1_000_000
#: The deepest JSON an answer or a schema may nest.
MAX_JSON_DEPTH = 200
MAX_CHECKS = 50
MAX_VALUE_CHARS = 10_000


class CheckError(ValueError):
    """A check in a prompt file that cannot be used: unknown type, bad regex, invalid schema (no line here)."""


@dataclass(frozen=True, slots=True)
class Check:
    """One check: its type, its value (text, pattern, schema, bound or rubric) and, for a judge, who judges."""

    type: str
    value: Any = None
    judge: str | None = None  # "PROVIDER:MODEL" or a model id; None: the run's `--judge`

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        if self.value is not None:
            data["value"] = self.value
        if self.judge is not None:
            data["judge"] = self.judge
        return data


class CheckResult(NamedTuple):
    """What one check said of one answer: pass, fail, or None (not judged), and why.

    A NamedTuple rather than a frozen dataclass: 10,000 answers × a dozen checks build one each, and a frozen
    dataclass's `__init__` was a fifth of the time to check them (bench/bench_checks.py).
    """

    type: str
    passed: bool | None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "passed": self.passed, "reason": self.reason}


def parse_checks(data: Any) -> tuple[Check, ...]:
    """`expect` as a prompt file writes it: a list of `{"type", "value"[, "judge"]}`; a `CheckError` otherwise."""
    if not isinstance(data, list):
        raise CheckError("`expect` must be a list of checks")
    if len(data) > MAX_CHECKS:
        raise CheckError(f"`expect` holds {len(data):,} checks; at most {MAX_CHECKS} are allowed")
    return tuple(parse_check(item) for item in data)


def parse_check(item: Any) -> Check:
    if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
        raise CheckError('each check must be an object with a "type"')
    kind = item["type"]
    if kind not in CHECK_TYPES:
        raise CheckError(f"unknown check type {kind[:40]!r}; supported: {', '.join(CHECK_TYPES)}")
    unknown = sorted(set(item) - {"type", "value", "judge"})
    if unknown:
        raise CheckError(f"unknown field {unknown[0][:40]!r} in a {kind} check (expected type, value, judge)")
    value, judge = item.get("value"), item.get("judge")
    if judge is not None and (kind != "judge" or not isinstance(judge, str) or not judge.strip()):
        raise CheckError('"judge" names a judge model, and only a judge check has one')
    return Check(kind, _checked_value(kind, value), judge.strip() if isinstance(judge, str) else None)


def _checked_value(kind: str, value: Any) -> Any:
    shape = CHECK_TYPES[kind]
    if shape == "none":
        return None
    if shape in ("text", "pattern", "rubric"):
        if not isinstance(value, str) or (shape != "text" and not value.strip()):
            raise CheckError(f"{_a(kind)} check needs a text value")
        if len(value) > MAX_VALUE_CHARS:
            raise CheckError(f"{_a(kind)} check's value is longer than {MAX_VALUE_CHARS:,} characters")
        if shape == "pattern":
            try:
                regex.compile(value)
            except regex.error as error:
                raise CheckError(f"the regex {value[:60]!r} does not compile: {error}") from None
        return value
    if shape == "whole":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**9:
            raise CheckError(f"{_a(kind)} check needs a whole number from 0 to 1,000,000,000")
        return value
    if not isinstance(value, Mapping):
        raise CheckError("a json_schema check needs a JSON Schema object as its value")
    value = dict(value)
    import jsonschema  # here, not at the top: ~50 ms off the start of every dashboard page that shows no checks

    try:
        jsonschema.validators.validator_for(value).check_schema(value)
    except jsonschema.SchemaError as error:
        raise CheckError(f"the JSON schema is invalid: {error.message[:200]}") from None
    except RecursionError:
        raise CheckError("the JSON schema nests too deep") from None
    return value


def _a(kind: str) -> str:
    """The article for a check type: "an equals", "a regex"."""
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def run_checks(checks: Sequence[Check], answer: str) -> tuple[CheckResult, ...]:
    """Every check but `judge` decided on `answer`; a judge check comes back not judged, to be graded later."""
    return tuple(run_check(check, answer) for check in checks)


def run_check(check: Check, answer: str) -> CheckResult:
    if check.type == "judge":
        return CheckResult("judge", None, "not judged yet")
    text = answer[:MAX_ANSWER_CHARS]
    return CheckResult(check.type, *_DECIDERS[check.type](check.value, text))


def passed(results: Sequence[CheckResult]) -> bool | None:
    """The answer's verdict: False if any check failed, None if any was not judged, else True."""
    if any(result.passed is False for result in results):
        return False
    if any(result.passed is None for result in results):
        return None
    return True


Verdict = tuple[bool | None, str]


def _equals(value: str, answer: str) -> Verdict:
    ok = answer.strip() == value.strip()
    return ok, "" if ok else f"the answer is not {_quoted(value)}"


def _contains(value: str, answer: str) -> Verdict:
    ok = value in answer
    return ok, "" if ok else f"{_quoted(value)} is not in the answer"


def _icontains(value: str, answer: str) -> Verdict:
    ok = value.casefold() in answer.casefold()
    return ok, "" if ok else f"{_quoted(value)} (any case) is not in the answer"


def _not_contains(value: str, answer: str) -> Verdict:
    ok = value not in answer
    return ok, "" if ok else f"{_quoted(value)} is in the answer"


def _starts_with(value: str, answer: str) -> Verdict:
    ok = answer.lstrip().startswith(value)
    return ok, "" if ok else f"the answer does not begin with {_quoted(value)}"


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str) -> Any:
    import jsonschema

    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)


def _regex(pattern: str, answer: str) -> Verdict:
    try:
        found = _pattern(pattern).search(answer, timeout=REGEX_SECONDS)
    except TimeoutError:
        return None, f"the regex {_quoted(pattern)} took longer than {REGEX_SECONDS:g} s on this answer"
    return found is not None, "" if found else f"no match for regex {_quoted(pattern)}"


def _is_json(_: None, answer: str) -> Verdict:
    value, why = answer_json(answer)
    return why is None, why or ""


def _contains_json(_: None, answer: str) -> Verdict:
    ok = embedded_json(answer) is not None
    return ok, "" if ok else "no JSON object or array in the answer"


def _json_schema(schema: dict[str, Any], answer: str) -> Verdict:
    value, why = answer_json(answer)
    if why is not None:
        return False, why
    import jsonschema.exceptions

    try:
        validator = _validator(json.dumps(schema, sort_keys=True))
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    except RecursionError:
        return None, "the JSON nests too deep to validate"
    if error is None:
        return True, ""
    where = "/".join(str(part) for part in error.absolute_path) or "the top level"
    return False, f"not valid against the schema at {where}: {error.message[:200]}"


def _max_words(bound: int, answer: str) -> Verdict:
    words = len(answer.split())
    return words <= bound, "" if words <= bound else f"{words:,} words, more than {bound:,}"


def _max_chars(bound: int, answer: str) -> Verdict:
    chars = len(answer.strip())
    return chars <= bound, "" if chars <= bound else f"{chars:,} characters, more than {bound:,}"


_DECIDERS: dict[str, Callable[[Any, str], Verdict]] = {
    "equals": _equals,
    "contains": _contains,
    "icontains": _icontains,
    "not_contains": _not_contains,
    "starts_with": _starts_with,
    "regex": _regex,
    "is_json": _is_json,
    "contains_json": _contains_json,
    "json_schema": _json_schema,
    "max_words": _max_words,
    "max_chars": _max_chars,
}


def answer_json(answer: str) -> tuple[Any, str | None]:
    """The answer as JSON: the whole answer, or a single fenced ```json block; (None, why) when it is neither."""
    text = answer.strip()
    fence = _single_fence(text)
    if fence is not None:
        text = fence
    try:
        return _loads(text), None
    except ValueError:
        return None, "the answer is not JSON" + (" (nor a single ```json block)" if fence is None else "")


def embedded_json(answer: str) -> Any:
    """The first JSON object or array anywhere in the answer (as promptfoo's contains-json), else None."""
    decoder = json.JSONDecoder()
    start = 0
    for _ in range(100):  # bounded: an answer full of braces gives up, it does not take quadratic time
        found = min((i for i in (answer.find("{", start), answer.find("[", start)) if i >= 0), default=-1)
        if found < 0:
            return None
        try:
            value, _end = decoder.raw_decode(answer, found)
            if _depth(value) <= MAX_JSON_DEPTH:
                return value
        except (ValueError, RecursionError):
            pass
        start = found + 1
    return None


def _single_fence(text: str) -> str | None:
    """The body of the one ```json (or bare ```) block the answer is, or holds alone; else None."""
    if text.count("```") != 2:
        return None
    before, body, after = text.split("```", 2)
    first, _, rest = body.partition("\n")
    if first.strip().lower() not in ("json", ""):
        return None
    return rest.strip()


def _loads(text: str) -> Any:
    """JSON, with nesting bounded: the C decoder raises `RecursionError` on `[` × 200,000; that is not JSON here."""
    if not text.startswith(("{", "[", '"')) and not text[:1].isdigit() and text[:1] not in "-tfn":
        raise ValueError("not JSON")  # most prose is refused without a parse
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deep") from None


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level + 1)
    return level


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "…")


# -- the judge's side: what it is asked, and how its verdict is read ---------------------------------------------

JUDGE_SYSTEM = (
    "You grade an answer against a rubric. Reply with only a JSON object: "
    '{"pass": true or false, "score": a number from 0 to 1, "reason": "one sentence"}.'
)


def judge_messages(rubric: str, prompt: str, answer: str) -> tuple[tuple[str, str], ...]:
    """What a judge model is sent for one answer, as promptfoo's llm-rubric asks."""
    user = f"<rubric>\n{rubric}\n</rubric>\n\n<prompt>\n{prompt}\n</prompt>\n\n<answer>\n{answer}\n</answer>"
    return (("system", JUDGE_SYSTEM), ("user", user))


def read_verdict(reply: str) -> CheckResult:
    """The judge's reply as a check result: pass or fail, with the judge's reason.

    The judge is asked for `{"pass": bool, "score": 0..1, "reason": str}` (as promptfoo's llm-rubric), and that
    is all that is accepted: the object alone, or alone in one fenced ```json block (models fence JSON out of
    habit), with `pass` a boolean, `score` a number from 0 to 1 and `reason` text; other keys are ignored. A
    verdict is never picked out of prose, and a missing `score` or `reason` is not filled in: a reply that is
    not such an object is an error of the judge (`passed=None`, not judged, with what was wrong), never a
    failure of the answer.
    """
    text = reply.strip()
    fence = _verdict_fence(text)
    try:
        value = _loads(fence if fence is not None else text)
    except ValueError:
        return _not_a_verdict("the judge's reply is not a JSON object (alone, or alone in a ```json block)")
    if not isinstance(value, dict):
        return _not_a_verdict("the judge's reply is not a JSON object (alone, or alone in a ```json block)")
    verdict, score, reason = value.get("pass"), value.get("score"), value.get("reason")
    if not isinstance(verdict, bool):
        return _not_a_verdict('the judge\'s verdict has no "pass": true or false')
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        return _not_a_verdict('the judge\'s verdict has no "score" from 0 to 1')
    if not isinstance(reason, str):
        return _not_a_verdict('the judge\'s verdict has no "reason" text')
    return CheckResult("judge", verdict, reason[:500])


def _verdict_fence(text: str) -> str | None:
    """The body of the one fenced block `text` is, whole (```json or bare ```); None when it is not one."""
    if not (text.startswith("```") and text.endswith("```")) or text.count("```") != 2:
        return None
    first, _, body = text[3:-3].partition("\n")
    return body.strip() if first.strip().lower() in ("json", "") else None


def _not_a_verdict(why: str) -> CheckResult:
    return CheckResult("judge", None, why)
