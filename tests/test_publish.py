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
from test_interop_tools import CURRENT, HISTORICAL, exact_cost

import catalog
from catalog.formats.files import MARKER, guard_folder, replace_folder, swap_by_renames, write_tree
from catalog.history import Store
from catalog.records import CatalogError
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
        documents = {link: get("/" + link).json() for link in links if link.endswith(".json")}
        assert len(documents) == len([p for p in folder.rglob("*.json")]) == 4 + 52  # every JSON file parses
        served = "".join(get("/" + link).text for link in links)
        assert str(tmp_path) not in served and "/tmp" not in served  # no operator's path in a public file

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
        historical = get("/llm-prices/historical-v1.json").json()
        jsonschema.validate(historical, HISTORICAL)
        history = [p for p in historical["prices"] if p["id"] == "zai-org/GLM-5.2"]
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
        assert host["source"] == "deepinfra.md"  # the page was read from a file: its name only, never its folder
        assert (
            documents["litellm.json"]["deepinfra/zai-org/GLM-5.2"]["source"] == f"deepinfra.md#L{host['source_line']}"
        )
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


# --- what publish refuses to replace (every test works in tmp_path, never in a real working directory) ---


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A git checkout as the working directory, and a home folder of its own, both in tmp_path."""
    root = tmp_path / "checkout"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "README.md").write_text("mine\n")
    (root / "sub").mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    return root


def files_of(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.parametrize("target", ["", ".", "./", "sub/..", "..", "{checkout}", "{home}", "{home}/.."])
def test_publish_refuses_the_working_directory_its_parents_and_the_home_folder(checkout, target):
    before = files_of(checkout.parent)
    result = run("publish", target.format(checkout=checkout, home=checkout.parent / "home"))
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "name a new folder" in result.stderr
    assert files_of(checkout.parent) == before  # nothing written, nothing replaced


def test_the_root_folder_is_refused_before_anything_is_written():
    with pytest.raises(CatalogError, match="root folder"):
        guard_folder(Path("/"))


def test_a_folder_of_other_files_is_replaced_only_with_force_and_then_again_freely(checkout):
    notes = checkout / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me\n")
    refused = run("publish", "notes")
    assert refused.returncode == 1 and MARKER in refused.stderr and "--force" in refused.stderr
    assert files_of(notes) == ["todo.txt"]
    assert run("publish", "notes", "--force").returncode == 0
    assert MARKER in files_of(notes) and "todo.txt" not in files_of(notes)
    assert run("publish", "notes").returncode == 0  # its own marker: replaced without --force
    empty = checkout / "empty"
    empty.mkdir()
    assert run("publish", "empty").returncode == 0  # an empty folder holds nothing to lose
    assert run("publish", "README.md").returncode == 1  # a file is no folder
    assert (checkout / "README.md").read_text() == "mine\n"


@pytest.mark.parametrize("target", ["/dev/null/site", "/proc/site"])
def test_a_place_that_cannot_hold_a_folder_is_one_line(checkout, target):
    result = run("publish", target)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    warning, error = result.stderr.splitlines()  # no stored history, then why the folder cannot be written
    assert warning.startswith("warning: no price history yet")
    assert error.startswith(f"python -m catalog: error: cannot write {target}: ")


def site(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "index.html").write_text(text)
    return folder


def test_the_site_exists_after_every_step_of_its_replacement(tmp_path, monkeypatch):
    folder, missing = tmp_path / "site", []
    write_tree({"index.html": "old"}, folder)
    rename = os.rename

    def watched(source, target):  # every rename write_tree makes, and what a reader would find after it
        rename(source, target)
        missing.extend([] if folder.is_dir() else [(Path(source).name, Path(target).name)])

    monkeypatch.setattr(os, "rename", watched)
    write_tree({"index.html": "new"}, folder)
    assert (folder / "index.html").read_text() == "new"
    assert missing == []  # two renames (`site` aside, then the new one in) leave a moment without `site`


def test_the_new_folder_takes_the_old_ones_place_in_one_step(tmp_path):
    old, new = site(tmp_path / "site", "old"), site(tmp_path / ".staging", "new")
    replace_folder(new, old)
    assert (old / "index.html").read_text() == "new" and (new / "index.html").read_text() == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".staging", "site"]


def test_where_two_renames_are_needed_a_failed_second_one_puts_the_old_folder_back(tmp_path, monkeypatch):
    old, new = site(tmp_path / "site", "old"), site(tmp_path / ".staging", "new")
    rename = os.rename

    def failing(source, target):
        if Path(source) == new:
            raise OSError(28, "No space left on device")
        rename(source, target)

    monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(OSError, match="No space"):
        swap_by_renames(new, old)
    assert (old / "index.html").read_text() == "old"  # the old site is served again, under its own name
    assert sorted(path.name for path in tmp_path.iterdir()) == [".staging", "site"]  # none hidden aside
    monkeypatch.setattr(os, "rename", rename)
    swap_by_renames(new, old)
    assert (old / "index.html").read_text() == "new" and (new / "index.html").read_text() == "old"


def test_a_failed_write_leaves_the_old_site_and_no_staging_folder(checkout, monkeypatch):
    assert run("publish", "site").returncode == 0
    before = {path: path.read_bytes() for path in (checkout / "site").rglob("*") if path.is_file()}
    write_text = Path.write_text

    def full(path, text, *args, **kwargs):
        if path.name == "changes.atom":
            raise OSError(28, "No space left on device")
        return write_text(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    result = run("publish", "site")
    assert result.returncode == 1 and result.stderr.endswith("cannot write site: No space left on device\n")
    assert {path: path.read_bytes() for path in (checkout / "site").rglob("*") if path.is_file()} == before
    assert sorted(path.name for path in checkout.iterdir() if path.name.startswith(".site")) == []
