"""Deep JSON is a line-numbered error, not a RecursionError; every price input keeps the page parser's number rules."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from cli_runner import run
from hypothesis import given
from hypothesis import strategies as st

from catalog.formats.litellm import read_litellm_map
from catalog.json_text import SHOWN_DEPTH, NestingError, loads, too_deep_at
from catalog.parser import MAX_USD_PER_MTOK, parse_page
from catalog.records import CatalogError, ParseError
from catalog.runs.prompts import PromptFileError, parse_prompts, read_prompts

DEEP = "[" * 200_000


def test_two_hundred_thousand_brackets_are_one_line_naming_where():
    with pytest.raises(NestingError, match=rf"^line 1: nested more than {SHOWN_DEPTH} levels deep$"):
        loads(DEEP)
    text = '{"a": "[[[[ not counted ]]]]",\n "b":\n' + "[\n" * 150 + "1" + "]" * 150 + "}"
    assert too_deep_at(text) == 2 + SHOWN_DEPTH  # `{` is the first level; the 100th `[` (line 3 on) the 101st


@given(
    st.recursive(
        st.none() | st.integers() | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)
    )
)
def test_json_that_python_can_read_reads_the_same(value):
    text = json.dumps(value)
    assert loads(text) == json.loads(text)


@given(st.integers(min_value=SHOWN_DEPTH + 1, max_value=5_000), st.sampled_from(["[", '{"k":']))
def test_any_nesting_past_the_parser_is_a_nesting_error_or_reads(depth, opener):
    text = (opener + "\n") * depth
    try:
        loads(text)
    except NestingError as error:
        assert error.line == SHOWN_DEPTH + 1
    except json.JSONDecodeError:
        pass  # shallow enough to parse until the text ends unclosed


def test_a_prompts_file_of_brackets_names_its_line(tmp_path):
    path = tmp_path / "prompts.jsonl"
    path.write_text('{"prompt": "fine"}\n' + DEEP + "\n", encoding="utf-8")
    with pytest.raises(PromptFileError, match=rf"line 2: not a prompt: nested more than {SHOWN_DEPTH} levels deep$"):
        read_prompts(path)
    with pytest.raises(PromptFileError, match="line 1: not a prompt: nested"):
        parse_prompts(DEEP, "jsonl")


def test_a_litellm_map_of_brackets_is_one_line_on_the_cli(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(DEEP, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"not a LiteLLM price map \(line 1: nested more than 100 levels deep\)"):
        read_litellm_map(DEEP)
    result = run("crosscheck", "--litellm", str(path))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"python -m catalog: error: {path}: not a LiteLLM price map (line 1: nested more than 100 levels deep)\n"
    )


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ('"١٢"', "is not a price in ASCII digits"),  # Arabic-Indic digits: float() reads 12
        ('"1_0"', "is not a price in ASCII digits"),  # float() reads 10
        ('"inf"', "is not a price in ASCII digits"),
        ('"-1e-6"', "is not a price in ASCII digits"),
        ("-0.000001", "is not a price in ASCII digits"),
        ("Infinity", "is not a price in ASCII digits"),
        ("NaN", "is not a price in ASCII digits"),
        ('"1e308"', "is more than $1,000,000 per 1M tokens"),
        ("1e308", "is more than $1,000,000 per 1M tokens"),
        ("1e999999999", "is more than $1,000,000 per 1M tokens"),  # past Decimal's own range for arithmetic
        ("1" + "0" * 400, "is more than $1,000,000 per 1M tokens"),  # float() of it overflows
    ],
)
def test_a_map_price_outside_the_number_rules_is_unknown_with_a_note(written, why):
    entry = read_litellm_map(
        f'{{"deepinfra/m": {{"input_cost_per_token": {written}, "output_cost_per_token": 2e-07}}}}'
    )
    found = entry["deepinfra/m"]
    assert found.input_usd_per_mtok is None
    assert found.output_usd_per_mtok == 0.2  # the rest of the entry is still read
    assert len(found.notes) == 1 and found.notes[0].startswith("input_cost_per_token ")
    assert found.notes[0].endswith(f"{why}; read as unknown")


@pytest.mark.parametrize("written", ['"12.5"', "1e400", '"١٢٨٠٠٠"', "128000.5", '"1_000"', "true"])
def test_a_map_count_outside_the_rules_is_unknown(written):
    found = read_litellm_map(f'{{"m": {{"max_input_tokens": {written}, "max_output_tokens": 8192}}}}')["m"]
    assert (found.max_input_tokens, found.max_output_tokens) == (None, 8192)
    assert len(found.notes) == 1


@given(st.decimals(min_value=0, max_value=1, allow_nan=False, allow_infinity=False, places=12))
def test_a_map_price_in_ascii_digits_reads_exactly_as_a_string_or_a_number(per_token):
    for written in (json.dumps(str(per_token)), str(per_token)):
        found = read_litellm_map(f'{{"m": {{"input_cost_per_token": {written}}}}}')["m"]
        assert found.input_usd_per_mtok == float(per_token * 1_000_000)
        assert found.notes == ()


@given(st.text(alphabet=st.characters(categories=["Nd"], exclude_characters="0123456789"), min_size=1, max_size=6))
def test_digits_of_other_scripts_are_never_a_map_price(digits):
    found = read_litellm_map(json.dumps({"m": {"input_cost_per_token": digits, "max_input_tokens": digits}}))["m"]
    assert (found.input_usd_per_mtok, found.max_input_tokens) == (None, None)


PAGE = "# P\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n| m | {price} | $1 |\n"


def test_a_page_price_is_bounded_too():
    assert MAX_USD_PER_MTOK == 1_000_000
    for price, value in (("$1,000,000", 1_000_000.0), ("$999,999.99", 999_999.99), ("$1000000", 1_000_000.0)):
        assert parse_page(PAGE.format(price=price)).rows[0].input_usd_per_mtok == value
    for price in ("$1,000,001", "$1000000.01", "$" + "9" * 15):
        with pytest.raises(ParseError, match=r"line 5: the input price .* is too large \(at most \$1,000,000 per 1M"):
            parse_page(PAGE.format(price=price))
    assert Decimal("1e6") == Decimal(MAX_USD_PER_MTOK)


@pytest.mark.parametrize("written", ["1e99999999999999999999", "1e-99999999999999999999", "-0.0", '"-0"'])
def test_a_map_number_past_decimals_range_or_signed_is_unknown_with_a_note(written):
    """`Decimal("1e99999999999999999999")` raises InvalidOperation: it was a traceback from `crosscheck --litellm`."""
    found = read_litellm_map(f'{{"deepinfra/m": {{"input_cost_per_token": {written}, "max_input_tokens": 8}}}}')
    entry = found["deepinfra/m"]
    assert entry.input_usd_per_mtok is None and entry.max_input_tokens == 8
    assert entry.notes == (f"input_cost_per_token {written.strip(chr(34))!r} is not a price in ASCII digits; read as "
                           "unknown",)  # fmt: skip


def test_crosscheck_with_a_number_past_decimals_range_prints_no_traceback(tmp_path):
    path = tmp_path / "map.json"
    path.write_text('{"deepinfra/zai-org/GLM-5.2": {"input_cost_per_token": 1e99999999999999999999}}')
    result = run("crosscheck", "--litellm", str(path))
    assert result.returncode == 0 and "Traceback" not in result.stderr and result.stderr == ""


@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.decimals(), st.booleans(), st.none()))
def test_plain_number_is_an_ascii_finite_unsigned_decimal_or_none(value):
    from catalog.parser import plain_number

    number = plain_number(value)
    if number is None:
        return
    assert number.is_finite() and not number.is_signed()
    if isinstance(value, str):
        assert value.strip().isascii() and "_" not in value and not value.strip().startswith(("-", "+"))
        assert number == Decimal(value.strip())
    elif isinstance(value, float):
        assert number == Decimal(repr(value)) and float(number) == value


def test_a_models_dev_checkout_with_a_file_nested_too_deeply_is_one_line_on_the_model_page(tmp_path, monkeypatch):
    """`CATALOG_MODELS_DEV` is read by the Model page: `[` × 50,000 in one file was a RecursionError there."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from catalog.formats.models_dev import read_models_dev_limits

    models = tmp_path / "providers" / "deepinfra" / "models"
    models.mkdir(parents=True)
    (models / "deep.toml").write_text("[limit]\ncontext = " + "[" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"deep\.toml: line 2: nested more than 100 levels deep$"):
        read_models_dev_limits(tmp_path)
    monkeypatch.setenv("CATALOG_MODELS_DEV", str(tmp_path))
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=60)
    at.query_params["id"] = "zai-org/GLM-5.2"
    at.switch_page("pages/model.py").run()
    assert not at.exception
    said = [caption.value for caption in at.caption if "models.dev checkout could not be read" in caption.value]
    assert len(said) == 1 and said[0].endswith(r"deep.toml\: line 2\: nested more than 100 levels deep")  # escaped
