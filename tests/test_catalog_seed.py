"""The embedded DeepInfra page: every model, both prices, and what each id tells, pinned by hand."""

from __future__ import annotations

import hashlib

import pytest

import catalog
from catalog.records import SCHEMA_FIELDS

# The sha256 of the embedded page as taken on its snapshot date: the pins below hold for exactly this page.
SNAPSHOT_SHA256 = "83b267e2ee04468bbee13aa050d5de215e59ad8136448376f694d8a3fabd700e"

# Prices copied from the page; vendor, family, sizes (billions) and tags checked by hand against each id.
# Sizes come from the id ("id") or, where the id is silent, from the maker's model card ("card", the
# table in catalog/known_sizes.py); an empty size means neither tells: the catalog must say None, not guess.
# Qwen3's first release has a thinking mode, so its models are tagged reasoning though their ids don't say.
SEED = """
model                                               | input | output | vendor      | family             | params | active | from | tags
zai-org/GLM-5.2                                     | 1.40  | 4.40   | zai-org     | GLM-5              |        |        |      |
deepseek-ai/DeepSeek-R1-Turbo                       | 1.00  | 3.00   | deepseek-ai | DeepSeek R1        | 671    | 37     | card | reasoning,turbo
deepseek-ai/DeepSeek-R1-0528-Turbo                  | 1.00  | 3.00   | deepseek-ai | DeepSeek R1        | 671    | 37     | card | reasoning,turbo
deepseek-ai/DeepSeek-V3-0324-Turbo                  | 1.00  | 3.00   | deepseek-ai | DeepSeek V3        | 671    | 37     | card | turbo
meta-llama/Meta-Llama-3.1-405B-Instruct             | 0.80  | 0.80   | meta-llama  | Llama 3.1          | 405    |        | id   | instruct
deepseek-ai/DeepSeek-R1                             | 0.70  | 2.40   | deepseek-ai | DeepSeek R1        | 671    | 37     | card | reasoning
deepseek-ai/DeepSeek-R1-0528                        | 0.50  | 2.15   | deepseek-ai | DeepSeek R1        | 671    | 37     | card | reasoning
deepseek-ai/DeepSeek-Prover-V2-671B                 | 0.50  | 2.18   | deepseek-ai | DeepSeek Prover V2 | 671    |        | id   | reasoning
meta-llama/Llama-4-Maverick-17B-128E-Instruct-Turbo | 0.50  | 0.50   | meta-llama  | Llama 4            | 400    | 17     | card | turbo,instruct
microsoft/WizardLM-2-8x22B                          | 0.48  | 0.48   | microsoft   | WizardLM-2         | 176    |        | id   |
Qwen/Qwen3-Coder-480B-A35B-Instruct                 | 0.40  | 1.60   | Qwen        | Qwen3              | 480    | 35     | id   | coder,instruct
Gryphe/MythoMax-L2-13b                              | 0.40  | 0.40   | Gryphe      | MythoMax           | 13     |        | id   |
Qwen/Qwen2.5-72B-Instruct                           | 0.36  | 0.40   | Qwen        | Qwen2.5            | 72     |        | id   | instruct
meta-llama/Llama-3.2-11B-Vision-Instruct            | 0.345 | 0.345  | meta-llama  | Llama 3.2          | 11     |        | id   | vision,instruct
deepseek-ai/DeepSeek-V3                             | 0.32  | 0.89   | deepseek-ai | DeepSeek V3        | 671    | 37     | card |
Qwen/Qwen3-Coder-480B-A35B-Instruct-Turbo           | 0.30  | 1.00   | Qwen        | Qwen3              | 480    | 35     | id   | coder,turbo,instruct
meta-llama/Meta-Llama-3-70B-Instruct                | 0.30  | 0.40   | meta-llama  | Llama 3            | 70     |        | id   | instruct
MiniMaxAI/MiniMax-M2.5                              | 0.30  | 1.20   | MiniMaxAI   | MiniMax M2         |        |        |      |
deepseek-ai/DeepSeek-V3.1-Terminus                  | 0.27  | 0.95   | deepseek-ai | DeepSeek V3.1      | 671    | 37     | card |
deepseek-ai/DeepSeek-R1-Distill-Qwen-32B            | 0.27  | 0.27   | deepseek-ai | DeepSeek R1        | 32     |        | id   | reasoning,distilled
MiniMaxAI/MiniMax-M2.1                              | 0.27  | 1.15   | MiniMaxAI   | MiniMax M2         |        |        |      |
MiniMaxAI/MiniMax-M2                                | 0.27  | 1.15   | MiniMaxAI   | MiniMax M2         | 230    | 10     | card |
Qwen/Qwen3-235B-A22B-Thinking-2507                  | 0.23  | 2.30   | Qwen        | Qwen3              | 235    | 22     | id   | reasoning
meta-llama/Llama-3.3-70B-Instruct                   | 0.23  | 0.40   | meta-llama  | Llama 3.3          | 70     |        | id   | instruct
deepseek-ai/DeepSeek-V3.1                           | 0.21  | 0.79   | deepseek-ai | DeepSeek V3.1      | 671    | 37     | card |
deepseek-ai/DeepSeek-V3-0324                        | 0.20  | 0.77   | deepseek-ai | DeepSeek V3        | 671    | 37     | card |
deepseek-ai/DeepSeek-R1-Distill-Llama-70B           | 0.20  | 0.60   | deepseek-ai | DeepSeek R1        | 70     |        | id   | reasoning,distilled
meta-llama/Llama-Guard-4-12B                        | 0.18  | 0.18   | meta-llama  | Llama Guard 4      | 12     |        | id   | guard
meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8   | 0.15  | 0.60   | meta-llama  | Llama 4            | 400    | 17     | card | fp8,instruct
Qwen/Qwen3-30B-A3B                                  | 0.12  | 0.50   | Qwen        | Qwen3              | 30     | 3      | id   | reasoning
Qwen/Qwen3-14B                                      | 0.12  | 0.24   | Qwen        | Qwen3              | 14     |        | id   | reasoning
nvidia/Llama-3.3-Nemotron-Super-49B-v1.5            | 0.10  | 0.40   | nvidia      | Nemotron           | 49     |        | id   |
meta-llama/Llama-3.3-70B-Instruct-Turbo             | 0.10  | 0.32   | meta-llama  | Llama 3.3          | 70     |        | id   | turbo,instruct
meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo        | 0.10  | 0.28   | meta-llama  | Llama 3.1          | 70     |        | id   | turbo,instruct
Qwen/Qwen3-Next-80B-A3B-Instruct                    | 0.09  | 1.10   | Qwen        | Qwen3              | 80     | 3      | id   | instruct
Qwen/Qwen3-235B-A22B-Instruct-2507                  | 0.09  | 0.10   | Qwen        | Qwen3              | 235    | 22     | id   | instruct
meta-llama/Llama-4-Scout-17B-16E-Instruct           | 0.08  | 0.30   | meta-llama  | Llama 4            | 109    | 17     | card | instruct
Qwen/Qwen3-32B                                      | 0.08  | 0.28   | Qwen        | Qwen3              | 32     |        | id   | reasoning
google/gemma-3-27b-it                               | 0.08  | 0.16   | google      | Gemma 3            | 27     |        | id   | instruct
microsoft/phi-4                                     | 0.07  | 0.14   | microsoft   | Phi-4              | 14     |        | card |
microsoft/phi-4-reasoning-plus                      | 0.07  | 0.35   | microsoft   | Phi-4              | 14     |        | card | reasoning
Qwen/Qwen2.5-Coder-32B-Instruct                     | 0.06  | 0.15   | Qwen        | Qwen2.5            | 32     |        | id   | coder,instruct
google/gemma-3-12b-it                               | 0.05  | 0.10   | google      | Gemma 3            | 12     |        | id   | instruct
google/gemma-3-4b-it                                | 0.05  | 0.10   | google      | Gemma 3            | 4      |        | id   | instruct
microsoft/Phi-4-multimodal-instruct                 | 0.05  | 0.10   | microsoft   | Phi-4              | 5.6    |        | card | vision,instruct
nvidia/NVIDIA-Nemotron-Nano-9B-v2                   | 0.04  | 0.16   | nvidia      | Nemotron           | 9      |        | id   |
Qwen/Qwen2.5-7B-Instruct                            | 0.04  | 0.10   | Qwen        | Qwen2.5            | 7      |        | id   | instruct
meta-llama/Meta-Llama-3.1-8B-Instruct               | 0.03  | 0.05   | meta-llama  | Llama 3.1          | 8      |        | id   | instruct
meta-llama/Meta-Llama-3-8B-Instruct                 | 0.03  | 0.06   | meta-llama  | Llama 3            | 8      |        | id   | instruct
mistralai/Mistral-7B-Instruct-v0.3                  | 0.028 | 0.054  | mistralai   | Mistral            | 7      |        | id   | instruct
meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo         | 0.02  | 0.03   | meta-llama  | Llama 3.1          | 8      |        | id   | turbo,instruct
meta-llama/Llama-3.2-1B-Instruct                    | 0.005 | 0.01   | meta-llama  | Llama 3.2          | 1      |        | id   | instruct
"""


