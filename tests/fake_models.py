"""Fake models of known quality for the loopback fake gateway (issue 19): they answer capital questions.

Kept out of `fake_gateway.py` (whose models answer `w0 w1 …` whatever is asked): `quality_models()` swaps the
fake's reply for one whose text depends on the question, for the models named in `BEHAVIOURS`, and puts the fake's
own reply back afterwards. Usage and streaming are the fake's own, so tokens and costs are what it reports.

- `SLOPPY` answers every second country (in `CAPITALS`' order) with the wrong city;
- `SOLID` and `PRICEY` answer every one right (`PRICEY` costs ~20× more);
- `PROSE` is right, but wraps its JSON in a sentence ("Sure! Here is the JSON: {...}");
- `JUDGE` grades a rubric naming a capital: pass when the answer names that city; a rubric holding "(garble)"
  gets prose instead of a verdict.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import fake_gateway

CAPITALS = {
    "France": "Paris", "Japan": "Tokyo", "Peru": "Lima", "Kenya": "Nairobi",
    "Canada": "Ottawa", "Egypt": "Cairo", "Norway": "Oslo", "Chile": "Santiago",
}  # fmt: skip
COUNTRIES = tuple(CAPITALS)
#: Catalog models (DeepInfra) the fake answers as below, cheapest first.
SLOPPY = "meta-llama/Llama-3.2-1B-Instruct"
SOLID = "Qwen/Qwen2.5-7B-Instruct"
PROSE = "google/gemma-3-12b-it"
PRICEY = "meta-llama/Meta-Llama-3.1-405B-Instruct"
JUDGE = "deepseek-ai/DeepSeek-V3.1"
_WORDS = re.compile(r"\S*\s*")


def country_of(prompt: str) -> str | None:
    return next((country for country in COUNTRIES if country in prompt), None)


def right(country: str) -> bool:
    """Whether `SLOPPY` answers this country right: the first, third, … of `COUNTRIES`."""
    return COUNTRIES.index(country) % 2 == 0


def _city(country: str, correct: bool) -> str:
    if correct:
        return CAPITALS[country]
    return CAPITALS[COUNTRIES[(COUNTRIES.index(country) + 1) % len(COUNTRIES)]]  # the next country's capital


def _answer(prompt: str, correct: bool, prose: bool = False) -> str:
    country = country_of(prompt)
    if country is None:
        return "I don't know."
    city = _city(country, correct)
    if "JSON" in prompt:
        data = json.dumps({"country": country, "capital": city})
        return f"Sure! Here is the JSON you asked for: {data} Anything else?" if prose else data
    return f"The capital of {country} is {city}." if prose else city


def _sloppy(prompt: str) -> str:
    country = country_of(prompt)
    return _answer(prompt, country is None or right(country))


def _judge(prompt: str) -> str:
    rubric = prompt.partition("<rubric>")[2].partition("</rubric>")[0]
    answer = prompt.partition("<answer>")[2].partition("</answer>")[0]
    if "(garble)" in rubric:
        return "Looks fine to me overall."
    city = next((c for c in CAPITALS.values() if c in rubric), None)
    ok = city is not None and city.casefold() in answer.casefold()
    reason = f"the answer {'names' if ok else 'does not name'} {city}"
    return json.dumps({"pass": ok, "score": 1.0 if ok else 0.0, "reason": reason})


BEHAVIOURS: dict[str, Callable[[str], str]] = {
    SLOPPY: _sloppy,
    SOLID: lambda prompt: _answer(prompt, True),
    PRICEY: lambda prompt: _answer(prompt, True),
    PROSE: lambda prompt: _answer(prompt, True, prose=True),
    JUDGE: _judge,
}


class _QualityReply(fake_gateway._Reply):
    """The fake's reply, with the text a model of known quality would write for the question."""

    def __init__(self, model: str, prompt: str, body: dict[str, Any], directives: dict[str, str],
                 profile: Any = None) -> None:  # fmt: skip
        super().__init__(model, prompt, body, directives, profile)
        behaviour = BEHAVIOURS.get(model)
        if behaviour is not None:
            self.pieces = _WORDS.findall(behaviour(prompt))[:-1] or [""]
            self.completion_tokens = len(self.pieces) + len(self.thoughts)


@contextlib.contextmanager
def quality_models() -> Iterator[None]:
    """While inside: the models of `BEHAVIOURS` answer by their quality in every fake gateway of this process."""
    original = fake_gateway._Reply
    fake_gateway._Reply = _QualityReply  # type: ignore[misc]
    try:
        yield
    finally:
        fake_gateway._Reply = original  # type: ignore[misc]


def capital_prompts(kind: str = "word", judge: bool = False) -> list[dict[str, Any]]:
    """The capitals as prompt-file objects: one word checked with icontains, or JSON checked with a schema; with
    `judge`, a rubric instead."""
    lines = []
    for country, city in CAPITALS.items():
        if kind == "json":
            text = f'Give the capital of {country} as JSON: {{"country": str, "capital": str}}.'
            schema = {"type": "object", "required": ["capital"], "properties": {"capital": {"enum": [city]}}}
            expect: list[dict[str, Any]] = [{"type": "json_schema", "value": schema}]
        else:
            text = f"Capital of {country}? One word."
            expect = [{"type": "icontains", "value": city.lower()}]
        if judge:
            expect = [{"type": "judge", "value": f"Names {city} as the capital of {country}."}]
        lines.append({"id": f"{country.lower()}-{kind}", "prompt": text, "expect": expect})
    return lines
