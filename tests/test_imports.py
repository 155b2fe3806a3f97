"""`refresh --source` reads a LiteLLM map, an OpenRouter models document and a models.dev folder as provider
pages, through the snapshot and history machinery, each marked by its kind."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import run
from hypothesis import given
from hypothesis import strategies as st

import catalog
from catalog.formats.imports import import_json, litellm_rows, openrouter_rows
from catalog.formats.openrouter import to_openrouter
from catalog.parser import parse_page

MAP = Path(__file__).parent / "data" / "litellm-map.json"
MODELS = catalog.load_catalog().models


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)


def listed(*args: str) -> str:
    result = run("list", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_litellm_map_is_recorded_as_its_own_provider_page():
    result = run("refresh", "--source", str(MAP), "--as-of", "2026-11-20")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{MAP} (LiteLLM map): LiteLLM map as of 2026-11-20: new snapshot")
    assert run("refresh", "--as-of", "2026-11-25").returncode == 0  # and Lava's DeepInfra page beside it
    shown = listed("--search", "glm")
    assert "LiteLLM map" in shown and "deepinfra/zai-org/GLM-5.2" in shown and "$0.75" in shown
    assert "DeepInfra" in shown and "$1.40" in shown  # the two sources compared side by side


def test_an_openrouter_document_is_recorded_and_its_price_changes_tracked(tmp_path):
    document = to_openrouter(MODELS)
    first = tmp_path / "openrouter.json"
    first.write_text(json.dumps(document))
    assert run("refresh", "--source", str(first), "--as-of", "2026-11-01").returncode == 0
    assert "52 of 52 models" in listed("--as-of", "2026-11-01")
    document["data"][0]["pricing"]["prompt"] = "0.0000012"  # GLM-5.2: $1.40 → $1.20 per 1M
    first.write_text(json.dumps(document))
    result = run("refresh", "--source", str(first), "--as-of", "2026-11-10")
    assert "OpenRouter as of 2026-11-10: new snapshot, 1 change" in result.stdout
    assert (
        "2026-11-10 OpenRouter zai-org/GLM-5.2: $1.40 in / $4.40 out per 1M → $1.20 in / $4.40 out per 1M"
        in result.stdout
    )
    history = run("history", "zai-org/GLM-5.2", "--provider", "OpenRouter")
    assert history.returncode == 0 and "2026-11-01" in history.stdout and "2026-11-10" in history.stdout


def test_a_models_dev_folder_is_one_page_per_provider(tmp_path):
    folder = tmp_path / "models.dev"
    assert run("export", "--format", "models-dev", "--output", str(folder)).returncode == 0
    result = run("refresh", "--source", str(folder), "--as-of", "2026-11-20")
    assert result.returncode == 0, result.stderr
    assert "models.dev: deepinfra as of 2026-11-20: new snapshot" in result.stdout
    shown = listed("--search", "Llama-3.3-70B-Instruct")
    assert "models.dev: deepinfra" in shown and "$0.23" in shown


def test_a_folder_that_is_not_models_dev_is_one_reason(tmp_path):
    result = run("refresh", "--source", str(tmp_path))
    assert result.returncode == 1 and "not a models.dev checkout" in result.stdout


def test_entries_a_table_cannot_hold_are_left_out_and_counted():
    hostile = {"data": [
        {"id": "ok/model", "pricing": {"prompt": "0.000001", "completion": "0.000002"}},
        {"id": "pipe|model", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "esc\x1bmodel", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "negative", "pricing": {"prompt": "-1", "completion": "0"}},
        {"id": "words", "pricing": {"prompt": "cheap", "completion": "0"}},
        {"id": "nan", "pricing": {"prompt": "NaN", "completion": "0"}},
        "not an object",
    ]}  # fmt: skip
    page = import_json(json.dumps(hostile), "hostile.json")
    parsed = parse_page(page.text, source="hostile.json")
    assert [(row.model, row.input_usd_per_mtok, row.output_usd_per_mtok) for row in parsed.rows] == [
        ("ok/model", 1.0, 2.0)
    ]
    assert "6 entries without a usable price or id were left out." in page.text and not parsed.warnings


prices = st.decimals(min_value=0, max_value=1, places=12, allow_nan=False, allow_infinity=False)
entries = st.dictionaries(
    st.text(max_size=30),
    st.fixed_dictionaries({"input_cost_per_token": prices, "output_cost_per_token": prices})
    | st.none()
    | st.text(max_size=5),
    max_size=8,
)


@given(entries)
def test_any_litellm_map_reads_to_a_page_with_the_exact_prices(data):
    document = {key: {k: str(v) for k, v in entry.items()} if isinstance(entry, dict) else entry
                for key, entry in data.items()}  # fmt: skip
    rows, skipped = litellm_rows(document)
    priced = {key: entry for key, entry in data.items() if isinstance(entry, dict)}
    assert len(rows) + skipped == len(priced)
    for model, input_usd, output_usd in rows:
        assert Decimal(input_usd) == priced[model]["input_cost_per_token"] * 1_000_000
        assert Decimal(output_usd) == priced[model]["output_cost_per_token"] * 1_000_000
    page = import_json(json.dumps({"sample": {"input_cost_per_token": 1, "output_cost_per_token": 1}, **document}), "x")
    assert page is not None
    parsed = parse_page(page.text, source="x")  # the parser always reads what we render
    assert {row.model for row in parsed.rows} == {model for model, _, _ in rows} | {"sample"}


@given(st.lists(st.fixed_dictionaries({"id": st.text(max_size=20), "pricing": st.fixed_dictionaries(
    {"prompt": prices.map(str), "completion": prices.map(str)})}), max_size=6))  # fmt: skip
def test_any_openrouter_document_reads_without_error(items):
    rows, skipped = openrouter_rows({"data": items})
    assert len(rows) + skipped == len(items)


OUTSIDE_THE_RULES = ['"١٢"', '"1_0"', '"-0.0"', "-0.0", '"1e-999"', '"0.1e1000"', "1e99999999999999999999", '"inf"']


@pytest.mark.parametrize("written", OUTSIDE_THE_RULES)
def test_an_imported_price_outside_the_number_rules_is_left_out_and_the_page_still_reads(written):
    """`Decimal("١٢")` is 12 and `Decimal("1_0")` is 10: they were recorded as $12 and $10 per token (12,000,000 per
    1M, which then failed the whole page); `-0.0` became `\\$-0`, a negative price that failed it too."""
    litellm = ('{"ok/model": {"input_cost_per_token": "0.000001", "output_cost_per_token": "0.000002"}, '
               f'"bad/model": {{"input_cost_per_token": {written}, "output_cost_per_token": "1e-6"}}}}')  # fmt: skip
    openrouter = ('{"data": [{"id": "ok/model", "pricing": {"prompt": "0.000001", "completion": "0.000002"}}, '
                  f'{{"id": "bad/model", "pricing": {{"prompt": {written}, "completion": "0"}}}}]}}')  # fmt: skip
    for text in (litellm, openrouter):
        page = import_json(text, "prices.json")
        parsed = parse_page(page.text, source="prices.json")
        assert [(row.model, row.input_usd_per_mtok, row.output_usd_per_mtok) for row in parsed.rows] == [
            ("ok/model", 1.0, 2.0)
        ]
        assert "1 entry without a usable price or id was left out." in page.text


def models_dev_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    models = tmp_path / "models.dev" / "providers" / "deepinfra" / "models"
    models.mkdir(parents=True)
    for name, text in files.items():
        (models / name).write_text(text, encoding="utf-8")
    return tmp_path / "models.dev"


@pytest.mark.parametrize("written", ['"١٢"', '"1_0"', "-0.0", "nan", "inf", '"-0"', "1e400"])
def test_a_models_dev_price_outside_the_number_rules_is_left_out(tmp_path, written):
    folder = models_dev_folder(tmp_path, {
        "ok.toml": "[cost]\ninput = 0.5\noutput = 1.25\n", "bad.toml": f"[cost]\ninput = {written}\noutput = 1\n",
    })  # fmt: skip
    from catalog.formats.imports import import_folder

    (page,) = import_folder(folder)
    parsed = parse_page(page.text, source="models.dev")
    assert [(row.model, row.input_usd_per_mtok, row.output_usd_per_mtok) for row in parsed.rows] == [("ok", 0.5, 1.25)]


@pytest.mark.parametrize(
    ("text", "line"),
    [("name = 'deep'\nlimit = " + "[" * 50_000 + "\n", 2), ("name = 'dotted'\n" + "a." * 100_000 + "b = 1\n", 2)],
    ids=["brackets", "dotted-key"],
)
def test_a_models_dev_file_nested_too_deeply_is_one_line_naming_the_file_and_line(tmp_path, text, line):
    """`[` × 50,000 was a RecursionError traceback; a key of 100,000 dotted parts takes tomllib tens of GB."""
    folder = models_dev_folder(tmp_path, {"ok.toml": "[cost]\ninput = 0.5\noutput = 1.25\n", "deep.toml": text})
    result = run("refresh", "--source", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    shown = folder / "providers" / "deepinfra" / "models" / "deep.toml"
    assert f"{shown}: line {line}: nested more than 100 levels deep" in result.stdout


def test_a_dotted_key_of_a_hundred_and_one_parts_is_refused_and_of_a_hundred_read(tmp_path):
    from catalog.formats.models_dev import load_toml
    from catalog.json_text import NestingError

    assert load_toml("a." * 99 + "b = 1\n") is not None
    with pytest.raises(NestingError, match="^line 1: nested more than 100 levels deep$"):
        load_toml("a." * 100 + "b = 1\n")


def test_a_models_dev_file_past_the_size_bound_is_skipped_before_it_is_read_whole(tmp_path):
    """A model file is about a kilobyte; one of 300 KB (here a valid one, padded) is left out and counted, in
    imports and in the operator's limits alike, and no file is read past `MAX_TOML_BYTES`."""
    from catalog.formats.imports import import_folder
    from catalog.formats.models_dev import MAX_TOML_BYTES, read_models_dev_limits

    padded = "# " + "x" * 300_000 + "\n[cost]\ninput = 2\noutput = 3\n[limit]\ncontext = 8192\noutput = 1024\n"
    assert len(padded) > MAX_TOML_BYTES
    folder = models_dev_folder(tmp_path, {
        "ok.toml": "[cost]\ninput = 0.5\noutput = 1.25\n[limit]\ncontext = 4096\noutput = 512\n", "big.toml": padded,
    })  # fmt: skip
    (page,) = import_folder(folder)
    assert "1 entry without a usable price or id was left out" in page.text
    assert [row.model for row in parse_page(page.text, source="models.dev").rows] == ["ok"]
    assert list(read_models_dev_limits(folder)) == ["ok"]
