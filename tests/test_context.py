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


def test_compare_marks_a_model_whose_window_a_request_overflows_and_never_calls_it_cheapest():
    from catalog.dashboard.workload_table import workload_summary, workload_table
    from catalog.workload import Workload, workload_costs

    tiny = catalog.load_catalog().find("meta-llama/Llama-3.2-1B-Instruct")  # $0.005 in: the cheapest of all
    scout = catalog.load_catalog().find("meta-llama/Llama-4-Scout-17B-16E-Instruct")  # 327,680 tokens
    workload = Workload(150_000, 1_000, 100, "day")
    lines = workload_costs([tiny, scout], workload)
    assert [(line.record.model, line.fits) for line in lines] == [(tiny.model, False), (scout.model, True)]
    assert lines[1].times_cheapest == 1.0  # against the cheapest model that holds the request
    summary = workload_summary(workload, lines)
    assert "cheapest is <strong><a" in summary and "Llama-4-Scout" in summary.split("cheapest is")[1].split("</a>")[0]
    assert "1 model cannot hold 151,000 tokens a request in its context window" in summary
    assert "too small: 131,072" in workload_table(lines)
    assert "Context" not in workload_table(workload_costs([scout], workload))  # the column only when needed


def test_when_no_window_holds_the_request_the_summary_says_so():
    from catalog.dashboard.workload_table import workload_summary
    from catalog.workload import Workload, workload_costs

    phi = catalog.load_catalog().find("microsoft/phi-4")  # 16,384 tokens
    workload = Workload(20_000, 0, 1, "day")
    summary = workload_summary(workload, workload_costs([phi], workload))
    assert "no priced model has a context window that holds it" in summary
