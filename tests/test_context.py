"""Context windows and capabilities: the cited table, the filters that use it (library, CLI, link), and the
count of models a context bound leaves out for want of a figure."""

from __future__ import annotations

from cli_runner import run

import catalog
from catalog.dashboard.view import parse_params, to_params
from catalog.known_context import CAPABILITIES, KNOWN_LIMITS, known_limits
from catalog.query import ModelFilter, filter_models, hidden_by_context_bound

MODELS = catalog.load_catalog().models


def test_every_entry_cites_a_host_page_or_a_model_card_and_names_a_model_we_sell():
    sold = {record.model for record in MODELS}
    for model, limits in KNOWN_LIMITS.items():
        assert model in sold, model
        assert limits.source.startswith(("https://deepinfra.com/", "https://huggingface.co/")), model
        assert set(limits.capabilities) <= set(CAPABILITIES), model
        assert limits.context_window is not None and limits.context_window > 0, model


def test_a_turbo_serving_keeps_its_own_window_and_other_spellings_find_the_weights():
    assert known_limits("deepseek-ai/DeepSeek-R1").context_window == 163_840
    assert known_limits("deepseek-ai/DeepSeek-R1-Turbo").context_window == 40_960
    assert known_limits("llama-v3p3-70b-instruct").context_window == 131_072  # Fireworks' spelling
    assert known_limits("mistralai/Mistral-7B-Instruct-v0.3") is None


def test_min_context_keeps_only_known_windows_and_counts_the_unknown():
    condition = ModelFilter(min_context=131_072)
    kept = filter_models(MODELS, condition)
    assert kept and all(known_limits(r.model).context_window >= 131_072 for r in kept)
    assert "Qwen/Qwen3-32B" not in {r.model for r in kept}  # 40,960
    assert hidden_by_context_bound(MODELS, condition) == 52 - len(KNOWN_LIMITS) == 7
    assert hidden_by_context_bound(MODELS, ModelFilter()) == 0


def test_capabilities_must_all_be_cited():
    both = {r.model for r in filter_models(MODELS, ModelFilter(capabilities=("tools", "vision")))}
    assert both == {
        "google/gemma-3-27b-it", "google/gemma-3-12b-it", "google/gemma-3-4b-it",
        "meta-llama/Llama-4-Scout-17B-16E-Instruct", "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
    }  # fmt: skip
    assert {r.model for r in filter_models(MODELS, ModelFilter(capabilities=("json_mode",)))} == {"zai-org/GLM-5.2"}


def test_cli_list_filters_by_context_and_capability_and_says_what_it_left_out():
    result = run("list", "--min-context", "200000", "--capability", "vision")
    assert result.returncode == 0, result.stderr
    assert "Llama-4-Scout-17B-16E-Instruct" in result.stdout and "gemma-3-27b-it" not in result.stdout
    assert "2 of 52 models" in result.stdout
    bound = run("list", "--min-context", "200000")
    assert bound.stdout.rstrip().endswith("7 models of unknown context window left out by --min-context")
    bad = run("list", "--capability", "telepathy")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_the_link_keeps_the_context_and_capability_filters():
    parsed = parse_params({"min_ctx": "131072", "cap": "tools,vision"})
    assert not parsed.problems
    assert (parsed.view.min_context, parsed.view.capabilities) == (131_072, ("tools", "vision"))
    assert to_params(parsed.view) == {"min_ctx": ["131072"], "cap": ["tools", "vision"]}
    bad = parse_params({"cap": "<b>x</b>", "min_ctx": "-1"})
    assert len(bad.problems) == 2 and bad.view.capabilities == () and bad.view.min_context is None
