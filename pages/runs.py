"""Runs: send your prompts to the models you pick, and see what each really cost per prompt and how fast it was."""

from __future__ import annotations

import streamlit as st

from catalog.dashboard.runs import answers_by_prompt, cost_speed_figure, results_frame, run_label, runs_frame
from catalog.gateway.safe_markdown import without_images
from catalog.gateway.targets import models_by_key, price_label
from catalog.history import Store
from catalog.literal import code_span, markdown_text
from catalog.runs.check_store import graded_run_report
from catalog.runs.owners import RunOwners
from catalog.runs.prompts import FORMATS, PASTE_FORMATS
from catalog.runs.runner import BackgroundRun, clamp_notes
from catalog.runs.store import TrialStore
from catalog.runs.trials import FINISHED, Run, RunSettings
from pages.common import chat, state
from pages.common.empty import empty_runs
from pages.common.operator import unavailable
from pages.common.run_checks import min_pass_rate, show_checks
from pages.common.runs import JOB_KEY, prompts_from_input, reconcile_billed, resume, start
from pages.common.spending import mark_seen, owns, visible_runs
from pages.common.store import history_store

models, view = state.open_page("Runs", "runs")
st.caption(
    "Run your own prompts on the models you pick: measured tokens (reasoning included) at catalog prices show "
    "what each model costs per answer, beside the list-price estimate Compare makes from one assumed token count."
)
store, problem = history_store()
if store is None:
    st.warning(unavailable("The runs database is unavailable", problem), icon=":material/database_off:")
    empty_runs()
    st.stop()
trials = TrialStore(store)
job: BackgroundRun | None = st.session_state.get(JOB_KEY)
past = visible_runs(store, trials.runs())  # this visitor's own runs and the shared ones
if job is None and not past:
    empty_runs()  # what a run shows, an example, a starter file; the new run's form follows


@st.fragment(run_every=1.0)
def live(current: BackgroundRun) -> None:
    """The run's progress, polled every second while it runs; when it ends, the whole page shows its results."""
    mark_seen(RunOwners(trials.store))  # the run goes on while its page is open
    progress = current.progress
    if progress is not None:
        st.progress(progress.done / max(progress.total, 1), text=markdown_text(progress.line(), None))
    else:
        st.progress(0.0, text="starting…")
    if current.running:
        st.button("Stop the run", key="runs_stop", on_click=current.stop, icon=":material/stop:")
        return
    st.session_state.pop(JOB_KEY, None)
    st.session_state["runs_next"] = current.run_id
    st.rerun(scope="app")


if job is not None:
    live(job)
    if job.error:
        st.error(markdown_text(job.error))


def show_results(store: Store, past: list[Run]) -> None:
    """The chosen run: its results per model, checks, answers side by side, reports and the past runs."""
    by_id = {run.id: run for run in past}
    if "runs_next" in st.session_state:
        st.session_state["runs_pick"] = st.session_state.pop("runs_next")
    if st.session_state.get("runs_pick") not in by_id:
        st.session_state["runs_pick"] = past[0].id
    run = by_id[st.selectbox("Run", list(by_id), key="runs_pick", format_func=lambda i: run_label(by_id[i]))]
    run_trials = trials.trials(run.id, with_text=False)
    if run.id not in st.session_state.setdefault("runs_reconciled", set()):
        st.session_state["runs_reconciled"].add(run.id)  # once a visit: Lava logs requests a little later
        if any(t.ok and t.request_id and not t.billed_final for t in run_trials):
            reconcile_billed(trials, run.id)
            run_trials = trials.trials(run.id, with_text=False)
    report = graded_run_report(trials, run, run_trials, min_pass_rate())
    asked = trials.prompts(run.id)
    if run.message:
        st.caption(markdown_text(run.message))
    for note in clamp_notes(asked, run.settings.max_tokens, [model for _, model in run.models]):
        st.caption(markdown_text(note, 400))
    if run.status != FINISHED and job is None and owns(store, run) and st.button(
        f"Resume run {run.id}", key="runs_resume", icon=":material/replay:",
        help="Send again only the trials not yet ok; none is ever recorded twice",
    ):  # fmt: skip
        if resume(store, models, run) is not None:
            st.rerun()
    st.caption(
        f"List estimate: Compare's assumed {view.input_tokens:,} input + {view.output_tokens:,} output tokens "
        "per request at list prices; ratio = measured ÷ estimate."
    )
    st.dataframe(
        results_frame(report, models, view.input_tokens, view.output_tokens),
        column_config={
            "model": st.column_config.TextColumn("model", pinned=True),
            "page": st.column_config.LinkColumn("page", display_text="Open ↗", help="The model's page"),
        },
        hide_index=True,
        key="runs_results",
    )
    st.plotly_chart(cost_speed_figure(report), key="runs_scatter")
    show_checks(trials, run, report, run_trials)
    with st.expander("Answers side by side", icon=":material/compare:"):
        shown = st.selectbox("Prompt", range(len(asked)), key="runs_prompt",
                             format_func=lambda n: asked[n].label)  # fmt: skip
        if shown is not None and asked:  # only this prompt's replies are read with their text
            with_text = trials.trials(run.id, prompt_number=asked[shown].number)
            prompt, replies = answers_by_prompt([asked[shown]], with_text)[0]
            if prompt.messages:
                st.text(prompt.messages[-1][1][:2000])
            for column, (provider, model, trial) in zip(st.columns(max(len(replies), 1)), replies, strict=False):
                column.caption(code_span(model) + " · " + code_span(provider))
                if trial.reply_text is not None:
                    column.markdown(without_images(trial.reply_text))
                column.caption(markdown_text(trial.error or "") if not trial.ok else f"{trial.output_tokens} tokens")
    downloads = st.columns(2)
    downloads[0].download_button("Report (JSON)", report.json_text(), f"run-{run.id}.json",
                                 "application/json", key="runs_json")  # fmt: skip
    downloads[1].download_button("Report (CSV)", report.csv_text(), f"run-{run.id}.csv", "text/csv",
                                 key="runs_csv")  # fmt: skip
    st.subheader("Past runs")
    st.dataframe(runs_frame(past), hide_index=True, key="runs_past")


