"""The issue's acceptance scenario through the CLI, in process, on SQLite and PostgreSQL, in both orders."""

from __future__ import annotations

import io
import json

import pytest
from storedb import PAGES, db_url, pg_url  # noqa: F401  (fixtures)

from catalog.cli import main

V1 = (str(PAGES / "v1.md"), "2026-11-01")
V2 = (str(PAGES / "v2.md"), "2026-11-20")


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def import_pages(order: tuple[tuple[str, str], ...]) -> None:
    for page, day in order:
        code, out, err = cli("refresh", "--source", page, "--as-of", day)
        assert code == 0, err
        assert "new snapshot" in out


EXPECTED_CHANGES = [
    {"date": "2026-11-20", "provider": "Acme", "model": "acme/beta-70b", "change": "price",
     "old_input": 0.5, "new_input": 0.6, "old_output": 1.0, "new_output": 1.2},
    {"date": "2026-11-20", "provider": "Acme", "model": "acme/delta-32b", "change": "added",
     "old_input": None, "new_input": 0.3, "old_output": None, "new_output": 0.4},
    {"date": "2026-11-20", "provider": "Acme", "model": "acme/gamma-1b", "change": "removed",
     "old_input": 0.01, "new_input": None, "old_output": 0.02, "new_output": None},
]  # fmt: skip
EXPECTED_HISTORY = [
    {"provider": "Acme", "model": "acme/beta-70b", "input_usd_per_mtok": 0.5, "output_usd_per_mtok": 1.0,
     "from_date": "2026-11-01", "to_date": "2026-11-20"},
    {"provider": "Acme", "model": "acme/beta-70b", "input_usd_per_mtok": 0.6, "output_usd_per_mtok": 1.2,
     "from_date": "2026-11-20", "to_date": None},
]  # fmt: skip


@pytest.mark.parametrize("order", [(V1, V2), (V2, V1)], ids=["in-order", "reversed"])
def test_two_pages_give_exactly_three_changes_and_two_ranges_meeting_on_the_second_date(db_url, monkeypatch, order):  # noqa: F811
    monkeypatch.setenv("CATALOG_DB_URL", db_url)
    import_pages(order)

    code, out, err = cli("changes", "--format", "json")
    assert code == 0, err
    changes = json.loads(out)
    assert changes == EXPECTED_CHANGES
    assert all(list(change) == list(EXPECTED_CHANGES[0]) for change in changes)  # exactly these keys, in order

    code, out, err = cli("history", "acme/beta-70b", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == EXPECTED_HISTORY

    code, out, _ = cli("refresh", "--source", order[0][0], "--as-of", order[0][1])
    assert code == 0 and "unchanged" in out
    assert json.loads(cli("changes", "--format", "json")[1]) == EXPECTED_CHANGES
