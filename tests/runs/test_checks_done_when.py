"""Issue 19's done-when list: runs that check every answer, against fake models of known quality on loopback."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import run
from fake_models import (
    CAPITALS,
    COUNTRIES,
    JUDGE,
    PRICEY,
    PROSE,
    SLOPPY,
    SOLID,
    capital_prompts,
    right,
)
from runfixtures import model_flags, quality_lava, run_env  # noqa: F401  (fixtures)

from catalog.costs import request_cost
from catalog.history import Store
from catalog.runs.check_store import CheckStore
from catalog.sources import load_catalog

FILES = Path(__file__).resolve().parent / "files"
CATALOG = load_catalog()
MODELS = (SLOPPY, SOLID, PROSE, PRICEY)
#: A report cuts a cost that does not end (a cost per pass) at 1e-12 USD; every other digit is exact.
CUT = Decimal("1e-12")


def exact(figure: float) -> Decimal:
    """A report's JSON number as the decimal it is written as."""
    return Decimal(repr(figure))


def write(folder: Path, lines: list[dict], name: str = "capitals.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def costs(fake, model: str) -> list[tuple[str, Decimal]]:
    """(what the user message said, its cost at catalog prices) of every request the fake answered for `model`."""
    record = CATALOG.find(model)
    return [
        (entry["prompt"], request_cost(record, entry["usage"]["prompt_tokens"], entry["usage"]["completion_tokens"]))
        for entry in fake.sent.values()
        if entry["model"] == model
    ]


def expected_best(lines: dict[str, dict], passes: dict[str, int], spent: dict[str, Decimal], rate: float):
    good = [m for m in MODELS if passes[m] / lines[m]["checked"] >= rate]
    return min(good, key=lambda m: spent[m] / passes[m]) if good else None


def test_pass_rate_cost_per_pass_and_best_to_the_cent_and_min_pass_rate_changes_best(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, capital_prompts("word") + capital_prompts("json"))
    result = run("run", str(prompts), *model_flags(*MODELS), "--concurrency", "8", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    lines = {line["model"]: line for line in report["models"]}
    # The fake's known quality: SLOPPY is wrong on every second country, both as a word and as JSON; PROSE is
    # right, but its JSON sits in a sentence, so every JSON answer fails its schema.
    half = sum(right(country) for country in COUNTRIES)
    passes = {SLOPPY: 2 * half, SOLID: 16, PROSE: 8, PRICEY: 16}
    spent = {model: sum(cost for _, cost in costs(quality_lava, model)) for model in MODELS}
    for model in MODELS:
        line = lines[model]
        assert line["checked"] == 16 and line["not_judged"] == 0 and line["passed"] == passes[model], model
        assert line["pass_rate"] == passes[model] / 16
        assert exact(line["cost_per_pass_usd"]) == (spent[model] / passes[model]).quantize(CUT)
        assert round(line["cost_per_pass_usd"] * 1000, 2) == round(float(spent[model] / passes[model]) * 1000, 2)
        assert line["judge_cost_usd"] == 0
    assert report["judge_cost_usd"] == 0
    want = expected_best(lines, passes, spent, 0.9)
    assert want == SOLID and report["best"]["model"] == SOLID and report["best"]["pass_rate"] == 1.0
    assert exact(report["best"]["cost_per_pass_usd"]) == (spent[SOLID] / 16).quantize(CUT)
    assert report["best"]["runner_up"] == f"DeepInfra:{PRICEY}"
    assert report["best"]["times_cheaper"] == pytest.approx(float(spent[PRICEY] / spent[SOLID]), rel=1e-3)
    run_id = str(report["run"]["id"])
    # Half right is enough at 0.5: the sloppy model's passes are so cheap it becomes the best.
    lower = json.loads(run("report", run_id, "--format", "json", "--min-pass-rate", "0.5").stdout)
    assert expected_best(lines, passes, spent, 0.5) == SLOPPY and lower["best"]["model"] == SLOPPY
    strict = json.loads(run("report", run_id, "--format", "json", "--min-pass-rate", "1").stdout)
    assert strict["best"]["model"] == SOLID
    table = run("report", run_id).stdout
    header = table.splitlines()[1]
    assert "pass" in header and "cost/pass" in header and "None" not in table
    assert f"{passes[SLOPPY]}/16" in table and f"Best: DeepInfra:{SOLID}" in table
    assert f"× cheaper per passing answer than DeepInfra:{PRICEY}" in table
    # Every trial keeps each check's type, verdict and reason.
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        verdicts = CheckStore(store).verdicts(int(run_id))
    assert len(verdicts) == 64
    wrong = [v for v in verdicts.values() if v.passed is False and v.cell[3] == PROSE]
    assert len(wrong) == 8 and all(v.results[0].type == "json_schema" for v in wrong)
    assert all("not JSON" in v.results[0].reason for v in wrong)


def test_judge_checks_are_graded_through_the_gateway_with_their_cost_apart(quality_lava, tmp_path):  # noqa: F811
    lines = capital_prompts("word", judge=True)
    lines.append({"id": "garbled", "prompt": "Capital of France? One word.",
                  "expect": [{"type": "judge", "value": "Names Paris (garble)"}]})  # fmt: skip
    prompts = write(tmp_path, lines)
    result = run("run", str(prompts), *model_flags(SLOPPY, SOLID), "--judge", JUDGE, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    by_model = {line["model"]: line for line in report["models"]}
    half = sum(right(country) for country in COUNTRIES)
    assert by_model[SLOPPY]["passed"] == half and by_model[SOLID]["passed"] == 8
    assert by_model[SOLID]["checked"] == 9 and by_model[SOLID]["not_judged"] == 1  # the judge's prose: no verdict
    assert by_model[SOLID]["pass_rate"] == 1.0 and by_model[SLOPPY]["pass_rate"] == half / 8
    # The judge's cost, per answering model: SOLID sent each right answer's judging once; SLOPPY the rest.
    judged = costs(quality_lava, JUDGE)
    assert len(judged) == 18
    total = sum(cost for _, cost in judged)
    solid = sum(dict((text, cost) for text, cost in judged if _right_answer(text)).values())
    assert exact(report["judge_cost_usd"]) == total
    assert exact(by_model[SOLID]["judge_cost_usd"]) == solid
    assert exact(by_model[SLOPPY]["judge_cost_usd"]) == total - solid
    # The answers' own cost per pass leaves the judge's cost out.
    answers = sum(c for _, c in costs(quality_lava, SOLID))
    assert exact(by_model[SOLID]["cost_per_pass_usd"]) == (answers / 8).quantize(CUT)
    assert report["best"]["model"] == SOLID


def _right_answer(judge_prompt: str) -> bool:
    """Whether the answer a judge was sent is the right capital for the country its prompt asks about."""
    prompt = judge_prompt.partition("<prompt>")[2].partition("</prompt>")[0]
    answer = judge_prompt.partition("<answer>")[2].partition("</answer>")[0].strip()
    return any(country in prompt and answer == CAPITALS[country] for country in COUNTRIES)


def test_a_judge_check_without_a_judge_is_refused_before_anything_is_sent(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, capital_prompts("word", judge=True))
    result = run("run", str(prompts), *model_flags(SOLID))
    assert result.returncode == 1 and "a judge check needs a judge" in result.stderr
    assert quality_lava.chat_requests == 0
    unknown = run("run", str(prompts), *model_flags(SOLID), "--judge", "no/such-judge")
    assert unknown.returncode == 1 and "the judge 'no/such-judge'" in unknown.stderr and quality_lava.chat_requests == 0


def test_rejudge_grades_the_stored_answers_again_as_a_new_judging(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, capital_prompts("word", judge=True))
    first = json.loads(run("run", str(prompts), *model_flags(SLOPPY), "--judge", JUDGE, "--format", "json").stdout)
    sent = {model: len(costs(quality_lava, model)) for model in (SLOPPY, JUDGE)}
    again = run("report", "--rejudge", str(first["run"]["id"]), "--judge", f"DeepInfra:{JUDGE}", "--format", "json")
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert len(costs(quality_lava, SLOPPY)) == sent[SLOPPY]  # no prompt sent again
    assert len(costs(quality_lava, JUDGE)) == 2 * sent[JUDGE]
    assert first["judging"] == 1 and second["judging"] == 2 and "judging 2" in again.stderr
    assert second["models"][0]["passed"] == first["models"][0]["passed"]
    assert second["judge_cost_usd"] == pytest.approx(first["judge_cost_usd"], rel=1e-9)
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        kept = CheckStore(store)
        assert kept.judgings(1) == [1, 2] and len(kept.verdicts(1, 1)) == len(kept.verdicts(1, 2)) == 8


def test_a_judge_past_the_budget_is_not_judged_and_the_answer_kept(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, capital_prompts("word", judge=True)[:1])
    # The answer's worst case fits, the judge's (a long rubric prompt, 512 tokens, a dearer model) does not.
    answer_worst = request_cost(CATALOG.find(SOLID), 40, 16)
    result = run("run", str(prompts), *model_flags(SOLID), "--judge", JUDGE, "--max-tokens", "16",
                 "--max-usd", f"{answer_worst * 2:.12f}", "--format", "json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)["models"][0]
    assert line["ok"] == 1 and line["not_judged"] == 1 and line["pass_rate"] is None and line["judge_cost_usd"] == 0
    assert len(costs(quality_lava, JUDGE)) == 0
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        (verdict,) = CheckStore(store).verdicts(1).values()
    assert verdict.passed is None and "--max-usd" in verdict.results[0].reason


def test_promptfoo_file_gives_the_same_results_as_the_equivalent_jsonl(quality_lava, tmp_path):  # noqa: F811
    from catalog.runs.prompts import read_prompts

    config = read_prompts(FILES / "promptfooconfig.yaml")
    jsonl = read_prompts(FILES / "capitals12.jsonl")
    assert len(config) == 12 and [p.messages for p in config] == [p.messages for p in jsonl]
    reports = []
    for path in (FILES / "promptfooconfig.yaml", FILES / "capitals12.jsonl"):
        result = run("run", str(path), *model_flags(SLOPPY, SOLID), "--format", "json")
        assert result.returncode == 0, result.stderr
        reports.append(json.loads(result.stdout))
    fields = ("checked", "passed", "not_judged", "pass_rate", "cost_per_pass_usd")
    for yaml_line, jsonl_line in zip(reports[0]["models"], reports[1]["models"], strict=True):
        assert {k: yaml_line[k] for k in fields} == {k: jsonl_line[k] for k in fields}
    sloppy = reports[0]["models"][0]
    assert sloppy["checked"] == 12 and sloppy["passed"] == 3 * sum(right(c) for c in ("France", "Japan", "Peru",
                                                                                      "Kenya"))  # fmt: skip
    assert reports[0]["best"]["model"] == reports[1]["best"]["model"] == SOLID


def test_a_run_killed_during_judging_resumes_without_judging_an_answer_twice(quality_lava, tmp_path):  # noqa: F811
    prompts = write(tmp_path, capital_prompts("word", judge=True))
    first = json.loads(run("run", str(prompts), *model_flags(SOLID), "--judge", JUDGE, "--format", "json").stdout)
    # As if killed after the trials were saved and before the last verdicts were: drop three verdicts.
    url = f"sqlite:///{tmp_path / 'runs.sqlite3'}"
    with Store(url) as store, store._connect("written", write=True) as connection:
        connection.exec_driver_sql("DELETE FROM trial_checks WHERE prompt_number IN (1, 4, 6)")
    judged_before = len(costs(quality_lava, JUDGE))
    resumed = run("run", str(prompts), "--resume", "1", "--format", "json")
    assert resumed.returncode == 0, resumed.stderr
    assert len(costs(quality_lava, JUDGE)) - judged_before == 3  # only the answers not judged yet
    assert len(costs(quality_lava, SOLID)) == 8  # no answer asked again
    after = json.loads(resumed.stdout)["models"][0]
    assert after["passed"] == first["models"][0]["passed"] == 8
    again = run("run", str(prompts), "--resume", "1")
    assert again.returncode == 0 and len(costs(quality_lava, JUDGE)) - judged_before == 3
    by_cell: dict = defaultdict(int)
    with Store(url) as store:
        for cell in CheckStore(store).verdicts(1):
            by_cell[cell] += 1
    assert len(by_cell) == 8


def test_a_judge_that_times_out_leaves_its_check_not_judged_and_the_run_goes_on(quality_lava, tmp_path, monkeypatch):  # noqa: F811
    lines = capital_prompts("word", judge=True)[:2]
    lines[0]["expect"][0]["value"] += " !fake:slow"  # the fake's judge waits past the reply deadline on this one
    prompts = write(tmp_path, lines)
    monkeypatch.setenv("PLAYGROUND_REPLY_DEADLINE_S", "1")
    quality_lava.slow_s = 3.0
    result = run("run", str(prompts), *model_flags(SOLID), "--judge", JUDGE, "--format", "json")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)["models"][0]
    assert line["ok"] == 2 and line["checked"] == 2 and line["not_judged"] == 1 and line["passed"] == 1
    assert line["pass_rate"] == 1.0  # the judge's failure is not the answer's
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        verdicts = CheckStore(store).verdicts(1)
    slow = verdicts[(0, 0, "DeepInfra", SOLID)]
    assert slow.passed is None and slow.results[0].reason.startswith("not judged: the judge's request failed")
