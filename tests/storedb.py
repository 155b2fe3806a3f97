"""Databases for the store's tests: a fresh SQLite file, and a fresh database on a real PostgreSQL server.

PostgreSQL comes from `CATALOG_TEST_PG_URL` (e.g. `postgresql+psycopg://postgres@127.0.0.1:55432/postgres`,
set by `.ci/run`). Without it the PostgreSQL cases skip locally and fail in CI (`CI=true`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_VARIABLE = "CATALOG_TEST_PG_URL"
PAGES = Path(__file__).parent / "history" / "pages"
BACKENDS = ("sqlite", "postgresql")


def pg_admin_url() -> str:
    url = os.environ.get(PG_VARIABLE, "").strip()
    if not url:
        reason = f"no PostgreSQL server configured: set {PG_VARIABLE} to a postgresql+psycopg:// URL (.ci/run does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped after."""
    admin = sa.make_url(pg_admin_url())
    name = f"catalog_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'history.sqlite3'}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return str(request.getfixturevalue("pg_url"))
