"""The dashboard's side of issue 18: who this visitor is, whether they may spend the operator's credential, the
passphrase control, and each request held in the spend ledger before it is sent. The rules live in
`catalog.spend` and `catalog.runs.owners`; this module only reads the session and draws.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import streamlit as st

from catalog.gateway.config import GatewayConfig
from catalog.gateway.messages import ChatRequest
from catalog.history import Store, StoreError
from catalog.literal import markdown_text
from catalog.runs import owners as run_owners
from catalog.runs.owners import RunOwners, seen_due
from catalog.runs.trials import Run
from catalog.spend import (
    CapReached,
    Caps,
    ServerTries,
    SpendConfigError,
    Spender,
    SpendLedger,
    SpendMode,
    Tries,
    Unpriced,
    Visitor,
    VisitorBounds,
    anonymous,
    may_spend,
    oidc_email,
    spend_mode,
    try_passphrase,
)
from catalog.spend.paying import Spending
from pages.common.operator import UNLOCKED_KEY, unavailable
from pages.common.settings import settings
from pages.common.state import operator_catalog
from pages.common.store import history_store

SESSION_KEY, TRIES_KEY, SEEN_KEY = "spend_session", "spend_tries", "spend_seen_at"
#: Where the Runs page keeps this session's run while it runs (`pages/common/runs.py` reads it from here).
RUN_JOB_KEY = "runs_job"
UNLOCK_HINTS = {
    SpendMode.PASSPHRASE: " Or unlock spending with the operator's passphrase: **Unlock spending**, in the side "
    "panel (on a phone, » at the top left opens it).",
    SpendMode.OIDC: " Or sign in, if the operator allowed your e-mail: **Sign in**, in the side panel (on a phone, "
    "» at the top left opens it).",
}
NO_PASSPHRASE = "Spending cannot be unlocked on this server now"
NO_LEDGER = "The spend ledger is unavailable, so nothing is sent"  # the store's reason: for the operator only
OWN_CREDENTIAL = (
    "The operator's credential is not for visitors here: paste your own in the Playground's **Credential** "
    "popover (kept for this browser session only)."
)


def mode() -> SpendMode:
    """Who may spend the operator's credential; an unusable setting counts as `off` (`spend_mode`)."""
    return spend_mode(settings())


def unlock_hint() -> str:
    """How this visitor could spend the operator's credential instead of their own ("" when they cannot)."""
    return UNLOCK_HINTS.get(mode(), "") if not may_spend(mode(), visitor()) else ""


def visitor() -> Visitor:
    """This browser session: a random id made on its first run, whether it unlocked spending, its allowed e-mail."""
    session = st.session_state.setdefault(SESSION_KEY, secrets.token_hex(16))
    chosen = mode()
    email = oidc_email(st.user, settings().items_of("CATALOG_SPEND_EMAILS")) if chosen is SpendMode.OIDC else None
    unlocked = chosen is SpendMode.PASSPHRASE and bool(st.session_state.get(UNLOCKED_KEY))
    return Visitor(session, unlocked, email)


def unlock_control() -> None:
    """In passphrase mode, a sidebar field to unlock spending for this session (5 tries a minute); in oidc mode,
    the sign-in button. Nothing in the other modes. Drawn once a run, by the router's shared sidebar."""
    chosen, who = mode(), visitor()
    if chosen is SpendMode.OIDC and who.email is None:
        with st.sidebar:
            if st.button("Sign in to spend the operator's credential", key="spend_login", icon=":material/login:"):
                st.login()
        return
    if chosen is not SpendMode.PASSPHRASE or who.unlocked:
        return
    with (
        st.sidebar.popover("Unlock spending", icon=":material/lock:", width="stretch"),
        st.form("spend_unlock_form", border=False, enter_to_submit=True),
    ):  # a form: Enter unlocks, whatever part of the popover a short screen shows
        typed = st.text_input("Operator's passphrase", type="password", key="spend_passphrase")
        pressed = st.form_submit_button("Unlock", key="spend_unlock")
        if pressed and typed:
            stored = settings().value("CATALOG_SPEND_PASSPHRASE_HASH")
            if not stored:
                st.error(unavailable(NO_PASSPHRASE, "no passphrase is configured (CATALOG_SPEND_PASSPHRASE_HASH)"))
                return
            try:
                tries = st.session_state.get(TRIES_KEY, Tries())
                unlock = try_passphrase(stored, typed, tries, time.monotonic(), server_tries())
            except SpendConfigError as error:
                st.error(unavailable(NO_PASSPHRASE, str(error)))
                return
            st.session_state[TRIES_KEY] = unlock.tries
            st.session_state[UNLOCKED_KEY] = unlock.ok
            if unlock.ok:
                st.rerun()  # the whole page again, now with what an unlocked session may do
            st.error(unlock.message)


