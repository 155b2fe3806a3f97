"""The model page (`/model?id=…`): prices with their source line, facts, workload cost, cheaper peers, a way back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from html_tables import page_stats, page_table
from sent_order import sent_elements
from streamlit.testing.v1 import AppTest

from catalog import load_catalog
from catalog.dashboard.model_page import alternatives, find_model, model_link, price_text, size_text
from catalog.dashboard.names import PHONE_CHARS
from catalog.workload import Workload

ROOT = Path(__file__).resolve().parents[2]
MODELS = load_catalog()


def model_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page("pages/model.py").run()  # opened straight from a link, as a shared URL opens it
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return page_stats(at, "Prices") | page_stats(at, "Workload cost")


def test_deepseek_r1_shows_both_prices_the_source_line_and_the_workload_cost():
    at = model_page({"id": "deepseek-ai/DeepSeek-R1-0528", "in": "2000", "out": "500", "req": "10000"})
    shown = metrics(at)
    assert shown["Input, per 1M tokens"] == "$0.50"
    assert shown["Output, per 1M tokens"] == "$2.15"
    assert shown["Blended (75:25)"] == "$0.9125"
    assert any("line 46, snapshot 2026-11-25" in caption.value for caption in at.caption)
    # 2,000 × $0.50 + 500 × $2.15 per 1M = $0.002075 a request; × 10,000 a day × 30 = $622.50 a month.
    assert shown["Per request"] == "$0.002075"
    assert shown["Per month"] == "$622.50"


def test_the_facts_table_names_maker_family_and_tags():
    at = model_page({"id": "deepseek-ai/DeepSeek-R1-0528"})
    facts = facts_of(at)
    assert facts["Maker"] == "deepseek-ai"
    assert facts["Provider"] == "DeepInfra"
    assert "reasoning" in facts["Tags"]


def test_cheaper_alternatives_have_the_same_tags_and_are_cheaper():
    # phi-4-reasoning-plus (14B from its model card): Qwen3-32B, reasoning in thinking mode, costs less.
    record = find_model(MODELS, "microsoft/phi-4-reasoning-plus")
    assert record is not None
    workload = Workload(2000, 500, 10_000, "day")
    found = alternatives(MODELS.models, record, workload)
    assert found, "the catalog has cheaper reasoning models"
    assert all(line.record.params_b is not None and line.record.params_b >= 14 for line in found)
    # DeepSeek-R1-0528 is 671B: no smaller distilled model is offered as its alternative any more.
    r1 = find_model(MODELS, "deepseek-ai/DeepSeek-R1-0528")
    assert r1 is not None and alternatives(MODELS.models, r1, workload) == []
    mine = workload.input_tokens * record.input_usd_per_mtok + workload.output_tokens * record.output_usd_per_mtok
    for line in found:
        assert set(record.tags) <= set(line.record.tags)
        assert line.per_request_usd * 1_000_000 < mine
    assert [line.per_request_usd for line in found] == sorted(line.per_request_usd for line in found)


def test_an_unknown_id_says_so_literally_and_offers_a_picker():
    at = model_page({"id": "![x](http://evil.test/p.png)"})
    assert "No model" in at.warning[0].value
    assert "](http" not in at.warning[0].value.replace("\\](", "")  # the brackets are escaped, no image
    assert at.selectbox[0].label == "Model"


def test_links_and_sizes_read_plainly():
    assert model_link("deepseek-ai/DeepSeek-R1-0528", "DeepInfra") == (
        "/model?id=deepseek-ai%2FDeepSeek-R1-0528&provider=DeepInfra"
    )
    qwen = find_model(MODELS, "Qwen/Qwen3-235B-A22B-Instruct-2507")
    assert qwen is not None and size_text(qwen) == "235B total, 22B active"


def test_a_configured_litellm_map_adds_its_differing_price_and_the_cited_window_wins(monkeypatch):
    monkeypatch.setenv("CATALOG_LITELLM_MAP", str(ROOT / "tests" / "data" / "litellm-map.json"))
    at = model_page({"id": "zai-org/GLM-5.2"})
    facts = facts_of(at)
    assert facts["Context window"] == "1,048,576 tokens (from https://deepinfra.com/zai-org/GLM-5.2)"
    assert facts["LiteLLM's price"] == "$0.75 in, $2.40 out per 1M: differs from the provider page"


def test_the_map_fills_the_context_window_the_cited_table_lacks(monkeypatch, tmp_path):
    mapped = tmp_path / "map.json"
    entry = {"input_cost_per_token": 2.8e-08, "output_cost_per_token": 5.4e-08, "max_input_tokens": 32768}
    mapped.write_text(json.dumps({"deepinfra/mistralai/Mistral-7B-Instruct-v0.3": entry}))
    monkeypatch.setenv("CATALOG_LITELLM_MAP", str(mapped))
    facts = facts_of(model_page({"id": "mistralai/Mistral-7B-Instruct-v0.3"}))
    # Named by the map's file name (never its folder) and the key it was read under.
    assert (
        facts["Context window"]
        == "32,768 tokens (from LiteLLM map map.json: deepinfra/mistralai/Mistral-7B-Instruct-v0.3)"
    )


def limit_facts(model: str) -> tuple[str, str, str]:
    """The model page's context window, max output and capabilities, as shown."""
    facts = facts_of(model_page({"id": model}))
    return facts["Context window"], facts["Max output"], facts["Capabilities"]


