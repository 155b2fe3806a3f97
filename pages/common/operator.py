"""Who is looking: an operator sees the set-up notes (database location, CLI commands, setting names)."""

from __future__ import annotations

import streamlit as st

from catalog.literal import markdown_text
from pages.common.settings import settings

OPERATOR_VARIABLE = "OPERATOR_UI"


def is_operator() -> bool:
    """Whether this visitor may see operator text. The one place that decides it: today the `OPERATOR_UI`
    setting; an unlocked operator passphrase (spending modes) is meant to count here too."""
    return settings().flag(OPERATOR_VARIABLE)


def unavailable(what: str, problem: str | None) -> str:
    """ "<what>: <the store's own words>" for an operator (they may name a path or a URL); "<what>." for a visitor.
    The problem is shown literally."""
    if problem and is_operator():
        return f"{what}: {markdown_text(problem, 400)}."  # the reason whole: "database is locked" ends it
    return f"{what}."


def setting_warnings() -> None:
    """Every setting that does not fit, in one sidebar warning, for an operator; a visitor sees nothing of it.
    The values are the operator's own, and still shown literally."""
    problems = settings().warnings
    if problems and is_operator():
        lines = "\n".join(f"- {markdown_text(problem)}" for problem in problems)
        st.sidebar.warning(
            f"Settings that do not fit (`python -m catalog settings` lists them all):\n{lines}", icon=":material/tune:"
        )
