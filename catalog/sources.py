"""Where provider pages come from: the embedded DeepInfra snapshot, a file, or an http(s) URL.

A URL is read by `catalog.fetch.fetch_text` (re-exported here), bounded in bytes, time and decompression.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import httpx

from catalog.enrich import enrich_page
from catalog.fetch import fetch_text, redact_url
from catalog.parser import cut, parse_page, quote
from catalog.records import DEFAULT_OUTPUT_SHARE, Catalog, ParsedPage, SourceError


@dataclass(frozen=True, slots=True)
class EmbeddedPage:
    """A provider page shipped inside the package, with where and when it was taken."""

    resource: str
    url: str
    snapshot_date: str

    def text(self) -> str:
        return resources.files("catalog.data").joinpath(self.resource).read_text(encoding="utf-8")


#: The page the catalog shows when no source is given.
DEFAULT_PAGE = EmbeddedPage(
    resource="lava-deepinfra.md",
    url="https://lava.so/docs/gateway/providers/deepinfra",
    snapshot_date="2026-11-25",
)
#: The environment variable that lists the operator's provider pages (paths or URLs, comma-separated).
SOURCES_VARIABLE = "CATALOG_SOURCES"


def configured_sources(value: str | None) -> tuple[str, ...]:
    """The page specs in a `CATALOG_SOURCES` value: comma-separated, blanks ignored."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def is_url(spec: str) -> bool:
    return spec.lower().startswith(("http://", "https://"))


def configured_urls(value: str | None) -> tuple[str, ...]:
    """The URLs among the page specs of a `CATALOG_SOURCES` value: what the dashboard's Refresh prices reads (never
    a file of the server's, nor an address typed in the page)."""
    return tuple(spec for spec in configured_sources(value) if is_url(spec))


def public_source(source: str | None) -> str | None:
    """Where a page came from, fit for a public file: a URL without credentials or query, a file by its name
    only (the operator's folders are nobody's business); None when unknown."""
    if not source:
        return None
    return redact_url(source) if is_url(source) else re.split(r"[\\/]", source)[-1] or None


def load_page(spec: str | None = None, *, client: httpx.Client | None = None) -> ParsedPage:
    """Load and parse one provider page: the embedded default (None), a file path, or a URL."""
    if spec is None:
        return parse_page(DEFAULT_PAGE.text(), source=DEFAULT_PAGE.url, snapshot_date=DEFAULT_PAGE.snapshot_date)
    if is_url(spec):
        return parse_page(fetch_text(spec, client=client), source=redact_url(spec), snapshot_date=_today())
    if "://" in spec:
        raise SourceError(f"{redact_url(spec)}: only http and https URLs can be loaded")
    return parse_page(read_text(spec), source=spec, snapshot_date=_modified_date(spec))


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a page") from None
    except PermissionError:
        raise SourceError(f"{path}: permission denied") from None
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot be read ({error.strerror})") from None
    except ValueError:  # a NUL in the path
        raise SourceError(f"{quote(path)}: not a file name") from None


def build_catalog(pages: Iterable[ParsedPage], output_share: float = DEFAULT_OUTPUT_SHARE) -> Catalog:
    """One catalog from several parsed pages, each model tagged with its provider."""
    pages = list(pages)
    seen: dict[str, str] = {}
    for page in pages:
        name = page.provider.name
        if name in seen:
            raise SourceError(
                f"provider {quote(name)} is loaded twice ({cut(seen[name])} and {cut(page.provider.source)})"
            )
        seen[name] = page.provider.source
    return Catalog(
        providers=tuple(page.provider for page in pages),
        models=tuple(record for page in pages for record in enrich_page(page, output_share)),
        warnings=tuple(warning for page in pages for warning in page.warnings),
    )


def load_catalog(
    sources: Sequence[str] = (),
    *,
    output_share: float = DEFAULT_OUTPUT_SHARE,
    client: httpx.Client | None = None,
) -> Catalog:
    """The catalog of the given pages (files or URLs), or of the embedded default when none is given."""
    specs: Sequence[str | None] = sources or (None,)
    return build_catalog((load_page(spec, client=client) for spec in specs), output_share)


def _today() -> str:
    return dt.date.today().isoformat()


def _modified_date(path: str) -> str | None:
    try:
        return dt.date.fromtimestamp(Path(path).stat().st_mtime).isoformat()
    except OSError:
        return None
