"""The HTML tables: every text escaped, empty cells marked, links only to the dashboard's own pages."""

from __future__ import annotations

import math

import pytest
from html_tables import read_tables
from hypothesis import given
from hypothesis import strategies as st

from catalog import load_catalog
from catalog.dashboard.html_table import EMPTY, Cell, Column, column_px, html_lines, html_table, text_px
from catalog.dashboard.summary import catalog_lines

COLUMNS = [Column("Model", pinned=True), Column("Input $/1M", help="USD per 1M input tokens", numeric=True)]


def test_cells_links_and_tooltips_read_back() -> None:
    body = html_table(
        COLUMNS,
        [[Cell("DeepSeek-R1", href="/model?id=deepseek-ai%2FDeepSeek-R1", title="deepseek-ai/DeepSeek-R1"), "$0.50"]],
        label="Models",
    )
    (table,) = read_tables(body)
    assert table.label == "Models"
    assert table.columns == ["Model", "Input $/1M"]
    assert table.rows == [{"Model": "DeepSeek-R1", "Input $/1M": "$0.50"}]
    assert table.links[0]["Model"] == "/model?id=deepseek-ai%2FDeepSeek-R1"
    assert table.titles[0]["Model"] == "deepseek-ai/DeepSeek-R1"


def test_an_empty_cell_shows_a_dash_with_the_column_tooltip() -> None:
    (table,) = read_tables(html_table(COLUMNS, [["x", None]], label="t"))
    assert table.rows[0]["Input $/1M"] == EMPTY
    assert table.titles[0]["Input $/1M"] == "USD per 1M input tokens"


@pytest.mark.parametrize("href", ["https://evil.example/", "javascript:alert(1)", "//evil.example/x"])
def test_only_the_dashboards_own_links(href: str) -> None:
    with pytest.raises(ValueError, match="own links"):
        html_table(COLUMNS, [[Cell("x", href=href), "1"]], label="t")


@given(st.text(max_size=60), st.text(max_size=60))
def test_any_text_comes_back_literally_and_never_as_markup(name: str, price: str) -> None:
    body = html_table(COLUMNS, [[Cell(name, href="/model?id=x", title=name), price]], label=name)
    tables = read_tables(body)
    assert len(tables) == 1  # no text opened another table, or closed this one
    assert "<script" not in body.lower().replace("&lt;script", "")
    expected = name if name else EMPTY
    printable = tables[0].rows[0]["Model"]
    assert len(tables[0].rows) == 1
    if name.isprintable() and name.strip() == name:
        assert printable == expected


PRINTABLE = st.characters(categories=["L", "N", "P", "S"], include_characters=" ")


@given(st.lists(st.text(alphabet=PRINTABLE, min_size=1, max_size=30), min_size=1, max_size=4))
def test_a_tooltip_keeps_a_fact_a_line_and_every_line_literal(lines: list[str]) -> None:
    body = html_table(COLUMNS, [[Cell("x", href="/model?id=x", title="\n".join(lines)), "1"]], label="t")
    (table,) = read_tables(body)
    assert table.titles[0]["Model"] == "\n".join(lines)


def test_lines_link_outside_only_over_http() -> None:
    body = html_lines(
        [[Cell("DeepInfra", href="https://lava.so/docs/deepinfra", external=True), "snapshot x"]], label="l"
    )
    assert '<a href="https://lava.so/docs/deepinfra" target="_blank" rel="noopener noreferrer">DeepInfra</a>' in body
    with pytest.raises(ValueError, match="http"):
        html_lines([[Cell("x", href="javascript:alert(1)", external=True)]], label="l")


def test_the_catalog_summary_names_each_page_its_snapshot_and_the_count() -> None:
    body = catalog_lines(load_catalog())
    assert "DeepInfra</a> · snapshot 2026-11-25" in body
    assert "<strong>52 models from 1 page</strong>" in body


def test_a_table_lets_the_page_scroll_unless_asked_for_a_box() -> None:
    assert "max-height" not in html_table(COLUMNS, [["x", "1"]], label="t").split("</style>", 1)[1]
    assert 'style="max-height:300px;' in html_table(COLUMNS, [["x", "1"]], label="t", max_height=300)


def test_a_sorted_header_keeps_its_mark_beside_its_last_word_when_it_wraps() -> None:
    columns = [Column("Blended $/1M ▲", href="?sort=-blended"), Column("Tags ▼"), Column("a<b")]
    body = html_table(columns, [["1", "2", "3"]], label="t")
    assert '<a href="?sort=-blended">Blended <span class="lpc-keep">$/1M ▲</span></a>' in body
    assert '<span class="lpc-keep">Tags ▼</span>' in body and "a&lt;b</th>" in body
    (table,) = read_tables(body)
    assert table.columns == ["Blended $/1M ▲", "Tags ▼", "a<b"]  # the same text: the span only keeps it together
    assert ".lpc-table th{" in body and "white-space:normal" in body.split(".lpc-table th{", 1)[1].split("}")[0]


def test_a_table_too_wide_for_its_box_hides_its_least_useful_columns_level_by_level() -> None:
    columns = [
        Column("Model", pinned=True),
        Column("Price", numeric=True),
        Column("Vendor", hide=1),
        Column("Tags", hide=2),
    ]
    rows = [[Cell("a-model-name"), "$0.100", "deepseek-ai", "reasoning, turbo"]]
    body = html_table(columns, rows, label="Some models")
    cells = [[cell if isinstance(cell, Cell) else Cell(cell) for cell in column] for column in zip(*rows, strict=True)]
    widths = [column_px(column, texts) for column, texts in zip(columns, cells, strict=True)]
    total = sum(widths)
    # Below what every column needs, level 1 hides; below what the rest need, level 2 too. Phones keep them all.
    assert f"@container (min-width:600px) and (max-width:{math.ceil(total * 1.02)}px)" in body
    assert (
        f"(max-width:{math.ceil((total - widths[2]) * 1.02)}px){{.lpc-t-some-models .lpc-h2{{display:none}}}}" in body
    )
    assert '<div class="lpc-wrap lpc-fit lpc-t-some-models"' in body and '<td class="lpc-h1">deepseek-ai</td>' in body
    assert "container-type" not in html_table(COLUMNS, [["a", "b"]], label="t")  # nothing to hide: no query


@pytest.mark.parametrize(
    ("text", "drawn_px"),
    # Widths Chromium drew these cells' texts at (14 px Source Sans, regular), from the Browse table at 1440 px.
    [("Llama-4-Maverick-17B-128E-Instruct-Turbo", 252.7), ("coder, turbo, instruct", 122.0), ("deepseek-ai", 70.0),
     ("Fireworks AI", 71.0), ("12,345 ms", 58.0)],
)  # fmt: skip
def test_a_texts_width_is_estimated_within_two_percent_of_chromiums(text, drawn_px) -> None:
    assert text_px(text, 14) == pytest.approx(drawn_px, rel=0.02)
    assert text_px(text, 14, bold=True) > text_px(text, 14) and text_px("漢字", 14) == 28  # unknown glyphs: 1 em
