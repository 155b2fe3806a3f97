"""Issue 11's done-when list, against the real loopback fake gateway, through the CLI in process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import run
from fake_gateway import running_fake
from runfixtures import (
    MODELS,
    PROFILES,
    SECRET,
    TERSE,
    THINKER,
    TOKEN,
    model_flags,
    run_env,  # noqa: F401  (fixture)
    stored_trials,
    write_prompts,
)

from catalog.costs import request_cost
from catalog.runs.runner import SAVE_WINDOW_S
from catalog.sources import load_catalog

ROOT = Path(__file__).resolve().parents[2]
#: Beyond the batching window: the time a reply takes on a loaded machine from its last byte to a commit.
KILL_SLACK_S = 0.3
CATALOG = load_catalog()


def lava(monkeypatch: pytest.MonkeyPatch, fake, *, secret: bool = False) -> None:
    monkeypatch.setenv("LAVA_BASE_URL", fake.url)
    if secret:
        monkeypatch.setenv("LAVA_SECRET_KEY", SECRET)
    else:
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)


def expected_line(fake, model: str) -> dict:
    """What the fake sent for one model, averaged as the report must: tokens, cost at catalog prices, estimate."""
    usages = [entry["usage"] for entry in fake.sent.values() if entry["model"] == model]
    record = CATALOG.find(model)
    n = len(usages)
    return {
        "ok": n,
        "input_tokens_mean": sum(u["prompt_tokens"] for u in usages) / n,
        "output_tokens_mean": sum(u["completion_tokens"] for u in usages) / n,
        "reasoning_tokens_mean": (
            sum(u["completion_tokens_details"]["reasoning_tokens"] for u in usages) / n
            if "completion_tokens_details" in usages[0]
            else None
        ),
        # Exact: the catalog's digits × the tokens sent, their mean cut at 1e-12 USD as the report cuts it.
        "cost_usd_mean": (
            sum(request_cost(record, u["prompt_tokens"], u["completion_tokens"]) for u in usages) / n
        ).quantize(Decimal("1e-12")),
        "estimated_cost_usd_mean": sum(u["estimated_cost"] for u in usages) / n,
    }


def test_twenty_prompts_on_three_models_report_what_the_fake_sent(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path)
    with running_fake(forward_tokens={TOKEN}, profiles=PROFILES) as fake:
        lava(monkeypatch, fake)
        result = run("run", str(prompts), *model_flags(*MODELS), "--concurrency", "6", "--format", "json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert set(report) >= {"run", "models"} and report["best"] is None and report["judge_cost_usd"] is None
        assert set(report["run"]) == {"id", "name", "created_at", "status", "prompts", "repeat", "models"}
        assert report["run"]["status"] == "finished" and report["run"]["prompts"] == 20
        assert report["run"]["models"] == [f"DeepInfra:{m}" for m in MODELS]
        assert len(fake.sent) == 60
        for line, model in zip(report["models"], MODELS, strict=True):
            want = expected_line(fake, model)
            assert line["model"] == model and line["trials"] == 20 and line["failed"] == 0
            for key, value in want.items():
                if value is None:
                    assert line[key] is None, key
                elif isinstance(value, Decimal):
                    assert Decimal(repr(line[key])) == value, key  # the JSON number's digits, every one
                else:
                    assert line[key] == pytest.approx(value, rel=1e-6), key
            assert round(line["cost_usd_mean"] * 20, 2) == round(float(want["cost_usd_mean"]) * 20, 2)  # to the cent
            assert line["ttft_ms_p50"] is not None and line["ttft_ms_p95"] >= line["ttft_ms_p50"]
        by_model = {line["model"]: line for line in report["models"]}
        # The thinker writes fewer visible words than the verbose model, yet its hidden tokens make it dearer.
        assert by_model[THINKER]["reasoning_tokens_mean"] == 300
        assert by_model[TERSE]["reasoning_tokens_mean"] is None
        assert by_model[THINKER]["output_tokens_mean"] > by_model[TERSE]["output_tokens_mean"]
        # Stored once each, with the run's replies kept for side-by-side answers.
        trials = stored_trials(run_env, report["run"]["id"])
        assert len(trials) == 60 and len({t.cell for t in trials}) == 60
        assert all(t.reply_text and t.reply_text.startswith("w0 ") for t in trials)
    table = run("report", str(report["run"]["id"]))
    assert table.returncode == 0 and THINKER in table.stdout and "None" not in table.stdout
    csv_text = run("report", str(report["run"]["id"]), "--format", "csv").stdout
    assert (
        csv_text.splitlines()[0].startswith("run_id,provider,model,trials,ok,failed")
        and len(csv_text.splitlines()) == 4
    )
    listing = run("runs")
    assert "prompts.jsonl" in listing.stdout and "finished" in listing.stdout


def test_the_fake_never_sees_more_requests_in_flight_than_the_concurrency(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 8)
    slow = {model: PROFILES[model].__class__(words=5, delay_s=0.05) for model in MODELS}
    with running_fake(forward_tokens={TOKEN}, profiles=slow) as fake:
        lava(monkeypatch, fake)
        result = run("run", str(prompts), *model_flags(*MODELS), "--concurrency", "3")
        assert result.returncode == 0, result.stderr
        assert fake.max_in_flight == 3  # reached, never passed
        assert fake.chat_requests == 24


def test_the_budget_cap_stops_the_run_below_the_cap(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path)
    with running_fake(forward_tokens={TOKEN}, profiles=PROFILES) as fake:
        lava(monkeypatch, fake)
        cap = 0.004
        result = run("run", str(prompts), *model_flags(THINKER), "--max-tokens", "400", "--max-usd", str(cap),
                     "--format", "json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["run"]["status"] == "stopped: budget"
        assert "stopped for the budget" in result.stderr
        trials = stored_trials(run_env, report["run"]["id"])
        spent = sum(t.cost_usd for t in trials)
        assert 0 < len(trials) < 20 and spent <= cap
        assert len(fake.sent) == len(trials)


def test_a_budget_below_one_request_is_refused_before_anything_is_sent(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 3)
    with running_fake(forward_tokens={TOKEN}) as fake:
        lava(monkeypatch, fake)
        result = run("run", str(prompts), *model_flags(THINKER), "--max-usd", "0.000001")
        assert result.returncode == 1 and "below the worst case of one request" in result.stderr
        assert fake.requests == []
        assert "run 1" not in run("runs").stdout


def test_a_402_stops_the_run_with_its_plain_message(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 10)
    with running_fake(forward_tokens={TOKEN}, profiles=PROFILES, payment_after=4) as fake:
        lava(monkeypatch, fake)
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", "1", "--format", "json")
        assert result.returncode == 1
        assert "Payment required (HTTP 402)" in result.stderr and "Traceback" not in result.stderr
        report = json.loads(result.stdout)
        assert report["run"]["status"] == "stopped: payment required"
        assert fake.chat_requests == 5  # nothing more was sent after the 402
        assert report["models"][0]["ok"] == 4 and report["models"][0]["failed"] == 1


def test_a_429_waits_for_retry_after_and_the_run_completes(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 6)
    with running_fake(forward_tokens={TOKEN}, profiles=PROFILES, rate_limit_next=3, retry_after="0.3") as fake:
        lava(monkeypatch, fake)
        started = time.perf_counter()
        result = run("run", str(prompts), *model_flags(TERSE), "--concurrency", "1", "--format", "json")
        took = time.perf_counter() - started
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["run"]["status"] == "finished"
        assert report["models"][0]["ok"] == 6 and report["models"][0]["failed"] == 0
        assert fake.chat_requests == 9 and took >= 0.9  # three 429s, each waited out


def test_a_bad_prompt_file_names_its_lines_before_anything_is_sent(run_env, monkeypatch, tmp_path):  # noqa: F811
    path = tmp_path / "bad.jsonl"
    path.write_text('{"prompt": "fine"}\n{"prompt": 3}\nnot json\n\n{"messages": []}\n', encoding="utf-8")
    with running_fake(forward_tokens={TOKEN}) as fake:
        lava(monkeypatch, fake)
        result = run("run", str(path), *model_flags(TERSE))
        assert result.returncode == 1
        assert "line 2: `prompt` must be a string" in result.stderr
        assert "line 3: not a JSON object" in result.stderr and "line 5:" in result.stderr
        assert result.stderr.count("\n") == 1 and fake.requests == []


def test_an_unknown_model_and_a_missing_credential_are_one_line_each(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 2)
    missing = run("run", str(prompts), *model_flags(TERSE))
    assert missing.returncode == 1 and "no gateway credential" in missing.stderr
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
    unknown = run("run", str(prompts), *model_flags("acme/not-a-model"))
    assert unknown.returncode == 1 and "no model 'acme/not-a-model' in the catalog" in unknown.stderr


def _count_ok(url: str) -> int:
    try:
        return sum(t.ok for t in stored_trials(url))
    except Exception:
        return 0


def test_a_killed_run_resumes_without_duplicates(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 12)
    slow = {model: PROFILES[model].__class__(words=5, delay_s=0.15) for model in MODELS}
    with running_fake(forward_tokens={TOKEN}, profiles=slow) as fake:
        monkeypatch.setenv("CATALOG_RUN_LEASE_S", "1")  # a killed runner's lease ends 1 s after its last renewal
        env = {**os.environ, "LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN}
        command = [sys.executable, "-m", "catalog", "run", str(prompts), *model_flags(*MODELS), "--concurrency", "2"]
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while _count_ok(run_env) < 5 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        killed_at = time.monotonic()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        time.sleep(1.1)
        before = stored_trials(run_env, 1)
        assert 5 <= len(before) < 36 and all(t.ok for t in before)
        # At most the batching window is lost: every reply the fake finished sending longer ago than the window
        # (plus the time a loaded machine takes to read it and commit) before the kill is in the store.
        stored = {t.request_id for t in before}
        with fake.lock:
            lost = {rid: killed_at - at for rid, at in fake.finished.items() if rid not in stored and at < killed_at}
        assert all(age <= SAVE_WINDOW_S + KILL_SLACK_S for age in lost.values()), lost
        assert stored <= set(fake.finished)
        sent_before = fake.chat_requests
        lava(monkeypatch, fake)
        result = run("run", str(prompts), "--resume", "1", "--concurrency", "8", "--format", "json")
        assert result.returncode == 0, result.stderr
        after = stored_trials(run_env, 1)
        cells = Counter(t.cell for t in after)
        assert len(after) == 36 and max(cells.values()) == 1 and all(t.ok for t in after)
        assert fake.chat_requests - sent_before == 36 - len(before)  # only the trials not yet ok were sent
        assert json.loads(result.stdout)["run"]["status"] == "finished"
        again = run("run", str(prompts), "--resume", "1")
        assert again.returncode == 0 and len(stored_trials(run_env, 1)) == 36
        other = write_prompts(tmp_path, 3, "other.jsonl")
        refused = run("run", str(other), "--resume", "1")
        assert refused.returncode == 1 and "not the prompt file run 1 was started with" in refused.stderr


def test_ctrl_c_stops_cleanly_and_keeps_what_finished(run_env, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 10)
    slow = {TERSE: PROFILES[TERSE].__class__(words=5, delay_s=0.2)}
    with running_fake(forward_tokens={TOKEN}, profiles=slow) as fake:
        env = {**os.environ, "LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN}
        command = [sys.executable, "-m", "catalog", "run", str(prompts), "--model", TERSE, "--concurrency", "2"]
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while _count_ok(run_env) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=20)
        assert child.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        kept = stored_trials(run_env, 1)
        assert kept and all(t.ok for t in kept) and len(kept) < 10


def test_billed_figures_are_pending_first_and_final_after_reconcile(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 4)
    with running_fake(secret_key=SECRET, profiles=PROFILES) as fake:
        lava(monkeypatch, fake, secret=True)
        result = run("run", str(prompts), *model_flags(TERSE), "--format", "json")
        assert result.returncode == 0, result.stderr
        line = json.loads(result.stdout)["models"][0]
        assert line["billed_final"] is False and line["billed_trials"] == 4  # Lava's records were still pending
        reconciled = json.loads(run("report", "1", "--reconcile", "--format", "json").stdout)["models"][0]
        assert reconciled["billed_final"] is True
        usages = [entry["usage"] for entry in fake.sent.values()]
        billed = [Decimal("0.0000003") * (u["prompt_tokens"] + u["completion_tokens"]) for u in usages]
        assert Decimal(reconciled["billed_usd_mean"]) == (sum(billed) / 4).quantize(Decimal("1e-10"))
        assert SECRET not in json.dumps(reconciled)
        table = run("report", "1").stdout
        assert "(pending)" not in table


def test_reconcile_without_a_secret_key_says_what_it_needs(run_env, monkeypatch, tmp_path):  # noqa: F811
    prompts = write_prompts(tmp_path, 1)
    with running_fake(forward_tokens={TOKEN}) as fake:
        lava(monkeypatch, fake)
        assert run("run", str(prompts), *model_flags(TERSE)).returncode == 0
        result = run("report", "1", "--reconcile")
        assert result.returncode == 1 and "needs LAVA_SECRET_KEY" in result.stderr
