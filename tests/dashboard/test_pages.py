"""Every dashboard page under Streamlit's AppTest: loads, filters, restores views from links, prices workloads."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from apps import opened as app
from bar_charts import page_bar_charts
from counted_environment import counted_environment
from html_tables import Table, html_lines_of, page_stat_notes, page_stats, page_table
from sent_order import sent_around_the_pause, sent_elements, shown_elements
from streamlit.testing.v1 import AppTest

from catalog import load_catalog
from catalog.dashboard.model_page import SHORT_NAME_IN_LINK, model_link
from catalog.dashboard.tables import costs_frame, to_csv
from catalog.workload import Workload, workload_costs
from pages.common import state

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/browse.py", "pages/charts.py", "pages/compare.py", "pages/playground.py"]
BAD_PAGE = b"# Broken\n\n| Model | Input / 1M tokens | Output / 1M tokens |\n| --- | --- | --- |\n| a/b | $x | $1 |\n"


def table(at: AppTest, index: int = 0):
    return at.dataframe[index].value


def models(at: AppTest) -> list[str]:
    return list(table(at)["model"])


def link(at: AppTest) -> dict[str, list[str]]:
    """The app's current query parameters, every value as a list."""
    return {name: [value] if isinstance(value, str) else list(value) for name, value in at.query_params.items()}


def browse(at: AppTest) -> Table:
    """Browse's model table, as drawn (plain HTML)."""
    return page_table(at, "Models")


def browse_models(at: AppTest) -> list[str]:
    return browse(at).model_ids()


def cells(at: AppTest, label: str) -> list[str]:
    """A Browse column's texts, found by its label with or without the sort mark."""
    table = browse(at)
    (found,) = [column for column in table.columns if column.rstrip(" ▲▼") == label]
    return table.column(found)


def dollars(texts: list[str]) -> list[float]:
    return [float(text.lstrip("$").replace(",", "")) for text in texts]


def count_line(at: AppTest) -> str:
    return next(item.value for item in at.markdown if " models" in item.value and " of " in item.value)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_without_an_exception(page):
    at = app(page=page)
    assert not at.error


def test_browse_shows_every_model_with_a_count():
    at = app()
    assert count_line(at) == "### 52 of 52 models"
    assert len(browse(at).rows) == 52
    assert dollars(cells(at, "Blended $/1M")) == sorted(dollars(cells(at, "Blended $/1M")))
    assert browse(at).links[0]["Try"] == "/playground?model=meta-llama%2FLlama-3.2-1B-Instruct"


def test_each_filter_changes_the_rows():
    at = app()
    at.text_input(key="f_q").set_value("llama 70b").run()
    assert browse_models(at) and all("llama" in m.lower() and "70b" in m.lower() for m in browse_models(at))
    at.text_input(key="f_q").set_value("").run()
    at.multiselect(key="f_vendor").set_value(["google"]).run()
    assert sorted(browse_models(at)) == ["google/gemma-3-12b-it", "google/gemma-3-27b-it", "google/gemma-3-4b-it"]
    at.multiselect(key="f_vendor").set_value([]).run()
    at.multiselect(key="f_tag").set_value(["coder"]).run()
    assert len(browse_models(at)) == 3 and all("Coder" in m for m in browse_models(at))
    at.multiselect(key="f_tag").set_value([]).run()
    at.number_input(key="f_min_in").set_value(1.0).run()
    assert set(cells(at, "Input $/1M")) == {"$1.00", "$1.40"}
    at.number_input(key="f_min_in").set_value(None).run()
    at.number_input(key="f_max_out").set_value(0.05).run()
    assert max(dollars(cells(at, "Output $/1M"))) <= 0.05 and len(browse(at).rows) == 3
    at.number_input(key="f_max_out").set_value(None).run()
    at.number_input(key="f_min_size").set_value(400.0).run()
    # A size bound keeps only models of known size (Llama 4 Maverick's 400B and DeepSeek's 671B from their
    # model cards), and says how many of unknown size it hides.
    assert sorted(set(cells(at, "Params (B)")), key=int) == ["400", "405", "480", "671"]
    assert "3 models of unknown size hidden by the size filter." in [item.value for item in at.caption]
    rows = len(browse(at).rows)
    at.checkbox(key="f_known").check().run()
    assert len(browse(at).rows) == rows and not any("hidden by the size filter" in item.value for item in at.caption)
    assert link(at)["min_size"] == ["400"] and link(at)["known_size"] == ["1"]


