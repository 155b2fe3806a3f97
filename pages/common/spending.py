"""The dashboard's side of issue 18: who this visitor is, whether they may spend the operator's credential, the
passphrase control, and each request held in the spend ledger before it is sent. The rules live in
`catalog.spend` and `catalog.runs.owners`; this module only reads the session and draws.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from catalog.gateway.config import SessionCredential
from catalog.gateway.messages import ChatParams, ChatRequest
from catalog.history import Store, StoreError
from catalog.literal import markdown_text
from catalog.runs.owners import RunOwners
from catalog.runs.trials import Run
from catalog.spend import (
    CapReached,
    Caps,
    SpendConfigError,
    Spender,
    SpendLedger,
    SpendMode,
    Tries,
    Visitor,
    VisitorBounds,
    anonymous,
    may_spend,
    oidc_email,
    spend_mode,
    try_passphrase,
    visitor_run_problems,
    worst_case_usd,
)
from pages.common.settings import settings
from pages.common.store import history_store

SESSION_KEY, UNLOCKED_KEY, TRIES_KEY, SEEN_KEY = "spend_session", "spend_unlocked", "spend_tries", "spend_seen_at"
#: How often an open page marks its session seen (the keeper stops a run after CATALOG_RUN_OWNER_GONE_S without).
SEEN_EVERY_S = 30.0
UNLOCK_HINTS = {
    SpendMode.PASSPHRASE: " Or unlock spending with the operator's passphrase: **Unlock spending**, in the side "
    "panel (on a phone, » at the top left opens it).",
    SpendMode.OIDC: " Or sign in, if the operator allowed your e-mail: **Sign in**, in the side panel (on a phone, "
    "» at the top left opens it).",
}
OWN_CREDENTIAL = (
    "The operator's credential is not for visitors here: paste your own in the Playground's **Credential** "
    "popover (kept for this browser session only)."
)


def mode() -> SpendMode:
    try:
        return spend_mode(settings())
    except SpendConfigError as error:
        st.error(markdown_text(str(error)), icon=":material/settings:")
        st.stop()


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
                st.error("No passphrase is configured (CATALOG_SPEND_PASSPHRASE_HASH).")
                return
            try:
                unlock = try_passphrase(stored, typed, st.session_state.get(TRIES_KEY, Tries()), time.monotonic())
            except SpendConfigError as error:
                st.error(markdown_text(str(error)))
                return
            st.session_state[TRIES_KEY] = unlock.tries
            st.session_state[UNLOCKED_KEY] = unlock.ok
            if unlock.ok:
                st.rerun()  # the whole page again, now with what an unlocked session may do
            st.error(unlock.message)


@dataclass(frozen=True)
class Spending:
    """How this visitor's requests are paid: with their own credential (`spender` None), or the operator's."""

    spender: Spender | None
    bounds: VisitorBounds

    def too_many_tokens(self, params: ChatParams | None) -> str | None:
        if self.spender is None or params is None or params.max_tokens is None:
            return None
        if params.max_tokens <= self.bounds.max_tokens:
            return None
        return f"On the operator's credential a reply may have at most {self.bounds.max_tokens:,} max tokens."

    @contextmanager
    def held(self, requests: Sequence[ChatRequest]) -> Iterator[list[float | None]]:
        """Hold the requests' worst case before they are sent; the caller appends each reply's cost to the list
        yielded. A refusal (a cap, or too many tokens) is shown plainly and the page stops: nothing is sent."""
        costs: list[float | None] = []
        if self.spender is None:
            yield costs
            return
        params = requests[0].params if requests else None
        if (problem := self.too_many_tokens(params)) is not None:
            st.error(problem, icon=":material/tune:")
            st.stop()
        worst = sum(_worst(request) for request in requests)
        try:
            with self.spender.hold(worst) as hold:
                yield costs
                measured = len(costs) == len(requests) and all(cost is not None for cost in costs)
                hold.spent(sum(cost or 0.0 for cost in costs) if measured else None)
        except CapReached as refused:
            st.error(markdown_text(str(refused), limit=None), icon=":material/savings:")
            st.stop()
        except StoreError as error:
            st.error(markdown_text(f"The spend ledger is unavailable, so nothing is sent: {error}", limit=None))
            st.stop()


def _worst(request: ChatRequest) -> float:
    chars = sum(len(message.content) for message in request.messages)
    return worst_case_usd(request.record, chars, len(request.messages), request.params.max_tokens or 0)


def gate(session: SessionCredential | None) -> Spending:
    """Stop the page with a plain note when this visitor would spend the operator's credential without leave;
    else how their requests are paid. A visitor's own pasted credential is theirs to spend."""
    bounds = VisitorBounds.from_settings(settings())
    if session is not None:
        return Spending(None, bounds)
    chosen, who = mode(), visitor()
    if not may_spend(chosen, who):
        st.info(OWN_CREDENTIAL + unlock_hint(), icon=":material/key:")
        st.stop()
    store, problem = history_store()
    if store is None:
        st.error(markdown_text(f"The spend ledger is unavailable, so nothing is sent: {problem or ''}"))
        st.stop()
    ledger = SpendLedger(store, Caps.from_settings(settings()))
    return Spending(Spender(ledger, anonymous(who.session), chosen.value), bounds)


def visible_runs(store: Store, runs: Sequence[Run]) -> list[Run]:
    """The runs this visitor may see: their own and the shared ones; and the page marks the session seen."""
    owners = RunOwners(store)
    mark_seen(owners)
    return owners.visible(runs, visitor().owner)


def mark_seen(owners: RunOwners) -> None:
    """Tell the store this session is still open (at most every 30 s), so its runs go on."""
    now = time.monotonic()
    if now - st.session_state.get(SEEN_KEY, -SEEN_EVERY_S) < SEEN_EVERY_S:
        return
    try:
        owners.seen(anonymous(visitor().session))
        st.session_state[SEEN_KEY] = now
    except StoreError:
        pass  # the next run of the page tries again; the owner-gone time is minutes


def owns(store: Store, run: Run) -> bool:
    """Whether this visitor started the run (a shared run is read-only to everyone else)."""
    return RunOwners(store).owns(run.id, visitor().owner)


def session_owner() -> str:
    """The key the store marks this session seen under: what a run's keeper checks to stop a run whose page left."""
    return f"session:{anonymous(visitor().session)}"


def run_problems(paying: Spending, *, prompts: int, repeat: int, concurrency: int, max_tokens: int,
                 max_usd: float | None) -> list[str]:  # fmt: skip
    """Why a visitor's run on the operator's credential may not start (none on their own credential)."""
    if paying.spender is None:
        return []
    return visitor_run_problems(paying.bounds, prompts=prompts, repeat=repeat, concurrency=concurrency,
                                max_tokens=max_tokens, max_usd=max_usd)  # fmt: skip
