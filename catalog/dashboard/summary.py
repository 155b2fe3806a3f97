"""The sidebar's summary of the loaded catalog: each provider page (a link to it), its snapshot, the count, its
data-quality notes and how old the newest stored snapshot is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from catalog.dashboard.html_table import Cell, html_lines
from catalog.enrich import FLAG_LABELS
from catalog.records import Catalog
from catalog.words import counted

#: Characters left as they are in a page's address (configured by the operator, or the embedded page's own).
URL_SAFE = ":/?#[]@!$&'*+,;=%~"


def catalog_lines(models: Catalog) -> str:
    """HTML for `st.html`: "DeepInfra · snapshot 2026-11-25" per page, then "52 models from 1 page"."""
    lines: list[list[Cell | str]] = []
    for provider in models.providers:
        is_url = provider.source.startswith(("https://", "http://"))
        href = quote(provider.source, safe=URL_SAFE) if is_url else None
        lines.append(
            [Cell(provider.name, href=href, external=is_url), f"snapshot {provider.snapshot_date or 'unknown'}"]
        )
    lines.append([Cell(f"{counted(len(models), 'model')} from {counted(len(models.providers), 'page')}", strong=True)])
    return html_lines(lines, label="Loaded catalog")


@dataclass(frozen=True, slots=True)
class QualityNotes:
    """The catalog's data-quality notes: its pages' warnings, and each flagged model id with its flags' labels.
    Both are text from the pages: shown literally."""

    warnings: tuple[str, ...]
    flagged: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        """ "Data quality: 3 notes", or "Data quality: no issues found"."""
        count = len(self.warnings) + len(self.flagged)
        return f"Data quality: {counted(count, 'note')}" if count else "Data quality: no issues found"


def quality_notes(models: Catalog) -> QualityNotes:
    """The parser's warnings, then every model with a quality flag ("zero price, …"), in catalog order."""
    flagged = tuple(
        (record.model, ", ".join(FLAG_LABELS.get(flag, flag) for flag in record.flags))
        for record in models.models
        if record.flags
    )
    return QualityNotes(tuple(models.warnings), flagged)


def shown_day(models: Catalog, as_of: str | None) -> str:
    """The day the prices shown are as of: the day asked for, else the newest page's snapshot, else "unknown"."""
    return as_of or max((provider.snapshot_date or "" for provider in models.providers), default="") or "unknown"


def snapshot_age(newest: dt.date, today: dt.date) -> str:
    """ "Newest stored snapshot: 2026-11-25, 3 days old" ("today" for one from today)."""
    age = (today - newest).days
    return f"Newest stored snapshot: {newest}, " + ("today" if age == 0 else f"{counted(age, 'day')} old")
