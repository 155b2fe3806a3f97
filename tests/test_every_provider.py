"""Issue 10's scenario end to end: `refresh --index` against a loopback docs site with four real-format pages.

The site serves an `llms.txt` index linking DeepInfra, Cerebras (`Free` cells), SambaNova (bare ids) and
Fireworks (`accounts/fireworks/models/` ids and an `Input / minute` table), plus a page that 404s, a page
that does not parse, and a link to another host that must never be fetched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run
from static_server import Site, serving

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "deepinfra": (ROOT / "catalog" / "data" / "lava-deepinfra.md").read_text(),
    **{
        name: (ROOT / "tests" / "data" / f"lava-{name}.md").read_text()
        for name in ("cerebras", "sambanova", "fireworks")
    },
    "broken": "# Broken\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n| a | $x | $1 |\n",
}


@pytest.fixture
def lava_docs(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    with serving(Site({}), host="127.0.0.3") as elsewhere, serving(Site({})) as site:
        links = [f"- [{name}](/docs/gateway/providers/{name}.md)" for name in [*PAGES, "gone"]]
        links.append(f"- [Other host]({elsewhere.url}/docs/gateway/providers/groq.md)")
        site.pages = {f"/docs/gateway/providers/{name}.md": text for name, text in PAGES.items()}
        site.pages["/docs/llms.txt"] = "# Lava docs\n\n## Providers\n\n" + "\n".join(links) + "\n"
        yield site, elsewhere


def test_refresh_index_loads_every_page_reports_failures_and_never_leaves_the_host(lava_docs):
    site, elsewhere = lava_docs
    result = run("refresh", "--index", f"{site.url}/docs/llms.txt")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert elsewhere.requested == []
    assert any("groq.md: skipped: on another host than the index" in line for line in lines)
    assert any(line.endswith("/gone.md: failed: the server answered HTTP 404 Not Found") for line in lines)
    assert any("/broken.md: failed:" in line and "line 5" in line for line in lines)
    for provider in ("DeepInfra", "Cerebras", "SambaNova", "Fireworks AI"):
        assert any(f": {provider} as of " in line and "new snapshot" in line for line in lines), provider


def test_then_one_catalog_with_makers_keys_and_hosts_cheapest_first(lava_docs):
    site, _ = lava_docs
    assert run("refresh", "--index", f"{site.url}/docs/llms.txt").returncode == 0
    exported = json.loads(run("export", "--format", "json").stdout)
    assert {row["provider"] for row in exported} == {"DeepInfra", "Cerebras", "SambaNova", "Fireworks AI"}
    by_id = {(row["provider"], row["model"]): row for row in exported}
    assert by_id[("SambaNova", "DeepSeek-R1-0528")]["vendor"] == "deepseek-ai"
    assert by_id[("SambaNova", "gpt-oss-120b")]["vendor"] == "openai"
    fireworks_llama = by_id[("Fireworks AI", "accounts/fireworks/models/llama-v3p3-70b-instruct")]
    assert fireworks_llama["vendor"] == "meta-llama"
    assert fireworks_llama["model_key"] == by_id[("DeepInfra", "meta-llama/Llama-3.3-70B-Instruct")]["model_key"]
    assert by_id[("DeepInfra", "meta-llama/Llama-3.3-70B-Instruct-Turbo")]["model_key"] != fireworks_llama["model_key"]
    free = [row for row in exported if row["provider"] == "Cerebras" and row["input_usd_per_mtok"] == 0]
    assert free, "Cerebras' Free cells are prices of 0"
    hosts = json.loads(run("hosts", "Meta-Llama-3.3-70B-Instruct", "--format", "json").stdout)
    assert [row["provider"] for row in hosts] == ["DeepInfra", "SambaNova", "Fireworks AI", "Cerebras"]
    assert [row["blended_usd_per_mtok"] for row in hosts] == sorted(row["blended_usd_per_mtok"] for row in hosts)


def test_an_index_that_cannot_be_read_is_one_line(lava_docs):
    site, _ = lava_docs
    result = run("refresh", "--index", f"{site.url}/docs/missing.txt")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("the server answered HTTP 404 Not Found")
    assert len(result.stderr.splitlines()) == 1


def test_the_dashboard_then_shows_every_stored_provider(lava_docs):
    from streamlit.testing.v1 import AppTest

    site, _ = lava_docs
    assert run("refresh", "--index", f"{site.url}/docs/llms.txt").returncode == 0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    from html_tables import page_table

    providers = set(page_table(at, "Models").column("Provider"))
    assert providers == {"DeepInfra", "Cerebras", "SambaNova", "Fireworks AI"}
