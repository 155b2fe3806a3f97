"""Context windows and capabilities: the cited table, the filters that use it (library, CLI, link), and the
count of models a context bound leaves out for want of a figure."""

from __future__ import annotations

import json

import pytest
from cli_runner import run
from html_tables import read_tables
from static_server import Site, serving

import catalog
from catalog.dashboard.view import parse_params, to_params
from catalog.formats.litellm import MAX_MAP_BYTES
from catalog.formats.operator_limits import operator_limits_in_force, operator_sources
from catalog.known_context import CAPABILITIES, KNOWN_LIMITS, UNSTATED, known_limits
from catalog.limits import limits_of
from catalog.query import ModelFilter, filter_models, hidden_by_context_bound
from catalog.workload import Workload, workload_costs

MODELS = catalog.load_catalog().models


def test_every_entry_cites_a_host_page_or_a_model_card_and_names_a_model_we_sell():
    sold = {record.model for record in MODELS}
    for model, limits in KNOWN_LIMITS.items():
        assert model in sold, model
        assert limits.source.startswith(("https://deepinfra.com/", "https://huggingface.co/")), model
        assert set(limits.capabilities) <= set(CAPABILITIES), model
        assert limits.context_window is not None and limits.context_window > 0, model


def test_every_model_we_sell_is_cited_or_listed_as_unstated_with_why():
    assert {record.model for record in MODELS} == set(KNOWN_LIMITS) | set(UNSTATED)
    assert not set(KNOWN_LIMITS) & set(UNSTATED)


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
    mistral = catalog.load_catalog().find("mistralai/Mistral-7B-Instruct-v0.3")  # no window anyone states
    workload = Workload(150_000, 1_000, 100, "day")
    lines = workload_costs([tiny, scout], workload)
    assert [(line.record.model, line.fits) for line in lines] == [(tiny.model, False), (scout.model, True)]
    assert lines[1].times_cheapest == 1.0  # against the cheapest model that holds the request
    summary = workload_summary(workload, lines)
    assert "cheapest is <strong><a" in summary and "Llama-4-Scout" in summary.split("cheapest is")[1].split("</a>")[0]
    assert "1 model cannot hold 151,000 tokens a request in its context window" in summary
    assert "too small: 131,072" in workload_table(lines)
    (table,) = read_tables(workload_table(workload_costs([tiny, scout, mistral], workload)))
    # Beside the windows too small, one that holds the request says so, and one nobody states says unknown.
    assert table.column("Context") == ["too small: 131,072", "unknown", "320k"]
    assert "Context" not in workload_table(workload_costs([scout], workload))  # the column only when needed


def test_when_no_window_holds_the_request_the_summary_says_so():
    from catalog.dashboard.workload_table import workload_summary
    from catalog.workload import Workload, workload_costs

    phi = catalog.load_catalog().find("microsoft/phi-4")  # 16,384 tokens
    workload = Workload(20_000, 0, 1, "day")
    summary = workload_summary(workload, workload_costs([phi], workload))
    assert "no priced model has a context window that holds it" in summary


# --- the operator's LiteLLM map and models.dev checkout fill what the table lacks, everywhere (catalog.limits) ---

MISTRAL, TINY, MINIMAX = (
    "mistralai/Mistral-7B-Instruct-v0.3",
    "meta-llama/Llama-3.2-1B-Instruct",
    "MiniMaxAI/MiniMax-M2",
)


def write_map(path, entries: dict[str, dict[str, object]]) -> str:
    prices = {"input_cost_per_token": 1e-07, "output_cost_per_token": 2e-07, "mode": "chat"}
    path.write_text(json.dumps({key: {**prices, **entry} for key, entry in entries.items()}))
    return str(path)


@pytest.fixture
def operator_map(tmp_path, monkeypatch) -> str:
    """A map in a folder of the operator's: it fills Mistral (the table has nothing), the 1B's longest output
    (the table has its window only), MiniMax-M2 from another host; its figures for GLM never beat the table's."""
    spec = write_map(tmp_path / "map.json", {
        f"deepinfra/{MISTRAL}": {"max_input_tokens": 32_768, "max_output_tokens": 8_192,
                                 "supports_function_calling": True},
        f"deepinfra/{TINY}": {"max_input_tokens": 999, "max_output_tokens": 131_072, "supports_vision": True},
        f"together_ai/{MINIMAX}": {"max_input_tokens": 196_608},
        "deepinfra/zai-org/GLM-5.2": {"max_input_tokens": 5, "max_output_tokens": 5},
    })  # fmt: skip
    monkeypatch.setenv("CATALOG_LITELLM_MAP", spec)
    return spec