def test_a_size_bound_hides_models_of_unknown_size_and_says_so():
    at = app({"min_size": "30"})
    assert "microsoft/Phi-4-multimodal-instruct" not in browse_models(at)  # 5.6B, from its model card
    assert min(float(size) for size in cells(at, "Params (B)")) >= 30  # none unknown ("—")
    assert "3 models of unknown size hidden by the size filter." in [item.value for item in at.caption]
    assert not any("hidden by the size filter" in item.value for item in app().caption)


def test_sort_and_blend_reorder_the_table():
    at = app()
    at.selectbox(key="f_sort").set_value("output").run()
    at.toggle(key="f_desc").set_value(True).run()
    assert cells(at, "Output $/1M")[0] == "$4.40"
    assert link(at)["sort"] == ["-output"]
    at.selectbox(key="f_sort").set_value("blended").run()
    at.toggle(key="f_desc").set_value(False).run()
    at.slider(key="f_share").set_value(100).run()
    assert cells(at, "Blended $/1M") == cells(at, "Output $/1M")
    assert dollars(cells(at, "Blended $/1M")) == sorted(dollars(cells(at, "Output $/1M")))


def test_sort_and_blend_are_offered_only_where_they_act_and_a_sort_survives_a_page_that_hides_them():
    at = app()
    at.selectbox(key="f_sort").set_value("output").run()
    at.toggle(key="f_desc").set_value(True).run()
    at.switch_page("pages/compare.py").run()  # Compare sorts by its own headers and costs tokens, not a blend
    keys = {widget.key for widget in [*at.selectbox, *at.toggle, *at.slider]}
    assert not at.exception and not {"f_sort", "f_desc", "f_share"} & keys
    at.switch_page("pages/charts.py").run()  # the charts rank by price, at the blend
    keys = {widget.key for widget in [*at.selectbox, *at.toggle, *at.slider]}
    assert not {"f_sort", "f_desc"} & keys and "f_share" in keys
    at.switch_page("pages/browse.py").run()
    assert at.selectbox(key="f_sort").value == "output" and at.toggle(key="f_desc").value
    assert cells(at, "Output $/1M")[0] == "$4.40"


def test_the_issue_view_is_a_link_that_reopens_itself():
    at = app()
    at.multiselect(key="f_tag").set_value(["reasoning"]).run()
    at.number_input(key="f_max_out").set_value(1.0).run()
    shared = link(at)
    assert shared == {"tag": ["reasoning"], "max_out": ["1"]}
    reopened = app(shared)
    assert count_line(reopened) == "### 6 of 52 models"
    assert browse_models(reopened)[0] == "Qwen/Qwen3-32B"  # the cheapest reasoning model under $1 output, blended 3:1
    assert reopened.multiselect(key="f_tag").value == ["reasoning"]
    assert reopened.number_input(key="f_max_out").value == 1.0


def test_invalid_link_parameters_are_ignored_with_a_warning():
    at = app({"max_out": "abc", "vendor": "nobody", "tag": "reasoning"})
    warnings = [item.value for item in at.warning]
    assert any("max_out=abc" in text for text in warnings)
    assert any("nobody" in text for text in warnings)
    assert len(browse(at).rows) == 12  # reasoning: 9 by their ids, 3 Qwen3 models by their thinking mode


def test_picks_go_into_the_link_and_to_compare():
    at = app()
    at.multiselect(key="f_pick").set_value(["microsoft/phi-4", "deepseek-ai/DeepSeek-R1-0528"]).run()
    assert link(at)["pick"] == ["microsoft/phi-4", "deepseek-ai/DeepSeek-R1-0528"]
    assert [link.label for link in at.get("page_link")] == ["Try phi-4", "Try DeepSeek-R1-0528"]
    at.switch_page("pages/compare.py").run()
    assert list(page_stats(at, "Picked")) == ["microsoft/phi-4", "deepseek-ai/DeepSeek-R1-0528"]
    at.radio(key="w_scope").set_value("picked").run()
    assert sorted(costs(at).model_ids()) == ["deepseek-ai/DeepSeek-R1-0528", "microsoft/phi-4"]