def _pinned() -> list[dict[str, str]]:
    lines = [line for line in SEED.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].split("|")]
    return [dict(zip(header, (cell.strip() for cell in line.split("|")), strict=False)) for line in lines[1:]]


PINNED = _pinned()


def _number(text: str) -> float | None:
    return float(text) if text else None


@pytest.fixture(scope="module")
def seed() -> catalog.Catalog:
    return catalog.load_catalog()


def test_the_pin_table_has_all_52_models():
    assert len(PINNED) == 52
    assert len({row["model"] for row in PINNED}) == 52


def test_the_embedded_page_is_the_pinned_snapshot():
    assert hashlib.sha256(catalog.DEFAULT_PAGE.text().encode("utf-8")).hexdigest() == SNAPSHOT_SHA256


def test_every_seed_model_and_both_prices_parse_in_page_order(seed):
    assert [(m.model, m.input_usd_per_mtok, m.output_usd_per_mtok) for m in seed.models] == [
        (row["model"], float(row["input"]), float(row["output"])) for row in PINNED
    ]


@pytest.mark.parametrize("row", PINNED, ids=[row["model"] for row in PINNED])
def test_seed_model_enrichment(seed, row):
    record = seed.find(row["model"])
    assert record is not None
    assert record.provider == "DeepInfra"
    assert record.vendor == row["vendor"]
    assert record.family == (row["family"] or None)
    assert record.params_b == _number(row["params"])
    assert record.active_params_b == _number(row["active"])
    assert record.tags == tuple(tag for tag in row["tags"].split(",") if tag)
    card = record.size_source is not None and record.size_source.startswith("https://huggingface.co/")
    assert {"id": record.size_source == "id", "card": card, "": record.size_source is None}[row["from"]]
    assert record.blended_usd_per_mtok == pytest.approx((3 * float(row["input"]) + float(row["output"])) / 4)


