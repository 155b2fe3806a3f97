"""A Playground reply, or its failure, as the trial the dashboard records (catalog/runs/trials.py `reply_trial`):
the right builder for each outcome, the prompt's length counted over every message, never the text."""

from __future__ import annotations

from catalog.gateway.errors import UpstreamError
from catalog.gateway.messages import ChatParams, ChatRequest, ChatResult, Message, Usage
from catalog.runs.owners import public_metrics
from catalog.runs.trials import reply_trial
from catalog.sources import load_catalog

RECORD = load_catalog().models[0]
REQUEST = ChatRequest(RECORD, "https://api.deepinfra.com/v1/openai/chat/completions",
                      (Message("system", "Be brief."), Message("user", "A secret plan")), ChatParams())  # fmt: skip


def test_a_reply_is_an_ok_trial_with_its_usage_and_no_text():
    result = ChatResult(RECORD.model, "the reply", "", Usage(12, 3, 15), "stop", "req_1", 0.2, 0.5, 0.0001)
    trial = reply_trial(REQUEST, result, "side_by_side")
    assert (trial.outcome, trial.origin, trial.model, trial.provider) == ("ok", "side_by_side", RECORD.model,
                                                                         RECORD.provider)  # fmt: skip
    assert trial.prompt_chars == len("Be brief.") + len("A secret plan") and trial.reply_chars == len("the reply")
    assert (trial.input_tokens, trial.output_tokens, trial.request_id, trial.reply_text) == (12, 3, "req_1", None)


def test_a_failure_is_a_trial_of_its_kind_and_public_metrics_keep_none_of_the_visitors_details():
    trial = reply_trial(REQUEST, UpstreamError("boom", status=502, request_id="req_2"))
    assert (trial.outcome, trial.origin, trial.error, trial.request_id) == ("upstream_error", "playground", "boom",
                                                                           "req_2")  # fmt: skip
    kept = public_metrics(trial)
    assert (kept.prompt_chars, kept.error, kept.request_id) == (0, None, None) and kept.outcome == "upstream_error"
