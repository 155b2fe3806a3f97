"""Provider pages beyond the embedded one: from the operator's configuration, or uploaded in the dashboard.

The dashboard never fetches an address a visitor types: extra pages come from `CATALOG_SOURCES` (set by
whoever runs the app) or from a file the visitor uploads, which is parsed, never followed.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog.parser import parse_page
from catalog.records import Catalog, SourceError
from catalog.sources import build_catalog, load_page

#: Largest uploaded page accepted, in bytes; provider pages are a few kilobytes.
MAX_UPLOAD_BYTES = 5_000_000


def decode_upload(data: bytes, name: str) -> str:
    """An uploaded page's text; a `SourceError` if it is too large or not UTF-8."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SourceError(f"{name}: larger than {MAX_UPLOAD_BYTES // 1_000_000} MB, not a provider page")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{name}: not UTF-8 text (byte {error.start})") from None


def catalog_with_extras(sources: Sequence[str] = (), uploads: Sequence[tuple[str, bytes]] = ()) -> Catalog:
    """The embedded page plus configured `sources` and uploaded `(name, data)` pages.

    A page for the same provider as the embedded one replaces it (it is the fresher copy). Raises
    `ParseError` (naming the page and line) or `SourceError`, so the caller can keep its catalog.
    """
    extra = [load_page(spec) for spec in sources]
    extra += [parse_page(decode_upload(data, name), source=f"uploaded {name}") for name, data in uploads]
    embedded = load_page(None)
    replaced = any(page.provider.name == embedded.provider.name for page in extra)
    return build_catalog(([] if replaced else [embedded]) + extra)
