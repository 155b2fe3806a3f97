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

import httpx
import pytest
from cli_runner import run
from fake_gateway import running_fake
from hostile_server import endless, gzip_bomb, hostile, sized, trickle
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


DEEP_PROMPTS = ["plain question", "!fake:deep", "!fake:json !fake:deep", "!fake:deep500"]


def test_replies_nested_past_the_parser_are_failed_trials_and_the_run_ends(run_env, monkeypatch, tmp_path):  # noqa: F811
    """Issue 22: a RecursionError in a worker left the run `running` with no trial for its paid requests."""
    prompts = write_lines(tmp_path, [{"id": f"d{n}", "prompt": text} for n, text in enumerate(DEEP_PROMPTS)])
    with running_fake(forward_tokens={TOKEN}) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", "2", "--format", "json")
        assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
        assert strict_json(result.stdout)["run"]["status"] == "finished"
        requests = fake.chat_requests
    trials = {t.prompt_number: t for t in stored_trials(run_env, 1)}
    assert len(trials) == len(DEEP_PROMPTS) == requests  # every request recorded
    assert trials[0].ok
    for number in (1, 2):  # a reply came (and may be billed): flagged, its cost unknown, the reason plain
        assert trials[number].outcome == "incomplete"
        assert trials[number].error == "A reply chunk is nested too deeply to read; the reply is incomplete."
    assert trials[3].outcome == "upstream_error"
    assert trials[3].error == "The gateway or provider failed (HTTP 500); try again later."


def _sse(*chunks: dict) -> bytes:
    return b"".join(b"data: " + json.dumps(chunk).encode() + b"\n\n" for chunk in chunks)


