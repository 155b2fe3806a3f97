"""The sidebar's summary, without Streamlit: the data-quality notes, the day prices are as of, the snapshot's age."""

from __future__ import annotations

import datetime as dt

from catalog.dashboard.summary import quality_notes, shown_day, snapshot_age
from catalog.history.refresh import RefreshTally, SourceOutcome
from catalog.parser import parse_page
from catalog.sources import build_catalog, load_catalog

PAGE = (
    "# Acme\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n|---|---|---|\n"
    "| a/free-1b | $0 | $0 |\n| a/odd-2b | $2 | $1 |\n| a/fine-3b | $1 | $2 |\n"
)


def test_the_embedded_catalog_has_no_quality_notes():
    notes = quality_notes(load_catalog())
    assert notes.warnings == () and notes.flagged == ()
    assert notes.label == "Data quality: no issues found"


def test_each_flagged_model_is_a_note_with_its_flags_in_words():
    notes = quality_notes(build_catalog([parse_page(PAGE, source="acme.md", snapshot_date="2026-01-02")]))
    assert [model for model, _ in notes.flagged] == ["a/free-1b", "a/odd-2b"]
    assert dict(notes.flagged)["a/odd-2b"] == "output is cheaper than input"
    assert notes.label == f"Data quality: {len(notes.warnings) + 2} notes"


def test_a_single_note_is_one_note():
    page = PAGE.replace("| a/free-1b | $0 | $0 |\n", "")
    notes = quality_notes(build_catalog([parse_page(page, source="acme.md")]))
    assert notes.label == "Data quality: 1 note"


def test_prices_are_as_of_the_day_asked_else_the_newest_snapshot():
    models = build_catalog([parse_page(PAGE, source="acme.md", snapshot_date="2026-01-02")])
    assert shown_day(models, "2025-12-01") == "2025-12-01"
    assert shown_day(models, None) == "2026-01-02"
    assert shown_day(build_catalog([parse_page(PAGE, source="acme.md")]), None) == "unknown"


def test_a_snapshot_is_today_or_days_old():
    newest = dt.date(2026, 1, 2)
    assert snapshot_age(newest, newest) == "Newest stored snapshot: 2026-01-02, today"
    assert snapshot_age(newest, dt.date(2026, 1, 3)) == "Newest stored snapshot: 2026-01-02, 1 day old"
    assert snapshot_age(newest, dt.date(2026, 1, 12)) == "Newest stored snapshot: 2026-01-02, 10 days old"


def test_a_refresh_is_tallied_in_one_line_and_fails_only_when_nothing_was_read():
    new, same, bad = (SourceOutcome("a", "new"), SourceOutcome("b", "unchanged"), SourceOutcome("c", "failed"))
    tally = RefreshTally.of([new, same, same, bad])
    assert tally == RefreshTally(new=1, unchanged=2, failed=1) and not tally.all_failed
    assert tally.line() == "Refreshed: 1 new snapshot, 2 unchanged, 1 failed"
    assert RefreshTally.of([bad, bad]).all_failed and RefreshTally.of([]).all_failed
    assert RefreshTally.of([same]).line() == "Refreshed: 0 new snapshots, 1 unchanged, 0 failed"
