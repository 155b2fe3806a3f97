"""Whose credential pays for a dashboard visitor's requests, and how: the visitor's own pasted one, or the
operator's, within the caps.

The page gives the facts (whether a credential was pasted, whether this visitor may spend the operator's, how to
resolve a credential); the decisions are made here, with no Streamlit and no gateway: a resolved credential is
anything with a `pasted` flag (`catalog.gateway.config.GatewayConfig`), and a request anything with a record,
messages and a `max_tokens` (`catalog.gateway.messages.ChatRequest`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from catalog.records import Catalog, CatalogError, ModelRecord
from catalog.spend.caps import VisitorBounds, operators_record, visitor_run_problems, worst_case_usd
from catalog.spend.ledger import Spender

GET_A_CREDENTIAL = (
    "To send prompts, paste a Lava forward token or secret key (from your account at lava.so) or a DeepInfra API "
    "key: it is used for this browser session only."
)


class Holder(StrEnum):
    """Whose credential the Playground would send, as the credential control says it."""

    NONE = "none"
    YOURS = "yours (this session)"
    OPERATORS = "the operator's (within limits)"


class Resolved(Protocol):
    """A resolved credential, as far as whose it is goes."""

    @property
    def pasted(self) -> bool: ...


Credential = TypeVar("Credential", bound=Resolved)


def holder(config: Resolved) -> Holder:
    """Whose credential `config` sends: the visitor's pasted one, or the operator's."""
    return Holder.YOURS if config.pasted else Holder.OPERATORS


def usable_credential(
    pasted: bool, may_spend: Callable[[], bool], resolve: Callable[[], Credential | None]
) -> tuple[Credential | None, Holder]:
    """Which credential this visitor may use: the one they pasted, else the operator's, else none.

    The one place that decides it (spending modes narrow the operator's). `pasted` says whether the visitor gave a
    credential; `may_spend` whether they may spend the operator's, asked only when that matters (a visitor's own
    credential never waits on the operator's spend settings); `resolve` resolves the credential (a `CatalogError`
    when a setting is unusable, which is raised). Whose it is comes from where the resolved credential came from
    (its `pasted`), never from `pasted` alone, since a blank paste resolves to the operator's."""
    if not pasted and not may_spend():
        return None, Holder.NONE  # the spending mode keeps the operator's credential from this visitor
    config = resolve()
    if config is None or not (config.pasted or may_spend()):
        return None, Holder.NONE
    return config, holder(config)


def expected_holder(
    pasted: bool, may_spend: Callable[[], bool], resolve_operators: Callable[[], Resolved | None]
) -> Holder:
    """Whose credential is in use, from the credential fields' values (known before they are drawn): the visitor's
    when they typed one, else the operator's when this visitor may use it; none when the operator's settings are
    unusable (the page says so when it sends)."""
    if pasted:
        return Holder.YOURS
    try:
        return usable_credential(False, may_spend, resolve_operators)[1]
    except CatalogError:
        return Holder.NONE


def cannot_send(
    pasted: bool, may_spend: Callable[[], bool], resolve: Callable[[], Resolved | None], unlock_hint: Callable[[], str]
) -> str | None:
    """Why this visitor cannot send anything yet (no credential of theirs, none the operator lets them spend), in
    their words, ending with `unlock_hint()` (how they could spend the operator's); None when they can. An
    unusable setting is not the answer here: the page explains it when it sends."""
    try:
        config, _ = usable_credential(pasted, may_spend, resolve)
    except CatalogError:
        return None
    return None if config is not None else GET_A_CREDENTIAL + unlock_hint()


class _Message(Protocol):
    @property
    def content(self) -> str: ...


class _Params(Protocol):
    @property
    def max_tokens(self) -> int | None: ...


class Request(Protocol):
    """A chat request, as far as its worst case goes."""

    @property
    def record(self) -> ModelRecord: ...

    @property
    def messages(self) -> Sequence[_Message]: ...

    @property
    def params(self) -> _Params: ...


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

    def too_many_tokens(self, max_tokens: int | None) -> str | None:
        """Why a reply of up to `max_tokens` may not be asked for (never on the visitor's own credential)."""
        return None if self.spender is None else self.bounds.too_many_tokens(max_tokens)

    def worst_usd(self, requests: Iterable[Request]) -> float:
        """The most the requests can cost together, at the operator's prices: each one's worst case (every token its
        messages can count as, plus every token it may write), summed; `Unpriced` for a model the operator's catalog
        does not list."""
        return sum(
            worst_case_usd(self.priced(request.record), [m.content for m in request.messages],
                           request.params.max_tokens or 0)
            for request in requests
        )  # fmt: skip

    def run_problems(
        self, *, prompts: int, repeat: int, concurrency: int, max_tokens: int, max_usd: float | None
    ) -> list[str]:
        """Why a visitor's run on the operator's credential may not start (none on their own credential)."""
        if self.spender is None:
            return []
        return visitor_run_problems(self.bounds, prompts=prompts, repeat=repeat, concurrency=concurrency,
                                    max_tokens=max_tokens, max_usd=max_usd)  # fmt: skip