@st.cache_resource
def server_tries() -> ServerTries:
    """The passphrase tries of every session of this server process (a new tab is a new session)."""
    return ServerTries()


@contextmanager
def held(paying: Spending, requests: Sequence[ChatRequest]) -> Iterator[list[float | None]]:
    """Hold the requests' worst case before they are sent; the caller appends each reply's cost to the list
    yielded. A refusal (a cap, or too many tokens) is shown plainly and the page stops: nothing is sent."""
    costs: list[float | None] = []
    if paying.spender is None:
        yield costs
        return
    if (problem := paying.too_many_tokens(requests[0].params.max_tokens if requests else None)) is not None:
        st.error(problem, icon=":material/tune:")
        st.stop()
    try:
        worst = paying.worst_usd(requests)
    except Unpriced as error:
        st.error(markdown_text(str(error), limit=None), icon=":material/sell:")
        st.stop()
    try:
        with paying.spender.hold(worst) as hold:
            yield costs
            hold.spent_on_all(costs, len(requests))
    except CapReached as refused:
        st.error(markdown_text(str(refused), limit=None), icon=":material/savings:")
        st.stop()
    except StoreError as error:
        st.error(unavailable(NO_LEDGER, str(error)))
        st.stop()


def gate(config: GatewayConfig) -> Spending:
    """Stop the page with a plain note when this visitor would spend the operator's credential without leave;
    else how their requests are paid. Whose credential it is comes from where `config`'s came from: one the
    visitor pasted is theirs to spend; anything else (a blank paste too) is the operator's, within the caps."""
    bounds = VisitorBounds.from_settings(settings())
    if config.pasted:
        return Spending(None, bounds)
    chosen, who = mode(), visitor()
    if not may_spend(chosen, who):
        st.info(OWN_CREDENTIAL + unlock_hint(), icon=":material/key:")
        st.stop()
    store, problem = history_store()
    if store is None:
        st.error(unavailable(NO_LEDGER, problem))
        st.stop()
    ledger = SpendLedger(store, Caps.from_settings(settings()))
    return Spending(Spender(ledger, anonymous(who.session), chosen.value), bounds, operator_catalog())


def visible_runs(store: Store, runs: Sequence[Run]) -> list[Run]:
    """The runs this visitor may see: their own and the shared ones (Runs, Compare, a model's page)."""
    return RunOwners(store).visible(runs, visitor().owner)


def still_here() -> None:
    """From the router, on every page: a session whose run is going marks itself seen (at most every 30 s), so the
    run goes on while its owner reads another page. A session without a run writes nothing."""
    job = st.session_state.get(RUN_JOB_KEY)
    if job is None or not getattr(job, "running", False):
        return
    if not seen_due(st.session_state.get(SEEN_KEY), time.monotonic()):
        return  # before opening the store: most reruns end here
    store, _ = history_store()
    if store is not None:
        mark_seen(RunOwners(store))


def mark_seen(owners: RunOwners) -> None:
    """Tell the store this session is still open (at most every 30 s), so its runs go on."""
    last = st.session_state.get(SEEN_KEY)
    st.session_state[SEEN_KEY] = run_owners.mark_seen(owners, visitor().session, last, time.monotonic())


def owns(store: Store, run: Run) -> bool:
    """Whether this visitor started the run (a shared run is read-only to everyone else)."""
    return RunOwners(store).owns(run.id, visitor().owner)
