"""The playground's session logic: transcript, totals, exports, model choice, side-by-side runs."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from fake_gateway import running_fake
from markdown_it import MarkdownIt

import catalog
from catalog.gateway import side_by_side, targets, transcript
from catalog.gateway.client import GatewayClient
from catalog.gateway.config import ConfigError, resolve_config
from catalog.gateway.errors import AuthenticationFailed, Cancelled, StreamInterrupted
from catalog.gateway.messages import ChatParams, ChatResult, Message, Usage

TOKEN = "fwd_tok_PLAYGROUND_SECRET_77"
MODELS = catalog.load_catalog()
FAST, SLOW = "meta-llama/Meta-Llama-3.1-8B-Instruct", "Qwen/Qwen3-14B"


def result(content: str = "Hi", *, cost: float | None = 0.002, error=None, usage=True) -> ChatResult:
    used = Usage(100, 20, 120, estimated_cost_usd=0.0019) if usage else None
    return ChatResult(FAST, content, "", used, "stop", "req_1", 0.25, 1.25, cost, error, 5)


def test_request_messages_start_with_the_system_prompt_and_skip_failed_replies():
    turns = [
        transcript.Turn("user", "one"),
        transcript.failed_turn(FAST, AuthenticationFailed("no")),
        transcript.Turn("user", "two"),
    ]
    turns.append(transcript.reply_turn(result("answer")))
    assert transcript.request_messages(turns, "  Be brief.  ") == (
        Message("system", "Be brief."),
        Message("user", "one"),
        Message("user", "two"),
        Message("assistant", "answer"),
    )
    assert transcript.request_messages(turns[:1]) == (Message("user", "one"),)


def test_reply_turn_keeps_metrics_and_marks_incomplete_replies():
    turn = transcript.reply_turn(result("partial", error=StreamInterrupted("cut off; the reply is incomplete.")))
    assert turn.content == "partial" and turn.error == "cut off; the reply is incomplete."
    assert turn.metrics == transcript.ReplyMetrics(100, 20, 0.002, 0.0019, 0.25, 1.25, 20 / 1.0, "req_1")


def test_session_totals_add_up_every_reply_with_usage():
    turns = [
        transcript.Turn("user", "q"),
        transcript.reply_turn(result()),
        transcript.reply_turn(result(usage=False, cost=None)),
    ]
    turns.append(transcript.reply_turn(result(cost=0.003)))
    totals = transcript.session_totals(turns)
    assert (totals.replies, totals.prompt_tokens, totals.completion_tokens) == (3, 200, 40)
    assert totals.cost_usd == pytest.approx(0.005) and totals.estimated_cost_usd == pytest.approx(0.0038)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(None, "—"), (0, "$0.00"), (0.0000316, "$0.0000316"), (0.01234, "$0.0123"), (1.5, "$1.50"), (123.456, "$123.456")],
)
def test_money_keeps_three_significant_digits_for_small_amounts(amount, shown):
    assert transcript.money(amount) == shown


def test_metrics_line_shows_tokens_cost_estimate_speed_and_request_id():
    line = transcript.metrics_line(transcript.reply_turn(result()).metrics)
    assert line == (
        "100 tokens in · 20 out · $0.002 (DeepInfra estimate $0.0019) · first token 0.25 s · total 1.25 s · "
        "20.0 tokens/s · id `req_1`"
    )


def test_exports_hold_the_conversation_and_its_metrics():
    turns = [transcript.Turn("user", "What is 2+2?"), transcript.reply_turn(replace(result("**4**"), reasoning="add"))]
    exported = json.loads(transcript.export_json(turns, system_prompt="Be brief.", params=ChatParams(temperature=0.2)))
    assert exported["system_prompt"] == "Be brief." and exported["params"]["temperature"] == 0.2
    assert [m["content"] for m in exported["messages"]] == ["What is 2+2?", "**4**"]
    assert exported["messages"][1]["metrics"]["cost_usd"] == 0.002 and exported["totals"]["replies"] == 1
    markdown = transcript.export_markdown(turns, system_prompt="Be brief.")
    assert "## You\n\nWhat is 2+2?" in markdown and f"## {FAST}\n\n> add\n\n**4**" in markdown
    assert "$0.002" in markdown and "Session: 1 reply ·" in markdown


def test_resolve_model_takes_a_catalog_id_and_warns_about_others():
    assert targets.resolve_model(MODELS, "Qwen/Qwen3-14B") == (MODELS.find("Qwen/Qwen3-14B"), None)
    assert targets.resolve_model(MODELS, None) == (MODELS.find(targets.DEFAULT_MODEL), None)
    record, warning = targets.resolve_model(MODELS, "evil/<script>")
    assert record.model == targets.DEFAULT_MODEL and "no model `evil/<script>`" in warning


def test_chat_request_targets_the_catalog_url_and_refuses_untrusted_pages():
    record = MODELS.find(FAST)
    request = targets.chat_request(MODELS, record, (Message("user", "hi"),), ChatParams())
    assert request.target_url == "https://api.deepinfra.com/v1/openai/chat/completions"
    uploaded = replace(MODELS.providers[0], target_url="https://attacker.example/v1/chat")
    with pytest.raises(ConfigError, match="known provider endpoints"):
        targets.chat_request(replace(MODELS, providers=(uploaded,)), record, (Message("user", "hi"),), ChatParams())


@pytest.mark.parametrize(
    "target",
    [
        "http://api.deepinfra.com/v1/openai/chat/completions",
        "https://api.deepinfra.com.evil.example/v1/openai/chat/completions",
        "https://evil.example\t@api.deepinfra.com/v1/openai/chat/completions",  # urlsplit drops the tab; httpx won't
        "https://user:pw@api.deepinfra.com/v1/openai/chat/completions",
        "https://api.deepinfra.com:8443/v1/openai/chat/completions",
        "https://API.DEEPINFRA.COM/v1/openai/chat/completions",
        "https://api.deepinfra.com\\@evil.example/v1",
        "https://api.deepinfra.com/v1/openai/chat/completions?u=https://evil.example",
        "https://api.deepinfra.com/v1/openai/chat/completions#x",
    ],
)
def test_only_a_plainly_spelled_trusted_target_is_used(target):
    provider = replace(MODELS.providers[0], target_url=target)
    with pytest.raises(ConfigError, match="known provider endpoints"):
        targets.chat_request(
            replace(MODELS, providers=(provider,)), MODELS.find(FAST), (Message("user", "hi"),), ChatParams()
        )


def test_the_operator_can_trust_more_chat_hosts_through_lava_only():
    cerebras = replace(MODELS.providers[0], target_url="https://api.cerebras.ai/v1/chat/completions")
    catalog_on_cerebras = replace(MODELS, providers=(cerebras,))
    record, hi = MODELS.find(FAST), (Message("user", "hi"),)
    settings = {"PLAYGROUND_TARGET_HOSTS": " api.cerebras.ai , api.sambanova.ai"}
    through_lava = targets.trusted_hosts(settings)
    assert through_lava == {"api.deepinfra.com", "api.cerebras.ai", "api.sambanova.ai"}
    request = targets.chat_request(catalog_on_cerebras, record, hi, ChatParams(), through_lava)
    assert request.target_url == "https://api.cerebras.ai/v1/chat/completions"
    direct = targets.trusted_hosts(settings, through_lava=False)  # the DeepInfra key never leaves DeepInfra
    with pytest.raises(ConfigError, match="known provider endpoints"):
        targets.chat_request(catalog_on_cerebras, record, hi, ChatParams(), direct)


@pytest.mark.parametrize(
    "value", ["https://api.cerebras.ai", "api.cerebras.ai:443", "api.cerebras.ai/v1", "evil host", "localhost"]
)
def test_a_trusted_host_must_be_a_plain_host_name(value):
    with pytest.raises(ConfigError, match="PLAYGROUND_TARGET_HOSTS holds"):
        targets.trusted_hosts({"PLAYGROUND_TARGET_HOSTS": value})


def test_stop_sequences_are_one_per_line():
    assert targets.parse_stop("END\n\n###\n") == ("END", "###")


def test_price_label_shows_both_prices():
    assert targets.price_label(MODELS.find("zai-org/GLM-5.2")) == "zai-org/GLM-5.2 — $1.40 in · $4.40 out per 1M"


def test_side_by_side_runs_concurrently_and_tabulates_each_model():
    with running_fake(forward_tokens={TOKEN}, model_delays={FAST: 0.1, SLOW: 0.4}) as fake:
        config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
        messages = (Message("user", "Same prompt"),)
        requests = [targets.chat_request(MODELS, MODELS.find(m), messages, ChatParams()) for m in (FAST, SLOW, FAST)]
        requests.append(targets.chat_request(MODELS, MODELS.find(SLOW), (Message("user", "!fake:402"),), ChatParams()))
        started = time.perf_counter()
        with GatewayClient(config) as client:
            results = side_by_side.run_side_by_side(client, requests)
        elapsed = time.perf_counter() - started
    assert elapsed < 0.4 + 0.1 + 0.1 + 0.4  # well under the sum of the delays: they overlapped
    rows = side_by_side.comparison_rows(results)
    assert [row["model"] for row in rows] == [FAST, SLOW, FAST, SLOW]
    assert [row["status"] for row in rows] == ["complete", "complete", "complete", "Payment required"]
    assert rows[0]["cost_usd"] > 0 and rows[0]["ttft_s"] < rows[1]["ttft_s"] and rows[0]["reply_chars"] > 0
    assert rows[3]["cost_usd"] is None and rows[3]["reply_chars"] == 0


def test_side_by_side_partial_texts_grow_while_it_runs():
    with running_fake(forward_tokens={TOKEN}) as fake:
        config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
        prompt = (Message("user", "!fake:chunks=40 !fake:chunk_delay=0.01"),)
        requests = [targets.chat_request(MODELS, MODELS.find(m), prompt, ChatParams()) for m in (FAST, SLOW)]
        seen = []
        with GatewayClient(config) as client, side_by_side.SideBySide(client, requests) as run:
            while not run.wait(timeout=0.05):
                seen.append(run.partial_texts())
            final = run.results()
    assert any(0 < len(texts[0]) < len(final[0].content) for texts in seen)
    assert all(r.content == "".join(f"{n} " for n in range(40)) for r in final)


def test_side_by_side_takes_one_to_four_models():
    with pytest.raises(ValueError):
        side_by_side.SideBySide(None, [])  # type: ignore[arg-type]


def test_leaving_side_by_side_early_cancels_replies_that_had_not_started_yet():
    with running_fake(forward_tokens={TOKEN}, model_delays={FAST: 0.5, SLOW: 0.5}) as fake:
        config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
        prompt = (Message("user", "!fake:chunks=300 !fake:chunk_delay=0.01"),)  # 3 s of reply after 0.5 s
        requests = [targets.chat_request(MODELS, MODELS.find(m), prompt, ChatParams()) for m in (FAST, SLOW)]
        started = time.perf_counter()
        with GatewayClient(config) as client, pytest.raises(KeyboardInterrupt):
            with side_by_side.SideBySide(client, requests) as run:
                run.wait(timeout=0.1)
                raise KeyboardInterrupt  # as Streamlit stops a script: the page is left mid-run
        left_after = time.perf_counter() - started
    assert left_after < 1.5
    assert all(isinstance(r.error, Cancelled) and len(r.content) < 100 for r in run.results())


@pytest.mark.parametrize(
    "requested",
    [
        "x` ![pixel](https://evil.example/p.png) [Re-enter your key](https://evil.example) `",
        "x\n\n# Your key expired: [log in](https://evil.example)",
        "`" * 5 + "y" * 500,
    ],
)
def test_a_model_in_the_link_is_quoted_as_code_so_it_cannot_add_links_or_images(requested):
    _, warning = targets.resolve_model(MODELS, requested)
    rendered = MarkdownIt("commonmark").render(warning)
    assert "<a" not in rendered and "<img" not in rendered and "<h1" not in rendered
    assert rendered.count("<code>") == 2 and "\n" not in warning and len(warning) < 250  # two intact code spans


def test_a_request_id_header_is_quoted_as_code_too():
    metrics = replace(transcript.reply_turn(result()).metrics, request_id="r1` [x](https://evil.example)")
    line = transcript.metrics_line(metrics)
    assert line.endswith("id ``r1` [x](https://evil.example)``")  # the id exactly, backtick included
    assert "<a" not in MarkdownIt("commonmark").render(line)


def test_totals_claim_no_deepinfra_estimate_when_no_reply_carried_one():
    no_estimate = replace(result(), usage=Usage(100, 20, 120))
    totals = transcript.session_totals([transcript.reply_turn(no_estimate)])
    assert totals.estimated_cost_usd is None
    assert transcript.totals_line(totals) == "1 reply · 100 tokens in · 20 out · $0.002"


def test_side_by_side_results_keep_no_error_chain_back_to_the_request():
    # Results stay in the session; an httpx error's request would still hold the Authorization header.
    with running_fake(forward_tokens={TOKEN}) as fake:
        config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
        requests = [
            targets.chat_request(MODELS, MODELS.find(m), (Message("user", prompt),), ChatParams())
            for m, prompt in ((FAST, "!fake:cut"), (SLOW, "hello"))
        ]
        with GatewayClient(config) as client:
            results = side_by_side.run_side_by_side(client, requests)
    error = results[0].error
    assert isinstance(error, StreamInterrupted)
    assert (error.__cause__, error.__context__, error.__traceback__) == (None, None, None)
    assert results[1].error is None and results[1].content


def test_side_by_side_exports_hold_each_reply_rounded_and_redacted():
    secret = "aks_live_SIDE_secret_0123456789"
    config = resolve_config({"LAVA_SECRET_KEY": secret})
    noisy = replace(result(f"My key is {secret}", cost=0.1 + 0.2), total_s=1.23456789)
    failed = side_by_side.failed_result(
        targets.chat_request(MODELS, MODELS.find(SLOW), (Message("user", "hi"),), ChatParams()),
        AuthenticationFailed(f"rejected Bearer {config.credential[:20]}"),
        0.5,
    )
    exported = side_by_side.export_json("Compare", [noisy, failed], system_prompt="", redact=config.redact)
    document = json.loads(exported)
    first, second = document["results"]
    assert document["prompt"] == "Compare" and first["reply"] == "My key is [redacted]"
    assert first["cost_usd"] == 0.3 and first["total_s"] == 1.235 and first["status"] == "complete"
    assert second["status"] == "Authentication failed" and second["provider"] == "DeepInfra"
    markdown = side_by_side.export_markdown("Compare", [noisy, failed], system_prompt="", redact=config.redact)
    assert f"## {SLOW} (DeepInfra)" in markdown and "**Prompt:**\n\nCompare" in markdown
    for text in (exported, markdown):
        assert secret not in text and config.credential[:12] not in text and "None" not in text
