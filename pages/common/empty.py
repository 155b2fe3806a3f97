"""What a page with nothing to show yet says: what it will show, in a user's words, above an example."""

from __future__ import annotations

import streamlit as st

from catalog.dashboard.examples import example_run_table, starter_prompt_file
from pages.common.operator import is_operator
from pages.common.state import show_content_first

EMPTY_CHANGES = (
    "No price changes recorded yet. Once this catalog has read its price pages on two different days, this page "
    "lists every price that moved between them, biggest movers first, with models added and removed, and draws "
    "any model's price over time. It will look like this example (made-up models):"
)
EMPTY_RUNS = (
    "No runs yet. A run sends your own prompts to the models you pick and measures what each one really cost per "
    "answer and how fast it answered, reasoning tokens included. Results look like this example (made-up "
    "models); start one under New run below, with this starter prompt file if you have none:"
)


def explain_empty(sentence: str, operator_note: str | None = None) -> None:
    """The explanation, and for an operator the command that fills the page (markdown they wrote)."""
    st.info(sentence, icon=":material/lightbulb:")
    if operator_note:
        st.caption(f"Operator: {operator_note}.")


def empty_runs() -> None:
    """The Runs page before its first run: what a run shows, an example, and a prompt file to start from."""
    command = "`python -m catalog run PROMPTS --model M` starts one from a terminal"
    explain_empty(EMPTY_RUNS, command if is_operator() else None)
    st.html(example_run_table())
    show_content_first()  # the starter file's button, the new run's form and the sidebar follow the example
    st.download_button(
        "Starter prompt file (.jsonl)", starter_prompt_file(), "starter-prompts.jsonl", "application/jsonl",
        key="runs_starter", icon=":material/download:",
        help="Three prompts, one JSON object a line; edit them, then upload the file under New run below",
    )  # fmt: skip
