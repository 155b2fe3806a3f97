"""A judge's reply read as a verdict (`read_verdict`): exactly `{"pass": bool, "score": 0..1, "reason": str}`,
alone or alone in one fenced ```json block; anything else is an error of the judge (not judged), never a fail."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.runs.checks import read_verdict

VERDICT = {"pass": True, "score": 0.8, "reason": "names Paris"}


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        ('{"pass": true}', '"score"'),
        ('{"pass": true, "score": 1}', '"reason"'),
        ('{"pass": true, "reason": "ok"}', '"score"'),
        ('{"pass": true, "score": "1", "reason": "ok"}', '"score"'),
        ('{"pass": true, "score": true, "reason": "ok"}', '"score"'),
        ('{"pass": true, "score": -0.1, "reason": "ok"}', '"score"'),
        ('{"pass": true, "score": NaN, "reason": "ok"}', '"score"'),
        ('{"pass": 1, "score": 1, "reason": "ok"}', '"pass"'),
        ('{"pass": true, "score": 1, "reason": null}', '"reason"'),
        ('Verdict: {"pass": true, "score": 1, "reason": "ok"}', "not a JSON object"),
        ('{"pass": true, "score": 1, "reason": "ok"} I hope that helps.', "not a JSON object"),
        ('Here:\n```json\n{"pass": true, "score": 1, "reason": "ok"}\n```', "not a JSON object"),
        ('```json\n{"pass": true, "score": 1, "reason": "ok"}\n```\n```json\n{}\n```', "not a JSON object"),
        ('```python\n{"pass": true, "score": 1, "reason": "ok"}\n```', "not a JSON object"),
        ('[{"pass": true, "score": 1, "reason": "ok"}]', "not a JSON object"),
        ("It passes.", "not a JSON object"),
        ("", "not a JSON object"),
    ],
)
def test_a_reply_that_is_not_exactly_a_verdict_is_not_judged_and_says_why(reply, says):
    result = read_verdict(reply)
    assert result.passed is None and says in result.reason


@pytest.mark.parametrize(
    "reply",
    [
        json.dumps(VERDICT),
        "  " + json.dumps(VERDICT, indent=2) + "\n",
        "```json\n" + json.dumps(VERDICT) + "\n```",
        "```\n" + json.dumps(VERDICT) + "\n```",
        json.dumps({**VERDICT, "confidence": "high"}),  # other keys are ignored
    ],
)
def test_a_verdict_alone_or_alone_in_one_fence_is_read(reply):
    assert read_verdict(reply) == ("judge", True, "names Paris")


verdicts = st.fixed_dictionaries(
    {"pass": st.booleans(), "score": st.floats(0, 1) | st.integers(0, 1), "reason": st.text(max_size=600)}
)


@given(verdicts, st.booleans())
def test_every_well_formed_verdict_is_read_as_it_says(value, fenced):
    text = json.dumps(value)
    result = read_verdict(f"```json\n{text}\n```" if fenced else text)
    assert result.passed is value["pass"] and result.reason == value["reason"][:500]


@given(verdicts, st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_a_verdict_with_prose_around_it_is_never_read(value, prose):
    assert read_verdict(prose + json.dumps(value)).passed is None
    assert read_verdict(json.dumps(value) + " " + prose).passed is None


@given(st.text(max_size=400))
def test_no_reply_makes_reading_a_verdict_raise(reply):
    result = read_verdict(reply)
    assert result.type == "judge" and result.passed in (True, False, None)
