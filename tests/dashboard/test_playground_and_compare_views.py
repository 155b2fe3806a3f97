"""Two choices the pages read from their view-models: the Playground's parameters in a few words, and Compare's
choice of a run's measured tokens (catalog/dashboard/playground.py, catalog/dashboard/runs.py), without Streamlit."""

from __future__ import annotations

from catalog.dashboard.playground import parameters_label
from catalog.dashboard.runs import TokensChoice
from catalog.history import Store
from catalog.runs.store import TrialStore
from catalog.runs.trials import RunPrompt, RunSettings, Trial


def test_the_parameters_label_says_what_is_set():
    assert parameters_label(1.0, 1.0, 1024, False, "") == "Temperature 1 · top_p 1 · 1,024 max tokens"
    assert parameters_label(0.25, 0.9, 50_000, True, "END\n\n###\n") == (
        "Temperature 0.25 · top_p 0.9 · 50,000 max tokens · system prompt · 2 stop sequences"
    )
    assert parameters_label(1.0, 1.0, 1, False, "STOP").endswith("1 max tokens · 1 stop sequence")


def test_compare_takes_each_models_tokens_from_the_chosen_run_only(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        trials = TrialStore(store)
        prompt = [RunPrompt(0, "q", "x", 1, (("user", "q"),))]
        run = trials.create_run("mine", [("P", "a"), ("P", "b")], prompt, 2, RunSettings())
        for repetition, (tokens_in, tokens_out) in enumerate([(100, 10), (300, 30)]):
            trials.record(Trial("P", "a", "ok", "run", run.id, 0, repetition, input_tokens=tokens_in,
                                output_tokens=tokens_out))  # fmt: skip
        trials.record(Trial("P", "b", "upstream_error", "run", run.id, 0, 0))  # measured nothing
        choice = TokensChoice.of(trials.runs())
        assert choice.options == [None, run.id]
        assert choice.label(None) == "as assumed above, for every model"
        when = run.created_at.strftime("%Y-%m-%d %H:%M")
        assert choice.label(run.id) == f"as run #{run.id} · mine · {when} · running measured"
        assert choice.measured(trials, run.id) == {("P", "a"): (200.0, 20.0)}
        assert choice.measured(trials, None) is None and choice.measured(trials, run.id + 1) is None
        assert choice.measured(trials, str(run.id)) is None  # a picker's value that is not one of the runs
        assert TokensChoice.of([]).options == [None]
