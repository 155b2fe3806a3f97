"""No link, provider page or number can inject content into a page, or crash one.

Every page is walked with hostile values in every link parameter and a hostile provider page in
`CATALOG_SOURCES` (markdown images, links and HTML tags in its provider name, description and ids). Every
markdown text the app produced (bodies, labels, help) is rendered with a CommonMark renderer: no image, no
link and no HTML tag may come out; plotly labels and hovers may hold only the tags the figures write.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from html_tables import page_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from catalog.dashboard.model_page import model_link
from catalog.dashboard.view import PARAM_NAMES, parse_params
from catalog.sources import load_page

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "pages_fixtures"
HOSTILE_PAGE = FIXTURES / "hostile-provider.md"
BROKEN_PAGE = FIXTURES / "hostile-broken.md"
PAGES = ["pages/browse.py", "pages/charts.py", "pages/compare.py", "pages/playground.py"]
HOSTILE = (
    "`![x](http://evil.test/q.png)` [Session expired, log in again](http://evil.test/login)"
    ' <img src="http://evil.test/h.png"> **bold** :red[red]'
)
HOSTILE_IDS = [
    "evil/![i](http://evil.test/id.png)",
    "evil/[log in](http://evil.test/id)",
    'evil/<a href="http://evil.test/a">a</a>',
    "evil/`x`![j](http://evil.test/j.png)`",
]
#: Tags the figures write themselves into plotly hovers (`<extra></extra>` hides the trace name).
FIGURE_TAGS = {"b", "br", "extra"}
#: Links the app writes itself: the embedded page's address (the operator's pages are files here).
OWN_LINKS = ("https://lava.so/docs/",)
COMMONMARK = MarkdownIt("commonmark")
MARKDOWN_FIELDS = {"body", "label", "help", "content"}


def nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from nodes(child)


def proto_strings(message: Any, names: set[str]) -> Iterator[str]:
    """Every string field called one of `names` in a protobuf message, at any depth."""
    for descriptor, value in message.ListFields():
        single = isinstance(value, str | bytes | int | float) or hasattr(value, "ListFields")
        repeated = [value] if single else list(value)
        for item in repeated:
            if hasattr(item, "ListFields"):
                yield from proto_strings(item, names)
            elif isinstance(item, str) and descriptor.name in names:
                yield item


def markdown_texts(at: AppTest) -> list[str]:
    """Every text the app handed to Streamlit as markdown: bodies, labels, help, radio options."""
    texts = []
    for node in nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields") or getattr(node, "type", "") == "html":
            continue  # `st.html` bodies are HTML, checked by `html_made`
        texts += proto_strings(proto, MARKDOWN_FIELDS)
        if getattr(node, "type", "") == "radio":
            texts += list(proto.options)
    return texts


def made_content(text: str) -> list[str]:
    """The images, links and HTML a CommonMark renderer makes of `text`."""
    found = []
    for token in COMMONMARK.parse(text):
        for item in [token, *(token.children or [])]:
            if item.type in ("image", "html_inline", "html_block"):
                found.append(f"{item.type}: {item.content or item.attrs}")
            elif item.type == "link_open" and not str(item.attrs.get("href")).startswith(OWN_LINKS):
                found.append(f"link: {item.attrs.get('href')}")
    return found


#: What the app's own HTML (tables, bars, figures and lines of text for `st.html`) is made of.
HTML_TAGS = {
    "style",
    "div",
    "span",
    "p",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "li",
    "strong",
    "dl",
    "dt",
    "dd",
}


class _HtmlMade(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.found.append(f"tag: {tag}")
        for name, value in attrs:
            href = value or ""
            own = name != "href" or href.startswith(OWN_LINKS) or (href.startswith(("/", "?")) and href[:2] != "//")
            if name.startswith("on") or name == "src" or not own:
                self.found.append(f"{tag} {name}={value}")


def html_made(at: AppTest) -> list[str]:
    """Tags and attributes in the app's `st.html` bodies that it does not write itself."""
    parser = _HtmlMade()
    for element in at.get("html"):
        parser.feed(element.value)
    return parser.found


def plotly_tags(at: AppTest) -> set[str]:
    tags: set[str] = set()
    for chart in at.get("plotly_chart"):
        tags |= {tag.lower() for tag in re.findall(r"<\s*/?\s*([A-Za-z][A-Za-z0-9]*)", chart.proto.spec)}
    return tags


def assert_nothing_injected(at: AppTest) -> None:
    assert not at.exception, [item.value for item in at.exception]
    injected = {text: made_content(text) for text in markdown_texts(at)}
    assert {text: made for text, made in injected.items() if made} == {}
    assert plotly_tags(at) <= FIGURE_TAGS
    assert html_made(at) == []