def test_filters_carry_from_browse_to_charts_and_back():
    at = app()
    at.multiselect(key="f_tag").set_value(["reasoning"]).run()
    at.switch_page("pages/charts.py").run()
    assert at.multiselect(key="f_tag").value == ["reasoning"]
    assert any("**12 of 52 models**" in item.value for item in at.caption)  # with Qwen3's thinking-mode models
    at.segmented_control(key="c_chart").set_value("frontier").run()
    frontier = page_table(at, "Frontier").column("Cheapest model(s)")
    mid_sized = {m.model for m in load_catalog().models if "reasoning" in m.tags and (m.params_b or 0) >= 14}
    assert len(frontier) >= 1 and set(frontier) <= mid_sized
    assert any("at least 14B parameters" in item.value for item in at.info) and link(at)["chart"] == ["frontier"]
    at.switch_page("pages/browse.py").run()
    assert len(browse(at).rows) == 12 and link(at)["tag"] == ["reasoning"]


def test_the_chart_price_and_log_scale_live_in_the_link():
    at = app({"metric": "output", "log": "1"}, page="pages/charts.py")
    assert at.segmented_control(key="c_metric").value == "output" and at.toggle(key="c_log").value is True
    (bars,) = page_bar_charts(at)
    assert bars.title == "Output price, USD per 1M tokens, log scale"
    assert bars.ticks[:3] == ["$0.0100", "$0.100", "$1.00"]  # as the bars' labels write prices
    assert link(at)["metric"] == ["output"] and link(at)["log"] == ["1"]
    at.toggle(key="c_log").set_value(False).run()
    assert "log" not in link(at)
    (bars,) = page_bar_charts(at)
    assert bars.title == "Output price, USD per 1M tokens" and bars.ticks[0] == "$0.00"


def test_charts_say_so_when_no_model_matches():
    at = app({"q": "no such model"}, page="pages/charts.py")
    assert any("nothing to chart" in item.value for item in at.info)


def costs(at: AppTest) -> Table:
    """Compare's results table."""
    return page_table(at, "Workload costs")


def costs_by_id(at: AppTest) -> dict[str, dict[str, str]]:
    table = costs(at)
    return dict(zip(table.model_ids(), table.rows, strict=True))


def test_compare_prices_the_issue_workload_to_the_cent():
    at = app({"base": "deepseek-ai/DeepSeek-R1-0528", "budget": "100"}, page="pages/compare.py")
    assert at.number_input(key="w_in").value == 2000 and at.number_input(key="w_out").value == 500
    assert at.number_input(key="w_req").value == 10000
    rows = costs_by_id(at)
    phi, r1 = rows["microsoft/phi-4"], rows["deepseek-ai/DeepSeek-R1-0528"]
    assert (r1["Per request"], r1["Per day"], r1["Per month ▲"]) == ("$0.0021", "$20.75", "$622.50")  # 2 digits < 10¢
    assert (phi["Per day"], phi["Per month ▲"]) == ("$2.10", "$63.00")
    assert (phi["Saves $/mo"], phi["Saves %"]) == ("$559.50", "89.9%")
    assert phi["Req/mo in budget"] == "476,190" and phi["Budget left $/mo"] == "$37.00"
    assert rows["zai-org/GLM-5.2"]["Saves $/mo"] == "\u2212$877.50"  # a true minus
    assert r1["× cheapest"].endswith("×") and next(iter(rows.values()))["× cheapest"] == "1.00×"
    assert any("A month is **30 days**" in item.value for item in at.caption)


def test_compare_inputs_live_in_the_link():
    at = app({"in": "1000", "out": "100", "req": "3000", "per": "month"}, page="pages/compare.py")
    r1 = costs_by_id(at)["deepseek-ai/DeepSeek-R1-0528"]
    # (1,000 × 0.50 + 100 × 2.15) / 1M = $0.000715 a request × 3,000 a month = $2.145, $0.0715 a day.
    assert (r1["Per request"], r1["Per day"]) == ("$0.00072", "$0.072")  # two significant digits, as a column
    assert r1["Per month ▲"] in ("$2.14", "$2.15")  # to the cent (2.145 is not exact in binary)
    at.number_input(key="w_out").set_value(200).run()
    assert link(at)["out"] == ["200"] and link(at)["per"] == ["month"]


