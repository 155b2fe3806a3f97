"""The dashboard under AppTest as a visitor opens it: from a link, or with a large generated catalog loaded."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from dashboard_catalog import generated_page  # noqa: E402


def opened(
    params: dict[str, str] | dict[str, str | list[str]] | None = None, page: str | None = None, *, timeout: float = 60
) -> AppTest:
    """The dashboard, run once (opened with a link's `params`), then on `page` if given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception
    return at


def load_many_models(tmp_path: Path, monkeypatch: Any, count: int) -> None:
    """Load a generated provider page, "Many", of `count` models beside the embedded 52 (`CATALOG_SOURCES`)."""
    page = tmp_path / "many.md"
    page.write_text(generated_page(count).replace("# DeepInfra", "# Many", 1), encoding="utf-8")
    monkeypatch.setenv("CATALOG_SOURCES", str(page))


def let_visitors_spend(monkeypatch: Any) -> None:
    """The operator lets every visitor spend the configured credential (issue 18), with bounds as wide as the
    pages' own: what the Playground and Runs page tests that predate the spend modes test."""
    wide = {"CATALOG_SPEND_MODE": "public", "CATALOG_VISITOR_MAX_CONCURRENCY": "32",
            "CATALOG_VISITOR_MAX_TOKENS": "131072", "CATALOG_VISITOR_MAX_REPEATS": "100"}  # fmt: skip
    for name, value in wide.items():
        monkeypatch.setenv(name, value)


def rerun_until_the_run_ends(at: AppTest, seconds: float = 30) -> None:
    """Rerun the Runs page, as its one-second poll does, until its background run has ended or `seconds` passed."""
    deadline = time.monotonic() + seconds
    while "runs_job" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
