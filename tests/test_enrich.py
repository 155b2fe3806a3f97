"""What ids from other providers' pages tell; blended prices; data-quality flags."""

from __future__ import annotations

import pytest

from catalog import ModelRecord, PriceRow, blended_price, enrich


def describe(model: str) -> ModelRecord:
    """The record of `model` at any price: what its id tells."""
    return enrich(PriceRow(model, 1.0, 2.0, 1), provider="P")


@pytest.mark.parametrize(
    ("model", "vendor", "name", "family", "params", "active", "tags"),
    [
        ("llama-3.3-70b-versatile", "meta-llama", "llama-3.3-70b-versatile", "Llama 3.3", 70, None, ()),
        ("accounts/fireworks/models/kimi-k2-instruct", "moonshotai", "kimi-k2-instruct", "Kimi K2", None, None,
         ("instruct",)),
        ("claude-haiku-4-5", "Anthropic", "claude-haiku-4-5", "Claude Haiku", None, None, ()),
        ("mistralai/Mixtral-8x22B-Instruct-v0.1", "mistralai", "Mixtral-8x22B-Instruct-v0.1", "Mixtral", 176, None,
         ("instruct",)),
        ("Qwen/Qwen3-30B-A3B", "Qwen", "Qwen3-30B-A3B", "Qwen3", 30, 3, ()),
        ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "meta-llama", "Llama-4-Maverick-17B-128E-Instruct-FP8",
         "Llama 4", None, 17, ("fp8", "instruct")),
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
    assert describe("deepseek-ai/DeepSeek-V3-0324").params_b is None
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
