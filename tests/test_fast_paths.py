"""The `tuple.__new__` fast paths (parser, enrichment, a reply's deltas) build exactly what construction by field
name builds.

They write a NamedTuple's values by position, for speed (bench/bench_catalog.py). A field added to `PriceRow`,
`ModelRecord` or `Delta`, or moved, would put values under the wrong names there, silently: these tests name every
field.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.enrich import _facts, enrich_page, quality_flags
from catalog.gateway.messages import Delta
from catalog.gateway.reply import ReplyState
from catalog.parser import parse_page
from catalog.records import ModelRecord, PriceRow, blended_price
from catalog.sources import DEFAULT_PAGE

HEADER = "# P\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n"


def by_name(row: PriceRow, provider: str, source: str, share: float) -> ModelRecord:
    """The record `enrich` should make of `row`, every field given by its name."""
    vendor, display_name, family, params_b, active_params_b, tags, key, size_source = _facts(row.model)
    return ModelRecord(
        provider=provider,
        model=row.model,
        vendor=vendor,
        input_usd_per_mtok=row.input_usd_per_mtok,
        output_usd_per_mtok=row.output_usd_per_mtok,
        blended_usd_per_mtok=blended_price(row.input_usd_per_mtok, row.output_usd_per_mtok, share),
        params_b=params_b,
        active_params_b=active_params_b,
        tags=tags,
        source_line=row.source_line,
        display_name=display_name,
        family=family,
        flags=quality_flags(row.input_usd_per_mtok, row.output_usd_per_mtok, row.free),
        source=source,
        model_key=key,
        size_source=size_source,
    )


def test_the_fast_row_is_the_row_built_by_name():
    page = parse_page(HEADER + "| a/plain-70b | $1.25 | \\$2,500.50 |\n| `b/careful` | Free | $3 |\n")
    fast, careful = page.rows  # the first row takes the one-match path, the second the careful one
    assert fast == PriceRow(
        model="a/plain-70b", input_usd_per_mtok=1.25, output_usd_per_mtok=2500.5, source_line=5, free=False
    )
    assert careful == PriceRow(
        model="b/careful", input_usd_per_mtok=0.0, output_usd_per_mtok=3.0, source_line=6, free=True
    )
    assert len(fast) == len(PriceRow._fields)


@pytest.mark.parametrize("share", [0.25, 0.0, 0.9])
def test_every_embedded_record_is_the_record_built_by_name(share):
    page = parse_page(DEFAULT_PAGE.text(), source=DEFAULT_PAGE.url)
    records = enrich_page(page, share)
    assert len(records) == 52
    for row, record in zip(page.rows, records, strict=True):
        assert record == by_name(row, page.provider.name, page.provider.source, share)
        assert len(record) == len(ModelRecord._fields)


MODEL_IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9./_-]{0,40}", fullmatch=True).filter(lambda text: "|" not in text)
PRICES = st.decimals(min_value=0, max_value=5000, places=2)


@given(st.lists(st.tuples(MODEL_IDS, PRICES, PRICES), min_size=1, max_size=8, unique_by=lambda item: item[0]))
def test_any_page_of_plain_rows_enriches_as_by_name(rows):
    text = HEADER + "".join(f"| {model} | ${low} | ${high} |\n" for model, low, high in rows)
    page = parse_page(text)
    assert [row.model for row in page.rows] == [model for model, _, _ in rows]
    for row, record in zip(page.rows, enrich_page(page), strict=True):
        assert record == by_name(row, page.provider.name, page.provider.source, 0.25)


@given(st.text(min_size=1, max_size=20), st.text(max_size=20))
def test_a_reply_delta_is_the_delta_built_by_name(content, reasoning):
    reply = ReplyState(ModelRecord("P", "m", None, 1.0, 2.0, 1.25, None, None, (), 1), 0.0)
    delta = {"content": content, "reasoning_content": reasoning}
    fast = reply.apply({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    assert fast == Delta(content=content, reasoning=reasoning)
    assert fast is not None and (fast.content, fast.reasoning) == (content, reasoning)
    assert len(fast) == len(Delta._fields)
