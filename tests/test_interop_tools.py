"""Each export, loaded into the real tool that reads it: OpenRouter's SDK, LiteLLM, tokencost, genai-prices,
llm-prices' file structure and models.dev's schema. Every cost is held against the exact decimal cost."""

from __future__ import annotations

import json
import os
import tomllib
from decimal import Decimal
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
from cli_runner import run
from hypothesis import given
from hypothesis import strategies as st

import catalog
from catalog.formats.files import MARKER, safe_path, write_tree
from catalog.known_context import known_limits

# LiteLLM fetches its price map from GitHub when imported unless told to use the copy it ships; tests stay on
# loopback.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

MODELS = catalog.load_catalog().models
IN, OUT = 1234, 567


def exact_cost(record: catalog.ModelRecord, input_tokens: int = IN, output_tokens: int = OUT) -> Decimal:
    """The cost to the last digit: the page's decimals times the tokens, over a million."""
    price_in, price_out = Decimal(repr(record.input_usd_per_mtok)), Decimal(repr(record.output_usd_per_mtok))
    return (price_in * input_tokens + price_out * output_tokens) / Decimal(1_000_000)


def exported(*args: str) -> object:
    result = run("export", "--format", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_openrouters_sdk_accepts_the_whole_document_as_a_models_list():
    from openrouter import components

    document = components.ModelsListResponse.model_validate(exported("openrouter"))
    assert document.total_count == len(document.data) == 52
    by_id = {model.id: model for model in document.data}
    gemma, mistral = by_id["google/gemma-3-27b-it"], by_id["mistralai/Mistral-7B-Instruct-v0.3"]
    assert gemma.architecture.modality == "text+image->text" and gemma.context_length == 131_072
    assert "tools" in gemma.supported_parameters and gemma.canonical_slug == gemma.id
    assert mistral.architecture.modality == "text->text" and mistral.context_length is None  # nobody cited it
    for model, record in zip(document.data, MODELS, strict=True):
        assert Decimal(model.pricing.prompt) * IN + Decimal(model.pricing.completion) * OUT == exact_cost(record)


def longest_reply(litellm, key: str) -> int | None:
    try:
        return litellm.get_max_tokens(key)
    except Exception as error:  # LiteLLM's own "isn't mapped yet" for a model without max_tokens
        assert "isn't mapped" in str(error)
        return None


def test_litellm_prices_every_model_at_our_cost_and_knows_its_limits():
    import litellm

    document = exported("litellm")
    litellm.register_model(document)
    for record in MODELS:
        key = f"deepinfra/{record.model}"
        prompt, completion = litellm.cost_per_token(model=key, prompt_tokens=IN, completion_tokens=OUT)
        assert abs(Decimal(prompt) + Decimal(completion) - exact_cost(record)) < Decimal("1e-12"), key
        limits = known_limits(record.model)
        if limits is not None:
            if limits.max_output_tokens is not None:
                assert litellm.get_max_tokens(key) == limits.max_output_tokens, key
            else:  # nobody states the longest reply: LiteLLM knows none (it raises, or says None once registered
                # twice in a process), rather than our guess
                assert longest_reply(litellm, key) is None, key
            assert litellm.get_model_info(key)["max_input_tokens"] == limits.context_window, key
            assert litellm.supports_vision(key) == ("vision" in limits.capabilities), key
    # Neither model is in LiteLLM's own map: only our export can answer for them. The 405B's card states its
    # window, not its longest reply, so the export says nothing of the reply (the window is no stand-in).
    key = "deepinfra/meta-llama/Meta-Llama-3.1-405B-Instruct"
    entry = document[key]
    assert entry["max_input_tokens"] == 131_072 and {"max_output_tokens", "max_tokens"}.isdisjoint(entry)
    llama = litellm.get_model_info(key)
    assert (llama["max_input_tokens"], llama["max_output_tokens"]) == (131_072, None)
    assert litellm.supports_vision("deepinfra/microsoft/Phi-4-multimodal-instruct")


def test_the_litellm_export_says_where_each_price_came_from():
    entry = exported("litellm")["deepinfra/zai-org/GLM-5.2"]
    assert entry["source"] == f"{MODELS[0].source}#L{MODELS[0].source_line}"
    assert (entry["max_input_tokens"], entry["supports_function_calling"]) == (1_048_576, True)


def test_tokencost_finds_every_model_with_lowercase_keys():
    from tokencost import costs

    costs.TOKEN_COSTS.update(exported("litellm", "--lowercase-keys"))
    for record in MODELS:
        model = f"deepinfra/{record.model}"
        cost = costs.calculate_cost_by_tokens(IN, model, "input") + costs.calculate_cost_by_tokens(OUT, model, "output")
        assert cost == exact_cost(record), model


def test_genai_prices_calc_price_equals_our_cost_for_every_model():
    from genai_prices import Usage, calc_price, data_snapshot, types

    providers = types._providers_from_raw(exported("genai-prices"))  # how genai-prices reads its data.json
    data_snapshot.set_custom_snapshot(data_snapshot.DataSnapshot(providers=providers, from_auto_update=False))
    try:
        for record in MODELS:
            price = calc_price(Usage(input_tokens=IN, output_tokens=OUT), record.model, provider_id="deepinfra")
            assert price.total_price == exact_cost(record), record.model
        with pytest.raises(LookupError):  # an id we do not sell is priced by none of ours
            calc_price(Usage(input_tokens=IN), "deepinfra/unknown-model", provider_id="deepinfra")
    finally:
        data_snapshot.set_custom_snapshot(None)


#: The structure of llm-prices' own files (`data/<vendor>.json`, `current-v1.json`, `historical-v1.json`),
#: read from simonw/llm-prices: `data/README.md`, `data/qwen.json` and `scripts/build.py` (`historical_prices`:
#: every row has all eight keys, `input_cached` and `from_date` may be null).
DAY = {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
PRICE = {"type": ["number", "null"], "minimum": 0}
VENDOR_FILE = {
    "type": "object",
    "required": ["vendor", "models"],
    "properties": {
        "vendor": {"type": "string"},
        "models": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "price_history"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "price_history": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["input", "output", "from_date", "to_date"],
                            "properties": {"input": PRICE, "output": PRICE, "input_cached": PRICE, "from_date": DAY,
                                           "to_date": DAY},
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}  # fmt: skip
CURRENT = {
    "type": "object",
    "required": ["updated_at", "prices"],
    "properties": {
        "updated_at": {**DAY, "type": "string"},
        "prices": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "vendor", "name", "input", "output"],
                "properties": {"id": {"type": "string"}, "vendor": {"type": "string"}, "name": {"type": "string"},
                               "input": PRICE, "output": PRICE},
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}  # fmt: skip


HISTORICAL = {
    "type": "object",
    "required": ["prices"],
    "properties": {
        "prices": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "vendor", "name", "input", "input_cached", "output", "from_date", "to_date"],
                "properties": {"id": {"type": "string"}, "vendor": {"type": "string"}, "name": {"type": "string"},
                               "input": PRICE, "input_cached": PRICE, "output": PRICE, "from_date": DAY,
                               "to_date": DAY},
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}  # fmt: skip


def test_llm_prices_current_has_their_structure_and_the_makers_as_vendors():
    document = exported("llm-prices-current")
    jsonschema.validate(document, CURRENT)
    assert document["updated_at"] == "2026-11-25" and len(document["prices"]) == 52
    vendors = {item["id"]: item["vendor"] for item in document["prices"]}
    assert vendors["meta-llama/Llama-3.3-70B-Instruct"] == "meta-ai" and vendors["Qwen/Qwen3-32B"] == "qwen"
    # Their own vendor names, so our files land on theirs (simonw/llm-prices `data/*.json`): deepseek.json,
    # minimax.json, mistral.json; a maker they do not list keeps its organisation in lower case.
    assert {vendors[model] for model in ("deepseek-ai/DeepSeek-R1", "MiniMaxAI/MiniMax-M2", "microsoft/phi-4")} == {
        "deepseek", "minimax", "microsoft"
    }  # fmt: skip
    assert vendors["mistralai/Mistral-7B-Instruct-v0.3"] == "mistral" and vendors["zai-org/GLM-5.2"] == "z.ai"


@pytest.fixture
def history(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    pages = Path(__file__).parent / "history" / "pages"
    assert run("refresh", "--source", str(pages / "v1.md"), "--as-of", "2026-11-01").returncode == 0
    assert run("refresh", "--source", str(pages / "v2.md"), "--as-of", "2026-11-20").returncode == 0
    assert run("refresh").returncode == 0  # the embedded DeepInfra page too


@pytest.fixture
def no_history(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)


def test_llm_prices_history_without_a_store_is_each_current_price_since_its_snapshot_day(no_history, tmp_path):
    result = run("export", "--format", "llm-prices")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, HISTORICAL)
    assert len(document["prices"]) == 52
    assert {(p["from_date"], p["to_date"]) for p in document["prices"]} == {("2026-11-25", None)}
    assert result.stderr.startswith("warning: no price history yet")  # one line, as `publish` says it
    folder = tmp_path / "llm-prices"
    vendor = run("export", "--format", "llm-prices-vendor", "--output", str(folder))
    assert vendor.returncode == 0, vendor.stderr
    meta = json.loads((folder / "data" / "meta-ai.json").read_text())
    jsonschema.validate(meta, VENDOR_FILE)
    assert {model["price_history"][0]["from_date"] for model in meta["models"]} == {"2026-11-25"}


def test_llm_prices_history_puts_the_open_range_first_as_their_build_script_does(history):
    document = exported("llm-prices")
    jsonschema.validate(document, HISTORICAL)
    prices = document["prices"]
    beta = [(p["from_date"], p["to_date"]) for p in prices if p["id"] == "acme/beta-70b"]
    assert beta == [("2026-11-20", None), ("2026-11-01", "2026-11-20")]


def test_llm_prices_vendor_files_have_their_structure_one_per_maker(history, tmp_path):
    folder = tmp_path / "site"
    result = run("export", "--format", "llm-prices-vendor", "--output", str(folder))
    assert result.returncode == 0, result.stderr
    files = sorted(path.name for path in (folder / "data").iterdir())
    assert {"meta-ai.json", "qwen.json", "deepseek.json", "mistral.json", "minimax.json", "acme.json"} <= set(files)
    for path in (folder / "data").iterdir():
        document = json.loads(path.read_text())
        jsonschema.validate(document, VENDOR_FILE)
        assert path.name == f"{document['vendor']}.json"
    acme = json.loads((folder / "data" / "acme.json").read_text())
    beta = next(model for model in acme["models"] if model["id"] == "acme/beta-70b")
    assert [span["to_date"] for span in beta["price_history"]] == [None, "2026-11-20"]


#: models.dev's required fields (`packages/core/src/schema.ts`: `Model` and `Provider`, zod, strict).
MODEL_FIELDS = {"name", "attachment", "reasoning", "temperature", "tool_call", "release_date", "last_updated",
                "modalities", "open_weights", "limit"}  # fmt: skip
MODEL_OPTIONAL = {"knowledge", "cost", "status", "provider"}
PROVIDER_FIELDS = {"name", "env", "npm", "doc"}


def test_models_dev_folder_meets_its_schema(tmp_path):
    folder = tmp_path / "models.dev"
    result = run("export", "--format", "models-dev", "--output", str(folder))
    assert result.returncode == 0, result.stderr
    provider = tomllib.loads((folder / "providers" / "deepinfra" / "provider.toml").read_text())
    assert PROVIDER_FIELDS <= set(provider) and provider["env"] and provider["npm"] == "@ai-sdk/openai-compatible"
    assert provider["api"] == "https://api.deepinfra.com/v1/openai"
    models = sorted((folder / "providers" / "deepinfra" / "models").rglob("*.toml"))
    known = [record for record in MODELS if known_limits(record.model) is not None]
    both = [record for record in known if known_limits(record.model).max_output_tokens is not None]
    assert (len(models), len(known), len(both)) == (39, 45, 39)  # models.dev requires both limits: none is guessed
    for path in models:
        model = tomllib.loads(path.read_text())
        assert MODEL_FIELDS <= set(model) <= MODEL_FIELDS | MODEL_OPTIONAL, path
        assert model["limit"]["context"] >= 0 and model["limit"]["output"] >= 0
        assert set(model["modalities"]["input"]) <= {"text", "image"} and model["modalities"]["output"] == ["text"]
        assert isinstance(model["tool_call"], bool) and model["cost"]["input"] >= 0
    llama = tomllib.loads((folder / "providers/deepinfra/models/meta-llama/Llama-3.3-70B-Instruct.toml").read_text())
    assert llama["cost"] == {"input": 0.23, "output": 0.4} and llama["limit"]["context"] == 131_072
    assert "left out DeepInfra mistralai/Mistral-7B-Instruct-v0.3: its context window is unknown" in result.stdout
    assert "left out DeepInfra meta-llama/Meta-Llama-3.1-405B-Instruct: its longest output is unknown" in result.stdout


def test_a_folder_format_without_a_folder_is_one_line():
    result = run("export", "--format", "models-dev")
    assert result.returncode == 1 and "--output DIR" in result.stderr and len(result.stderr.splitlines()) == 1


@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_a_path_built_from_page_text_stays_inside_its_folder(parts):
    path = PurePosixPath(safe_path(*parts))
    assert not path.is_absolute() and ".." not in path.parts and "" not in path.parts
    assert len(path.parts) == len(parts)


def test_a_folder_is_replaced_whole(tmp_path):
    folder = tmp_path / "out"
    write_tree({"a/one.json": "1", "two.json": "2"}, folder)
    write_tree({"three.json": "3"}, folder)
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*")) == [MARKER, "three.json"]
    assert [path.name for path in tmp_path.iterdir()] == ["out"]  # no staging folder left behind
