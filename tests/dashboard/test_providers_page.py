"""The Providers view: the same model on every loaded provider, the cheapest marked, cells that link on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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


def test_each_row_is_one_model_with_a_price_cell_per_host_and_the_cheapest_marked(providers_page):
    frame = providers_page.dataframe[0].value.set_index("key")
    llama = frame.loc["llama-3.3-70b-instruct"]
    assert llama["model"] == "/model?id=meta-llama%2FLlama-3.3-70B-Instruct&provider=DeepInfra#Llama 3.3 70B Instruct"
    assert llama["hosts"] == 4 and llama["cheapest"] == "DeepInfra"
    labels = {
        p: re.search(r"#(.+)$", llama[p]).group(1) for p in ("DeepInfra", "SambaNova", "Fireworks AI", "Cerebras")
    }
    assert labels == {"DeepInfra": "$0.2725 ★", "SambaNova": "$0.75", "Fireworks AI": "$0.90", "Cerebras": "$0.9375"}


def test_a_cell_opens_the_playground_only_on_a_trusted_host(providers_page):
    llama = providers_page.dataframe[0].value.set_index("key").loc["llama-3.3-70b-instruct"]
    assert llama["DeepInfra"].startswith("/playground?model=meta-llama%2FLlama-3.3-70B-Instruct&provider=DeepInfra#")
    assert llama["Cerebras"].startswith("/model?id=llama-3.3-70b&provider=Cerebras#")


def test_the_savings_are_for_the_compare_workload(providers_page):
    gpt = providers_page.dataframe[0].value.set_index("key").loc["gpt-oss-120b"]
    # 2,000 in + 500 out a request, 10,000 a day, 30 days: Cerebras ($0.35/$0.75) less Fireworks ($0.15/$0.60).
    assert gpt["saves"] == "$142.50"  # $0.001075 - $0.0006 = $0.000475 a request, × 300,000 a month


def test_only_shared_models_by_default_and_all_when_toggled(providers_page):
    shared = len(providers_page.dataframe[0].value)
    providers_page.toggle(key="p_several").set_value(False).run()
    assert len(providers_page.dataframe[0].value) > shared
