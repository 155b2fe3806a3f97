"""Shared pieces of the run tests: three fake models that differ, a prompt file, the CLI's environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_gateway import FakeGateway, Profile, running_fake
from fake_models import quality_models

from catalog.history import Store
from catalog.runs.store import TrialStore

TOKEN = "fake-forward-token-for-runs"
SECRET = "aks_test_runs_secret_key_0123456789"
#: Three catalog models the fake answers differently: terse, verbose, and a reasoning model that thinks a lot.
TERSE = "meta-llama/Meta-Llama-3.1-8B-Instruct"
VERBOSE = "deepseek-ai/DeepSeek-V3.1"
THINKER = "Qwen/Qwen3-235B-A22B-Thinking-2507"
PROFILES = {
    TERSE: Profile(words=12, delay_s=0.0),
    VERBOSE: Profile(words=90, delay_s=0.01),
    THINKER: Profile(words=20, reasoning_tokens=300, delay_s=0.02),
}
MODELS = (TERSE, VERBOSE, THINKER)


def write_prompts(folder: Path, count: int = 20, name: str = "prompts.jsonl") -> Path:
    path = folder / name
    lines = [json.dumps({"id": f"p{n}", "prompt": f"Question {n}: " + "tell me about prices " * (n % 4 + 1)})
             for n in range(count)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def model_flags(*models: str) -> list[str]:
    return [flag for model in models for flag in ("--model", model)]


@pytest.fixture
def run_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fresh database for the run and no credential from the machine; returns the database URL."""
    url = f"sqlite:///{tmp_path / 'runs.sqlite3'}"
    monkeypatch.setenv("CATALOG_DB_URL", url)
    for name in ("LAVA_FORWARD_TOKEN", "LAVA_SECRET_KEY", "DEEPINFRA_API_KEY", "LAVA_BASE_URL", "CATALOG_SOURCES"):
        monkeypatch.delenv(name, raising=False)
    return url


@pytest.fixture
def quality_lava(run_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGateway]:
    """The loopback fake gateway answering as the quality models (`fake_models`: sloppy, solid, the judge), its
    credential in the CLI's environment."""
    with quality_models(), running_fake(forward_tokens={TOKEN}) as fake:
        monkeypatch.setenv("LAVA_BASE_URL", fake.url)
        monkeypatch.setenv("LAVA_FORWARD_TOKEN", TOKEN)
        yield fake


def stored_trials(url: str, run_id: int | None = None) -> list:
    with Store(url) as store:
        return TrialStore(store).trials(run_id)
