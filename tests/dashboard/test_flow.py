"""The dashboard as a user meets it: picks open Compare on the picks, the budget says which models fit,
the captions claim only what is true, counts have the right plural, money columns a real minus."""

from __future__ import annotations

from apps import opened
from html_tables import html_lines_of, page_stat_notes, page_table

from catalog.dashboard.words import budget_note
from catalog.sources import load_catalog
from catalog.words import counted
from catalog.workload import Workload, workload_costs

PICKS = ["microsoft/phi-4", "deepseek-ai/DeepSeek-R1-0528"]


def test_compare_picked_opens_compare_on_the_picks():
    at = opened()
    at.multiselect(key="f_pick").set_value(PICKS).run()
    at.button(key="compare_picks").click().run()
    assert not at.exception
    assert at.radio(key="w_scope").value == "picked"
    assert sorted(page_table(at, "Workload costs").model_ids()) == sorted(PICKS)
    assert at.query_params["scope"] == "picked"


def test_the_budget_says_which_models_fit_with_headroom_or_overrun():
    at = opened({"pick": PICKS, "budget": "100", "base": PICKS[1]})
    at.switch_page("pages/compare.py").run()
    table = page_table(at, "Workload costs")
    left = dict(zip(table.model_ids(), table.column("Budget left $/mo"), strict=True))
    assert left["microsoft/phi-4"] == "$37.00"  # $100 - $63.00
    assert left["deepseek-ai/DeepSeek-R1-0528"] == "\u2212$522.50"  # $100 - $622.50
    notes = page_stat_notes(at, "Picked")  # the picked models side by side
    assert "The budget buys 476,190 requests a month; this workload fits with $37.00 to spare." in notes[PICKS[0]]
    assert (
        "The budget buys 48,192 requests a month; this workload is $522.50 a month short."
        in notes[f"{PICKS[1]} (baseline)"]
    )
    assert any(" of 52 models fit it" in caption.value for caption in at.caption)


def test_money_columns_show_a_real_minus():
    at = opened({"base": "microsoft/phi-4", "budget": "10"})
    at.switch_page("pages/compare.py").run()
    table = page_table(at, "Workload costs")
    for label in ("Saves $/mo", "Saves %", "Budget left $/mo"):  # phi-4 is the baseline; $10 buys little
        negative = [text for text in table.column(label) if not text[0].isdigit() and text[0] != "$"]
        assert negative and all(text.startswith("\u2212") for text in negative), label  # −$877.50, not $-877.50
    for label in ("Per day", "Per month ▲", "Saves $/mo", "Saves %", "Budget left $/mo"):
        assert not any("-" in text for text in table.column(label)), label


def test_browse_shows_the_sort_the_caption_and_the_link_claim():
    at = opened({"sort": "-params"})
    caption = next(item.value for item in at.caption if "Sorted by" in item.value)
    assert "Sorted by parameters, descending ▼" in caption and "the link keeps" in caption
    assert "this screen only" not in caption  # the plain table's headers do not re-sort
    table = page_table(at, "Models")
    assert [column for column in table.columns if column.endswith(("▲", "▼"))] == ["Params (B) ▼"]
    sizes = [float(size) for size in table.column("Params (B) ▼") if size != "—"]
    assert sizes == sorted(sizes, reverse=True) and at.query_params["sort"] == "-params"
    at.selectbox(key="f_sort").set_value("input").run()
    at.toggle(key="f_desc").set_value(False).run()
    table = page_table(at, "Models")
    assert [column for column in table.columns if column.endswith(("▲", "▼"))] == ["Input $/1M ▲"]
    assert any("Sorted by input price ▲" in item.value for item in at.caption) and at.query_params["sort"] == "input"


def test_counts_have_the_right_plural():
    assert [counted(n, "model") for n in (0, 1, 2, 20_052)] == ["0 models", "1 model", "2 models", "20,052 models"]
    assert counted(3, "reply") == "3 replies" and counted(2, "day") == "2 days"
    at = opened({"q": "phi-4-reasoning"})
    assert at.markdown[0].value == "### 1 of 52 models"
    assert "52 models from 1 page" in html_lines_of(at.sidebar)
    assert [item.label for item in at.sidebar.expander][0] == "Data quality: no issues found"


def test_a_free_model_and_no_budget_have_their_own_words():
    models = load_catalog().models
    line = workload_costs(models[:1], Workload(0, 0, 10), None, 50.0)[0]
    assert (
        budget_note(line)
        == "The budget buys unlimited requests (they are free); this workload fits with $50.00 to spare."
    )


def test_compare_shows_no_empty_savings_or_budget_column():
    at = opened()
    at.switch_page("pages/compare.py").run()
    table = page_table(at, "Workload costs")
    assert not set(table.columns) & {"Saves $/mo", "Saves %", "Req/mo in budget", "Budget left $/mo"}
    assert "Per month ▲" in table.columns and all(all(row.values()) for row in table.rows)
