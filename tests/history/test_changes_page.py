"""The Changes page, `?as_of=` links, the history sidebar and the operator's refresh button under AppTest."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from html_tables import html_lines_of, page_stats, page_table, page_tables
from sent_order import sent_around_the_pause
from storedb import PAGES
from streamlit.testing.v1 import AppTest

from catalog.cli import main
from catalog.history import newest_known_pages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def history(tmp_path, monkeypatch) -> str:
    """A history database with v1.md as of 2026-11-01 and v2.md as of 2026-11-20."""
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    monkeypatch.setenv("CATALOG_DB_URL", url)
    monkeypatch.delenv("CATALOG_SOURCES", raising=False)
    for page, day in (("v1.md", "2026-11-01"), ("v2.md", "2026-11-20")):
        assert main(["refresh", "--source", str(PAGES / page), "--as-of", day], stdout=io.StringIO()) == 0
    return url


def app(params: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    """The dashboard opened with `params`, on `page` if given.

    AppTest runs the router (`app.py`: sidebar history part, as-of banner, refresh button) on the first run
    only; later runs run the page alone. So router tests look at the first run, and clicking the router's
    buttons is tested in Chromium (tests/browser/test_history_browser.py).
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        for name, value in (params or {}).items():  # the first page rewrote the link to its own view
            at.query_params[name] = value
        at.switch_page(page).run()
    assert not at.exception
    return at


