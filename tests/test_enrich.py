"""What ids from other providers' pages tell; blended prices; data-quality flags."""

from __future__ import annotations

import pytest

from catalog import ModelRecord, PriceRow, blended_price, enrich
from catalog.enrich import parameters


def describe(model: str) -> ModelRecord:
    """The record of `model` at any price: what its id tells."""
    return enrich(PriceRow(model, 1.0, 2.0, 1), provider="P")


@pytest.mark.parametrize(
    ("model", "vendor", "name", "family", "params", "active", "tags"),
    [
        ("llama-3.3-70b-versatile", "meta-llama", "llama-3.3-70b-versatile", "Llama 3.3", 70, None, ()),
        ("accounts/fireworks/models/kimi-k2-instruct", "moonshotai", "kimi-k2-instruct", "Kimi K2", 1000, 32,
         ("instruct",)),  # the size from Kimi K2's model card
        ("claude-haiku-4-5", "Anthropic", "claude-haiku-4-5", "Claude Haiku", None, None, ()),
        ("mistralai/Mixtral-8x22B-Instruct-v0.1", "mistralai", "Mixtral-8x22B-Instruct-v0.1", "Mixtral", 176, None,
         ("instruct",)),
        ("Qwen/Qwen3-30B-A3B", "Qwen", "Qwen3-30B-A3B", "Qwen3", 30, 3, ("reasoning",)),  # its thinking mode
        ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "meta-llama", "Llama-4-Maverick-17B-128E-Instruct-FP8",
         "Llama 4", 400, 17, ("fp8", "instruct")),  # 17B active from the id, 400B total from the card
        ("HuggingFaceTB/SmolLM2-135M-Instruct", "HuggingFaceTB", "SmolLM2-135M-Instruct", None, 0.135, None,
         ("instruct",)),
        ("Qwen/Qwen2.5-VL-7B-Instruct", "Qwen", "Qwen2.5-VL-7B-Instruct", "Qwen2.5", 7, None, ("vision", "instruct")),
        ("Qwen/QwQ-32B", "Qwen", "QwQ-32B", "QwQ", 32, None, ("reasoning",)),
        ("some-org/mystery", "some-org", "mystery", None, None, None, ()),
    ],
)  # fmt: skip
def test_ids_in_other_styles(model, vendor, name, family, params, active, tags):
    facts = describe(model)
    assert facts.vendor == vendor
    assert facts.display_name == name.replace("-", " ")
    assert facts.family == family
    assert facts.params_b == params
    assert facts.active_params_b == active
    assert facts.tags == tags


def test_version_suffixes_and_dates_are_not_sizes():
    assert parameters("DeepSeek-V3-0324") == (None, None)  # its 671B come from the model card, not the date
    assert describe("deepseek-ai/DeepSeek-V3-0324").size_source == "https://huggingface.co/deepseek-ai/DeepSeek-V3-0324"
    assert describe("nvidia/Llama-3.3-Nemotron-Super-49B-v1.5").params_b == 49
    assert describe("zai-org/GLM-5.2").params_b is None


def test_blended_price_is_three_to_one_by_default_and_the_ratio_is_a_parameter():
    assert blended_price(1.0, 5.0) == pytest.approx(2.0)
    assert blended_price(1.0, 5.0, output_share=0.0) == 1.0
    assert blended_price(1.0, 5.0, output_share=1.0) == 5.0
    assert blended_price(1.0, 5.0, output_share=0.5) == pytest.approx(3.0)
    with pytest.raises(ValueError):
        blended_price(1.0, 5.0, output_share=1.5)


def test_enrich_uses_the_requested_blend():
    record = enrich(PriceRow("m", 1.0, 3.0, 7), provider="P", output_share=0.5)
    assert record.blended_usd_per_mtok == pytest.approx(2.0)
    assert (record.provider, record.source_line) == ("P", 7)


@pytest.mark.parametrize(
    ("input_usd", "output_usd", "flags"),
    [
        (0.0, 1.0, ("zero-price",)),
        (1.0, 0.0, ("zero-price", "output-cheaper-than-input")),
        (2.0, 1.0, ("output-cheaper-than-input",)),
        (1.0, 1.0, ()),
    ],
)
def test_quality_flags(input_usd, output_usd, flags):
    assert enrich(PriceRow("m", input_usd, output_usd, 1), provider="P").flags == flags


# --- sizes and tags the maker's model card publishes (catalog/known_sizes.py) ---


def _enriched(model: str) -> ModelRecord:
    return enrich(PriceRow(model, 1.0, 2.0, 1), "P")


@pytest.mark.parametrize(
    ("model", "total", "active"),
    [
        ("deepseek-ai/DeepSeek-R1-0528", 671, 37),
        ("DeepSeek-R1-0528", 671, 37),  # SambaNova's bare id
        ("accounts/fireworks/models/deepseek-v3p1", 671, 37),  # Fireworks' spelling of V3.1
        ("deepseek-ai/DeepSeek-V3-0324-Turbo", 671, 37),  # a quantised serving of the same weights
        ("microsoft/phi-4", 14, None),
        ("moonshotai/Kimi-K2-Instruct", 1000, 32),
        ("accounts/fireworks/models/kimi-k2-instruct", 1000, 32),
        ("MiniMaxAI/MiniMax-M1-80k", 456, 45.9),
        ("zai-org/GLM-4.5-Air", 106, 12),
    ],
)
def test_a_size_the_id_does_not_say_comes_from_the_model_card(model, total, active):
    record = _enriched(model)
    assert (record.params_b, record.active_params_b) == (total, active)
    assert record.size_source is not None and record.size_source.startswith("https://huggingface.co/")


def test_the_id_keeps_its_own_size_and_says_so():
    record = _enriched("meta-llama/Llama-3.3-70B-Instruct")
    assert (record.params_b, record.size_source) == (70, "id")


@pytest.mark.parametrize("model", ["zai-org/GLM-5.2", "MiniMaxAI/MiniMax-M2.5", "org/unknown-model", "DeepSeek-V4"])
def test_a_size_nobody_publishes_stays_unknown(model):
    record = _enriched(model)
    assert (record.params_b, record.active_params_b, record.size_source) == (None, None, None)


def test_every_known_size_is_keyed_by_a_maker_id_and_cites_its_card():
    from catalog.known_sizes import KNOWN_SIZES, KNOWN_TAGS

    for name, size in KNOWN_SIZES.items():
        assert name.count("/") == 1 and size.params_b > (size.active_params_b or 0) > -1
        assert _enriched(name).size_source == f"https://huggingface.co/{name}"
    for name in KNOWN_TAGS:
        assert "reasoning" in _enriched(name).tags


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [
        ("Qwen/Qwen3-32B", True),
        ("Qwen/Qwen3-30B-A3B", True),
        ("qwen-3-32b", True),  # Cerebras' spelling
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", False),  # the 2507 Instruct models have no thinking mode
        ("Qwen/Qwen3-Coder-480B-A35B-Instruct", False),
        ("Qwen/Qwen2.5-72B-Instruct", False),
    ],
)
def test_qwen3_models_with_a_thinking_mode_are_tagged_reasoning(model, reasoning):
    assert ("reasoning" in _enriched(model).tags) is reasoning
