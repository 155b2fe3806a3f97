"""Provider pages beyond the embedded one: from the operator's configuration, or uploaded in the dashboard.

The dashboard never fetches an address a visitor types: extra pages come from `CATALOG_SOURCES` (set by
whoever runs the app) or from a file the visitor uploads, which is parsed, never followed. An upload is
bounded in bytes and in models (operator settings), so one visitor cannot slow the app for everyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalog.history import newest_known_pages
from catalog.parser import parse_page
from catalog.records import Catalog, SourceError
from catalog.settings import BY_NAME, in_force
from catalog.sources import build_catalog, load_page

#: The environment variables that bound an upload, and their defaults.
MAX_BYTES_VARIABLE = "CATALOG_MAX_UPLOAD_BYTES"
MAX_MODELS_VARIABLE = "CATALOG_MAX_UPLOAD_MODELS"
DEFAULT_MAX_UPLOAD_BYTES = int(BY_NAME[MAX_BYTES_VARIABLE].default)
DEFAULT_MAX_UPLOAD_MODELS = int(BY_NAME[MAX_MODELS_VARIABLE].default)


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """The largest upload accepted: bytes of the file and models on the page."""

    max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_models: int = DEFAULT_MAX_UPLOAD_MODELS

    @classmethod
    def from_environment(cls, settings: Mapping[str, str] | None = None) -> UploadLimits:
        """The limits the operator set in `CATALOG_MAX_UPLOAD_BYTES` / `CATALOG_MAX_UPLOAD_MODELS` (of `settings`,
        default the settings in force), or the defaults."""
        settings = in_force() if settings is None else settings
        return cls(_positive(settings, MAX_BYTES_VARIABLE), _positive(settings, MAX_MODELS_VARIABLE))


def _positive(settings: Mapping[str, str], name: str) -> int:
    variable = BY_NAME[name]
    text = settings.get(name, "").strip() or variable.default
    if (problem := variable.problem(text)) is not None:
        raise SourceError(f"the operator setting {problem}")
    return int(text.replace("_", ""))


def _size(count: int) -> str:
    return f"{count // 1_000_000} MB" if count % 1_000_000 == 0 else f"{count:,} bytes"


def decode_upload(data: bytes, name: str, limits: UploadLimits | None = None) -> str:
    """An uploaded page's text; a `SourceError` if it is too large or not UTF-8."""
    limits = limits or UploadLimits.from_environment()
    if len(data) > limits.max_bytes:
        raise SourceError(
            f"{name}: {len(data):,} bytes is more than the {_size(limits.max_bytes)} an uploaded page may be"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{name}: not UTF-8 text (byte {error.start})") from None


def catalog_with_extras(
    sources: Sequence[str] = (), uploads: Sequence[tuple[str, bytes]] = (), limits: UploadLimits | None = None
) -> Catalog:
    """The newest known page of every provider (stored history, else the embedded page), plus configured
    `sources` and uploaded `(name, data)` pages.

    A configured or uploaded page for a provider already known replaces it (it is the one asked for). Raises
    `ParseError` (naming the page and line) or `SourceError`, so the caller can keep its catalog.
    Uploads are held to `limits` (by default the operator's, from the settings in force).
    """
    if uploads and limits is None:
        limits = UploadLimits.from_environment()
    limits = limits or UploadLimits()
    extra = [load_page(spec) for spec in sources]
    extra += [
        parse_page(decode_upload(data, name, limits), source=f"uploaded {name}", max_models=limits.max_models)
        for name, data in uploads
    ]
    named = {page.provider.name for page in extra}
    return build_catalog([page for page in newest_known_pages() if page.provider.name not in named] + extra)
