"""The Providers view: the same model on every loaded provider, the cheapest marked, cells that link on."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_tables import page_table
from sent_order import sent_elements, shown_elements
from streamlit.testing.v1 import AppTest

from catalog.dashboard.prices import column_price

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SOURCES = ",".join(str(DATA / f"lava-{name}.md") for name in ("cerebras", "fireworks", "sambanova"))


@pytest.fixture
def providers_page(monkeypatch) -> AppTest:
    monkeypatch.setenv("CATALOG_SOURCES", SOURCES)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.switch_page("pages/providers.py").run()
    assert not at.exception
    return at


def rows_by_key(at: AppTest) -> dict[str, int]:
    table = page_table(at, "Providers")
    return {row["Key"]: index for index, row in enumerate(table.rows)}


def test_each_row_is_one_model_with_a_price_cell_per_host_and_the_cheapest_marked(providers_page):
    table = page_table(providers_page, "Providers")
    at = rows_by_key(providers_page)["llama-3.3-70b-instruct"]
    llama, links = table.rows[at], table.links[at]
    assert llama["Model"] == "Llama-3.3-70B-Instruct"  # as Browse names it
    assert links["Model"] == "/model?id=meta-llama%2FLlama-3.3-70B-Instruct&provider=DeepInfra"
    assert table.titles[at]["Model"] == "meta-llama/Llama-3.3-70B-Instruct"
    assert llama["Hosts"] == "4" and llama["Cheapest"] == "DeepInfra"
    prices = {p: llama[p] for p in ("DeepInfra", "SambaNova", "Fireworks AI", "Cerebras")}
    # three significant digits in every cell, so the column lines up; a rounded price is exact in its tooltip
    assert prices == {"DeepInfra": f"{column_price(0.2725)} ★", "SambaNova": "$0.750", "Fireworks AI": "$0.900",
                      "Cerebras": column_price(0.9375)}  # fmt: skip
    assert all(len(text.split()[0]) == 6 for text in prices.values())
    assert table.titles[at]["DeepInfra"].endswith("($0.2725 exactly)")
    # The answer next to the name, so a phone's first screen holds it; the id-level details last.
    assert table.columns[:3] == ["Model", "Cheapest", "Saves /mo"]
    assert table.columns[-2:] == ["Hosts", "Key"]


def test_a_cell_opens_the_playground_only_on_a_trusted_host(providers_page):
    table = page_table(providers_page, "Providers")
    links = table.links[rows_by_key(providers_page)["llama-3.3-70b-instruct"]]
    assert links["DeepInfra"] == "/playground?model=meta-llama%2FLlama-3.3-70B-Instruct&provider=DeepInfra"
    assert links["Cerebras"] == "/model?id=llama-3.3-70b&provider=Cerebras"


def test_the_savings_are_for_the_compare_workload(providers_page):
    gpt = page_table(providers_page, "Providers").rows[rows_by_key(providers_page)["gpt-oss-120b"]]
    # 2,000 in + 500 out a request, 10,000 a day, 30 days: Cerebras ($0.35/$0.75) less Fireworks ($0.15/$0.60).
    assert gpt["Saves /mo"] == "$142.50"  # $0.001075 - $0.0006 = $0.000475 a request, × 300,000 a month


def test_only_shared_models_by_default_and_all_when_toggled(providers_page):
    shared = len(page_table(providers_page, "Providers").rows)
    providers_page.toggle(key="p_several").set_value(False).run()
    assert len(page_table(providers_page, "Providers").rows) > shared


def test_the_grid_is_plain_html_sent_before_the_toggle(providers_page):
    assert not providers_page.dataframe  # no grid (its JavaScript) on the way to the first content
    kinds = sent_elements(providers_page)
    assert kinds.index("html Providers") < kinds.index("checkbox")  # a toggle is sent as a checkbox
    shown = shown_elements(providers_page)  # the toggle still sits above the table
    assert shown.index("toggle") < shown.index("html")


def test_a_host_that_gives_a_model_away_says_free(providers_page):
    table = page_table(providers_page, "Providers")
    llama = table.rows[rows_by_key(providers_page)["llama-3.1-8b-instruct"]]
    assert llama["Cerebras"] == "Free ★" and llama["Cheapest"] == "Cerebras"  # the page writes "Free", not $0.00
