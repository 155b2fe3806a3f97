"""The first minute under AppTest: what a newcomer reads on each page, and what only an operator sees."""

from __future__ import annotations

from apps import opened
from html_tables import page_table

from catalog import load_catalog
from catalog.dashboard.figures import frontier_figure
from catalog.dashboard.workload_table import CHART_BARS, chart_lines
from catalog.frontier import frontier_points, frontier_segments
from catalog.workload import Workload, workload_costs

OPERATOR_WORDS = ("python -m catalog", "History kept in", "CATALOG_", "LAVA_", "sqlite")


def everything(at) -> str:
    """Every text a run put on the page: markdown bodies, captions, alerts, HTML."""
    kinds = ("markdown", "caption", "info", "warning", "error", "html")
    return "\n".join(str(element.value) for kind in kinds for element in at.get(kind))


def test_no_page_shows_a_visitor_operator_text(monkeypatch):
    assert "No price history recorded yet." in everything(opened())  # the shared sidebar, without a command
    for page in ("browse", "charts", "compare", "providers", "changes", "runs", "playground", "model"):
        at = opened(page=f"pages/{page}.py")
        shown = everything(at)
        assert not [word for word in OPERATOR_WORDS if word in shown], page


def test_an_operator_sees_where_the_history_is_and_how_to_fill_it(monkeypatch):
    monkeypatch.setenv("OPERATOR_UI", "1")
    shown = everything(opened())  # the first run draws the shared sidebar (AppTest drops it on switch_page)
    assert "History kept in" in shown and "python -m catalog refresh" in shown
    assert "python -m catalog refresh" in everything(opened(page="pages/changes.py"))


def test_empty_changes_explain_what_they_will_show_over_an_example():
    at = opened(page="pages/changes.py")
    assert "biggest movers first" in at.info[0].value
    table = page_table(at, "Example price changes")
    assert table.column("Model")[0] == "example/chat-70b" and all(link["Model"] is None for link in table.links)
    assert table.column("Move")[:2] == ["\u221225.0%", "+20.0%"]  # a true minus, as every other column writes it


def test_empty_runs_show_an_example_and_offer_a_starter_prompt_file():
    at = opened(page="pages/runs.py")
    assert "measures what each one really cost per answer" in at.info[0].value
    assert page_table(at, "Example run results").column("Model") == ["example/chat-70b", "example/reasoner-8b"]
    assert [button.label for button in at.get("download_button")][0] == "Starter prompt file (.jsonl)"


def test_providers_with_one_provider_says_what_it_is_for_and_lists_every_model():
    at = opened(page="pages/providers.py")
    assert "Only one provider is loaded" in at.info[0].value and "refresh --index" not in at.info[0].value
    assert at.toggle(key="p_several").value is False
    assert len(page_table(at, "Providers").rows) == 52
    assert "52 models on 1 provider," in at.caption[0].value


def test_providers_rows_follow_browse_order():
    at = opened(page="pages/providers.py")
    providers = page_table(at, "Providers").column("Model")
    at.switch_page("pages/browse.py").run()
    assert providers == page_table(at, "Models").column("Model")


def test_the_monthly_chart_keeps_the_cheapest_and_the_picked_and_baseline_models():
    models = load_catalog().models
    lines = workload_costs(models, Workload(2000, 500, 10_000))
    dearest, baseline = lines[-1].record.model, lines[-2].record.model
    kept = chart_lines(lines, [dearest], baseline)
    assert [line.record.model for line in kept] == [line.record.model for line in lines[:CHART_BARS]] + [
        baseline,
        dearest,
    ]


def test_the_frontier_ticks_its_prices_in_dollars():
    models = [record for record in load_catalog().models if (record.params_b or 0) >= 14]
    figure = frontier_figure(frontier_points(models), frontier_segments(models))
    assert figure.layout.yaxis.tickprefix == "$" and figure.layout.yaxis2.ticksuffix == "%"


def test_the_compare_link_names_the_workload_at_its_defaults():
    at = opened(page="pages/compare.py")
    assert (at.query_params["in"], at.query_params["out"]) == ("2000", "500")
    assert at.query_params["req"] and at.query_params["per"]


def test_hints_say_where_things_are_in_words_true_on_a_phone(monkeypatch):
    """No "New run tab" on a page without tabs, no bare "in the sidebar" (folded away on a phone)."""
    runs = opened(page="pages/runs.py")
    assert "under New run below" in runs.info[0].value and "tab" not in runs.info[0].value
    assert [tab.label for tab in runs.tabs] == []  # no runs yet: no tabs, "New run" is the heading below
    assert "New run" in [header.value for header in runs.subheader]
    assert runs.multiselect(key="runs_models").proto.placeholder == "pick models to run"  # not "Choose options"
    providers = opened(page="pages/providers.py")
    where = "in the side panel (on a phone, » at the top left opens it)"
    assert f"**Add a provider page** {where}" in providers.info[0].value
    monkeypatch.setenv("CATALOG_SPEND_MODE", "passphrase")
    monkeypatch.setenv("LAVA_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LAVA_FORWARD_TOKEN", "fwd_tok_not_for_visitors")
    playground = everything(opened(page="pages/playground.py"))
    assert f"**Unlock spending**, {where}" in playground
    for page in ("browse", "charts", "compare", "providers", "runs", "playground"):
        shown = everything(opened(page=f"pages/{page}.py"))
        assert "in the sidebar" not in shown and "(sidebar" not in shown, page
