"""Every Lava provider page: read the docs index (`llms.txt`), follow its provider links, fetch them concurrently.

Only links on the index's own host are followed (scheme, host and port alike), and only those whose path
holds `/gateway/providers/` and ends in `.md`: the index cannot send the fetcher anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from catalog.records import CatalogError, SourceError
from catalog.sources import DEFAULT_TIMEOUT, fetch_text, redact_url

DEFAULT_INDEX = "https://lava.so/docs/llms.txt"
#: Pages fetched at once: Lava's index links some 27 provider pages, so they all come in one round trip;
#: the bound keeps an index that lists thousands from opening thousands of connections.
DEFAULT_CONCURRENCY = 32
PROVIDER_PATH = "/gateway/providers/"
#: Largest index read; Lava's is a few tens of kilobytes.
MAX_INDEX_CHARS = 2_000_000
#: A markdown link target `](…)`, or a bare http(s) URL: each a single character class, so no backtracking.
_LINK_TARGET = re.compile(r"\]\(([^\s()<>]{1,2000})")
_BARE_URL = re.compile(r"https?://[^\s()<>\[\]\"'`]{1,2000}")


@dataclass(frozen=True, slots=True)
class Fetched:
    """One provider page: its text, or the reason it could not be had."""

    url: str
    text: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Index:
    """What an index links to: the provider pages to fetch, and the links set aside with the reason."""

    url: str
    pages: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def read_index(text: str, url: str) -> Index:
    """The provider pages an index links to on its own host, in the order it lists them, each once."""
    text = text[:MAX_INDEX_CHARS]
    candidates = [urljoin(url, target) for target in _LINK_TARGET.findall(text)] + _BARE_URL.findall(text)
    pages: dict[str, None] = {}
    skipped: dict[str, str] = {}
    home = _origin(url)
    for candidate in candidates:
        path = urlsplit(candidate).path
        if PROVIDER_PATH not in path or not path.endswith(".md"):
            continue
        page = candidate.split("#", 1)[0]
        if _origin(page) != home:
            skipped.setdefault(redact_url(page), "on another host than the index, not followed")
        else:
            pages.setdefault(page, None)
    return Index(url=url, pages=tuple(pages), skipped=tuple(skipped.items()))


def same_host_client(url: str) -> httpx.Client:
    """A client that follows redirects, but only on the host of `url`: any other is refused."""
    home = _origin(url)

    def check(request: httpx.Request) -> None:
        if _origin(str(request.url)) != home:
            raise SourceError(f"{redact_url(str(request.url))}: on another host than the index, not followed")

    return httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=True, event_hooks={"request": [check]})


def fetch_pages(
    urls: Sequence[str],
    client: httpx.Client,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_fetched: Callable[[Fetched], None] | None = None,
) -> list[Fetched]:
    """Fetch every page, `concurrency` at a time; the results in the order of `urls`, failures included."""

    def fetch(url: str) -> Fetched:
        try:
            result = Fetched(url, text=fetch_text(url, client=client))
        except CatalogError as error:
            result = Fetched(url, error=str(error))
        if on_fetched is not None:
            on_fetched(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="fetch-page") as pool:
        return list(pool.map(fetch, urls))


def discover(
    index_url: str = DEFAULT_INDEX,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_fetched: Callable[[Fetched], None] | None = None,
) -> tuple[Index, list[Fetched]]:
    """Read the index at `index_url` and fetch every provider page it links to on its own host.

    Raises `SourceError` only when the index itself cannot be read; a page that fails is in the results
    with its reason.
    """
    with same_host_client(index_url) as client:
        index = read_index(fetch_text(index_url, client=client), index_url)
        return index, fetch_pages(index.pages, client, concurrency=concurrency, on_fetched=on_fetched)
