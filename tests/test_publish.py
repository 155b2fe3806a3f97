"""`publish DIR`: a static site, served on loopback and read back by each real library and a feed parser."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path

import feedparser
import httpx
import jsonschema
import pytest
from cli_runner import run
from static_server import Site, serving
from test_interop_tools import CURRENT, exact_cost

import catalog
from catalog.history import Store
from catalog.runs.store import TrialStore
from catalog.runs.trials import Trial
from catalog.sources import DEFAULT_PAGE

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # LiteLLM stays off the internet when imported

MODELS = catalog.load_catalog().models


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("CATALOG_DB_URL", url)
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    assert run("refresh").returncode == 0  # the embedded page, as of 2026-11-25
    cheaper = tmp_path / "deepinfra.md"
    glm_row = "| zai-org/GLM-5.2                                     | \\$1.40 "
    cheaper.write_text(DEFAULT_PAGE.text().replace(glm_row, glm_row.replace("1.40", "1.20")))
    assert run("refresh", "--source", str(cheaper), "--as-of", "2026-11-30").returncode == 0
    with Store(url) as store:
        measured = Trial("DeepInfra", "microsoft/phi-4", "ok", origin="playground", input_tokens=10, output_tokens=20,
                         ttft_ms=120.0, output_tokens_per_s=50.0, cost_usd=0.0000035)  # fmt: skip
        TrialStore(store).record(measured)
    return url


def published(folder: Path) -> Site:
    return Site({"/" + str(path.relative_to(folder)): path.read_text() for path in folder.rglob("*") if path.is_file()})


def test_the_published_site_is_read_back_by_each_library_and_a_feed_reader(database, tmp_path):
    folder = tmp_path / "site"
    result = run("publish", str(folder))
    assert result.returncode == 0, result.stderr
    with serving(published(folder)) as site, httpx.Client(base_url=site.url) as client:

        def get(path: str) -> httpx.Response:
            response = client.get(path)
            assert response.status_code == 200, path
            return response

        index = get("/index.html").text
        links = re.findall(r'href="([^"]+)"', index)
        assert {"api/v1/models.json", "litellm.json", "changes.atom", "llm-prices/current-v1.json"} <= set(links)
        assert all(get("/" + link) for link in links)  # every file the index lists is served

        from openrouter import components

        listing = components.ModelsListResponse.model_validate(get("/api/v1/models.json").json())
        assert listing.total_count == 52

        import litellm

        litellm.register_model(get("/litellm.json").json())
        glm = next(record for record in MODELS if record.model == "zai-org/GLM-5.2")
        prompt, completion = litellm.cost_per_token(model="deepinfra/zai-org/GLM-5.2", prompt_tokens=1234,
                                                    completion_tokens=567)  # fmt: skip
        assert abs(Decimal(prompt) + Decimal(completion) - exact_cost(glm._replace(input_usd_per_mtok=1.2))) < 1e-12

        current = get("/llm-prices/current-v1.json").json()
        jsonschema.validate(current, CURRENT)
        assert current["updated_at"] == "2026-11-30"
        history = [p for p in get("/llm-prices/historical-v1.json").json()["prices"] if p["id"] == "zai-org/GLM-5.2"]
        assert [(p["input"], p["to_date"]) for p in history] == [(1.2, None), (1.4, "2026-11-30")]

        feed = feedparser.parse(get("/changes.atom").text)
        assert not feed.bozo, feed.bozo_exception
        assert [entry.title for entry in feed.entries] == [
            "DeepInfra: zai-org/GLM-5.2 input $1.40 → $1.20 per 1M tokens"
        ]
        entry = feed.entries[0]
        assert entry.updated.startswith("2026-11-30") and entry.id.startswith("tag:llm-price-catalog,2026-11-30:")
        assert entry.link.endswith("models/glm-5.2.json")

        model = get("/models/glm-5.2.json").json()
        [host] = model["hosts"]
        assert [span["from_date"] for span in host["price_history"]] == ["2026-11-25", "2026-11-30"]
        phi = get("/models/phi-4.json").json()["hosts"][0]["measured"]
        assert phi["ok"] == 1 and phi["ttft_ms_p50"] == 120.0
    again = tmp_path / "again"
    assert run("publish", str(again)).returncode == 0
    assert feedparser.parse((again / "changes.atom").read_text()).entries[0].id == entry.id  # a stable id


def test_publish_without_a_history_still_writes_every_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    folder = tmp_path / "site"
    assert run("publish", str(folder)).returncode == 0
    assert feedparser.parse((folder / "changes.atom").read_text()).entries == []
    history = json.loads((folder / "llm-prices" / "historical-v1.json").read_text())["prices"]
    assert len(history) == 52 and all(p["from_date"] == "2026-11-25" and p["to_date"] is None for p in history)
    assert len(list((folder / "models").iterdir())) == 52
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # no staging folder left
