"""Discovery: an `llms.txt` index on a loopback server, its provider pages fetched concurrently, other hosts never."""

from __future__ import annotations

import pytest
from static_server import Site, serving

from catalog.discovery import discover, read_index
from catalog.parser import parse_page

PAGE = """# {name}

{name} offers 1 models through Lava's AI Gateway.

## Chat Completions

| Model | Input / 1M tokens | Output / 1M tokens |
|-------|-------------------|--------------------|
| {model} | $0.10 | $0.20 |
"""


def index_text(own: str, other: str) -> str:
    return f"""# Lava

## Docs

- [Quickstart]({own}/docs/quickstart.md): start here
- [Alpha]({own}/docs/gateway/providers/alpha.md): Alpha hosts models
- [Beta](/docs/gateway/providers/beta.md): a relative link
- [Beta again]({own}/docs/gateway/providers/beta.md#pricing)
- [Gone]({own}/docs/gateway/providers/gone.md)
- [Broken]({own}/docs/gateway/providers/broken.md)
- [Elsewhere]({other}/docs/gateway/providers/evil.md)
- Also plain: {own}/docs/gateway/providers/gamma.md
"""


def test_read_index_keeps_provider_pages_on_its_own_host_in_order_once():
    own, other = "https://lava.so", "https://evil.example"
    index = read_index(index_text(own, other), f"{own}/docs/llms.txt")
    assert index.pages == tuple(
        f"{own}/docs/gateway/providers/{name}.md" for name in ("alpha", "beta", "gone", "broken", "gamma")
    )
    assert index.skipped == (
        (f"{other}/docs/gateway/providers/evil.md", "on another host than the index, not followed"),
    )


def test_a_port_or_scheme_change_is_another_host():
    index = read_index(
        "[a](https://lava.so:8443/docs/gateway/providers/a.md) [b](http://lava.so/docs/gateway/providers/b.md)",
        "https://lava.so/docs/llms.txt",
    )
    assert index.pages == () and len(index.skipped) == 2


def test_discover_fetches_every_page_reports_failures_and_never_calls_another_host():
    other = Site({"/docs/gateway/providers/evil.md": PAGE.format(name="Evil", model="evil")})
    with serving(other, host="127.0.0.2") as elsewhere:
        own = Site({})
        with serving(own) as site:
            site.pages = {
                "/docs/llms.txt": index_text(site.url, elsewhere.url),
                "/docs/gateway/providers/alpha.md": PAGE.format(name="Alpha", model="a/one"),
                "/docs/gateway/providers/beta.md": PAGE.format(name="Beta", model="b/one"),
                "/docs/gateway/providers/gamma.md": PAGE.format(name="Gamma", model="c/one"),
                "/docs/gateway/providers/broken.md": "# Broken\n\nno table here\n",
            }
            index, fetched = discover(f"{site.url}/docs/llms.txt")
    assert elsewhere.requested == []
    assert len(index.skipped) == 1
    outcomes = {result.url.rsplit("/", 1)[1]: result for result in fetched}
    assert sorted(outcomes) == ["alpha.md", "beta.md", "broken.md", "gamma.md", "gone.md"]
    assert "HTTP 404" in (outcomes["gone.md"].error or "")
    assert [parse_page(outcomes[name].text or "").provider.name for name in ("alpha.md", "beta.md")] == [
        "Alpha",
        "Beta",
    ]
    assert outcomes["broken.md"].text is not None  # fetched; the caller parses it and reports the parse error


def test_a_redirect_to_another_host_is_refused():
    other = Site({"/docs/gateway/providers/evil.md": PAGE.format(name="Evil", model="evil")})
    with serving(other, host="127.0.0.2") as elsewhere, serving(Site({})) as site:
        site.pages = {"/docs/llms.txt": f"[a]({site.url}/docs/gateway/providers/a.md)"}
        site.redirects = {"/docs/gateway/providers/a.md": f"{elsewhere.url}/docs/gateway/providers/evil.md"}
        _, fetched = discover(f"{site.url}/docs/llms.txt")
    assert elsewhere.requested == []
    assert "on another host than the index" in (fetched[0].error or "")


@pytest.mark.parametrize("concurrency", [1, 3])
def test_pages_are_fetched_at_most_concurrency_at_a_time(concurrency):
    pages = {f"/docs/gateway/providers/p{n}.md": PAGE.format(name=f"P{n}", model=f"m/{n}") for n in range(8)}
    with serving(Site(pages, delay_s=0.1)) as site:
        site.pages = {**pages, "/docs/llms.txt": "\n".join(f"{site.url}{path}" for path in pages)}
        _, fetched = discover(f"{site.url}/docs/llms.txt", concurrency=concurrency)
    assert [result.url for result in fetched] == [f"{site.url}{path}" for path in pages]  # in the index's order
    assert all(result.text for result in fetched)
    assert site.most_in_flight == concurrency  # 100 ms a page: the pool fills up, and never past its bound
