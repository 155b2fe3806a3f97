"""LiteLLM and OpenRouter exports load back to the same prices; the LiteLLM cross-check finds every difference."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import run
from hypothesis import given
from hypothesis import strategies as st

import catalog
from catalog.formats.litellm import crosscheck, read_litellm_map, to_litellm
from catalog.formats.openrouter import to_openrouter
from catalog.formats.per_token import per_mtok, per_token

MAP = Path(__file__).parent / "data" / "litellm-map.json"
MODELS = catalog.load_catalog().models


def test_litellm_export_loads_back_to_every_price_to_the_last_digit():
    exported = json.loads(run("export", "--format", "litellm").stdout)
    assert len(exported) == len(MODELS) == 52
    for record in MODELS:
        entry = exported[f"deepinfra/{record.model}"]
        assert entry["litellm_provider"] == "deepinfra" and entry["mode"] == "chat"
        assert per_mtok(entry["input_cost_per_token"]) == record.input_usd_per_mtok
        assert per_mtok(entry["output_cost_per_token"]) == record.output_usd_per_mtok


def test_litellm_prices_are_per_token():
    glm = to_litellm(MODELS)["deepinfra/zai-org/GLM-5.2"]
    assert glm["input_cost_per_token"] == 1.4e-06 and glm["output_cost_per_token"] == 4.4e-06


def test_openrouter_export_loads_back_to_every_price_to_the_last_digit():
    exported = json.loads(run("export", "--format", "openrouter").stdout)["data"]
    assert [item["id"] for item in exported] == [record.model for record in MODELS]
    for item, record in zip(exported, MODELS, strict=True):
        assert isinstance(item["pricing"]["prompt"], str)
        assert "e" not in item["pricing"]["prompt"].lower()  # written out, as OpenRouter writes prices
        assert per_mtok(item["pricing"]["prompt"]) == record.input_usd_per_mtok
        assert per_mtok(item["pricing"]["completion"]) == record.output_usd_per_mtok


def test_openrouter_writes_a_price_as_a_plain_decimal_string():
    phi = next(item for item in to_openrouter(MODELS)["data"] if item["id"] == "microsoft/phi-4")
    assert phi["pricing"] == {"prompt": "0.00000007", "completion": "0.00000014"}


@given(st.decimals(min_value=0, max_value=10_000, places=6, allow_nan=False, allow_infinity=False))
def test_any_page_price_survives_both_conversions(price: Decimal):
    as_float = float(price)
    assert per_mtok(float(per_token(as_float))) == as_float
    assert per_mtok(format(per_token(as_float), "f")) == as_float


def test_crosscheck_lists_each_price_that_differs_and_each_model_the_map_lacks():
    result = crosscheck(MODELS, read_litellm_map(MAP.read_text()))
    assert result.found == 3
    assert [(d.model, d.field, d.ours, d.theirs) for d in result.disagreements] == [
        ("zai-org/GLM-5.2", "input_usd_per_mtok", 1.4, 0.75),
        ("zai-org/GLM-5.2", "output_usd_per_mtok", 4.4, 2.4),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", "output_usd_per_mtok", 0.1, 0.55),
    ]
    assert len(result.missing) == 49
    assert "meta-llama/Llama-3.2-1B-Instruct" not in {record.model for record in result.missing}


def test_crosscheck_cli_json_and_table():
    data = json.loads(run("crosscheck", "--litellm", str(MAP), "--format", "json").stdout)
    assert data["disagreements"][0] == {
        "provider": "DeepInfra", "model": "zai-org/GLM-5.2", "field": "input_usd_per_mtok", "ours": 1.4, "theirs": 0.75,
    }  # fmt: skip
    assert len(data["missing"]) == 49
    table = run("crosscheck", "--litellm", str(MAP))
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[-1] == "3 of 52 models in the map: 1 agree, 3 prices differ, 49 missing"


def test_the_map_gives_context_windows():
    glm = read_litellm_map(MAP.read_text())["deepinfra/zai-org/glm-5.2"]
    assert (glm.max_input_tokens, glm.max_output_tokens) == (202752, 131072)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{not json", "not JSON (line 1", id="not-json"),
        pytest.param("[1, 2]", "not a LiteLLM price map", id="not-an-object"),
    ],
)
def test_a_bad_map_is_one_line_and_no_traceback(tmp_path, text, message):
    bad = tmp_path / "map.json"
    bad.write_text(text)
    result = run("crosscheck", "--litellm", str(bad))
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