def test_presets_and_the_prompt_estimate_fill_the_token_counts():
    at = app(page="pages/compare.py")
    at.selectbox(key="w_preset").set_value("Long-document summary").run()
    assert (at.number_input(key="w_in").value, at.number_input(key="w_out").value) == (50_000, 1_000)
    at.text_area(key="w_prompt").set_value("x" * 401).run()
    assert any("≈ **101 tokens**" in item.value and "approximate" in item.value for item in at.caption)
    at.button[0].click().run()
    assert at.number_input(key="w_in").value == 101
    assert link(at)["in"] == ["101"]


def test_the_sidebar_names_the_source_snapshot_and_model_count():
    at = app()
    assert html_lines_of(at.sidebar)[:2] == ["DeepInfra · snapshot 2026-11-25", "52 models from 1 page"]
    assert at.sidebar.expander[0].label == "Data quality: no issues found"


ROUTES = [*PAGES, "pages/providers.py", "pages/changes.py", "pages/runs.py", "pages/model.py"]


@pytest.mark.parametrize("page", ROUTES)
def test_each_run_reads_the_settings_once_and_the_next_run_reads_them_again(monkeypatch, page):
    environ = counted_environment(monkeypatch)
    at = app()
    assert environ.reads["OPERATOR_UI"] == 1
    at.switch_page(page).run()
    assert not at.exception
    assert environ.reads["OPERATOR_UI"] == 2


def setting_warnings(at: AppTest) -> list[str]:
    """Every warning on the page that names a setting that does not fit, its markdown escapes removed."""
    shown = (item.value.replace("\\", "") for item in at.warning)
    return [text for text in shown if "CATALOG_FETCH_MAX_BYTES" in text]


def test_an_operator_sees_the_settings_that_do_not_fit_in_one_sidebar_warning_and_a_visitor_nothing(monkeypatch):
    monkeypatch.setenv("CATALOG_FETCH_MAX_BYTES", "lots")
    for operator in (False, True):
        monkeypatch.setenv("OPERATOR_UI", "1" if operator else "0")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["CATALOG_MAX_UPLOAD_MODELS"] = "many"
        at.run()
        assert not at.exception
        if not operator:
            assert setting_warnings(at) == []
            continue
        (shown,) = setting_warnings(at)
        assert [item.value.replace("\\", "") for item in at.sidebar.warning] == [shown]
        assert "CATALOG_FETCH_MAX_BYTES must be a positive whole number, not 'lots'" in shown
        assert "CATALOG_MAX_UPLOAD_MODELS must be a positive whole number, not 'many'" in shown


def test_configured_extra_pages_add_their_models(monkeypatch, tmp_path):
    other = tmp_path / "other.md"
    other.write_text((ROOT / "catalog" / "data" / "lava-deepinfra.md").read_text().replace("# DeepInfra", "# Other", 1))
    monkeypatch.setenv("CATALOG_SOURCES", f"{other}")
    at = app()
    assert count_line(at) == "### 104 of 104 models"
    assert set(browse(at).column("Provider")) == {"DeepInfra", "Other"}
    monkeypatch.setenv("CATALOG_SOURCES", f"{other}, {other}")
    at = app()
    assert any("loaded twice" in item.value for item in at.error)
    assert count_line(at) == "### 52 of 52 models"