def test_source_lines_point_at_the_rows_on_the_page(seed):
    page_lines = catalog.DEFAULT_PAGE.text().split("\n")
    for record in seed.models:
        line = page_lines[record.source_line - 1]
        assert line.startswith(f"| {record.model} "), (record.source_line, line)


def test_seed_provider_metadata(seed):
    (provider,) = seed.providers
    assert provider.name == "DeepInfra"
    assert provider.description and provider.description.startswith("DeepInfra hosts open-source models")
    assert provider.target_url == "https://api.deepinfra.com/v1/openai/chat/completions"
    assert provider.content_type == "application/json"
    assert provider.streaming is True
    assert provider.auth_scheme == "Bearer"
    assert provider.claimed_model_count == 52
    assert provider.modes == ("managed", "unmanaged")
    assert provider.snapshot_date == catalog.DEFAULT_PAGE.snapshot_date
    assert provider.source == catalog.DEFAULT_PAGE.url
    assert seed.warnings == ()


def test_seed_rows_carry_no_quality_flags(seed):
    assert [m.model for m in seed.models if m.flags] == []


def test_rows_export_exactly_the_public_schema(seed):
    exported = seed.to_records()
    assert all(tuple(row) == SCHEMA_FIELDS for row in exported)
    assert exported[0]["tags"] == [] and isinstance(exported[1]["tags"], list)


def test_frame_has_one_row_per_model(seed):
    frame = seed.to_frame(full=False)
    assert list(frame.columns) == list(SCHEMA_FIELDS)
    assert len(frame) == 52
    assert frame["output_usd_per_mtok"].max() == 4.40
