"""Every setting the product reads, in one table: its name, kind, default, bounds and meaning.

A setting is an environment variable, or the same name in Streamlit's `st.secrets` (the dashboard passes
those in; nothing here imports Streamlit). The environment wins; a blank value counts as unset. This module
is the only one that reads `os.environ`, and `read_settings` is called once per CLI command (`cli/main.py`)
and once per dashboard run (`pages/common/settings.py`: by the router, or by a page run without it), so an
operator's edit of `secrets.toml` applies from the next run, and no run mixes old and new values.

That `Settings` is passed to the code that uses it. A library function called without one (`configured_url`,
`FetchLimits.from_settings`, …) uses `in_force()`: the settings the CLI command or the dashboard's router
`applied` for its whole run, in that thread; elsewhere (a script or a test calling the library, a thread
of its own) the environment, read then.

A value that does not fit its kind is kept as written, so the code that uses it can say exactly what is
wrong where it matters, and `Settings.warnings` names it up front: every CLI command prints them on stderr,
and the dashboard shows them to an operator in the sidebar.
Secrets are never shown: `Settings.shown` writes "set (hidden)" for them, and a URL's password as `***`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

Kind = Literal["text", "secret", "url", "list", "whole", "number", "flag"]
HIDDEN = "set (hidden)"


@dataclass(frozen=True, slots=True)
class Variable:
    """One setting: its name, what kind of value it takes, its default as written, its bounds and meaning."""

    name: str
    kind: Kind
    meaning: str
    default: str = ""
    #: The largest value a `whole` or `number` setting accepts (the smallest is always above 0).
    largest: float | None = None
    group: str = "catalog"
    #: The values a `text` setting may take (written in any case, with spaces around); none: any text.
    choices: tuple[str, ...] = ()

    def problem(self, text: str) -> str | None:
        """Why `text` does not fit this setting, or None when it does."""
        if self.kind == "whole":
            digits = text.replace("_", "")
            if not (digits.isascii() and digits.isdigit()) or int(digits) == 0:
                return f"{self.name} must be a positive whole number, not {text[:20]!r}"
            if self.largest is not None and int(digits) > self.largest:
                return f"{self.name} must be at most {self.largest:,.0f}, not {text[:20]!r}"
        elif self.kind == "number":
            try:
                value = float(text) if text.isascii() else math.nan
            except ValueError:
                value = math.nan
            largest = math.inf if self.largest is None else self.largest
            if not 0 < value <= largest:  # also refuses nan
                return f"{self.name} must be a number above 0 and at most {largest:,.0f}, not {text[:20]!r}"
        elif self.choices and text.strip().lower() not in self.choices:
            return f"{self.name} must be one of {', '.join(self.choices)}, not {text[:20]!r}"
        elif self.kind == "flag" and text not in ("0", "1"):
            return f"{self.name} must be 0 or 1, not {text[:20]!r}"
        elif self.kind == "url" and text.startswith(("http:", "https:")) and not _host(text):
            return f"{self.name} is not a URL with a host"
        return None


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # `http://[::1`: urlsplit raises on a bracket never closed
        return None


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "CATALOG_SOURCES", "list",
        "provider pages to read instead of the embedded one: paths or http(s) URLs, comma-separated",
    ),
    Variable(
        "CATALOG_DB_URL", "url",
        "the store's database, any SQLAlchemy URL (PostgreSQL for a team); default: an SQLite file in the "
        "user's data folder",
    ),
    Variable(
        "CATALOG_LITELLM_MAP", "text",
        "a path or http(s) URL of LiteLLM's model_prices_and_context_window.json, for context windows and a "
        "cross-check of prices",
    ),
    Variable(
        "CATALOG_FETCH_MAX_BYTES", "whole",
        "the most one fetched URL (a provider page, the docs index, LiteLLM's map) may hold once decoded, in bytes",
        "5000000", 1_000_000_000,
    ),
    Variable(
        "CATALOG_FETCH_DEADLINE_S", "number",
        "the longest one fetch of a URL may take in all, connection to last byte, in seconds", "30", 3600,
    ),
    Variable(
        "CATALOG_MODELS_DEV", "text",
        "a path of a models.dev checkout (or its providers/ folder), for context windows and capabilities the "
        "cited table lacks",
    ),
    Variable(
        "CATALOG_MAX_UPLOAD_BYTES", "whole", "the largest provider page a visitor may upload, in bytes",
        "1000000", group="dashboard",
    ),
    Variable(
        "CATALOG_MAX_UPLOAD_MODELS", "whole", "the most models an uploaded page may hold", "5000", group="dashboard",
    ),
    Variable(
        "OPERATOR_UI", "flag",
        "1 shows every visitor the operator's notes in the dashboard (database location, CLI commands, setting "
        "names); 0 keeps them to the CLI",
        "0", group="dashboard",
    ),
    Variable(
        "CATALOG_RUNS_KEEP_TEXT", "flag", "1 keeps a run's prompts and answers in the store; 0 keeps only metrics",
        "1", group="runs",
    ),
    Variable(
        "CATALOG_RUNS_RETRY_BUDGET_S", "whole",
        "the most seconds one run waits in all for rate limits (429 Retry-After); a longer wait fails that trial",
        "600", 7 * 24 * 3600, group="runs",
    ),
    Variable(
        "LAVA_BASE_URL", "url", "Lava's API, where forward-proxy requests and billing look-ups go",
        "https://api.lava.so", group="gateway",
    ),
    Variable("LAVA_FORWARD_TOKEN", "secret", "a ready Lava forward token, sent as is", group="gateway"),
    Variable(
        "LAVA_SECRET_KEY", "secret",
        "your Lava secret key (aks_live_…): the app builds the forward token, and reads what Lava billed",
        group="gateway",
    ),
    Variable("LAVA_CUSTOMER_ID", "text", "with LAVA_SECRET_KEY: the customer a request is billed to", group="gateway"),
    Variable("LAVA_METER_SLUG", "text", "with LAVA_SECRET_KEY: the meter a request is billed on", group="gateway"),
    Variable(
        "DEEPINFRA_API_KEY", "secret",
        "with a Lava key: your own DeepInfra key (unmanaged mode); alone: direct mode, without Lava",
        group="gateway",
    ),
    Variable(
        "DEEPINFRA_BASE_URL", "url",
        "direct mode only: where requests go instead of the catalog's chat URL's host (a test server, a proxy)",
        group="gateway",
    ),
    Variable(
        "PLAYGROUND_REPLY_DEADLINE_S", "number", "the longest one reply may stream, in seconds", "600",
        24 * 3600, group="gateway",
    ),
    Variable(
        "PLAYGROUND_MAX_REPLY_CHARS", "number", "the most characters one reply may hold", "1000000",
        100_000_000, group="gateway",
    ),
    Variable(
        "PLAYGROUND_TARGET_HOSTS", "list",
        "extra chat hosts requests may go to through Lava, comma-separated (api.deepinfra.com always may)",
        group="gateway",
    ),
    Variable(
        "CATALOG_SPEND_MODE", "text",
        "who may spend the operator's credential in the dashboard: off (visitors paste their own), passphrase, "
        "public (everyone, within the caps) or oidc (st.login, the e-mails in CATALOG_SPEND_EMAILS); any other "
        "value counts as off",
        "off", group="spend", choices=("off", "passphrase", "public", "oidc"),
    ),
    Variable(
        "CATALOG_SPEND_PASSPHRASE_HASH", "secret",
        "passphrase mode: the passphrase's scrypt hash, as `python -m catalog spend --hash` prints it",
        group="spend",
    ),
    Variable("CATALOG_SPEND_EMAILS", "list", "oidc mode: the e-mail addresses that may spend, comma-separated",
             group="spend"),
    Variable("CATALOG_SPEND_SESSION_HOURLY_USD", "number", "the most one dashboard session may spend in an hour",
             "0.5", 1e6, group="spend"),
    Variable("CATALOG_SPEND_DAILY_USD", "number", "the most all dashboard visitors together may spend in a UTC day",
             "5", 1e6, group="spend"),
    Variable("CATALOG_SPEND_RUN_USD", "number", "the most one dashboard run may spend", "1", 1e6, group="spend"),
    Variable("CATALOG_VISITOR_MAX_TOKENS", "whole", "the most tokens a visitor's request may ask for", "2048",
             131_072, group="spend"),
    Variable("CATALOG_VISITOR_MAX_REPEATS", "whole", "the most repeats a visitor's run may have", "3", 100,
             group="spend"),
    Variable("CATALOG_VISITOR_MAX_PROMPTS", "whole", "the most prompts a visitor's run may have", "50", 100_000,
             group="spend"),
    Variable("CATALOG_VISITOR_MAX_CONCURRENCY", "whole", "the most requests a visitor's run may have in flight", "2",
             32, group="spend"),
    Variable("CATALOG_RUN_LEASE_S", "whole",
             "a run is running while its runner renewed its lease within this many seconds", "30", 3600,
             group="runs"),
    Variable("CATALOG_RUN_OWNER_GONE_S", "whole",
             "a dashboard run stops once its owner's session has been gone this many seconds", "300", 86_400,
             group="runs"),
    Variable("CATALOG_REFRESH_COOLDOWN_S", "whole", "the fewest seconds between two price refreshes from the dashboard",
             "600", 86_400, group="dashboard"),
)  # fmt: skip
BY_NAME: dict[str, Variable] = {variable.name: variable for variable in VARIABLES}
NAMES: tuple[str, ...] = tuple(BY_NAME)


@dataclass(frozen=True, slots=True)
class Settings(Mapping[str, str]):
    """The settings in force: each set value as written (stripped), where it came from, and what is wrong.

    A `Mapping` of the set values, so the functions that take settings by name (`resolve_config`,
    `trusted_hosts`, …) read it directly; `value` gives a setting with its default.
    """

    written: Mapping[str, str]
    origins: Mapping[str, str]
    warnings: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> str:
        return self.written[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.written)

    def __len__(self) -> int:
        return len(self.written)

    def value(self, name: str) -> str:
        """The setting as written, else its default ("" when it has none)."""
        return self.written.get(name) or BY_NAME[name].default

    def whole(self, name: str) -> int:
        """A whole-number setting; its default when what is set does not fit (see `warnings`)."""
        text = self.value(name)
        return int((BY_NAME[name].default if BY_NAME[name].problem(text) else text).replace("_", ""))

    def number(self, name: str) -> float:
        """A number setting; its default when what is set does not fit (see `warnings`)."""
        text = self.value(name)
        return float(BY_NAME[name].default if BY_NAME[name].problem(text) else text)

    def choice(self, name: str) -> str:
        """A setting of a few `choices`, in lower case; its default when what is set is not one (see `warnings`)."""
        text = self.value(name)
        return (BY_NAME[name].default if BY_NAME[name].problem(text) else text).strip().lower()

    def flag(self, name: str) -> bool:
        text = self.value(name)
        return (BY_NAME[name].default if BY_NAME[name].problem(text) else text) == "1"

    def items_of(self, name: str) -> tuple[str, ...]:
        """A comma-separated setting's items, stripped, blanks left out."""
        return tuple(part.strip() for part in self.value(name).split(",") if part.strip())

    def shown(self, name: str) -> str:
        """The setting as it may be shown to a person: secrets hidden, a URL's password masked."""
        variable, text = BY_NAME[name], self.written.get(name)
        if text is None:
            return f"{variable.default} (default)" if variable.default else "(not set)"
        if variable.kind == "secret":
            return HIDDEN
        return mask_password(text) if variable.kind == "url" else text


