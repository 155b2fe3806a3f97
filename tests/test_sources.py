"""Loading pages from files and from http(s) URLs on a real loopback server; combining providers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog import SourceError, load_catalog, load_page
from catalog.fetch import redact_url
from catalog.sources import DEFAULT_PAGE, configured_urls

GROQ_PAGE = """# Groq

Groq offers 2 models through Lava's AI Gateway.

| Model | Input / 1M tokens | Output / 1M tokens |
| --- | --- | --- |
| llama-3.3-70b-versatile | $0.59 | $0.79 |
| meta-llama/Llama-3.3-70B-Instruct | $0.60 | $0.80 |
"""


class _PageHandler(BaseHTTPRequestHandler):
    pages = {"/groq.md": GROQ_PAGE, "/deepinfra.md": DEFAULT_PAGE.text()}

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404, "Not Found")
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/markdown; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_page_loads_from_a_file(tmp_path):
    path = tmp_path / "groq.md"
    path.write_text(GROQ_PAGE, encoding="utf-8")
    page = load_page(str(path))
    assert page.provider.name == "Groq"
    assert page.provider.source == str(path)
    assert page.provider.snapshot_date is not None
    assert [row.model for row in page.rows] == ["llama-3.3-70b-versatile", "meta-llama/Llama-3.3-70B-Instruct"]


def test_a_page_loads_from_a_url(page_server):
    page = load_page(f"{page_server}/groq.md")
    assert page.provider.name == "Groq"
    assert page.provider.source == f"{page_server}/groq.md"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("/no/such/page.md", "/no/such/page.md: no such file"),
        ("/", "/: is a directory, not a page"),
        ("ftp://example.invalid/page.md", "only http and https URLs can be loaded"),
    ],
)
def test_bad_local_sources_say_why(spec, message):
    with pytest.raises(SourceError, match=message):
        load_page(spec)


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "page.md"
    path.write_bytes(b"# X\n\xff\xfe")
    with pytest.raises(SourceError, match="not UTF-8 text"):
        load_page(str(path))


def test_a_missing_url_reports_the_status(page_server):
    with pytest.raises(SourceError, match="HTTP 404"):
        load_page(f"{page_server}/missing.md")


def test_an_unreachable_url_is_a_clear_error():
    with pytest.raises(SourceError, match="could not connect"):
        load_page("http://127.0.0.1:9/page.md")


def test_credentials_in_a_url_never_reach_the_message():
    with pytest.raises(SourceError) as caught:
        load_page("http://user:hunter2@127.0.0.1:9/page.md?token=hunter2")
    assert "hunter2" not in str(caught.value)
    assert redact_url("https://u:p@host.example/a/b?key=s#f") == "https://host.example/a/b"


def test_pages_combine_into_one_catalog_with_a_provider_column(page_server, tmp_path):
    path = tmp_path / "groq.md"
    path.write_text(GROQ_PAGE, encoding="utf-8")
    combined = load_catalog([f"{page_server}/deepinfra.md", str(path)])
    assert [info.name for info in combined.providers] == ["DeepInfra", "Groq"]
    assert len(combined) == 54
    same_model = [
        (m.provider, m.input_usd_per_mtok) for m in combined.models if m.model.endswith("Llama-3.3-70B-Instruct")
    ]
    assert same_model == [("DeepInfra", 0.23), ("Groq", 0.60)]
    frame = combined.to_frame()
    assert set(frame["provider"]) == {"DeepInfra", "Groq"}


def test_the_same_provider_twice_is_refused(tmp_path):
    path = tmp_path / "groq.md"
    path.write_text(GROQ_PAGE, encoding="utf-8")
    with pytest.raises(SourceError, match="'Groq' is loaded twice"):
        load_catalog([str(path), str(path)])


def test_no_source_means_the_embedded_default():
    assert [info.name for info in load_catalog().providers] == ["DeepInfra"]


def test_refresh_reads_only_the_urls_among_the_configured_sources():
    value = " https://a.example/p.md ,pages/local.md,, HTTP://B.example/q.md , /srv/x.md"
    assert configured_urls(value) == ("https://a.example/p.md", "HTTP://B.example/q.md")
    assert configured_urls(None) == () and configured_urls("only/a/file.md") == ()
