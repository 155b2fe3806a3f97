"""The sidebar's summary of the loaded catalog: each provider page (a link to it), its snapshot, the count."""

from __future__ import annotations

from urllib.parse import quote

from catalog.dashboard.html_table import Cell, html_lines
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