def param(at: AppTest, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def texts(at: AppTest) -> str:
    parts = [item.value for kind in ("markdown", "caption", "info", "warning", "text") for item in getattr(at, kind)]
    return "\n".join(str(part) for part in parts)


def test_the_changes_page_lists_the_three_changes_biggest_mover_first_with_a_chart(history):
    at = app(page="pages/changes.py")
    at.date_input(key="ch_since").set_value("2026-11-01").run()
    assert not at.dataframe  # the tables are HTML: on screen without the grid's JavaScript
    table = page_table(at, "Price changes")
    assert table.column("Model") == ["acme/beta-70b", "acme/delta-32b", "acme/gamma-1b"]
    assert table.column("Change") == ["▲ up", "+ added", "- removed"]
    assert table.column("Move") == ["+20.0%", "—", "—"] and table.rows[0]["Input $/1M"] == "$0.50 → $0.60"
    assert table.links[0]["Model"] == "/changes?hist=acme%2Fbeta-70b&hist_provider=Acme"
    history = page_table(at, "Price history")
    assert [row["From"] for row in history.rows] == ["2026-11-01", "2026-11-20"]
    assert history.rows[-1]["To"] == "(current)" and history.rows[-1]["Input $/1M"] == "$0.60"
    assert page_stats(at, "Changes") == {
        "Price rises": "1",
        "Price cuts": "0",
        "Models added": "1",
        "Models removed": "1",
    }
    assert len(at.get("plotly_chart")) == 1
    assert "acme/beta-70b on Acme: 2 price ranges" in texts(at)
    assert param(at, "hist") == ["acme/beta-70b"]
    assert not at.exception


def test_the_changes_page_defaults_to_the_last_30_days_and_says_when_nothing_changed(history):
    at = app(page="pages/changes.py")
    assert at.date_input(key="ch_since").value == dt.date.today() - dt.timedelta(days=30)
    at.date_input(key="ch_since").set_value(dt.date(2026, 11, 21)).run()
    assert f"No price changes between 2026-11-21 and {dt.date.today()}." in texts(at)
    assert f"Prices that moved between 2026-11-21 and {dt.date.today()}." in texts(at)  # above the picker
    assert not [table for table in page_tables(at) if table.label == "Price changes"]


def test_a_first_visit_gets_the_changes_before_the_date_picker_and_the_chart(history, monkeypatch):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.switch_page("pages/changes.py")
    before, after = sent_around_the_pause(at, monkeypatch)
    assert "html Changes" in before and not {"date_input", "selectbox", "plotly_chart"} & set(before)
    assert {"date_input", "selectbox"} <= set(after)
    at.date_input(key="ch_since").set_value("2026-11-01").run()  # the picker's value is read before it is drawn
    assert page_stats(at, "Changes")["Price rises"] == "1" and page_table(at, "Price changes")


def test_a_history_link_opens_that_models_chart(history):
    at = app({"hist": "acme/gamma-1b", "hist_provider": "Acme"}, page="pages/changes.py")
    assert at.selectbox(key="ch_model").value == ("Acme", "acme/gamma-1b")
    assert "acme/gamma-1b on Acme: 1 price range" in texts(at)


def test_an_as_of_link_shows_the_whole_dashboard_as_on_that_day_and_keeps_the_date(history):
    at = app({"as_of": "2026-11-05"})
    assert "Prices as of 2026-11-05" in at.info[0].value
    assert sorted(page_table(at, "Models").model_ids()) == ["acme/alpha-7b", "acme/beta-70b", "acme/gamma-1b"]
    assert param(at, "as_of") == ["2026-11-05"]
    assert [button.label for button in at.button if button.key == "as_of_clear"] == ["Back to today's prices"]
    other = app({"as_of": "2026-11-05"}, page="pages/compare.py")
    assert param(other, "as_of") == ["2026-11-05"]


def test_an_as_of_day_before_the_history_says_so_and_shows_todays_prices(history):
    at = app({"as_of": "2020-01-01"})
    assert any("cannot be shown" in item.value and "the oldest is from 2026" in item.value for item in at.warning)
    today = newest_known_pages()  # the embedded page and the history's newest page of its other provider
    assert len(today) == 2 and len(page_table(at, "Models").rows) == sum(len(page.rows) for page in today)


def test_the_sidebar_says_how_old_the_newest_snapshot_is_and_where_the_history_is(history):
    at = app()
    assert "Newest stored snapshot: 2026-11-20" in texts(at)
    assert "Prices as of 2026-11-25" in texts(at)  # the embedded page's date


def test_an_unreachable_database_is_one_warning_without_its_password_and_browsing_goes_on(monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", "postgresql+psycopg://me:hunter2@127.0.0.1:1/x?connect_timeout=2")
    at = app()
    warnings = [item.value for item in at.warning]  # a visitor: one plain sentence, no setting's name
    assert warnings == ["Price history unavailable. Browsing the embedded page, read-only."]
    monkeypatch.setenv("OPERATOR_UI", "1")
    at = app()
    warnings = [item.value for item in at.warning]
    assert len(warnings) == 1 and "CATALOG\\_DB\\_URL" in warnings[0] and "hunter2" not in texts(at)
    assert len(page_table(at, "Models").rows) == 52
    at.switch_page("pages/changes.py").run()
    assert not at.exception and "Price history unavailable" in texts(at)


def test_refresh_prices_is_offered_only_for_configured_url_sources(history, monkeypatch):
    assert not [button for button in app().button if button.key == "history_refresh"]
    monkeypatch.setenv("CATALOG_SOURCES", str(PAGES / "v1.md"))  # a file: nothing to fetch, no button
    assert not [button for button in app().button if button.key == "history_refresh"]
    monkeypatch.setenv("CATALOG_SOURCES", "http://127.0.0.1:9/acme.md")
    assert not [button for button in app().button if button.key == "history_refresh"]  # operator-only (issue 18)
    monkeypatch.setenv("CATALOG_SPEND_MODE", "passphrase")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["spend_unlocked"] = True  # as the sidebar's passphrase field leaves it (tests/spend)
    at.run()
    assert [button.label for button in at.button if button.key == "history_refresh"] == ["Refresh prices"]


def test_page_text_in_the_as_of_sidebar_is_shown_literally(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_DB_URL", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    evil = tmp_path / "evil.md"
    table = "| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n| a/b | \\$1 | \\$2 |\n"
    evil.write_text(f"# Evil **bold** [click](http://evil.example)\n\n{table}")
    assert main(["refresh", "--source", str(evil), "--as-of", "2026-11-01"], stdout=io.StringIO()) == 0
    at = app({"as_of": "2026-11-02"})
    assert "Evil **bold** [click](http://evil.example) · snapshot 2026-11-01" in html_lines_of(at.sidebar)
    assert "evil.example" not in "".join(re.findall(r"<a [^>]*>", "".join(h.value for h in at.sidebar.get("html"))))