def test_a_broken_configured_page_shows_its_line_and_the_default_catalog_stays(monkeypatch, tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_bytes(BAD_PAGE)
    monkeypatch.setenv("CATALOG_SOURCES", str(broken))
    at = app()
    assert any("line 5" in item.value for item in at.error)
    assert count_line(at) == "### 52 of 52 models"


def dataframe_proto(at: AppTest, index: int = 0):
    return at.dataframe[index].proto


def column_config(at: AppTest, index: int = 0) -> dict:
    return json.loads(dataframe_proto(at, index).columns)


def test_browse_shows_a_dash_with_a_reason_in_an_empty_cell_never_none():
    at = app()
    table = browse(at)
    texts = [text for row in table.rows for text in row.values()]
    assert "—" in texts and not {"None", "nan", "NaN", "<NA>"} & set(texts)
    (row,) = [row for row, model in zip(table.titles, browse_models(at), strict=True) if model == "microsoft/phi-4"]
    assert row["Active (B)"] == "Active parameters per token (—: a dense model, or not published)"


def test_every_browse_model_name_links_to_its_model_page_and_is_pinned():
    at = app()
    table = browse(at)
    models = table.model_ids()
    assert [links["Model"] for links in table.links] == [model_link(model) for model in models]
    assert table.column("Model") == [model.split("/")[-1] for model in models]  # the short name
    assert [titles["Model"] for titles in table.titles] == [f"{model} · DeepInfra" for model in models]
    (body,) = [element.value for element in at.get("html") if 'aria-label="Models"' in element.value]
    assert '<th scope="col" class="pin"' in body and body.count('<td class="pin"') == len(models)
    assert table.columns[:3] == ["Model", "Blended $/1M ▲", "Input $/1M"]  # the name beside its key number
    assert "Model id" not in table.columns  # the full id is in the tooltip and on its page: the table fits 1440 px


@pytest.mark.parametrize(
    "model", [record.model for record in load_catalog().models] + ["accounts/fireworks/models/kimi-k2", "bare id+x"]
)
def test_the_short_name_is_read_back_from_the_model_link(model):
    import re
    from urllib.parse import unquote_plus

    found = re.search(SHORT_NAME_IN_LINK, model_link(model, "Some Host"))
    assert found is not None and unquote_plus(found.group(1)) == model.split("/")[-1]


SOURCES = ",".join(str(ROOT / "tests" / "data" / f"lava-{name}.md") for name in ("cerebras", "fireworks", "sambanova"))


def test_with_several_providers_browse_filters_by_provider_and_counts_hosts(monkeypatch):
    monkeypatch.setenv("CATALOG_SOURCES", SOURCES)
    at = app()
    table = browse(at)
    assert {"Provider", "Hosts"} <= set(table.columns)
    (llama,) = [
        index
        for index, row in enumerate(table.rows)
        if table.model_ids()[index] == "meta-llama/Llama-3.3-70B-Instruct" and row["Provider"] == "DeepInfra"
    ]
    assert table.rows[llama]["Hosts"] == "4" and table.links[llama]["Model"].endswith("&provider=DeepInfra")
    assert table.links[llama]["Try"].endswith("&provider=DeepInfra")
    at.multiselect(key="f_provider").set_value(["Cerebras"]).run()
    assert set(browse(at).column("Provider")) == {"Cerebras"} and link(at)["host"] == ["Cerebras"]
    reopened = app({"host": "Cerebras"})
    assert set(browse(reopened).column("Provider")) == {"Cerebras"}
    assert reopened.multiselect(key="f_provider").value == ["Cerebras"]


def test_one_provider_has_no_provider_filter_nor_hosts_column():
    at = app()
    assert not {"Hosts", "Provider"} & set(browse(at).columns) and not [
        w for w in at.multiselect if w.key == "f_provider"
    ]


def test_compare_pins_the_model_name_and_links_it_to_its_page():
    at = app(page="pages/compare.py")
    table = costs(at)
    ids = table.model_ids()
    assert [links["Model"] for links in table.links] == [model_link(model, "DeepInfra") for model in ids]
    assert [titles["Model"] for titles in table.titles] == ids  # the full id in the tooltip
    assert table.column("Model") == [model.rsplit("/", 1)[-1] for model in ids]
    assert table.columns[:3] == ["#", "Model", "Per month ▲"]  # the key number, by which the table is sorted
    assert "Model id" not in table.columns  # the id is the name's tooltip and link: every row one line at 1440 px
    body = next(element.value for element in at.get("html") if 'aria-label="Workload costs"' in element.value)
    assert re.search(r'<th scope="col" class="pin"[^>]*><a href="\?[^"]*csort=model[^"]*">Model</a></th>', body)
    assert 'target="_blank"' in body  # a model's page opens in a new tab, the workload stays
    lines = workload_costs(load_catalog().models, Workload(2000, 500, 10_000))
    assert "name" not in to_csv(costs_frame(lines)).decode().splitlines()[0].split(",")


def test_compare_draws_no_grid_and_sends_its_results_before_its_form():
    at = app({"base": "microsoft/phi-4", "budget": "50"}, page="pages/compare.py")
    assert not at.dataframe  # st.dataframe loads a grid's JavaScript before anything shows
    sent = sent_elements(at)
    table = sent.index("html Workload costs")
    assert sent[0:3] == ["heading", "html", "markdown"]  # the title, the summary line, the month caption
    assert table < min(sent.index(kind) for kind in ("number_input", "selectbox", "radio", "plotly_chart"))
    shown = shown_elements(at)  # the summary first, the form above the results, the chart below them
    assert shown[:4] == ["title", "html", "caption", "selectbox"]
    assert shown.index("number_input") < len(shown) - 1 - shown[::-1].index("html") < shown.index("plotly_chart")
    summary = read_summary(at)
    cheapest = costs(at).rows[0]
    assert summary.startswith("2,000 in + 500 out tokens × 10,000 requests a day: cheapest is")
    assert f"cheapest is {cheapest['Model']} at {cheapest['Per month ▲']} a month (52 models priced below)" in summary


#: Each page that pauses on a first visit, the link it is opened with, its content (sent before the pause), and
#: an element that loads JavaScript of its own (sent after it): the sidebar's search box, the Charts picker, the
#: Compare form's number fields, the Playground's model picker, the Model page's links.
FIRST_CONTENT = {
    "pages/browse.py": ({}, "html Models", "text_input"),
    "pages/charts.py": ({}, "html Blended price, USD per 1M tokens (75% input + 25% output)", "button_group"),
    "pages/compare.py": ({}, "html Workload costs", "number_input"),
    "pages/providers.py": ({}, "html Providers", "text_input"),
    "pages/playground.py": ({}, "html Model", "selectbox"),
    "pages/model.py": ({"id": "deepseek-ai/DeepSeek-R1-0528"}, "html Prices", "page_link"),
}
#: Widgets whose JavaScript comes in many chunks (a selectbox's in twenty): none may hold up a first visit.
FORM_WIDGETS = {"selectbox", "multiselect", "number_input", "text_input", "text_area", "radio", "slider"}


@pytest.mark.parametrize(("page", "params", "content", "later"), [(p, *rest) for p, rest in FIRST_CONTENT.items()])
def test_a_first_visit_gets_the_content_before_any_form_and_later_runs_never_wait(
    page, params, content, later, monkeypatch
):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(page)
    before, after = sent_around_the_pause(at, monkeypatch)
    assert content in before and later in after
    assert not (FORM_WIDGETS | {later}) & set(before), before
    monkeypatch.setattr(state, "time", None)  # a pause now would fail
    assert content in sent_elements(at)


def read_summary(at: AppTest) -> str:
    body = next(element.value for element in at.get("html") if 'class="lpc-summary"' in element.value)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_compare_cells_show_no_none_nor_float_noise():
    at = app({"base": "microsoft/phi-4", "budget": "10", "in": "333", "out": "777"}, page="pages/compare.py")
    for row in costs(at).rows:
        for label, text in row.items():
            assert text and text not in ("None", "nan", "<NA>"), (label, row)
            assert not re.search(r"\.0*[1-9]\d{6,}", text), (label, text)  # no 0.30000000000000004


def test_the_playground_model_caption_links_to_the_model_page():
    def script() -> None:
        from pages.common.replies import model_caption

        model_caption("deepseek-ai/DeepSeek-R1-0528", "DeepInfra")
        model_caption("evil`](javascript:alert(1))<b>", None)

    at = AppTest.from_function(script).run()
    assert not at.exception
    first, hostile = (caption.value for caption in at.caption)
    link_to = "</model?id=deepseek-ai%2FDeepSeek-R1-0528&provider=DeepInfra>"
    assert first == f"[`deepseek-ai/DeepSeek-R1-0528`]({link_to}) · `DeepInfra`"
    assert "javascript:" not in hostile.split("](<", 1)[1] and "<b>" not in hostile.split("](<", 1)[1]


def test_picked_models_side_by_side_say_their_cost_and_how_they_compare_with_the_baseline():
    at = app({"pick": ["microsoft/phi-4", "deepseek-ai/DeepSeek-R1-0528"], "base": "microsoft/phi-4", "budget": "50"})
    at.switch_page("pages/compare.py").run()
    assert not at.metric  # HTML figures: no metric's JavaScript on the way to the results
    shown = page_stats(at, "Picked")
    assert list(shown) == ["microsoft/phi-4 (baseline)", "deepseek-ai/DeepSeek-R1-0528"]
    assert all(value.startswith("$") and value.endswith("/month") for value in shown.values())
    notes = page_stat_notes(at, "Picked")["deepseek-ai/DeepSeek-R1-0528"]
    assert notes[0].endswith("% vs baseline") and not notes[0].startswith("-")  # a true minus, or a rise
    assert "per request" in notes[1] and notes[2].startswith("The budget buys")
    body = "".join(element.value for element in at.get("html") if 'aria-label="Picked"' in element.value)
    assert "lpc-bad" in body  # DeepSeek-R1 costs more than phi-4: its comparison is red
