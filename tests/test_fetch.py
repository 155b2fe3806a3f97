"""The one fetch function against loopback servers that misbehave: every bound holds, with a plain message."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest
from cli_runner import run
from hostile_server import drip, endless, gzip_bomb, hostile, huge_index, sized, trickle
from static_server import Site, serving

from catalog.discovery import MAX_INDEX_PAGES, discover, fetch_pages, read_index, same_host_client
from catalog.fetch import DEFAULT_DEADLINE_S, DEFAULT_MAX_BYTES, FetchError, FetchLimitError, FetchLimits, fetch_text
from catalog.settings import read_settings
from catalog.sources import DEFAULT_PAGE

ROOT = Path(__file__).resolve().parents[1]
PAGE = DEFAULT_PAGE.text()
SMALL = FetchLimits(max_bytes=2_000_000, deadline_s=5)


def test_the_defaults_are_five_megabytes_and_thirty_seconds_and_the_operator_sets_them():
    assert (DEFAULT_MAX_BYTES, DEFAULT_DEADLINE_S) == (5_000_000, 30.0)
    assert FetchLimits.from_settings(read_settings({})) == FetchLimits(5_000_000, 30.0)
    chosen = read_settings({"CATALOG_FETCH_MAX_BYTES": "1_000", "CATALOG_FETCH_DEADLINE_S": "2.5"})
    assert FetchLimits.from_settings(chosen) == FetchLimits(1000, 2.5)
    wrong = read_settings({"CATALOG_FETCH_MAX_BYTES": "lots", "CATALOG_FETCH_DEADLINE_S": "-1"})
    assert FetchLimits.from_settings(wrong) == FetchLimits()  # named by `settings`, the default in force
    assert len(wrong.warnings) == 2


def test_an_endless_page_stops_at_the_byte_cap_with_the_url_and_the_bound():
    with hostile({"/page.md": endless}) as url:
        started = time.monotonic()
        with pytest.raises(FetchLimitError) as caught:
            fetch_text(f"{url}/page.md?token=hunter2", limits=SMALL)
    assert caught.value.bound == "bytes"
    assert str(caught.value).startswith(f"{url}/page.md: larger than 2 MB")
    assert "hunter2" not in str(caught.value)
    assert time.monotonic() - started < 5


def test_a_gzip_bomb_is_refused_for_its_ratio_before_it_expands():
    bomb = gzip_bomb(200)
    assert len(bomb) < 300_000
    with hostile({"/bomb.md": sized(bomb, {"Content-Encoding": "gzip"})}) as url:
        with pytest.raises(FetchLimitError) as caught:
            fetch_text(f"{url}/bomb.md", limits=FetchLimits(max_bytes=300_000_000))
    assert caught.value.bound == "ratio"
    assert "expands more than 100× when decompressed" in str(caught.value)


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [
        ("gzip", gzip.compress(PAGE.encode())),
        ("deflate", zlib.compress(PAGE.encode())),  # zlib-wrapped, as the standard says
        ("deflate", zlib.compress(PAGE.encode())[2:-4]),  # raw, as some servers send it
        ("identity", PAGE.encode()),
    ],
)
def test_a_compressed_page_reads_exactly(encoding, packed):
    with hostile({"/page.md": sized(packed, {"Content-Encoding": encoding})}) as url:
        assert fetch_text(f"{url}/page.md") == PAGE


def test_an_encoding_that_is_not_read_is_one_plain_error():
    with hostile({"/page.md": sized(b"\x00" * 100, {"Content-Encoding": "br"})}) as url:
        with pytest.raises(FetchError, match=r"/page.md: sent in an encoding that is not read \('br'"):
            fetch_text(f"{url}/page.md")


def test_a_corrupt_gzip_is_one_plain_error():
    with hostile({"/page.md": sized(b"\x1f\x8b\x08\x00garbage" * 10, {"Content-Encoding": "gzip"})}) as url:
        with pytest.raises(FetchError, match=r"/page.md: request failed \(DecodingError\)"):
            fetch_text(f"{url}/page.md")


def test_a_page_sent_a_byte_a_second_ends_at_the_deadline():
    with hostile({"/slow.md": trickle}) as url:
        started = time.monotonic()
        with pytest.raises(FetchLimitError) as caught:
            fetch_text(f"{url}/slow.md", limits=FetchLimits(deadline_s=2))
    elapsed = time.monotonic() - started
    assert caught.value.bound == "deadline"
    assert "took longer than 2 s" in str(caught.value)
    assert 2 <= elapsed < 3.5  # each read takes a second; the clock is read after every one


def test_a_page_within_every_bound_reads_as_before():
    with serving(Site({"/page.md": PAGE})) as site:
        assert fetch_text(f"{site.url}/page.md", limits=FetchLimits(max_bytes=len(PAGE.encode()))) == PAGE
        with pytest.raises(FetchLimitError):
            fetch_text(f"{site.url}/page.md", limits=FetchLimits(max_bytes=len(PAGE.encode()) - 1))


def test_a_sixty_megabyte_index_is_refused_at_the_cap_and_no_page_is_fetched():
    base = {"url": ""}
    with hostile({"/docs/llms.txt": huge_index(60, lambda: base["url"])}) as url:
        base["url"] = url
        with pytest.raises(FetchLimitError, match=r"/docs/llms.txt: larger than 5 MB"):
            discover(f"{url}/docs/llms.txt")


def test_the_index_is_bounded_in_pages_and_its_pages_in_bytes_together():
    links = "\n".join(f"https://lava.so/docs/gateway/providers/p{n}.md" for n in range(MAX_INDEX_PAGES + 3))
    index = read_index(links, "https://lava.so/docs/llms.txt")
    assert len(index.pages) == MAX_INDEX_PAGES
    past = f"past the first {MAX_INDEX_PAGES} provider pages, not followed"
    assert [reason for _, reason in index.skipped] == [past] * 3

    page = "| x | $1 | $2 |\n" * 56  # 896 bytes; 10 × a 1,000-byte cap holds eleven of them
    pages = {f"/docs/gateway/providers/p{n}.md": page for n in range(15)}
    with serving(Site(pages)) as site:
        site.pages = {**pages, "/docs/llms.txt": "\n".join(f"{site.url}{path}" for path in pages)}
        _, fetched = discover(f"{site.url}/docs/llms.txt", concurrency=1, limits=FetchLimits(max_bytes=1000))
    assert [result.text is not None for result in fetched] == [True] * 11 + [False] * 4
    assert "the index's pages together passed 10,000 bytes" in (fetched[-1].error or "")


def test_the_pages_of_an_index_are_all_started_within_ten_deadlines():
    with hostile({"/docs/gateway/providers/slow.md": drip(0.05)}) as url:
        pages = [f"{url}/docs/gateway/providers/slow.md?n={n}" for n in range(14)]
        started = time.monotonic()
        with same_host_client(url) as client:
            fetched = fetch_pages(pages, client, concurrency=1, limits=FetchLimits(deadline_s=0.3))
        elapsed = time.monotonic() - started
    # One at a time, each page ends at its own 0.3 s deadline; after 3 s (10 × 0.3), no page is started.
    reasons = [result.error or "" for result in fetched]
    own = [reason for reason in reasons if "took longer than 0.3 s (the most a fetch may take" in reason]
    late = [reason for reason in reasons if "the index's pages took longer than 3 s together" in reason]
    assert len(own) + len(late) == 14 and own and late, reasons
    assert reasons == own + late  # in order: all those started, then all those refused
    assert elapsed < 3 + 1.5


@pytest.mark.parametrize(
    "link",
    [
        "{other}/docs/gateway/providers/evil.md",
        "http://127.0.0.1:{own_port}@127.0.0.2:{other_port}/docs/gateway/providers/evil.md",  # userinfo
        "http://2130706434:{other_port}/docs/gateway/providers/evil.md",  # 127.0.0.2 as a decimal
        "http://0177.0.0.02:{other_port}/docs/gateway/providers/evil.md",  # … in octal
        "http://[::1]:{other_port}/docs/gateway/providers/evil.md",
        "file:///etc/passwd/docs/gateway/providers/evil.md",
        "//127.0.0.2:{other_port}/docs/gateway/providers/evil.md",  # scheme-relative
    ],
)
def test_links_to_another_host_in_any_spelling_are_never_fetched(link):
    other = Site({"/docs/gateway/providers/evil.md": "| x | $1 | $2 |"})
    with serving(other, host="127.0.0.2") as elsewhere, serving(Site({})) as site:
        own_port, other_port = site.url.rsplit(":", 1)[1], elsewhere.url.rsplit(":", 1)[1]
        target = link.format(other=elsewhere.url, own_port=own_port, other_port=other_port)
        site.pages = {"/docs/llms.txt": f"[a]({target})"}
        discover(f"{site.url}/docs/llms.txt")
    assert elsewhere.requested == []


def test_refresh_and_list_of_an_endless_page_are_one_line_each(monkeypatch):
    monkeypatch.setenv("CATALOG_FETCH_MAX_BYTES", "1000000")
    with hostile({"/page.md": endless}) as url:
        refreshed = run("refresh", "--source", f"{url}/page.md")
        listed = run("list", "--source", f"{url}/page.md")
    assert refreshed.returncode == 1
    assert refreshed.stdout.strip() == (
        f"{url}/page.md: failed: larger than 1 MB (the most a fetched page may be; "
        "CATALOG_FETCH_MAX_BYTES sets it), not read"
    )
    assert listed.returncode == 1 and listed.stdout == ""
    assert listed.stderr.count("\n") == 1 and "larger than 1 MB" in listed.stderr


CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from catalog.discovery import discover
    from catalog.fetch import fetch_text
    from catalog.records import CatalogError

    # A guard for the machine, not the measure: the old code grew without bound here.
    soft = 1_500_000_000
    resource.setrlimit(resource.RLIMIT_AS, (soft, resource.getrlimit(resource.RLIMIT_AS)[1]))

    def status_kb(field):  # the kernel's own figures: resident now (VmRSS), and its peak so far (VmHWM)
        line = next(line for line in open("/proc/self/status") if line.startswith(field + ":"))
        return int(line.split()[1])

    before = status_kb("VmRSS")
    try:
        (discover if sys.argv[1].endswith("llms.txt") else fetch_text)(sys.argv[1])
        outcome = "read"
    except CatalogError as error:
        outcome = str(error)
    print(json.dumps({"grew_mb": (status_kb("VmHWM") - before) / 1024, "outcome": outcome}))
    """
)


