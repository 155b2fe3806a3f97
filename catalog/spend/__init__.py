"""Who may spend the operator's credential, and how much: modes, the passphrase, caps and the spend ledger.

Errors (each a `CatalogError`, with a message a visitor can read):

    SpendConfigError   the operator's spend settings are unusable (a malformed passphrase hash)
    CapReached         a request would pass a cap; `.refusal` says which, how much is left, when it resets
    Unpriced           a model the operator's own catalog does not list (an uploaded page's): not sent on theirs
"""

from __future__ import annotations

from catalog.spend.caps import (
    CapReached,
    Caps,
    Refusal,
    Unpriced,
    VisitorBounds,
    operators_record,
    visitor_run_problems,
    worst_case_usd,
)
from catalog.spend.ledger import Reservation, Spender, SpendLedger, SpendLine, settle_billed
from catalog.spend.modes import (
    SpendConfigError,
    SpendMode,
    Visitor,
    anonymous,
    may_spend,
    oidc_email,
    session_owner,
    spend_mode,
)
from catalog.spend.passphrase import ServerTries, Tries, Unlock, hash_passphrase, passphrase_matches, try_passphrase

__all__ = [
    "CapReached",
    "Caps",
    "Refusal",
    "Reservation",
    "ServerTries",
    "SpendConfigError",
    "SpendLedger",
    "SpendLine",
    "SpendMode",
    "Spender",
    "Tries",
    "Unlock",
    "Unpriced",
    "Visitor",
    "VisitorBounds",
    "anonymous",
    "session_owner",
    "hash_passphrase",
    "may_spend",
    "oidc_email",
    "operators_record",
    "passphrase_matches",
    "settle_billed",
    "spend_mode",
    "try_passphrase",
    "visitor_run_problems",
    "worst_case_usd",
]