HELLO = {"id": "r", "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": None}]}
USAGE = {"id": "r", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
DONE = {"id": "r", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


class _BreaksMidReply(httpx.SyncByteStream):
    """A reply whose text and usage arrive, then an exception that is no `GatewayError` (a bug, say)."""

    def __iter__(self):
        yield _sse(HELLO, USAGE)
        raise RuntimeError("nobody foresaw this")


def _unforeseen_gateway(request: httpx.Request) -> httpx.Response:
    prompt = json.loads(request.content)["messages"][-1]["content"]
    if prompt == "raises before a reply":
        raise RuntimeError("nobody foresaw this")
    headers = {"content-type": "text/event-stream", "x-lava-request-id": f"req_{prompt[:6]}"}
    if prompt == "raises mid-reply":
        return httpx.Response(200, headers=headers, stream=_BreaksMidReply())
    return httpx.Response(200, headers=headers, content=_sse(HELLO, DONE, USAGE) + b"data: [DONE]\n\n")


@pytest.mark.parametrize("paid", [False, True])
def test_an_exception_no_one_foresaw_is_a_recorded_trial_and_the_run_ends(run_env, paid):  # noqa: F811
    """Issue 22: "a paid request is always recorded", whatever a worker meets; the run ends with a status."""
    from catalog.gateway.client import GatewayClient
    from catalog.gateway.config import resolve_config
    from catalog.runs.runner import Runner, run_prompts
    from catalog.runs.store import TrialStore
    from catalog.runs.trials import FINISHED, RunSettings
    from catalog.spend import Caps, Spender, SpendLedger, anonymous

    texts = ["raises before a reply", "raises mid-reply", "an ordinary question"]
    prompts = [Prompt(text, (("user", text),)) for text in texts]
    config = resolve_config({"LAVA_BASE_URL": "http://127.0.0.1:9", "LAVA_FORWARD_TOKEN": TOKEN})
    with Store(run_env) as store, GatewayClient(config, transport=httpx.MockTransport(_unforeseen_gateway)) as client:
        trials = TrialStore(store)
        run_ = trials.create_run("unforeseen", [(RECORD.provider, RECORD.model)], run_prompts(prompts), 1,
                                 RunSettings(max_tokens=64, concurrency=2))  # fmt: skip
        ledger = SpendLedger(store, Caps(1.0, 1.0, 1.0))
        spender = Spender(ledger, anonymous("visitor"), "public") if paid else None
        outcome = Runner(trials, client, CATALOG, run_, prompts, [RECORD], spender=spender).execute()
        assert outcome.status == FINISHED and outcome.recorded == 3
        assert trials.run(run_.id).status == FINISHED
        by_prompt = {t.prompt_number: t for t in trials.trials(run_.id)}
        spent_today = ledger.spent_today()
    assert by_prompt[2].ok
    before, mid = by_prompt[0], by_prompt[1]
    assert before.outcome == "gateway_error" and before.cost_usd is None
    assert before.error == "The request failed unexpectedly (RuntimeError); no reply was read."
    # A reply had begun, so it may be billed: flagged incomplete, with its usage and cost, which had arrived.
    assert mid.outcome == "incomplete" and mid.input_tokens == 5 and mid.reply_chars == 5
    assert mid.cost_usd == pytest.approx(float(request_cost(RECORD, 5, 1)))
    assert mid.error == "The reply could not be read to its end (RuntimeError); the reply is incomplete."
    if paid:  # the ledger holds what the two replies cost, and nothing for the request that got none
        assert spent_today == pytest.approx(float(2 * request_cost(RECORD, 5, 1)))


def test_a_run_whose_own_hook_fails_ends_interrupted_with_its_trials_kept(run_env):  # noqa: F811
    """Whatever breaks the run itself (here the caller's `on_trial`), the run ends with a status, never `running`."""
    from catalog.gateway.client import GatewayClient
    from catalog.gateway.config import resolve_config
    from catalog.runs.runner import Runner, run_prompts
    from catalog.runs.store import TrialStore
    from catalog.runs.trials import INTERRUPTED, RunSettings

    def broken_hook(trial: object) -> None:
        raise RuntimeError("the caller's hook broke")

    prompts = [Prompt(f"question {n}", (("user", f"question {n}"),)) for n in range(3)]
    config = resolve_config({"LAVA_BASE_URL": "http://127.0.0.1:9", "LAVA_FORWARD_TOKEN": TOKEN})
    with Store(run_env) as store, GatewayClient(config, transport=httpx.MockTransport(_unforeseen_gateway)) as client:
        trials = TrialStore(store)
        run_ = trials.create_run("hook", [(RECORD.provider, RECORD.model)], run_prompts(prompts), 1,
                                 RunSettings(max_tokens=64, concurrency=1))  # fmt: skip
        outcome = Runner(trials, client, CATALOG, run_, prompts, [RECORD], on_trial=broken_hook).execute()
        assert outcome.status == INTERRUPTED == trials.run(run_.id).status
        assert outcome.message == (
            "stopped by an unexpected error (RuntimeError); every finished trial is kept (resume with --resume)"
        )
        assert 1 <= len(trials.trials(run_.id)) == outcome.recorded


def test_a_spend_ledger_that_fails_is_a_failed_trial_per_request_not_a_stuck_run(run_env, tmp_path):  # noqa: F811
    from catalog.gateway.client import GatewayClient
    from catalog.gateway.config import resolve_config
    from catalog.runs.runner import Runner, run_prompts
    from catalog.runs.store import TrialStore
    from catalog.runs.trials import FINISHED, RunSettings
    from catalog.spend import Caps, Spender, SpendLedger, anonymous

    prompts = [Prompt(f"question {n}", (("user", f"question {n}"),)) for n in range(2)]
    config = resolve_config({"LAVA_BASE_URL": "http://127.0.0.1:9", "LAVA_FORWARD_TOKEN": TOKEN})
    asked: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: asked.append(request) or _unforeseen_gateway(request))
    with Store(run_env) as store, Store(f"sqlite:///{tmp_path / 'ledger.sqlite3'}") as broken, \
            GatewayClient(config, transport=transport) as client:  # fmt: skip
        with broken.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE spend_reservations")  # a ledger that cannot hold anything
        spender = Spender(SpendLedger(broken, Caps(1.0, 1.0, 1.0)), anonymous("visitor"), "public")
        trials = TrialStore(store)
        run_ = trials.create_run("ledger", [(RECORD.provider, RECORD.model)], run_prompts(prompts), 1,
                                 RunSettings(max_tokens=64, concurrency=2))  # fmt: skip
        outcome = Runner(trials, client, CATALOG, run_, prompts, [RECORD], spender=spender).execute()
        assert outcome.status == FINISHED == trials.run(run_.id).status
        recorded = trials.trials(run_.id)
    assert asked == []  # nothing is sent that the ledger did not hold
    assert len(recorded) == 2 and all(t.outcome == "gateway_error" and t.cost_usd is None for t in recorded)
    assert all(t.error.startswith("The request failed unexpectedly (") for t in recorded)


SMALL = "Gryphe/MythoMax-L2-13b"  # DeepInfra's page: 4,096 tokens, prompt and reply together


def test_a_prompts_own_max_tokens_is_clamped_to_the_models_output_limit_with_a_note(run_env, monkeypatch, tmp_path):  # noqa: F811
    lines = [{"id": "greedy", "prompt": "a", "max_tokens": 5_000_000}, {"id": "small", "prompt": "b", "max_tokens": 20}]
    prompts = write_lines(tmp_path, lines)
    with running_fake(forward_tokens={TOKEN}) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        result = run("run", str(prompts), *model_flags(TERSE, SMALL), "--max-tokens", "10000")
        assert result.returncode == 0, result.stderr
        sent = {(entry["body"]["model"], entry["body"]["max_tokens"]) for entry in fake.requests if "body" in entry}
    assert sent == {(TERSE, 10_000), (TERSE, 20), (SMALL, 4_096), (SMALL, 20)}
    assert "prompt 'greedy' asks for max_tokens 5,000,000; 10,000 are sent (the run's --max-tokens)" in result.stderr
    assert (
        f"max_tokens 10,000 is more than {SMALL}'s output limit; 4,096 are sent to it "
        f"(from https://deepinfra.com/{SMALL})"
    ) in result.stderr


def test_the_worst_case_counts_only_what_the_model_can_write():
    small = CATALOG.find(SMALL)
    prompt = Prompt("a", (("user", "a"),), max_tokens=5_000_000)
    assert worst_case_usd(small, prompt, None) == pytest.approx(float(request_cost(small, 1 + 8, 4_096)))


@pytest.mark.parametrize("cost", ["١٢", "1_0", "-0", "-0.0", " 1e99999999999999999999", "0x10", True])
def test_a_billed_amount_outside_the_page_parsers_number_rules_is_not_believed(cost):
    from catalog.runs.billing import billed_amount

    assert billed_amount({"cost": cost}) is None  # `Decimal("١٢")` is 12, `Decimal("1_0")` is 10
    assert billed_amount({"cost": cost, "model_usage": {"total_cost": "0.0000020000"}}) == Decimal("0.000002")


RECORD_PATH = "/v1/requests/req_1"


def fetched_record(pages: dict) -> object:
    from catalog.runs.billing import fetch_billed

    with hostile(pages) as url, httpx.Client(follow_redirects=False) as http:
        return fetch_billed(http, url, "aks_secret", "req_1")


def test_a_request_record_within_the_bounds_is_read_exactly():
    from catalog.runs.billing import Billed

    record = b'{"status": "completed", "cost": 0.0000020000, "model_usage": {"total_cost": "1"}}'
    assert fetched_record({RECORD_PATH: sized(record)}) == Billed(Decimal("0.0000020000"), True)
    assert fetched_record({}) == Billed(None, False)  # 404: not logged yet
    past_decimals = b'{"status": "completed", "cost": 1e99999999999999999999}'  # `Decimal()` raises on it
    assert fetched_record({RECORD_PATH: sized(past_decimals)}) == Billed(None, False)  # no amount yet


@pytest.mark.parametrize(
    "body",
    [
        sized(json.dumps({"status": "completed", "cost": "0.5", "pad": "x" * 2_000_000}).encode()),  # past 1 MB
        sized(("[" * 200_000).encode()),  # nested past Python's parser
        endless,
        sized(gzip_bomb(50), {"Content-Encoding": "gzip"}),
    ],
    ids=["two-megabytes", "deep", "endless", "gzip-bomb"],
)
def test_a_request_record_past_a_bound_is_not_read_now_and_never_a_traceback(body):
    started = time.monotonic()
    assert fetched_record({RECORD_PATH: body}) is None  # not read now: fetched again later
    assert time.monotonic() - started < 10


def test_a_request_record_sent_a_byte_a_second_stops_at_the_fetch_deadline(monkeypatch):
    monkeypatch.setenv("CATALOG_FETCH_DEADLINE_S", "1")
    started = time.monotonic()
    assert fetched_record({RECORD_PATH: trickle}) is None
    assert time.monotonic() - started < 5  # the old look-up waited 10 s a read, and a byte came every second


def test_reconciling_a_run_against_a_lava_that_trickles_gives_up_in_seconds_not_a_deadline_a_trial(monkeypatch):
    from catalog.runs.billing import FAILURES_IN_A_ROW, reconcile
    from catalog.runs.trials import Trial

    monkeypatch.setenv("CATALOG_FETCH_DEADLINE_S", "1")  # each record read gives up after a second
    pending = [Trial("DeepInfra", TERSE, "ok", request_id=f"req_{n}", id=n + 1) for n in range(20)]
    pages = {f"/v1/requests/req_{n}": trickle for n in range(20)}
    started = time.monotonic()
    with hostile(pages) as url:
        assert reconcile(pending, url, "aks_secret") == []  # nothing read: every trial stays pending
    assert time.monotonic() - started < FAILURES_IN_A_ROW + 3  # it used to wait the deadline for each of the 20
    record = sized(b'{"status": "completed", "cost": "0.000002"}')
    started = time.monotonic()
    with hostile({f"/v1/requests/req_{n}": record for n in range(20)}) as url:
        read = reconcile(pending, url, "aks_secret", deadline_s=0.0)  # past its whole deadline at once
    assert read == [] and time.monotonic() - started < 2
    with hostile({f"/v1/requests/req_{n}": record for n in range(20)}) as url:
        assert [trial_id for trial_id, _, _ in reconcile(pending, url, "aks_secret")] == list(range(1, 21))
