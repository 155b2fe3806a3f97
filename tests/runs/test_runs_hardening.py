"""Issue 22's runner items, each reproduced against the loopback fake gateway: budgets that hold, prompts' own
max_tokens clamped, usage as untrusted input, ids range-checked, and a bounded wait for rate limits."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import run
from fake_gateway import running_fake
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runfixtures import PROFILES, TERSE, TOKEN, model_flags, run_env, stored_trials, write_prompts  # noqa: F401

from catalog.costs import request_cost
from catalog.history import Store
from catalog.runs.prompts import Prompt
from catalog.runs.runner import worst_case_usd
from catalog.sources import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
RECORD = CATALOG.find(TERSE)


def strict_json(text: str) -> object:
    """JSON as the standard has it: `NaN`, `Infinity` and `-Infinity` are refused, not read."""

    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def write_lines(folder: Path, lines: list[dict], name: str = "prompts.jsonl") -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    return path


HOSTILE = [
    {"prompt_tokens": 1e30, "completion_tokens": 5, "total_tokens": 5},
    {"prompt_tokens": 10**400, "completion_tokens": 5},
    {"prompt_tokens": 3, "completion_tokens": 5, "estimated_cost": math.inf},
    {"prompt_tokens": 3, "completion_tokens": 5, "estimated_cost": -1e9},
    {"prompt_tokens": 3, "completion_tokens": -5},
    {"prompt_tokens": math.nan, "completion_tokens": 5},
    {"prompt_tokens": 3, "completion_tokens": 5, "estimated_cost": 0.000002},
]


def test_hostile_usage_is_recorded_as_unknown_flagged_and_every_export_stays_valid(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_lines(tmp_path, [{"id": f"h{n}", "prompt": f"hostile {n}"} for n in range(len(HOSTILE))])
    by_prompt = {f"hostile {n}": usage for n, usage in enumerate(HOSTILE)}
    with running_fake(forward_tokens={TOKEN}, usage_for=lambda prompt, usage: by_prompt[prompt]) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", "3", "--format", "json")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        report = strict_json(result.stdout)
        assert report["run"]["status"] == "finished"
        trials = stored_trials(run_env, 1)
        assert len(trials) == fake.chat_requests == len(HOSTILE)  # every paid request recorded, none dropped
    by_label = {t.prompt_number: t for t in trials}
    for number in range(6):  # the hostile ones: flagged (incomplete, with why), their unbelieved figures unknown
        trial = by_label[number]
        assert trial.outcome == "incomplete" and trial.error, number
        assert trial.estimated_cost_usd is None
    assert by_label[0].input_tokens is None and by_label[0].cost_usd is None
    # The stored cost is the float whose repr is the exact cost's digits.
    assert by_label[2].input_tokens == 3 and Decimal(repr(by_label[2].cost_usd)) == request_cost(RECORD, 3, 5)
    assert by_label[6].ok and by_label[6].estimated_cost_usd == pytest.approx(0.000002)
    for trial in trials:
        for value in (trial.cost_usd, trial.estimated_cost_usd):
            assert value is None or (math.isfinite(value) and value >= 0)
    table = run("report", "1").stdout
    csv_text = run("report", "1", "--format", "csv").stdout
    for shown in (table, csv_text):
        assert not re.search(r"\b(inf|infinity|nan)\b", shown.lower()) and "-$" not in shown and "−$" not in shown
    strict_json(run("report", "1", "--format", "json").stdout)
    strict_json(run("runs", "--format", "json").stdout)


@pytest.mark.parametrize("command", [["run", "PROMPTS", "--resume", "9" * 23], ["report", "9" * 23]])
def test_ids_out_of_range_are_one_line_not_a_traceback(run_env, monkeypatch, tmp_path, command):  # noqa: F811
    prompts = write_prompts(tmp_path, 1)
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    with Store(run_env):
        pass  # the database exists: the id reaches the query unless it is checked first
    result = run(*[str(prompts) if part == "PROMPTS" else part for part in command])
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "must be between 1 and" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # argparse's usage line, then the one error


def test_a_prompts_own_max_tokens_is_clamped_to_the_runs_with_a_note(run_env, monkeypatch, tmp_path):  # noqa: F811
    lines = [
        {"id": "greedy", "prompt": "a", "max_tokens": 5_000_000},
        {"id": "huge", "prompt": "b", "max_tokens": 99999999999999999999},
        {"id": "modest", "prompt": "c", "max_tokens": 20},
    ]
    prompts = write_lines(tmp_path, lines)
    with running_fake(forward_tokens={TOKEN}) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE), "--max-tokens", "64")
        if result.returncode == 1 and "max_tokens" in result.stderr and "line 2" in result.stderr:
            # the prompt file's own bounds refused the 20-digit one before anything was sent: as good as clamped
            assert fake.chat_requests == 0 and "Traceback" not in result.stderr
            lines.pop(1)
            result = run("run", str(write_lines(tmp_path, lines)), *model_flags(TERSE), "--max-tokens", "64")
        assert result.returncode == 0, result.stderr
        sent = sorted(entry["body"]["max_tokens"] for entry in fake.requests if "body" in entry)
    assert sent == sorted([20, *[64] * (len(lines) - 1)])
    assert "prompt 'greedy' asks for max_tokens 5,000,000; 64 are sent" in result.stderr


EMOJI = "🧾💸📈🤑"


def test_emoji_prompts_that_count_three_tokens_a_character_stay_within_the_budget(run_env, monkeypatch, tmp_path):  # noqa: F811
    """Issue 22: at 0.5 tokens a character reserved, 3 reported, concurrency 32 spent $0.0609 of $0.05."""
    prompts = write_lines(tmp_path, [{"id": f"e{n}", "prompt": EMOJI * 200 + str(n)} for n in range(120)])
    max_tokens = 50

    def three_a_character(prompt: str, usage: dict) -> dict:
        tokens = 3 * len(prompt)
        return {"prompt_tokens": tokens, "completion_tokens": max_tokens, "total_tokens": tokens + max_tokens}

    cap = 0.005
    with running_fake(forward_tokens={TOKEN}, usage_for=three_a_character) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", "32", "--max-tokens",
                     str(max_tokens), "--max-usd", str(cap), "--format", "json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        usages = [entry["usage"] for entry in fake.sent.values()]
    spent = sum(request_cost(RECORD, u["prompt_tokens"], u["completion_tokens"]) for u in usages)
    assert 0 < spent <= cap
    assert strict_json(result.stdout)["run"]["status"] == "stopped: budget"


def test_a_reply_reporting_more_than_its_reservation_stops_new_requests(run_env, monkeypatch, tmp_path):  # noqa: F811
    """Issue 22: an upstream reporting 3 × max_tokens spent $0.142 of $0.05."""
    prompts = write_prompts(tmp_path, 40)

    def triple(prompt: str, usage: dict) -> dict:
        return {**usage, "completion_tokens": 3 * 100, "total_tokens": usage["prompt_tokens"] + 300}

    slow = {TERSE: PROFILES[TERSE].__class__(words=5, delay_s=0.02)}
    with running_fake(forward_tokens={TOKEN}, usage_for=triple, profiles=slow) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", "4", "--max-tokens", "100",
                     "--max-usd", "1", "--format", "json")  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert strict_json(result.stdout)["run"]["status"] == "stopped: budget"
    assert "above the" in result.stderr and "reserved for it" in result.stderr
    assert len(stored_trials(run_env, 1)) <= 4  # the first overrun, and at most the 3 others already in flight


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shares=st.lists(st.tuples(st.floats(0, 3), st.floats(0, 3)), min_size=2, max_size=10),
    emoji=st.booleans(),
    concurrency=st.integers(1, 6),
    cap_share=st.floats(0.05, 1.0),
)
def test_spending_stays_within_the_cap_plus_what_replies_overran(
    monkeypatch, tmp_path, shares, emoji, concurrency, cap_share
):
    """With random usage: what each request spent up to its reservation stays within `--max-usd` (so in-flight
    reservations never passed it), and nothing starts after a reply overran its reservation."""
    max_tokens = 40
    texts = [(EMOJI * 3 if emoji else "plain words ") + f"number {n}" for n in range(len(shares))]
    usage_by_prompt = {
        text: (int(len(text.encode()) * p_share), int(max_tokens * c_share))
        for text, (p_share, c_share) in zip(texts, shares, strict=True)
    }
    worst = {text: worst_case_usd(RECORD, Prompt(text, (("user", text),)), max_tokens) for text in texts}
    cap = max(min(worst.values()), sum(worst.values()) * cap_share)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / (uuid.uuid4().hex + '.sqlite3')}")

    def random_usage(prompt: str, usage: dict) -> dict:
        tokens_in, tokens_out = usage_by_prompt[prompt]
        return {"prompt_tokens": tokens_in, "completion_tokens": tokens_out, "total_tokens": tokens_in + tokens_out}

    prompts = write_lines(tmp_path, [{"prompt": text} for text in texts], f"{uuid.uuid4().hex}.jsonl")
    with running_fake(forward_tokens={TOKEN}, usage_for=random_usage) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", str(concurrency), "--max-tokens",
                     str(max_tokens), "--max-usd", repr(cap), "--format", "json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        sent = len(fake.sent)
    trials = stored_trials(os.environ["CATALOG_DB_URL"], 1)
    assert len(trials) == sent  # every request the upstream answered is recorded
    # In the budget's floats, as the runner keeps it (`worst_case_usd` is a float too).
    cost = {t.prompt_number: float(request_cost(RECORD, *usage_by_prompt[texts[t.prompt_number]])) for t in trials}
    bounded = sum(min(cost[t.prompt_number], worst[texts[t.prompt_number]]) for t in trials)
    assert bounded <= cap * (1 + 1e-9)
    overran = [n for n, t in enumerate(trials) if cost[t.prompt_number] > worst[texts[t.prompt_number]] * (1 + 1e-9)]
    if overran:
        assert len(trials) - 1 - overran[0] <= concurrency - 1  # only those already in flight ended after it
        assert strict_json(result.stdout)["run"]["status"] == "stopped: budget"


def test_a_retry_after_beyond_the_runs_retry_budget_fails_that_trial_plainly(run_env, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 4)
    with running_fake(forward_tokens={TOKEN}, rate_limit_next=1, retry_after="999999") as fake:
        env = {**os.environ, "LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN,
               "CATALOG_RUNS_RETRY_BUDGET_S": "30"}  # fmt: skip
        command = [sys.executable, "-m", "catalog", "run", str(prompts), "--model", TERSE, "--concurrency", "1"]
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert time.monotonic() - started < 30  # the old runner waited 120 s a try, 20 tries a trial
    assert done.returncode == 0, done.stderr
    trials = stored_trials(run_env, 1)
    failed = [t for t in trials if not t.ok]
    assert len(trials) == 4 and len(failed) == 1 and failed[0].outcome == "rate_limited"
    assert "asked to wait 999,999 s, more than the 30 s left of this run's retry budget" in failed[0].error
    assert "Traceback" not in done.stderr


def test_a_rate_limit_wait_is_a_live_line_naming_the_model(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 2)
    with running_fake(forward_tokens={TOKEN}, rate_limit_next=1, retry_after="0.6") as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", "1")
        assert result.returncode == 0, result.stderr
    assert f"for the rate limit of {TERSE}" in result.stderr
    assert "waiting 0." in result.stderr


@pytest.mark.parametrize("cost", ["-1000000000", "NaN", "Infinity", "1e400", "-0.5"])
def test_a_request_record_billing_a_negative_or_endless_amount_is_not_believed(cost):
    from catalog.runs.billing import billed_amount

    assert billed_amount({"cost": cost}) is None
    assert billed_amount({"cost": cost, "model_usage": {"total_cost": "0.0000020000"}}) == Decimal("0.000002")