def markdown_table() -> str:
    """The settings as the README's table: name, kind, default and meaning, one row each, in table order."""
    lines = ["| setting | kind | default | meaning |", "|---|---|---|---|"]
    for variable in VARIABLES:
        default = f"`{variable.default}`" if variable.default else "—"
        bound = f" (at most {variable.largest:,.0f})" if variable.largest is not None else ""
        lines.append(f"| `{variable.name}` | {variable.kind}{bound} | {default} | {variable.meaning} |")
    return "\n".join(lines) + "\n"


def mask_password(url: str) -> str:
    """`scheme://user:***@host/…` for a URL with a password; any other text unchanged."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "(not a URL)"
    if not password:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def read_settings(environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None) -> Settings:
    """Every setting from `environ` (default: the process's environment), then `secrets`; blanks are unset."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    for name in NAMES:
        for origin, source in (("environment", environ), ("secrets", secrets or {})):
            text = str(source.get(name) or "").strip()
            if text:
                values[name], origins[name] = text, origin
                break
    warnings = tuple(problem for name, text in values.items() if (problem := BY_NAME[name].problem(text)) is not None)
    return Settings(values, origins, warnings)


#: The settings of the command or dashboard run in progress (see `applied`); None outside one.
_IN_FORCE: ContextVar[Settings | None] = ContextVar("catalog_settings_in_force", default=None)


def in_force() -> Settings:
    """The settings the running CLI command or dashboard run applied; outside one, the environment read now."""
    settings = _IN_FORCE.get()
    return read_settings() if settings is None else settings


@contextmanager
def applied(settings: Settings) -> Iterator[Settings]:
    """Make `settings` the ones `in_force()` gives, in this thread, until the block ends."""
    token = _IN_FORCE.set(settings)
    try:
        yield settings
    finally:
        _IN_FORCE.reset(token)
