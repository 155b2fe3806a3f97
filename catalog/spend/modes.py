"""Who may spend the operator's credential in the dashboard: the spend mode, and the gate for one visitor.

The CLI always may (it runs with its user's rights); these rules are for dashboard visitors only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from catalog.records import CatalogError
from catalog.settings import Settings

MODE_SETTING = "CATALOG_SPEND_MODE"
EMAILS_SETTING = "CATALOG_SPEND_EMAILS"
#: The owner of every run a passphrase holder starts: the passphrase names one person, the operator's circle.
PASSPHRASE_OWNER = "passphrase"


class SpendConfigError(CatalogError):
    """The operator's spend settings are unusable; the message names the setting, never a secret."""


class SpendMode(StrEnum):
    """Who may spend the operator's credential."""

    OFF = "off"  # nobody in the dashboard: visitors paste their own credential
    PASSPHRASE = "passphrase"  # a visitor who entered the operator's passphrase, for the session
    PUBLIC = "public"  # every visitor, within the caps
    OIDC = "oidc"  # a visitor signed in with st.login whose e-mail the operator allowed


def spend_mode(settings: Settings) -> SpendMode:
    """The mode the operator chose; `off` when unset, and when what is set is not a mode: an unusable setting
    fails closed (nobody spends the operator's credential) and is named in `Settings.warnings`, which the CLI
    prints and operators see in the sidebar, while browsing goes on for everyone."""
    return SpendMode(settings.choice(MODE_SETTING))


def anonymous(session: str) -> str:
    """An opaque, stable digest of a session id: what the ledger and run owners keep, never the id itself."""
    return hashlib.sha256(b"catalog-session\0" + session.encode("utf-8")).hexdigest()[:32]


SESSION_PREFIX = "session:"


def session_owner(session: str) -> str:
    """Who owns what an anonymous dashboard session (its random id) starts, and the key the store marks it seen
    under: what a run's keeper checks to stop a run whose page left."""
    return SESSION_PREFIX + anonymous(session)


@dataclass(frozen=True, slots=True)
class Visitor:
    """One dashboard session: its random id, whether it entered the passphrase, and its signed-in e-mail."""

    session: str
    unlocked: bool = False
    email: str | None = None

    @property
    def owner(self) -> str:
        """Who owns what this visitor starts: the person (signed-in e-mail, or the passphrase), else the session."""
        if self.email:
            return f"email:{self.email.lower()}"
        if self.unlocked:
            return PASSPHRASE_OWNER
        return session_owner(self.session)


def oidc_email(user: object, allowed: Sequence[str]) -> str | None:
    """The signed-in e-mail of an `st.user`-like object when the operator allows it, else None.

    `st.user` has `is_logged_in` and, from the identity provider, `email` (and `email_verified` where the
    provider sends it: an address the provider says is unverified is refused).
    """
    if not _field(user, "is_logged_in"):
        return None
    email = _field(user, "email")
    if not isinstance(email, str) or not email.strip() or _field(user, "email_verified") is False:
        return None
    wanted = {address.strip().lower() for address in allowed if address.strip()}
    return email.strip() if email.strip().lower() in wanted else None


def _field(user: object, name: str) -> object:
    if isinstance(user, dict):
        return user.get(name)
    try:
        return getattr(user, name, None)
    except (AttributeError, KeyError):
        return None


def may_spend(mode: SpendMode, visitor: Visitor) -> bool:
    """Whether this visitor may spend the operator's credential (within the caps)."""
    if mode is SpendMode.PUBLIC:
        return True
    if mode is SpendMode.PASSPHRASE:
        return visitor.unlocked
    if mode is SpendMode.OIDC:
        return visitor.email is not None
    return False
