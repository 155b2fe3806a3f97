"""Every Lava provider page: read the docs index (`llms.txt`), follow its provider links, fetch them concurrently.

Only links on the index's own host are followed (scheme, host and port alike), and only those whose path
holds `/gateway/providers/` and ends in `.md`: the index cannot send the fetcher anywhere else. The index and
each page are read by `catalog.fetch.fetch_text`, within its bounds, and the whole index is bounded too: at
most `MAX_INDEX_PAGES` pages, holding at most `INDEX_TOTAL_FACTOR` times the byte cap of one page together,
all started within `INDEX_TOTAL_FACTOR` times the deadline of one fetch.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from catalog.fetch import FetchLimits, fetch_text, redact_url, size_text
from catalog.records import CatalogError, SourceError

DEFAULT_INDEX = "https://lava.so/docs/llms.txt"
#: Pages fetched at once: Lava's index links some 27 provider pages, so they all come in one round trip;
#: the bound keeps an index that lists thousands from opening thousands of connections.
DEFAULT_CONCURRENCY = 32
PROVIDER_PATH = "/gateway/providers/"
#: Largest index read; Lava's is a few tens of kilobytes (and a fetched one is held to the byte cap first).
MAX_INDEX_CHARS = 2_000_000
#: Most provider pages one index may send the fetcher to (Lava's links some 27); the rest are skipped, and said.
MAX_INDEX_PAGES = 500
#: The pages of one index together hold at most this many times the byte cap of one page, and are all started
#: within this many times the deadline of one fetch (Lava's 27 pages take a second or two).
INDEX_TOTAL_FACTOR = 10
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


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """Scheme, host and port; None for text that is no URL (`http://[::1`, a port of `99999`)."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None


def _joined(base: str, target: str) -> str:
    """The link's target against the index's URL; the target as written when either is no URL (then skipped)."""
    try:
        return urljoin(base, target)
    except ValueError:
        return target


def read_index(text: str, url: str) -> Index:
    """The provider pages an index links to on its own host, in the order it lists them, each once."""
    text = text[:MAX_INDEX_CHARS]
    candidates = [_joined(url, target) for target in _LINK_TARGET.findall(text)] + _BARE_URL.findall(text)
    pages: dict[str, None] = {}
    skipped: dict[str, str] = {}
    home = _origin(url)
    for candidate in candidates:
        path = candidate.split("#", 1)[0].split("?", 1)[0]
        if PROVIDER_PATH not in path or not path.endswith(".md"):
            continue
        page = candidate.split("#", 1)[0]
        origin = _origin(page)
        if origin is None:
            skipped.setdefault(redact_url(page), "not a valid URL, not followed")
        elif origin != home:
            skipped.setdefault(redact_url(page), "on another host than the index, not followed")
        elif page in pages or len(pages) < MAX_INDEX_PAGES:
            pages.setdefault(page, None)
        else:
            skipped.setdefault(redact_url(page), f"past the first {MAX_INDEX_PAGES} provider pages, not followed")
    return Index(url=url, pages=tuple(pages), skipped=tuple(skipped.items()))


def same_host_client(url: str) -> httpx.Client:
    """A client that follows redirects, but only on the host of `url`: any other is refused."""
    home = _origin(url)

    def check(request: httpx.Request) -> None:
        if _origin(str(request.url)) != home:
            raise SourceError(f"{redact_url(str(request.url))}: on another host than the index, not followed")

    return httpx.Client(follow_redirects=True, event_hooks={"request": [check]})


def fetch_pages(
    urls: Sequence[str],
    client: httpx.Client,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_fetched: Callable[[Fetched], None] | None = None,
    limits: FetchLimits | None = None,
) -> list[Fetched]:
    """Fetch every page, `concurrency` at a time; the results in the order of `urls`, failures included.

    Each page is held to `limits` (default: the operator's), and all of them together to `INDEX_TOTAL_FACTOR`
    times its byte cap and its deadline: past either, the pages not yet read fail with the reason, and what
    was read is kept.
    """
    limits = limits or FetchLimits.from_settings()
    budget = _Budget(limits.max_bytes * INDEX_TOTAL_FACTOR, limits.deadline_s * INDEX_TOTAL_FACTOR)

    def fetch(url: str) -> Fetched:
        try:
            budget.check(url)
            result = Fetched(url, text=budget.spend(url, fetch_text(url, client=client, limits=limits)))
        except CatalogError as error:
            result = Fetched(url, error=str(error))
        if on_fetched is not None:
            on_fetched(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="fetch-page") as pool:
        return list(pool.map(fetch, urls))


class _Budget:
    """The bytes and the time the pages of one index may take together, shared by the threads that fetch them."""

    def __init__(self, total: int, seconds: float) -> None:
        self.total = total
        self.spent = 0
        self.seconds = seconds
        self._ends = time.monotonic() + seconds
        self._lock = threading.Lock()

    def _refusal(self, url: str) -> SourceError:
        return SourceError(
            f"{redact_url(url)}: not read, the index's pages together passed {size_text(self.total)} "
            f"({INDEX_TOTAL_FACTOR} × the byte cap of one page)"
        )

    def check(self, url: str) -> None:
        """Refuse to start a page once the pages hold too much, or took too long."""
        with self._lock:
            if self.spent > self.total:
                raise self._refusal(url)
        if time.monotonic() > self._ends:
            raise SourceError(
                f"{redact_url(url)}: not read, the index's pages took longer than {self.seconds:g} s together "
                f"({INDEX_TOTAL_FACTOR} × the deadline of one fetch)"
            )

    def spend(self, url: str, text: str) -> str:
        with self._lock:
            self.spent += len(text)
            if self.spent > self.total:
                raise self._refusal(url)
        return text


def discover(
    index_url: str = DEFAULT_INDEX,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_fetched: Callable[[Fetched], None] | None = None,
    limits: FetchLimits | None = None,
) -> tuple[Index, list[Fetched]]:
    """Read the index at `index_url` and fetch every provider page it links to on its own host.

    Raises `SourceError` only when the index itself cannot be read (it is held to the same `limits` as a
    page); a page that fails is in the results with its reason.
    """
    limits = limits or FetchLimits.from_settings()
    if _origin(index_url) is None or not index_url.lower().startswith(("http://", "https://")):
        raise SourceError(f"{redact_url(index_url)}: the index must be an http(s) URL")
    with same_host_client(index_url) as client:
        index = read_index(fetch_text(index_url, client=client, limits=limits), index_url)
        pages = fetch_pages(index.pages, client, concurrency=concurrency, on_fetched=on_fetched, limits=limits)
        return index, pages
