"""Who is looking: an operator sees the set-up notes (database location, CLI commands, setting names)."""

from __future__ import annotations

import streamlit as st

from catalog.literal import markdown_text
from catalog.spend import SpendMode, spend_mode
from pages.common.settings import settings

OPERATOR_VARIABLE = "OPERATOR_UI"
#: Set in a session that typed the operator's passphrase (`pages/common/spending.py` draws the field).
UNLOCKED_KEY = "spend_unlocked"


def is_operator() -> bool:
    """Whether this visitor may see operator text. The one place that decides it: the `OPERATOR_UI` setting, or a
    session that unlocked spending with the operator's passphrase (in `passphrase` mode, its holders are the
    operator's circle)."""
    chosen = settings()
    if chosen.flag(OPERATOR_VARIABLE):
        return True
    if not st.session_state.get(UNLOCKED_KEY):
        return False
    return spend_mode(chosen) is SpendMode.PASSPHRASE


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
