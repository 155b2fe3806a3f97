"""`refresh --source` for other price databases: a LiteLLM map, an OpenRouter models JSON, a models.dev folder.

Each is rendered as a provider page (`catalog.formats.imports`) and recorded through the same snapshot and
history machinery as a Lava page, so Changes, `history` and `--as-of` work on it unchanged; a Lava page (or
anything else) goes to the ordinary refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from catalog.fetch import fetch_text, redact_url
from catalog.formats.imports import ImportedPage, folder_kind, import_folder, import_json
from catalog.history import Store
from catalog.history.refresh import SourceOutcome, record_text, refresh
from catalog.records import CatalogError
from catalog.sources import is_url, read_text


def _imported(spec: str) -> list[ImportedPage] | None:
    """The pages another database's file, URL or folder gives; None when it is not one (a Lava page)."""
    if not is_url(spec) and Path(spec).is_dir():
        if folder_kind(Path(spec)) is None:
            raise CatalogError(f"{spec}: a folder, but not a models.dev checkout (no <provider>/models/*.toml)")
        return import_folder(Path(spec))
    if not (is_url(spec) or spec.endswith(".json")):
        return None
    text = fetch_text(spec) if is_url(spec) else read_text(spec)
    page = import_json(text, redact_url(spec) if is_url(spec) else spec)
    return None if page is None else [page]


def refresh_sources(store: Store, specs: Sequence[str | None], as_of: dt.date | None) -> list[SourceOutcome]:
    """Refresh each source in order: another database's as its pages, a Lava page (or None) as before."""
    outcomes: list[SourceOutcome] = []
    for spec in specs:
        shown = spec if spec is None or not is_url(spec) else redact_url(spec)
        try:
            pages = None if spec is None else _imported(spec)
        except CatalogError as error:
            outcomes.append(SourceOutcome(str(shown), "failed", reason=str(error).removeprefix(f"{shown}: ")))
            continue
        if pages is None:
            outcomes += refresh(store, [spec], as_of)
            continue
        day = as_of or dt.date.today()
        for page in pages:
            outcomes.append(record_text(store, page.text, f"{shown} ({page.provider})", str(shown), day))
    return outcomes