def test_the_page_shows_context_output_and_capabilities_with_their_source():
    source = "(from https://deepinfra.com/google/gemma-3-27b-it)"
    assert limit_facts("google/gemma-3-27b-it") == (
        f"131,072 tokens {source}", f"131,072 tokens {source}", f"tools, vision {source}"
    )  # fmt: skip
    card = facts_of(model_page({"id": "meta-llama/Meta-Llama-3.1-405B-Instruct"}))
    assert card["Context window"] == "131,072 tokens (from https://huggingface.co/meta-llama/Llama-3.1-405B-Instruct)"
    assert card["Max output"] == "not stated"
    unknown = facts_of(model_page({"id": "mistralai/Mistral-7B-Instruct-v0.3"}))
    assert unknown["Context window"] == "unknown (no host page or model card we know says)"


def test_an_unreadable_map_is_a_caption_not_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_LITELLM_MAP", str(tmp_path / "missing.json"))
    at = model_page({"id": "zai-org/GLM-5.2"})
    assert any("could not be read" in caption.value and "no such file" in caption.value for caption in at.caption)


def facts_of(at: AppTest) -> dict[str, str]:
    return {row["Field"]: row["Value"] for row in page_table(at, "About this model").rows}


def test_deepseek_r1_shows_its_size_from_the_model_card():
    facts = facts_of(model_page({"id": "deepseek-ai/DeepSeek-R1-0528"}))
    assert facts["Size"] == "671B total, 37B active (from the model card)"
    assert facts["Size source"] == "https://huggingface.co/deepseek-ai/DeepSeek-R1-0528"


def test_a_size_from_the_id_and_an_unknown_size_say_so():
    assert facts_of(model_page({"id": "meta-llama/Llama-3.3-70B-Instruct"}))["Size"] == "70B (from the model id)"
    facts = facts_of(model_page({"id": "zai-org/GLM-5.2"}))
    assert facts["Size"].startswith("unknown (") and "Size source" not in facts


def test_a_tag_from_the_model_card_says_where_it_came_from():
    facts = facts_of(model_page({"id": "Qwen/Qwen3-32B"}))
    assert facts["Tags"] == "reasoning (reasoning from the model card: https://huggingface.co/Qwen/Qwen3-32B)"


def test_the_tables_are_plain_html_and_alternatives_link_to_their_pages():
    at = model_page({"id": "microsoft/phi-4-reasoning-plus"})
    assert not at.dataframe  # no grid's JavaScript on the page
    cheaper = page_table(at, "Cheaper alternatives")
    assert cheaper.columns == ["Model", "Provider", "Per month", "Saves a month"] and cheaper.rows
    ids = cheaper.model_ids()
    for model, row, links in zip(ids, cheaper.rows, cheaper.links, strict=True):
        assert links["Model"] == model_link(model, row["Provider"])
        assert row["Per month"].startswith("$") and row["Saves a month"].startswith("$")
    # named as Browse names them, the full id in the tooltip; on a phone, names that tell them apart, never cut
    assert cheaper.column("Model") == [model.rsplit("/", 1)[-1] for model in ids]
    assert [titles["Model"] for titles in cheaper.titles] == ids
    phone = [shorts.get("Model", row["Model"]) for shorts, row in zip(cheaper.phone, cheaper.rows, strict=True)]
    assert all(len(name) <= PHONE_CHARS for name in phone) and len(set(phone)) == len(phone)
    assert not any(name.startswith("meta-llama/") or name.endswith("…") for name in phone)
    sent = sent_elements(at)
    assert not at.metric  # the prices are HTML too: no metric's JavaScript before them
    assert sent.index("html Prices") < sent.index("html About this model")  # the prices first, then the tables


@pytest.mark.parametrize(("price", "text"), [(0.0, "Free"), (0.5, "$0.50"), (0.005, "$0.005"), (0.1 + 0.2, "$0.30")])
def test_a_price_reads_as_the_page_writes_it(price, text):
    assert price_text(price) == text


def test_a_models_dev_checkout_fills_what_the_cited_table_lacks(monkeypatch, tmp_path):
    model = tmp_path / "providers" / "acme" / "models" / "mistralai" / "Mistral-7B-Instruct-v0.3.toml"
    model.parent.mkdir(parents=True)
    model.write_text('name = "Mistral 7B"\ntool_call = true\n[limit]\ncontext = 32768\noutput = 8192\n'
                     '[modalities]\ninput = ["text"]\noutput = ["text"]\n')  # fmt: skip
    (model.parent / "broken.toml").write_text("this is [not toml")
    gemma = model.parents[1] / "google" / "gemma-3-27b-it.toml"
    gemma.parent.mkdir()
    gemma.write_text(model.read_text().replace("32768", "8000"))  # the cited table says 131,072: it wins
    monkeypatch.setenv("CATALOG_MODELS_DEV", str(tmp_path))
    shown = {model: limit_facts(model)[0] for model in ("mistralai/Mistral-7B-Instruct-v0.3", "google/gemma-3-27b-it")}
    assert shown == {
        "mistralai/Mistral-7B-Instruct-v0.3": "32,768 tokens (from models.dev: "
        "providers/acme/models/mistralai/Mistral-7B-Instruct-v0.3.toml)",
        "google/gemma-3-27b-it": "131,072 tokens (from https://deepinfra.com/google/gemma-3-27b-it)",
    }
    assert limit_facts("mistralai/Mistral-7B-Instruct-v0.3")[1:] == (
        "8,192 tokens (from models.dev: providers/acme/models/mistralai/Mistral-7B-Instruct-v0.3.toml)",
        "tools (from models.dev: providers/acme/models/mistralai/Mistral-7B-Instruct-v0.3.toml)",
    )


def test_an_unreadable_models_dev_checkout_is_a_caption(monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_MODELS_DEV", str(tmp_path / "missing"))
    at = model_page({"id": "zai-org/GLM-5.2"})
    assert any("models.dev checkout could not be read" in caption.value for caption in at.caption)
