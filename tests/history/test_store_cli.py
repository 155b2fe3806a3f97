"""The history commands in process, and `list`/`export`/`cost` reading the stored history, on a tmp database."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from static_server import Site, serving
from storedb import PAGES

from catalog.cli import main
from catalog.history import Store, refresh
from catalog.records import CatalogError
from catalog.sources import DEFAULT_PAGE

V1, V2 = str(PAGES / "v1.md"), str(PAGES / "v2.md")


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{path}")
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    return path


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_help_says_where_the_history_is_kept(database, capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "".join(str(database).split()) in "".join(capsys.readouterr().out.split())  # argparse wraps lines


def test_refresh_without_sources_records_the_embedded_page_on_its_snapshot_date(database):
    code, out, err = cli("refresh")
    assert code == 0, err
    assert out.startswith(f"embedded page: DeepInfra as of {DEFAULT_PAGE.snapshot_date}: new snapshot")
    assert database.exists()
    assert "unchanged" in cli("refresh")[1]


def test_refresh_reads_catalog_sources_when_no_source_is_given(monkeypatch):
    monkeypatch.setenv("CATALOG_SOURCES", f"{V1}, {V2}")
    code, out, _ = cli("refresh", "--as-of", "2026-11-01")
    assert code == 0
    assert [line.split(": ", 1)[1] for line in out.splitlines()] == ["Acme as of 2026-11-01: new snapshot"] * 2
    listed = cli("list", "--as-of", "2026-11-01")[1]  # the page read last is the one in force that day
    assert "acme/delta-32b" in listed and "acme/gamma-1b" not in listed


def test_a_page_that_fails_to_parse_is_reported_and_stores_nothing(tmp_path):
    broken = tmp_path / "broken.md"
    table = "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n"
    broken.write_text(f"# Acme\n\n{table}| a | $x | $1 |\n")
    code, out, _ = cli("refresh", "--source", V1, "--as-of", "2026-11-01")
    assert code == 0
    code, out, err = cli("refresh", "--source", str(broken), "--source", "missing.md", "--as-of", "2026-11-20")
    assert code == 1, "every source failed"
    assert f"{broken}: failed: " in out and "line 5" in out and "missing.md: failed: no such file" in out
    assert json.loads(cli("changes", "--format", "json")[1]) == []
    code, out, _ = cli("refresh", "--source", str(broken), "--source", V2, "--as-of", "2026-11-20")
    assert code == 0, "one source worked"
    assert "new snapshot, 3 changes" in out


def test_changes_filters_by_date_and_provider_and_prints_a_table():
    cli("refresh", "--source", V1, "--as-of", "2026-11-01")
    cli("refresh", "--source", V2, "--as-of", "2026-11-20")
    code, out, _ = cli("changes")
    assert code == 0
    assert "acme/beta-70b   price    $0.50 → $0.60  $1.00 → $1.20  +20.0%" in out
    assert out.rstrip().endswith("3 changes")
    assert json.loads(cli("changes", "--since", "2026-11-21", "--format", "json")[1]) == []
    assert len(json.loads(cli("changes", "--since", "2026-11-20", "--format", "json")[1])) == 3
    assert json.loads(cli("changes", "--provider", "Other", "--format", "json")[1]) == []


def test_history_of_an_unknown_model_and_a_bad_date_are_one_line_errors():
    cli("refresh", "--source", V1, "--as-of", "2026-11-01")
    code, out, err = cli("history", "nope/model")
    assert (code, out) == (1, "")
    assert err == "python -m catalog: error: no stored prices for model 'nope/model'\n"
    code, _, err = cli("changes", "--since", "2026-13-01")
    assert code == 2 and "'2026-13-01' is not a date (expected YYYY-MM-DD)" in err and err.count("\n") == 1


def test_reading_history_before_any_refresh_says_so(database):
    code, _, err = cli("changes")
    assert code == 1 and "no history database yet" in err and "\n" == err[-1] and err.count("\n") == 1
    assert not database.exists()


def test_list_shows_the_catalog_as_of_a_date_and_the_newest_stored_pages_by_default():
    cli("refresh", "--source", V1, "--as-of", "2026-11-01")
    cli("refresh", "--source", V2, "--as-of", "2026-11-20")
    code, out, _ = cli("list", "--as-of", "2026-11-05")
    assert code == 0 and "acme/gamma-1b" in out and "acme/delta-32b" not in out and "3 of 3 models" in out
    code, out, _ = cli("list")  # the embedded DeepInfra page plus Acme's newest stored page
    assert "acme/delta-32b" in out and "acme/gamma-1b" not in out and "55 of 55 models" in out
    code, out, _ = cli("list", "--source", V1)  # --source overrides the store
    assert "3 of 3 models" in out and "acme/gamma-1b" in out
    code, _, err = cli("list", "--as-of", "2026-10-01")
    assert code == 1 and "no page is from 2026-10-01 or before; the oldest is from 2026-11-01" in err


def test_as_of_counts_the_embedded_page_as_seen_on_its_snapshot_date(database):
    code, out, _ = cli("list", "--as-of", "2026-11-30")
    assert code == 0 and "52 of 52 models" in out and not database.exists()
    code, _, err = cli("list", "--as-of", "2026-11-24")
    assert code == 1 and "no page is from 2026-11-24 or before; the oldest is from 2026-11-25" in err
    cli("refresh", "--source", V1, "--as-of", "2026-11-01")
    assert "55 of 55 models" in cli("list", "--as-of", "2026-11-30")[1]
    assert "3 of 3 models" in cli("list", "--as-of", "2026-11-24")[1]


def test_a_stored_deepinfra_page_newer_than_the_embedded_one_replaces_it(tmp_path):
    newer = tmp_path / "deepinfra.md"
    newer.write_text(DEFAULT_PAGE.text().replace("| \\$1.40            | \\$4.40", "| \\$9.40            | \\$4.40"))
    assert "\\$9.40" in newer.read_text()
    cli("refresh", "--source", str(newer), "--as-of", "2026-11-24")  # older than the embedded page: not shown
    rows = json.loads(cli("export")[1])
    assert next(r for r in rows if r["model"] == "zai-org/GLM-5.2")["input_usd_per_mtok"] == 1.4
    cli("refresh", "--source", str(newer), "--as-of", "2026-11-30")
    rows = json.loads(cli("export")[1])
    assert next(r for r in rows if r["model"] == "zai-org/GLM-5.2")["input_usd_per_mtok"] == 9.4
    code, out, _ = cli("cost", "--input-tokens", "1000000", "--output-tokens", "0", "--as-of", "2026-11-24")
    assert code == 0 and "$9.40" in out


def test_export_llm_prices_writes_their_historical_shape():
    cli("refresh", "--source", V1, "--as-of", "2026-11-01")
    cli("refresh", "--source", V2, "--as-of", "2026-11-20")
    code, out, _ = cli("export", "--format", "llm-prices")
    assert code == 0
    prices = json.loads(out)["prices"]
    keys = ("id", "vendor", "name", "input", "input_cached", "output", "from_date", "to_date")
    assert {tuple(p) for p in prices} == {keys}
    beta = [p for p in prices if p["id"] == "acme/beta-70b"]
    assert [(p["input"], p["output"], p["from_date"], p["to_date"]) for p in beta] == [
        (0.6, 1.2, "2026-11-20", None),
        (0.5, 1.0, "2026-11-01", "2026-11-20"),
    ]  # fmt: skip  (the price in force first, as llm-prices' build script sorts)
    assert beta[0]["vendor"] == "acme"  # the maker: the id's organisation


def test_a_database_that_cannot_be_written_is_named_without_its_password(monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", "postgresql+psycopg://me:hunter2@127.0.0.1:1/x?connect_timeout=2")
    code, out, err = cli("refresh", "--source", V1)
    assert code == 1 and out == ""
    assert err.startswith("python -m catalog: error: the history database (CATALOG_DB_URL=postgresql+psycopg://me:***@")
    assert "hunter2" not in err and err.count("\n") == 1
    code, out, err = cli("list")  # browsing still works on the embedded page, with a warning
    assert code == 0 and "52 of 52 models" in out and "warning: the history database" in err and "hunter2" not in err


def test_refresh_reads_a_url_on_loopback_and_records_it_as_seen_today():
    with serving(Site({"/acme.md?token=secret": (PAGES / "v2.md").read_text()})) as site:
        code, out, _ = cli("refresh", "--source", f"{site.url}/acme.md?token=secret")
    assert code == 0 and "new snapshot" in out and "secret" not in out
    assert out.startswith(f"{site.url}/acme.md: Acme as of ")


@pytest.mark.parametrize("flags", [(), ("--source", V1), ("--index", "http://127.0.0.1:9/docs/llms.txt")])
def test_refresh_as_of_after_tomorrow_is_refused_before_anything_is_read_or_made(database, flags):
    code, out, err = cli("refresh", *flags, "--as-of", "9999-12-31")
    today = dt.date.today()
    assert (code, out) == (1, "")
    assert err == (
        f"python -m catalog: error: --as-of 9999-12-31 is after today ({today}): "
        "a page can only be recorded as seen by today\n"
    )
    assert not database.exists()


def test_refresh_as_of_tomorrow_is_allowed_for_time_zones_and_the_library_refuses_later_days(database):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    code, out, _ = cli("refresh", "--source", V1, "--as-of", tomorrow.isoformat())
    assert code == 0 and f"as of {tomorrow}: new snapshot" in out
    with Store(f"sqlite:///{database}") as store, pytest.raises(CatalogError, match="is after today"):
        refresh(store, [V1], tomorrow + dt.timedelta(days=1))
