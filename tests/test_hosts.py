"""The same model on several hosts: `hosts NAME` and the groups behind the Providers view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run

from catalog import load_catalog
from catalog.hosts import host_groups, hosts_of

DATA = Path(__file__).parent / "data"
PAGES = [str(DATA / f"lava-{name}.md") for name in ("cerebras", "fireworks", "sambanova")] + [
    str(Path(__file__).parents[1] / "catalog" / "data" / "lava-deepinfra.md")
]
SOURCES = [arg for page in PAGES for arg in ("--source", page)]
MODELS = load_catalog(PAGES).models


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("meta-llama/Llama-3.3-70B-Instruct", id="deepinfra-spelling"),
        pytest.param("Meta-Llama-3.3-70B-Instruct", id="sambanova-spelling"),
        pytest.param("accounts/fireworks/models/llama-v3p3-70b-instruct", id="fireworks-spelling"),
        pytest.param("llama-3.3-70b-instruct", id="the-key"),
    ],
)
def test_any_spelling_finds_every_host_cheapest_first(name):
    found = hosts_of(MODELS, name)
    assert [r.provider for r in found] == ["DeepInfra", "SambaNova", "Fireworks AI", "Cerebras"]
    blended = [r.blended_usd_per_mtok for r in found]
    assert blended == sorted(blended)


def test_a_turbo_variant_is_not_the_same_model():
    assert "meta-llama/Llama-3.3-70B-Instruct-Turbo" not in {
        r.model for r in hosts_of(MODELS, "llama-3.3-70b-instruct")
    }


def test_hosts_json_has_exactly_the_documented_fields():
    result = run("hosts", "gpt-oss-120b", "--format", "json", *SOURCES)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["provider"] for row in rows] == ["Fireworks AI", "SambaNova", "Cerebras"]
    assert all(
        list(row)
        == ["provider", "model", "model_key", "input_usd_per_mtok", "output_usd_per_mtok", "blended_usd_per_mtok"]
        for row in rows
    )
    assert {row["model_key"] for row in rows} == {"gpt-oss-120b"}


def test_hosts_table_says_how_far_apart_the_hosts_are():
    result = run("hosts", "gpt-oss-120b", *SOURCES)
    assert result.stdout.splitlines()[-1] == "3 hosts of gpt-oss-120b; the dearest costs 1.7× the cheapest"


def test_an_unknown_model_is_one_line():
    result = run("hosts", "no-such-model")
    assert result.returncode == 1
    assert result.stderr == "python -m catalog: error: no model 'no-such-model' in the catalog (try `list --search`)\n"


def test_groups_sold_by_two_or_more_hosts():
    groups = host_groups(MODELS, min_hosts=2)
    keys = [group.key for group in groups]
    assert {"llama-3.3-70b-instruct", "gpt-oss-120b", "deepseek-r1-0528"} <= set(keys)
    assert all(len(group.providers) >= 2 for group in groups)
    assert keys[:2] == ["llama-3.1-8b-instruct", "llama-3.3-70b-instruct"]  # four hosts each, the most