def walk(params: dict[str, str | list[str]]) -> list[AppTest]:
    """The dashboard opened with `params`, then every page in turn; each run checked."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    runs = [at]
    assert_nothing_injected(at)
    for page in PAGES:
        at.switch_page(page).run()
        assert_nothing_injected(at)
    return runs


@pytest.fixture
def hostile_sources(monkeypatch):
    monkeypatch.setenv("CATALOG_SOURCES", str(HOSTILE_PAGE))


def test_the_hostile_page_is_loaded_with_its_hostile_ids(hostile_sources):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    table = page_table(at, "Models")
    assert set(HOSTILE_IDS) <= set(table.model_ids())
    assert_nothing_injected(at)


def test_hostile_ids_and_provider_names_come_back_literally_from_browse(hostile_sources):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    table = page_table(at, "Models")
    hostile = {model: index for index, model in enumerate(table.model_ids()) if model in HOSTILE_IDS}
    assert set(hostile) == set(HOSTILE_IDS)
    for model, index in hostile.items():
        row, links, titles = table.rows[index], table.links[index], table.titles[index]
        provider = row["Provider"]
        assert row["Model"] == model.split("/")[-1] and titles["Model"] == f"{model} · {provider}"
        assert links["Model"] == model_link(model, provider)  # percent-encoded, the page's own link
        assert links["Try"] is not None and links["Try"].startswith("/playground?model=")
    hostile_providers = {row["Provider"] for row in table.rows} - {"DeepInfra"}
    assert any("<" in name or "](" in name for name in hostile_providers), hostile_providers  # literal text
    assert html_made(at) == []


def test_hostile_values_in_every_link_parameter_inject_nothing(hostile_sources):
    walk({name: HOSTILE for name in (*PARAM_NAMES, "model")})


def test_hostile_ids_picked_and_as_baseline_inject_nothing(hostile_sources):
    walk({"pick": HOSTILE_IDS, "base": HOSTILE_IDS[0], "budget": "100", "scope": "picked", "model": HOSTILE_IDS[1]})


def test_hostile_ids_filtered_down_to_one_inject_nothing(hostile_sources):
    # One model left: the frontier's caption names it.
    walk({"q": "evil/[log"})


def test_a_hostile_parse_error_is_shown_as_text(monkeypatch):
    monkeypatch.setenv("CATALOG_SOURCES", str(BROKEN_PAGE))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert_nothing_injected(at)
    assert "line 5" in at.error[0].value and "evil.test" in at.error[0].value


# Numbers from links: extreme floats and huge integers, as text, in every numeric parameter.
NUMERIC = ["min_in", "max_in", "min_out", "max_out", "min_size", "max_size", "share", "in", "out", "req", "budget"]
extreme = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["inf", "-inf", "nan", "1e15", "1e308", "1e309", "-1", "-0", "9" * 30, "1" + "0" * 5000]),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["1e", "0x10", "١٢", "１２", "1_000", "1,000", " 5 ", "+7"]),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(NUMERIC), extreme))
def test_the_url_codec_bounds_every_number(params):
    parsed = parse_params(params)
    view = parsed.view
    numbers = [getattr(view, name) for name in ("input_tokens", "output_tokens", "requests", "output_share_pct")]
    assert all(isinstance(number, int) and number >= 0 for number in numbers)
    for name in ("min_input", "max_input", "min_output", "max_output", "min_params_b", "max_params_b", "budget_usd"):
        value = getattr(view, name)
        assert value is None or (math.isfinite(value) and value >= 0)
    assert all(len(problem) < 400 for problem in parsed.problems)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["in", "out", "req", "budget", "max_in", "min_size"]), extreme, min_size=1))
def test_every_page_renders_any_number_in_the_link(params):
    for at in walk(params):
        assert not at.exception


@pytest.mark.parametrize("budget", ["1e15", "1e308", "1e12", "999999999999"])
def test_a_huge_budget_is_bounded_or_priced_without_a_crash(budget):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["budget"] = budget
    at.query_params["pick"] = "microsoft/phi-4"
    at.run()
    warned = any("budget=" in item.value and "1,000,000,000,000" in item.value for item in at.warning)
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    if float(budget) > 1e12:
        assert warned
    else:
        bought = page_table(at, "Workload costs").column("Req/mo in budget")
        assert bought and all(text.replace(",", "").isdigit() for text in bought)


def test_a_tiny_price_with_the_largest_budget_does_not_overflow(tmp_path, monkeypatch):
    page = tmp_path / "tiny.md"
    page.write_text(
        "# Tiny\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n"
        "| tiny/a | \\$0.000000001 | \\$0.000000001 |\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CATALOG_SOURCES", str(page))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in {"budget": "1000000000000", "in": "1", "out": "0", "pick": "tiny/a"}.items():
        at.query_params[name] = value
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    costs = page_table(at, "Workload costs")
    row = next(row for row, model in zip(costs.rows, costs.model_ids(), strict=True) if model == "tiny/a")
    # 1 token at $0.000000001 per 1M is $1e-15 a request: below the formatter's 12 decimals.
    assert row["Per request"] == "$0.00" and row["Budget left $/mo"] == "$1,000,000,000,000.00"
    assert row["Req/mo in budget"].replace(",", "").isdigit()


def test_hostile_ids_and_provider_names_come_back_literally_in_the_html_tables(hostile_sources):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    costs = page_table(at, "Workload costs")
    shown = {model: (row["Model"], links["Model"], titles["Model"])
             for model, row, links, titles in zip(costs.model_ids(), costs.rows, costs.links, costs.titles,
                                                  strict=True)}  # fmt: skip
    for model in HOSTILE_IDS:
        name, link, title = shown[model]
        assert name == model.rsplit("/", 1)[-1] and title == model and link.startswith("/model?id=evil%2F")
    at.switch_page("pages/providers.py").run()
    at.toggle(key="p_several").set_value(False).run()
    evil = load_page(str(HOSTILE_PAGE)).provider.name
    assert "<img" in evil
    grid = page_table(at, "Providers")
    assert evil in grid.columns  # the hostile provider name, literally, as a column header
    assert {row["Key"] for row in grid.rows if row[evil] != "—"}  # and its models' prices under it
    at.query_params["id"] = HOSTILE_IDS[2]
    at.switch_page("pages/model.py").run()
    facts = {row["Field"]: row["Value"] for row in page_table(at, "About this model").rows}
    assert facts["Model id"] == HOSTILE_IDS[2] and facts["Provider"] == evil
    for element in at.get("html"):
        assert "<img" not in element.value and 'href="http' not in element.value
