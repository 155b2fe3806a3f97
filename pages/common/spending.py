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

from catalog.gateway.config import GatewayConfig
from catalog.gateway.messages import ChatParams, ChatRequest
from catalog.history import Store, StoreError
from catalog.literal import markdown_text
from catalog.records import Catalog, ModelRecord
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
    Unpriced,
    Visitor,
    VisitorBounds,
    anonymous,
    may_spend,
    oidc_email,
    operators_record,
    spend_mode,
    try_passphrase,
    visitor_run_problems,
    worst_case_usd,
)
from pages.common.operator import UNLOCKED_KEY, unavailable
from pages.common.settings import settings
from pages.common.state import operator_catalog
from pages.common.store import history_store

SESSION_KEY, TRIES_KEY, SEEN_KEY = "spend_session", "spend_tries", "spend_seen_at"
#: Where the Runs page keeps this session's run while it runs (`pages/common/runs.py` reads it from here).
RUN_JOB_KEY = "runs_job"
#: How often a session with a run going marks itself seen, from any page (the run's keeper stops it after
#: CATALOG_RUN_OWNER_GONE_S without): one write to the store at most this often, not one a rerun.
SEEN_EVERY_S = 30.0
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
    try:
        return spend_mode(settings())
    except SpendConfigError as error:  # the setting's name and values are for the operator's eyes
        st.error(unavailable("The spending settings of this server are unusable", str(error)),
                 icon=":material/settings:")  # fmt: skip
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
                st.error(unavailable(NO_PASSPHRASE, "no passphrase is configured (CATALOG_SPEND_PASSPHRASE_HASH)"))
                return
            try:
                unlock = try_passphrase(stored, typed, st.session_state.get(TRIES_KEY, Tries()), time.monotonic())
            except SpendConfigError as error:
                st.error(unavailable(NO_PASSPHRASE, str(error)))
                return
            st.session_state[TRIES_KEY] = unlock.tries
            st.session_state[UNLOCKED_KEY] = unlock.ok
            if unlock.ok:
                st.rerun()  # the whole page again, now with what an unlocked session may do
            st.error(unlock.message)


@dataclass(frozen=True)
class Spending:
    """How this visitor's requests are paid: with their own credential (`spender` None), or the operator's.

    When the operator pays, `catalog` is the operator's own (never a page uploaded in this session): requests
    are addressed and priced from it, so the ledger reserves and settles at the prices the host bills."""

    spender: Spender | None
    bounds: VisitorBounds
    catalog: Catalog | None = None

    def prices(self, models: Catalog) -> Catalog:
        """The catalog requests are built from: the operator's when the operator pays, else `models`."""
        return models if self.catalog is None else self.catalog

    def priced(self, record: ModelRecord) -> ModelRecord:
        """`record` as the operator's catalog has it when the operator pays (`Unpriced` when it has none)."""
        return record if self.catalog is None else operators_record(self.catalog, record)

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
        try:
            worst = sum(_worst(self.priced(request.record), request) for request in requests)
        except Unpriced as error:
            st.error(markdown_text(str(error), limit=None), icon=":material/sell:")
            st.stop()
        try:
            with self.spender.hold(worst) as hold:
                yield costs
                measured = len(costs) == len(requests) and all(cost is not None for cost in costs)
                hold.spent(sum(cost or 0.0 for cost in costs) if measured else None)
        except CapReached as refused:
            st.error(markdown_text(str(refused), limit=None), icon=":material/savings:")
            st.stop()
        except StoreError as error:
            st.error(unavailable(NO_LEDGER, str(error)))
            st.stop()


def _worst(record: ModelRecord, request: ChatRequest) -> float:
    contents = [message.content for message in request.messages]
    return worst_case_usd(record, contents, request.params.max_tokens or 0)


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
    if time.monotonic() - st.session_state.get(SEEN_KEY, -SEEN_EVERY_S) < SEEN_EVERY_S:
        return  # before opening the store: most reruns end here
    store, _ = history_store()
    if store is not None:
        mark_seen(RunOwners(store))


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