def new_run(store: Store) -> None:
    """The form that starts a run: prompts, models, limits; on whose credential it is sent, first."""
    session = chat.credential_popover("runs_own")
    blocked = chat.cannot_send(session)
    if blocked:
        st.caption(markdown_text(blocked, limit=None))
    by_key = models_by_key(models)
    several = len({provider for provider, _ in by_key}) > 1
    picked = [key for key in by_key if key[1] in view.picks]
    source = st.radio("Prompts from", ["Paste", "Upload a file"], horizontal=True, key="runs_source")
    upload, pasted, kind = None, "", "txt"
    if source == "Paste":
        kind = st.selectbox("Format", PASTE_FORMATS, key="runs_kind",
                            help="txt: a prompt a line; jsonl: an object a line; csv: a prompt column; "
                                 "yaml: a promptfoo config")  # fmt: skip
        pasted = st.text_area("Prompts", key="runs_text", height=160)
    else:
        upload = st.file_uploader("Prompt file (.jsonl, .csv, .txt or promptfoo .yaml)", type=list(FORMATS),
                                  key="runs_upload")  # fmt: skip
    chosen = st.multiselect("Models", list(by_key), default=picked, key="runs_models", placeholder="pick models to run",
                            format_func=lambda key: price_label(by_key[key], with_provider=several))  # fmt: skip
    cells = st.columns(4)
    repeat = cells[0].number_input("Repeats", 1, 100, 1, key="runs_repeat")
    concurrency = cells[1].number_input("Concurrency", 1, 32, 4, key="runs_concurrency")
    max_tokens = cells[2].number_input("Max tokens", 1, 100_000, 1024, key="runs_max_tokens")
    budget = cells[3].number_input("Budget (USD, 0 = none)", 0.0, 10_000.0, 0.0, step=0.5, key="runs_budget")
    judge = st.selectbox(
        "Judge, for `judge` checks without their own", [None, *by_key], key="runs_judge",
        format_func=lambda key: "none" if key is None else price_label(by_key[key], with_provider=True),
    )  # fmt: skip
    name = st.text_input("Name", key="runs_name", placeholder="my prompts")
    waiting = job is not None or not chosen or blocked is not None
    if st.button("Start the run", key="runs_start", type="primary", disabled=waiting):
        prompts = prompts_from_input(pasted, kind, upload)
        if prompts is not None:
            settings = RunSettings(max_tokens=int(max_tokens), concurrency=int(concurrency),
                                   max_usd=float(budget) or None,
                                   judge=None if judge is None else ":".join(judge))  # fmt: skip
            records = [by_key[key] for key in chosen]
            if start(store, models, records, prompts, int(repeat), settings, name or "dashboard run") is not None:
                st.rerun()


if past:
    results, new = st.tabs(["Results", "New run"])
    with results:
        show_results(store, past)
    with new:
        new_run(store)
else:
    st.subheader("New run")
    new_run(store)
state.publish(view, "runs")