def by_model(records) -> dict[str, catalog.ModelRecord]:
    return {record.model: record for record in records}


def test_the_operators_map_fills_each_field_the_table_lacks_and_names_its_source(operator_map, tmp_path):
    rows = by_model(MODELS)
    with operator_limits_in_force({"CATALOG_LITELLM_MAP": operator_map}):
        mistral, tiny, minimax, glm = (limits_of(rows[model]) for model in (MISTRAL, TINY, MINIMAX, "zai-org/GLM-5.2"))
        filtered = {r.model for r in filter_models(MODELS, ModelFilter(min_context=30_000, capabilities=("tools",)))}
        unknown = hidden_by_context_bound(MODELS, ModelFilter(min_context=30_000))
        overflow = workload_costs([rows[MISTRAL]], Workload(40_000, 1_000, 1, "day"))[0].overflowed_window
    assert (mistral.context_window, mistral.max_output_tokens, mistral.capabilities) == (32_768, 8_192, ("tools",))
    assert mistral.source_of("context_window") == f"LiteLLM map map.json: deepinfra/{MISTRAL}"
    # The table's window and (empty) capabilities stand; only the longest output, which it lacks, is the map's.
    assert (tiny.context_window, tiny.max_output_tokens, tiny.capabilities) == (131_072, 131_072, ())
    assert tiny.source_of("context_window") == "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct"
    assert tiny.source_of("max_output_tokens") == f"LiteLLM map map.json: deepinfra/{TINY}"
    assert (minimax.context_window, minimax.source) == (196_608, f"LiteLLM map map.json: together_ai/{MINIMAX}")
    assert glm == known_limits("zai-org/GLM-5.2")  # the table states both: the map's 5 tokens never show
    assert MISTRAL in filtered and unknown == 5 and overflow == 32_768  # filters, their count, Compare's check
    assert str(tmp_path) not in repr((mistral, tiny, minimax))  # the operator's folder is nobody's business
    assert limits_of(rows[MISTRAL]) is None  # outside the block, the table alone


def test_the_cli_and_the_exports_see_the_operators_map(operator_map):
    listed = run("list", "--min-context", "30000", "--capability", "tools")
    assert listed.returncode == 0, listed.stderr
    assert [line.split() for line in listed.stdout.splitlines() if line.startswith(MISTRAL)][0][-2:] == [
        "32,768", "instruct"
    ]  # fmt: skip
    assert run("list", "--min-context", "30000").stdout.rstrip().endswith("5 models of unknown context window "
                                                                          "left out by --min-context")  # fmt: skip
    litellm = json.loads(run("export", "--format", "litellm").stdout)
    assert litellm[f"deepinfra/{MISTRAL}"]["max_input_tokens"] == 32_768
    assert litellm[f"deepinfra/{MISTRAL}"]["supports_function_calling"] is True
    assert (litellm[f"deepinfra/{TINY}"]["max_input_tokens"], litellm[f"deepinfra/{TINY}"]["max_output_tokens"]) == (
        131_072, 131_072
    )  # fmt: skip
    openrouter = {m["id"]: m for m in json.loads(run("export", "--format", "openrouter").stdout)["data"]}
    assert openrouter[MISTRAL]["context_length"] == 32_768 and "tools" in openrouter[MISTRAL]["supported_parameters"]


