"""Where the price-history database lives: `CATALOG_DB_URL`, else an SQLite file in the user's data folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from catalog.settings import in_force

#: The environment variable that points the store at a database (any SQLAlchemy URL).
DB_URL_VARIABLE = "CATALOG_DB_URL"
APP_NAME = "llm-price-catalog"
DB_FILE = "history.sqlite3"


def default_path() -> Path:
    """The SQLite file used when `CATALOG_DB_URL` is not set (created on first write)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DB_FILE


def configured_url(settings: Mapping[str, str] | None = None) -> str:
    """The database URL in force: `CATALOG_DB_URL` (of `settings`, default the settings in force), else the
    default SQLite file."""
    value = (in_force() if settings is None else settings).get(DB_URL_VARIABLE, "").strip()
    return value or f"sqlite:///{default_path()}"


def parse_url(url: str) -> URL:
    """The URL as SQLAlchemy reads it; `ValueError` naming the variable (never the password) if it is not one."""
    try:
        return make_url(url)
    except ArgumentError:
        raise ValueError(f"{DB_URL_VARIABLE} is not a database URL (expected e.g. sqlite:///path.db)") from None


def shown_url(url: str) -> str:
    """The URL as it may be shown to a person: the password masked."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "<not a database URL>"
    return parsed.render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for other databases and in-memory SQLite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe_location(url: str) -> str:
    """One line saying where the history is kept, for `--help` and the sidebar."""
    path = sqlite_path(url)
    if path is not None:
        return f"{path} (SQLite; set {DB_URL_VARIABLE} to change)"
    return f"{shown_url(url)} (from {DB_URL_VARIABLE})"
