"""Replies are bounded: a total deadline (keep-alive waits count) and a maximum size (issue 8, finding 7).

Against the real fake gateway on loopback, with small limits set here; past either limit the stream is
closed, the partial reply kept and marked, and the message says which limit and which setting.
"""

from __future__ import annotations

import time

import httpx
import pytest
from fake_gateway import TARGET_URL, running_fake

from catalog.gateway.client import GatewayClient
from catalog.gateway.config import ConfigError, reply_limits, resolve_config
from catalog.gateway.errors import DeadlineExceeded, ReplyTooLarge
from catalog.gateway.messages import ChatRequest, Message, ReplyLimits
from catalog.records import ModelRecord

TOKEN = "fwd_tok_LIMITS_secret_1234"
RECORD = ModelRecord("DeepInfra", "org/model", "org", 1.0, 2.0, 1.25, None, None, (), 1)


def request(prompt: str) -> ChatRequest:
    return ChatRequest(RECORD, TARGET_URL, (Message("user", prompt),))


@pytest.fixture
def fake():
    with running_fake(forward_tokens={TOKEN}, slow_s=6.0) as server:  # an upstream that goes on for 6 s
        yield server


def read(fake, prompt: str, limits: ReplyLimits):
    config = resolve_config({"LAVA_BASE_URL": fake.url, "LAVA_FORWARD_TOKEN": TOKEN})
    started = time.monotonic()
    with GatewayClient(config, limits=limits, timeout=httpx.Timeout(5, connect=2)) as client:
        with client.stream(request(prompt)) as reply:
            deltas = list(reply)
    return deltas, reply.result, time.monotonic() - started


def test_an_endless_stream_is_stopped_at_the_deadline_and_keeps_its_text(fake):
    deltas, result, elapsed = read(fake, "!fake:endless", ReplyLimits(deadline_s=0.6))
    assert isinstance(result.error, DeadlineExceeded) and not result.complete
    assert "0.6 s" in str(result.error) and "PLAYGROUND_REPLY_DEADLINE_S" in str(result.error)
    assert result.content.count("more ") >= 5 and result.content == "".join(d.content for d in deltas)
    assert elapsed < 3  # the upstream would have gone on for 6 s


def test_keep_alive_comments_alone_count_against_the_deadline(fake):
    _, result, elapsed = read(fake, "!fake:keepalive", ReplyLimits(deadline_s=0.6))
    assert isinstance(result.error, DeadlineExceeded) and result.content.startswith("**org/model**")
    assert elapsed < 3


def test_a_silent_upstream_is_stopped_at_the_deadline_not_the_longer_read_timeout(fake):
    _, result, elapsed = read(fake, "!fake:stall", ReplyLimits(deadline_s=0.6))  # stalls for 6 s
    assert isinstance(result.error, DeadlineExceeded) and result.content.endswith("says ")
    assert elapsed < 3


def test_a_reply_past_the_size_limit_is_cut_there_and_marked(fake):
    _, result, _ = read(fake, "!fake:huge=200000", ReplyLimits(max_chars=50_000))
    assert isinstance(result.error, ReplyTooLarge) and "50,000 characters" in str(result.error)
    assert len(result.content) == 50_000 and result.content.startswith("Here: hhh")


def test_one_chunk_far_past_the_limit_is_refused_before_it_is_read_whole(fake):
    _, result, _ = read(fake, "!fake:huge=3000000", ReplyLimits(max_chars=10_000))
    assert isinstance(result.error, ReplyTooLarge) and "PLAYGROUND_MAX_REPLY_CHARS" in str(result.error)
    assert result.content == "Here: "


def test_a_reply_within_the_limits_is_untouched(fake):
    _, result, _ = read(fake, "!fake:chunks=300", ReplyLimits(deadline_s=30, max_chars=5000))
    assert result.complete and result.content == "".join(f"{n} " for n in range(300))


def test_limits_are_operator_settings_with_defaults_of_ten_minutes_and_a_million_characters():
    assert reply_limits({}) == ReplyLimits(deadline_s=600, max_chars=1_000_000)
    limits = reply_limits({"PLAYGROUND_REPLY_DEADLINE_S": "30", "PLAYGROUND_MAX_REPLY_CHARS": "2000"})
    assert limits == ReplyLimits(deadline_s=30, max_chars=2000)


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf", "1e300"])
def test_a_bad_limit_is_a_clear_configuration_error(value):
    with pytest.raises(ConfigError, match="PLAYGROUND_REPLY_DEADLINE_S must be a number above 0"):
        reply_limits({"PLAYGROUND_REPLY_DEADLINE_S": value})
