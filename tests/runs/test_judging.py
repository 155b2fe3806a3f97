"""Who judges, and what a check reads: a per-check judge end to end, `--rejudge --judge` trusted or refused like
any judge, a judge's worst case at the runner's token bound, and checks that read the answer, never the reasoning."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from cli_runner import run
from fake_models import JUDGE, SOLID
from runfixtures import TOKEN, model_flags, quality_lava, run_env  # noqa: F401  (fixtures)

from catalog.costs import prompt_token_bound, request_cost
from catalog.gateway.client import GatewayClient
from catalog.gateway.config import resolve_config
from catalog.gateway.messages import ReplyLimits
from catalog.history import Store
from catalog.runs.check_store import CheckStore
from catalog.runs.checks import judge_messages
from catalog.runs.judge import JUDGE_MAX_TOKENS, JudgeJob, send_judge
from catalog.runs.store import TrialStore
from catalog.sources import load_catalog

DEEPINFRA_PAGE = Path(__file__).resolve().parents[2] / "catalog" / "data" / "lava-deepinfra.md"
#: A provider page with no chat-completions URL: a model the catalog sells that no request may be sent to.
NO_TARGET_PAGE = "# Groq\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|-|-|-|\n| tiny | $0.001 | $0.002 |\n"


def write(folder: Path, lines: list[dict]) -> Path:
    path = folder / "prompts.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def sent_to(fake, model: str) -> list[str]:
    """The user messages the fake answered for `model`."""
    return [entry["prompt"] for entry in fake.sent.values() if entry["model"] == model]


def test_a_check_names_its_own_judge_and_the_run_sends_it_there(quality_lava, tmp_path):  # noqa: F811
    rubric = "Names Paris as the capital of France."
    prompts = write(tmp_path, [{"id": "france", "prompt": "Capital of France? One word.", "expect": [
        {"type": "judge", "value": rubric, "judge": f"DeepInfra:{JUDGE}"},
        {"type": "judge", "value": rubric, "judge": SOLID},  # a model that answers a capital, not a verdict
    ]}])  # fmt: skip
    result = run("run", str(prompts), *model_flags(SOLID), "--format", "json")  # no --judge: each check has one
    assert result.returncode == 0, result.stderr
    judged = sent_to(quality_lava, JUDGE)
    assert len(judged) == 1 and f"<rubric>\n{rubric}\n</rubric>" in judged[0]
    assert "<answer>\nParis\n</answer>" in judged[0]
    asked_solid = sent_to(quality_lava, SOLID)
    assert len(asked_solid) == 2 and sum("<rubric>" in text for text in asked_solid) == 1
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        (verdict,) = CheckStore(store).verdicts(1).values()
    first, second = verdict.results
    assert first == ("judge", True, "the answer names Paris")
    assert second.passed is None and second.reason.startswith("not judged: the judge's reply is not a JSON object")
    line = json.loads(result.stdout)["models"][0]
    assert line["checked"] == 1 and line["not_judged"] == 1 and line["judge_cost_usd"] > 0


def test_rejudge_with_a_judge_no_request_may_go_to_is_refused_before_anything_is_sent(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, [
        {"id": "france", "prompt": "Capital of France? One word.",
         "expect": [{"type": "judge", "value": "Names Paris.", "judge": f"DeepInfra:{JUDGE}"}]},
        {"id": "japan", "prompt": "Capital of Japan? One word.", "expect": [{"type": "icontains", "value": "tokyo"}]},
    ])  # fmt: skip
    assert run("run", str(prompts), *model_flags(SOLID)).returncode == 0
    page = tmp_path / "groq.md"
    page.write_text(NO_TARGET_PAGE, encoding="utf-8")
    requests = quality_lava.chat_requests
    sources = ("--source", str(page), "--source", str(DEEPINFRA_PAGE))
    again = run("report", "--rejudge", "1", "--judge", "Groq:tiny", *sources)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "python -m catalog: error: the judge 'Groq:tiny': The provider page for Groq gives no chat-completions URL."
    )
    assert quality_lava.chat_requests == requests
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        assert CheckStore(store).judgings(1) == [1]  # no half-made judging 2


def test_a_judge_call_with_no_trusted_target_is_not_judged_with_a_plain_reason(quality_lava, tmp_path):  # noqa: F811
    page = tmp_path / "groq.md"
    page.write_text(NO_TARGET_PAGE, encoding="utf-8")
    catalog = load_catalog([str(page), str(DEEPINFRA_PAGE)])
    record = catalog.find("tiny")
    job = JudgeJob((0, 0, "DeepInfra", SOLID), 0, record, judge_messages("Names Paris.", "Capital?", "Paris"))
    config = resolve_config({"LAVA_BASE_URL": quality_lava.url, "LAVA_FORWARD_TOKEN": TOKEN})
    with GatewayClient(config) as client:
        answer = send_judge(client, catalog, job)
    assert answer is not None and answer.result.passed is None and answer.cost_usd is None
    assert answer.result.reason == "not judged: The provider page for Groq gives no chat-completions URL."
    assert quality_lava.chat_requests == 0


def test_a_judge_calls_worst_case_counts_what_it_is_sent_as_the_runner_does():
    record = load_catalog().find(JUDGE)
    answer = "🙂" * 2_000  # 4 UTF-8 bytes each: a byte-level tokenizer may write a token a byte
    messages = judge_messages("Is it friendly?", "Say something nice.", answer)
    job = JudgeJob((0, 0, "DeepInfra", SOLID), 0, record, messages)
    bound = prompt_token_bound(content for _, content in messages)
    assert bound > 8_000
    assert job.worst_usd == float(request_cost(record, bound, JUDGE_MAX_TOKENS))


def test_checks_read_the_answer_never_the_reasoning(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, [
        {"id": "thinks", "prompt": "Say hello !fake:reasoning",
         "expect": [{"type": "not_contains", "value": "think"}, {"type": "icontains", "value": "says hello"}]},
        {"id": "thought", "prompt": "Say hello again !fake:reasoning",
         "expect": [{"type": "contains", "value": "Let me think"}]},
    ])  # fmt: skip
    model = "meta-llama/Meta-Llama-3.1-8B-Instruct"  # the fake's plain reply, with reasoning deltas first
    result = run("run", str(prompts), *model_flags(model), "--format", "json")
    assert result.returncode == 0, result.stderr
    url = f"sqlite:///{tmp_path / 'runs.sqlite3'}"
    with Store(url) as store:
        trials = TrialStore(store).trials(1)
        verdicts = CheckStore(store).verdicts(1)
    assert all(t.ok and t.reasoning_chars > 0 and "think" not in (t.reply_text or "") for t in trials)
    assert verdicts[(0, 0, "DeepInfra", model)].passed is True  # "think" is only in the reasoning
    missed = verdicts[(1, 0, "DeepInfra", model)]
    assert missed.passed is False and missed.results[0].reason == "'Let me think' is not in the answer"


def test_the_run_says_what_the_answers_and_the_judge_cost_apart(quality_lava, tmp_path):  # noqa: F811
    from catalog.costs import usd

    prompts = write(tmp_path, [{"id": "france", "prompt": "Capital of France? One word.",
                                "expect": [{"type": "judge", "value": "Names Paris."}]}])  # fmt: skip
    result = run("run", str(prompts), *model_flags(SOLID), "--judge", JUDGE)
    assert result.returncode == 0, result.stderr
    models = load_catalog()
    spent = {"answers": Decimal(0), "judge": Decimal(0)}
    for entry in quality_lava.sent.values():
        usage = entry["usage"]
        cost = request_cost(models.find(entry["model"]), usage["prompt_tokens"], usage["completion_tokens"])
        spent["judge" if "<rubric>" in entry["prompt"] else "answers"] += cost
    assert spent["judge"] > spent["answers"] > 0
    said = f"answers {usd(spent['answers'], 6)} + judge {usd(spent['judge'], 6)} at catalog prices"
    assert f"run 1: finished; 1 trial recorded, {said}" in result.stderr
    plain = run("run", str(write(tmp_path, [{"prompt": "Capital of Peru?"}])), *model_flags(SOLID))
    assert "2: finished; 1 trial recorded, $" in plain.stderr and "judge" not in plain.stderr


def test_a_judge_call_a_stop_cuts_off_keeps_its_worst_case_in_the_budget(quality_lava, tmp_path):  # noqa: F811
    import threading
    import time

    from catalog.runs.judge import judges_for_run, prompt_checks, run_checks_for
    from catalog.runs.prompts import read_prompts
    from catalog.runs.runner import Runner, resolve_models, run_prompts
    from catalog.runs.trials import RunSettings

    quality_lava.slow_s = 10.0  # the judge sends a few chunks, then stalls: the stop finds it under way
    prompts = read_prompts(
        write(
            tmp_path,
            [
                {
                    "id": "france",
                    "prompt": "Capital of France? One word.",
                    "expect": [{"type": "judge", "value": "Names Paris. !fake:stall"}],
                }
            ],
        )
    )
    catalog = load_catalog()
    models = resolve_models(catalog, [SOLID])
    settings = RunSettings(max_usd=1.0, judge=JUDGE)
    config = resolve_config({"LAVA_BASE_URL": quality_lava.url, "LAVA_FORWARD_TOKEN": TOKEN})
    limits = ReplyLimits(deadline_s=2.0)  # the stalled call gives up after 2 s, a stop already set
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store, GatewayClient(config, limits=limits) as client:
        trials = TrialStore(store)
        checks = prompt_checks(prompts)
        run_ = trials.create_run("cut", [(r.provider, r.model) for r in models], run_prompts(prompts), 1, settings)
        judges = judges_for_run(catalog, checks, run_.settings, resolve_models)
        hook = run_checks_for(store, run_, checks, judges, prompts, client, catalog)
        runner = Runner(trials, client, catalog, run_, prompts, models, checks=hook)
        thread = threading.Thread(target=runner.execute)
        thread.start()
        deadline = time.monotonic() + 20
        while not sent_to(quality_lava, JUDGE) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # its first chunks have arrived: the call is under way
        runner.stop()
        thread.join(20)
        assert not thread.is_alive() and len(sent_to(quality_lava, JUDGE)) == 1
    answer = next(entry["usage"] for entry in quality_lava.sent.values() if entry["model"] == SOLID)
    answer_cost = float(request_cost(catalog.find(SOLID), answer["prompt_tokens"], answer["completion_tokens"]))
    assert runner.budget.reserved == 0 and runner.budget.spent > answer_cost  # the cut-off call's worst case kept
