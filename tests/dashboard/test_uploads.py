"""Extra provider pages: from the operator's CATALOG_SOURCES or an upload, never from a typed address."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.dashboard.uploads import (
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_MAX_UPLOAD_MODELS,
    UploadLimits,
    catalog_with_extras,
    decode_upload,
)
from catalog.records import ParseError, SourceError
from catalog.sources import configured_sources

PAGE = (Path(__file__).resolve().parents[2] / "catalog" / "data" / "lava-deepinfra.md").read_text()
BAD_PAGE = b"# Broken\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n| a/b | $x | $1 |\n"


def test_configured_sources_are_a_comma_list_with_blanks_ignored():
    assert configured_sources(None) == ()
    assert configured_sources(" a.md, ,https://x.test/p.md ") == ("a.md", "https://x.test/p.md")


def test_an_uploaded_page_joins_the_default_catalog():
    models = catalog_with_extras(uploads=[("mirror.md", PAGE.replace("# DeepInfra", "# Mirror", 1).encode())])
    assert [info.name for info in models.providers] == ["DeepInfra", "Mirror"]
    assert len(models) == 104
    assert models.providers[1].source == "uploaded mirror.md"


def test_a_broken_upload_raises_a_parse_error_naming_its_line():
    with pytest.raises(ParseError) as raised:
        catalog_with_extras(uploads=[("broken.md", BAD_PAGE)])
    assert raised.value.line == 5
    assert "uploaded broken.md, line 5" in str(raised.value)


def test_a_fresher_page_of_the_embedded_provider_replaces_it():
    fresher = PAGE.replace("| \\$0.70            | \\$2.40 ", "| \\$0.60            | \\$2.00 ")
    assert fresher != PAGE
    models = catalog_with_extras(uploads=[("deepinfra.md", fresher.encode())])
    assert [info.source for info in models.providers] == ["uploaded deepinfra.md"]
    r1 = models.find("deepseek-ai/DeepSeek-R1")
    assert (len(models), r1.input_usd_per_mtok, r1.output_usd_per_mtok) == (52, 0.60, 2.00)


def test_the_same_extra_page_twice_is_refused(tmp_path):
    other = tmp_path / "other.md"
    other.write_text(PAGE.replace("# DeepInfra", "# Other", 1))
    assert len(catalog_with_extras([str(other)])) == 104
    with pytest.raises(SourceError, match="loaded twice"):
        catalog_with_extras([str(other), str(other)])


def test_uploads_must_be_utf8_and_small():
    with pytest.raises(SourceError, match="not UTF-8"):
        decode_upload(b"\xff\xfe", "x.md")
    with pytest.raises(SourceError, match="x.md: 1,000,001 bytes is more than the 1 MB an uploaded page may be"):
        decode_upload(b" " * (DEFAULT_MAX_UPLOAD_BYTES + 1), "x.md")
    assert decode_upload("ü".encode(), "x.md") == "ü"


def test_upload_limits_are_operator_settings_with_defaults():
    assert UploadLimits.from_environment({}) == UploadLimits(1_000_000, 5_000)
    limits = UploadLimits.from_environment({"CATALOG_MAX_UPLOAD_BYTES": "2_000", "CATALOG_MAX_UPLOAD_MODELS": " 10 "})
    assert limits == UploadLimits(2_000, 10)
    for bad in ("0", "-5", "1e6", "lots"):
        with pytest.raises(SourceError, match="CATALOG_MAX_UPLOAD_BYTES must be a positive whole number"):
            UploadLimits.from_environment({"CATALOG_MAX_UPLOAD_BYTES": bad})


def test_the_byte_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CATALOG_MAX_UPLOAD_BYTES", "5000")
    with pytest.raises(SourceError, match="big.md: 6,000 bytes is more than the 5,000 bytes an uploaded page may be"):
        catalog_with_extras(uploads=[("big.md", b" " * 6_000)])


def test_an_upload_with_too_many_models_is_refused_naming_the_line(monkeypatch):
    rows = "".join(f"| m{i} | $1 | $1 |\n" for i in range(DEFAULT_MAX_UPLOAD_MODELS + 1))
    page = ("# Many\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n" + rows).encode()
    assert len(page) < DEFAULT_MAX_UPLOAD_BYTES
    with pytest.raises(ParseError) as raised:
        catalog_with_extras(uploads=[("many.md", page)])
    assert raised.value.line == 5 + DEFAULT_MAX_UPLOAD_MODELS
    assert "more than 5,000 models" in str(raised.value)
    monkeypatch.setenv("CATALOG_MAX_UPLOAD_MODELS", "6000")
    assert len(catalog_with_extras(uploads=[("many.md", page)])) == 52 + DEFAULT_MAX_UPLOAD_MODELS + 1