@pytest.mark.parametrize("path", ["/endless.md", "/bomb.md", "/docs/llms.txt"])
def test_peak_memory_stays_under_200_mb_above_the_baseline(path):
    base = {"url": ""}
    pages = {
        "/endless.md": endless,
        "/bomb.md": sized(gzip_bomb(200), {"Content-Encoding": "gzip"}),
        "/docs/llms.txt": huge_index(60, lambda: base["url"]),
    }
    with hostile(pages) as url:
        base["url"] = url
        child = subprocess.run(
            [sys.executable, "-c", CHILD, f"{url}{path}"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    assert child.returncode == 0, child.stderr[-2000:]
    measured = json.loads(child.stdout)
    assert measured["outcome"].startswith(f"{url}{path}: ")
    print(path, measured)
    assert measured["grew_mb"] < 200, measured


def _moved(handler) -> None:
    handler.send_response(302)
    handler.send_header("Location", "/elsewhere.md")
    handler.send_header("Content-Length", "5")
    handler.end_headers()
    handler.wfile.write(b"moved")


def _echo_authorization(handler) -> None:
    said = (handler.headers.get("Authorization") or "none").encode()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(said)))
    handler.end_headers()
    handler.wfile.write(said)


def test_headers_are_sent_and_a_redirect_not_followed_is_no_page_with_its_status():
    import httpx

    with hostile({"/p.md": _moved, "/who": _echo_authorization}) as url, httpx.Client() as not_following:
        assert fetch_text(f"{url}/who", headers={"Authorization": "Bearer aks_x"}) == "Bearer aks_x"
        with pytest.raises(FetchError) as caught:
            fetch_text(f"{url}/p.md", client=not_following)  # its body was read as the page
        with pytest.raises(FetchError) as missing:
            fetch_text(f"{url}/nothing.md")
    assert caught.value.status == 302 and str(caught.value) == f"{url}/p.md: the server answered HTTP 302 Found"
    assert missing.value.status == 404 and "aks_x" not in str(missing.value)