def test_the_map_comes_before_a_models_dev_checkout_field_by_field(operator_map, tmp_path):
    folder = tmp_path / "models.dev" / "providers" / "acme" / "models" / "MiniMaxAI"
    folder.mkdir(parents=True)
    toml = '[limit]\ncontext = {context}\noutput = 4096\n[modalities]\ninput = ["text"]\noutput = ["text"]\n'
    (folder / "MiniMax-M2.toml").write_text(toml.format(context=1_000_000))
    (folder / "MiniMax-M2.5.toml").write_text(toml.format(context=204_800))
    rows = by_model(MODELS)
    settings = {"CATALOG_LITELLM_MAP": operator_map, "CATALOG_MODELS_DEV": str(tmp_path / "models.dev")}
    with operator_limits_in_force(settings):
        m2, m25 = limits_of(rows[MINIMAX]), limits_of(rows["MiniMaxAI/MiniMax-M2.5"])
    assert (m2.context_window, m2.max_output_tokens) == (196_608, 4_096)  # the map's window, models.dev's output
    assert m2.source_of("max_output_tokens") == "models.dev: providers/acme/models/MiniMaxAI/MiniMax-M2.toml"
    assert (m25.context_window, m25.source) == (
        204_800,
        "models.dev: providers/acme/models/MiniMaxAI/MiniMax-M2.5.toml",
    )


def test_the_operators_sources_are_read_once_and_within_bounds(operator_map, tmp_path, monkeypatch):
    settings = {"CATALOG_LITELLM_MAP": operator_map}
    first = operator_sources(settings)
    write_map(tmp_path / "map.json", {})  # an edit: read again only after KEEP_S (an hour)
    assert operator_sources(settings) is first
    huge = tmp_path / "huge.json"
    with huge.open("wb") as sparse:
        sparse.truncate(MAX_MAP_BYTES + 1)  # no disk, no read: refused by its size
    problems = {
        name: operator_sources({"CATALOG_LITELLM_MAP": spec}).limits.problems["CATALOG_LITELLM_MAP"]
        for name, spec in (("huge", str(huge)), ("folder", str(tmp_path)), ("device", "/dev/zero"))
    }
    assert "larger than 50 MB" in problems["huge"]
    assert "not a file" in problems["folder"] and "not a file" in problems["device"]
    broken = run("list", "--source", str(tmp_path / "missing.md"))  # a bad page is its own error; a bad map a warning
    assert broken.returncode == 1
    write_map(tmp_path / "bad.json", {})
    (tmp_path / "bad.json").write_text("{not json")
    monkeypatch.setenv("CATALOG_LITELLM_MAP", str(tmp_path / "bad.json"))
    listed = run("list")
    assert listed.returncode == 0 and listed.stderr.startswith("warning: ") and "not JSON" in listed.stderr
    assert len(listed.stderr.splitlines()) == 1


def test_a_map_at_a_url_is_named_without_its_credentials(monkeypatch):
    text = json.dumps({f"deepinfra/{MISTRAL}": {"input_cost_per_token": 1e-07, "output_cost_per_token": 2e-07,
                                                "max_input_tokens": 32_768}})  # fmt: skip
    with serving(Site({"/map.json?key=s3cret": text})) as site:
        spec = site.url.replace("http://", "http://user:hunter2@") + "/map.json?key=s3cret"
        with operator_limits_in_force({"CATALOG_LITELLM_MAP": spec}) as found:
            limits = limits_of(by_model(MODELS)[MISTRAL])
    assert not found.problems and limits.context_window == 32_768
    assert limits.source == f"LiteLLM map {site.url}/map.json: deepinfra/{MISTRAL}"


# --- the CLI's cost ranking leaves out a model whose window one request overflows, as Compare does ---


def test_cost_ranks_only_the_models_a_request_fits_and_marks_and_counts_the_rest():
    result = run("cost", "--input-tokens", "150000", "--output-tokens", "1000")
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("\n\n")[0].splitlines()[3:]  # after the workload line, the header, its rule
    rows = [line.split() for line in table]
    ranked = [row for row in rows if row[0] != "-"]
    assert [row[0] for row in ranked] == [str(rank) for rank in range(1, len(ranked) + 1)]
    assert TINY not in {row[1] for row in ranked}  # the cheapest of all, but its 131,072 tokens cannot hold it
    marked = {row[1]: " ".join(row[4:]) for row in rows if row[0] == "-"}
    assert marked[TINY] == "its 131,072-token window" and len(marked) == len(rows) - len(ranked)
    assert result.stdout.rstrip().splitlines()[-1] == (
        f"{len(marked)} models left out of the ranking (listed last, marked): one request of 151,000 tokens "
        "overflows their context window"
    )
    top = run("cost", "--input-tokens", "150000", "--output-tokens", "1000", "--top", "2").stdout
    assert TINY not in top and "(not shown with --top)" in top and "Llama-4-Scout" in top
