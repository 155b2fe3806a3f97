"""Real Lava provider pages beside DeepInfra's: `Free` cells, bare ids, host paths, other units, makers, model keys.

The pages under tests/data/ are small copies of the real format (Cerebras-like, SambaNova-like and
Fireworks-like); the DeepInfra page is the embedded one.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import catalog
from catalog import ParseError, PriceRow, enrich, load_catalog, maker, model_key, parse_page
from catalog.enrich import KEY_ALIASES

DATA = Path(__file__).resolve().parent / "data"
PAGES = [str(DATA / name) for name in ("lava-cerebras.md", "lava-sambanova.md", "lava-fireworks.md")]
HEADER = "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n"
FW = "accounts/fireworks/models/"

# Every row of the three pages, checked by hand against the page: prices, maker, key, flags.
EXPECTED = [
    ("Cerebras", "gpt-oss-120b", 0.35, 0.75, "openai", "gpt-oss-120b", ()),
    ("Cerebras", "llama-3.3-70b", 0.85, 1.20, "meta-llama", "llama-3.3-70b-instruct", ()),
    ("Cerebras", "qwen-3-32b", 0.40, 0.80, "Qwen", "qwen3-32b", ()),
    ("Cerebras", "qwen-3-235b-a22b-instruct-2507", 0.60, 1.20, "Qwen", "qwen3-235b-a22b-instruct-2507", ()),
    ("Cerebras", "llama3.1-8b", 0.0, 0.0, "meta-llama", "llama-3.1-8b-instruct", ("free",)),
    ("SambaNova", "DeepSeek-R1-0528", 5.00, 7.00, "deepseek-ai", "deepseek-r1-0528", ()),
    ("SambaNova", "DeepSeek-V3.1", 3.00, 4.50, "deepseek-ai", "deepseek-v3.1", ()),
    ("SambaNova", "gpt-oss-120b", 0.22, 0.59, "openai", "gpt-oss-120b", ()),
    ("SambaNova", "Meta-Llama-3.3-70B-Instruct", 0.60, 1.20, "meta-llama", "llama-3.3-70b-instruct", ()),
    ("SambaNova", "Meta-Llama-3.1-8B-Instruct", 0.10, 0.20, "meta-llama", "llama-3.1-8b-instruct", ()),
    ("SambaNova", "Qwen3-32B", 0.40, 0.80, "Qwen", "qwen3-32b", ()),
    ("Fireworks AI", FW + "deepseek-r1-0528", 3.00, 8.00, "deepseek-ai", "deepseek-r1-0528", ()),
    ("Fireworks AI", FW + "deepseek-v3p1", 0.56, 1.68, "deepseek-ai", "deepseek-v3.1", ()),
    ("Fireworks AI", FW + "gpt-oss-120b", 0.15, 0.60, "openai", "gpt-oss-120b", ()),
    ("Fireworks AI", FW + "kimi-k2-instruct", 0.60, 2.50, "moonshotai", "kimi-k2-instruct", ()),
    ("Fireworks AI", FW + "llama-v3p3-70b-instruct", 0.90, 0.90, "meta-llama", "llama-3.3-70b-instruct", ()),
    ("Fireworks AI", FW + "llama-v3p1-8b-instruct", 0.20, 0.20, "meta-llama", "llama-3.1-8b-instruct", ()),
    ("Fireworks AI", FW + "qwen3-235b-a22b-instruct-2507", 0.22, 0.88, "Qwen", "qwen3-235b-a22b-instruct-2507", ()),
]

# The keys sold by more than one host across all four pages, and exactly who sells each.
SHARED = {
    "llama-3.3-70b-instruct": {
        ("DeepInfra", "meta-llama/Llama-3.3-70B-Instruct"),
        ("Cerebras", "llama-3.3-70b"),
        ("SambaNova", "Meta-Llama-3.3-70B-Instruct"),
        ("Fireworks AI", FW + "llama-v3p3-70b-instruct"),
    },
    "llama-3.1-8b-instruct": {
        ("DeepInfra", "meta-llama/Meta-Llama-3.1-8B-Instruct"),
        ("Cerebras", "llama3.1-8b"),
        ("SambaNova", "Meta-Llama-3.1-8B-Instruct"),
        ("Fireworks AI", FW + "llama-v3p1-8b-instruct"),
    },
    "gpt-oss-120b": {
        ("Cerebras", "gpt-oss-120b"),
        ("SambaNova", "gpt-oss-120b"),
        ("Fireworks AI", FW + "gpt-oss-120b"),
    },
    "deepseek-r1-0528": {
        ("DeepInfra", "deepseek-ai/DeepSeek-R1-0528"),
        ("SambaNova", "DeepSeek-R1-0528"),
        ("Fireworks AI", FW + "deepseek-r1-0528"),
    },
    "deepseek-v3.1": {
        ("DeepInfra", "deepseek-ai/DeepSeek-V3.1"),
        ("SambaNova", "DeepSeek-V3.1"),
        ("Fireworks AI", FW + "deepseek-v3p1"),
    },
    "qwen3-32b": {("DeepInfra", "Qwen/Qwen3-32B"), ("Cerebras", "qwen-3-32b"), ("SambaNova", "Qwen3-32B")},
    "qwen3-235b-a22b-instruct-2507": {
        ("DeepInfra", "Qwen/Qwen3-235B-A22B-Instruct-2507"),
        ("Cerebras", "qwen-3-235b-a22b-instruct-2507"),
        ("Fireworks AI", FW + "qwen3-235b-a22b-instruct-2507"),
    },
}


@pytest.fixture(scope="module")
def everything() -> catalog.Catalog:
    return load_catalog(PAGES)


@pytest.fixture(scope="module")
def all_four() -> catalog.Catalog:
    embedded = catalog.load_page(None)
    return catalog.build_catalog([embedded] + [catalog.load_page(page) for page in PAGES])


def test_every_row_of_the_three_pages_reads_right(everything):
    assert [
        (m.provider, m.model, m.input_usd_per_mtok, m.output_usd_per_mtok, m.vendor, m.model_key, m.flags)
        for m in everything.models
    ] == EXPECTED


def test_the_model_key_is_shared_exactly_where_the_weights_are_the_same(all_four):
    hosts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for record in all_four.models:
        hosts[record.model_key].add((record.provider, record.model))
    assert {key: sold for key, sold in hosts.items() if len(sold) > 1} == SHARED
    assert len(all_four) == 52 + len(EXPECTED)


@pytest.mark.parametrize(
    ("turbo", "plain"),
    [
        ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "meta-llama/Llama-3.3-70B-Instruct"),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "meta-llama/Meta-Llama-3.1-8B-Instruct"),
        ("deepseek-ai/DeepSeek-R1-0528-Turbo", "deepseek-ai/DeepSeek-R1-0528"),
        ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "meta-llama/Llama-4-Maverick-17B-128E-Instruct"),
        ("deepseek-ai/DeepSeek-R1-0528", "deepseek-ai/DeepSeek-R1"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "meta-llama/Llama-3.3-70B-Instruct"),
        ("Qwen/Qwen3-14B", "Qwen/Qwen3-32B"),
    ],
)
def test_serving_variants_dates_distills_and_sizes_change_the_key(turbo, plain):
    assert model_key(turbo) != model_key(plain)


def test_every_deepinfra_model_has_its_own_key(all_four):
    keys = [record.model_key for record in all_four.models if record.provider == "DeepInfra"]
    assert len(set(keys)) == len(keys) == 52


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("meta-llama/Llama-3.3-70B-Instruct", "meta-llama"),  # the id's own organisation, kept
        ("meta/llama-3.3-70b-instruct", "meta-llama"),  # a host's spelling of the same organisation
        ("qwen/qwen3-32b", "Qwen"),
        ("THUDM/glm-4-9b-chat", "zai-org"),
        ("Gryphe/MythoMax-L2-13b", "Gryphe"),  # an organisation we know nothing about is kept as written
        ("some-org/Llama-3.3-70B-Instruct", "some-org"),  # a fine-tune's publisher is its maker
        (FW + "llama-v3p3-70b-instruct", "meta-llama"),  # a host path is not a maker: the family tells
        ("gemma-3-27b-it", "google"),
        ("phi-4", "microsoft"),
        ("MiniMax-M2", "MiniMaxAI"),
        ("GLM-4.6", "zai-org"),
        ("mixtral-8x7b-instruct", "mistralai"),
        ("Llama-3.3-Nemotron-Super-49B-v1.5", "nvidia"),
        ("QwQ-32B", "Qwen"),
        ("DeepSeek-R1-Distill-Llama-70B", "deepseek-ai"),
        ("mystery-model", None),  # unknown stays None, never a guess
        (FW + "whisper-v3", None),
    ],
)
def test_the_maker_is_named_the_same_way_on_every_host(model, expected):
    assert maker(model) == expected
    assert enrich(PriceRow(model, 1.0, 1.0, 1), "P").vendor == expected


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["meta-llama/Llama-3.3-70B-Instruct", "Meta-Llama-3.3-70B-Instruct", FW + "llama-v3p3-70b-instruct",
          "META-LLAMA/LLAMA-3.3-70B-INSTRUCT", "llama-3.3-70b"], "llama-3.3-70b-instruct"),
        (["deepseek-ai/DeepSeek-V3.1", FW + "deepseek-v3p1", "DeepSeek-V3.1"], "deepseek-v3.1"),
        (["Qwen/Qwen2.5-72B-Instruct", FW + "qwen2p5-72b-instruct"], "qwen2.5-72b-instruct"),
        (["zai-org/GLM-4.6", "zai-glm-4.6"], "glm-4.6"),
    ],
)  # fmt: skip
def test_spellings_of_the_same_weights_share_one_key(spellings, key):
    assert {model_key(spelling) for spelling in spellings} == {key}


def test_aliases_point_at_keys_that_are_their_own_key():
    for alias, key in KEY_ALIASES.items():
        assert model_key(key) == key and model_key(alias) == key


NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9.]{0,8}(-[A-Za-z0-9.]{1,8}){0,4}", fullmatch=True)


@settings(deadline=None)
@given(NAME, st.sampled_from(["", "meta-llama/", "some-org/", "accounts/fireworks/models/", "accounts/x/models/"]))
def test_case_organisation_and_host_path_never_change_the_key(name, prefix):
    assert model_key(prefix + name) == model_key(name) == model_key(name.upper()) == model_key(name.lower())


@settings(deadline=None)
@given(NAME)
def test_a_key_is_its_own_key_and_a_serving_suffix_changes_it(name):
    key = model_key(name)
    assert model_key(key) == key
    assert model_key(name + "-Turbo") != key and model_key(name + "-FP8") != key


# --- the pages' own shapes ------------------------------------------------------------------------------


def test_provider_metadata_of_each_page(everything):
    cerebras, sambanova, fireworks = everything.providers
    assert (cerebras.auth_header, cerebras.auth_scheme) == ("Authorization", "Bearer")
    assert (sambanova.auth_header, sambanova.auth_scheme) == ("x-api-key", None)
    assert sambanova.endpoints == (
        ("Chat Completions", "https://api.sambanova.ai/v1/chat/completions"),
        ("Chat Completions (Native)", "https://api.sambanova.ai/v1/native/chat"),
    )
    assert sambanova.target_url == "https://api.sambanova.ai/v1/chat/completions"
    assert fireworks.target_url == "https://api.fireworks.ai/inference/v1/chat/completions"
    assert [heading for heading, _ in fireworks.endpoints] == ["Chat Completions", "Audio Transcriptions"]


def test_a_native_chat_endpoint_is_the_target_when_it_is_the_only_chat_one():
    text = "# A\n\n## Chat Completions (Native)\n\n**Target URL:** `https://a.example/v1/messages`\n\n" + HEADER
    page = parse_page(text + "| m | $1 | $1 |\n")
    assert page.provider.target_url == "https://a.example/v1/messages"
    assert page.provider.endpoints == (("Chat Completions (Native)", "https://a.example/v1/messages"),)


def test_tables_in_other_units_are_skipped_with_a_note(everything):
    assert not [m for m in everything.models if "whisper" in m.model or "orpheus" in m.model]
    assert everything.warnings == (
        "Fireworks AI: line 36: a price table in other units ('Input / minute') was skipped: "
        "the catalog holds prices per 1M tokens",
        "Fireworks AI: line 42: a price table in other units ('Input / 1M chars') was skipped: "
        "the catalog holds prices per 1M tokens",
    )


@pytest.mark.parametrize(
    ("row", "prices", "flags"),
    [
        ("| m | Free | Free |", (0.0, 0.0), ("free",)),
        ("| m | free | $0.50 |", (0.0, 0.5), ("free",)),
        ("| m | **Free** | $0.50 |", (0.0, 0.5), ("free",)),
        ("| m | $0.50 | FREE |", (0.5, 0.0), ("free", "output-cheaper-than-input")),
        ("| m | $0 | $0.50 |", (0.0, 0.5), ("zero-price",)),
    ],
)
def test_free_is_a_price_of_zero_flagged_free(row, prices, flags):
    page = parse_page("# X\n\n" + HEADER + row + "\n")
    assert (page.rows[0].input_usd_per_mtok, page.rows[0].output_usd_per_mtok) == prices
    assert catalog.build_catalog([page]).models[0].flags == flags


def test_an_id_in_two_sections_at_the_same_prices_is_one_model(everything):
    sambanova = [m for m in everything.models if m.provider == "SambaNova"]
    assert [m.model for m in sambanova].count("DeepSeek-R1-0528") == 1
    assert sambanova[0].source_line == 24  # the first listing


def test_an_id_in_two_sections_at_other_prices_keeps_the_first_and_warns():
    text = "# X\n\n" + HEADER + "| m | $1 | $2 |\n\n## Native\n\n" + HEADER + "| m | $1.5 | Free |\n"
    page = parse_page(text)
    assert [(row.model, row.input_usd_per_mtok, row.source_line) for row in page.rows] == [("m", 1.0, 5)]
    assert page.warnings == (
        "X: line 11: 'm' is listed again at other prices ($1.5 / $0 against $1 / $2 on line 5); "
        "the first listing is kept",
    )


def test_an_id_twice_in_one_table_is_still_an_error():
    with pytest.raises(ParseError) as caught:
        parse_page("# X\n\n" + HEADER + "| m | $1 | $2 |\n| m | $1 | $2 |\n")
    assert (caught.value.line, caught.value.reason) == (6, "duplicate model id 'm' (first listed on line 5)")


def test_the_model_key_is_in_the_public_schema_and_exports(everything):
    assert "model_key" in catalog.SCHEMA_FIELDS
    assert everything.to_records()[0]["model_key"] == "gpt-oss-120b"
    assert "model_key" in catalog.__all__ and "maker" in catalog.__all__
