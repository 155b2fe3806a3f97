"""Prices per token, as other tools write them, from our USD per 1M tokens, exactly.

The conversion goes through `Decimal` on the shortest repr of each price, so `0.3` per 1M is exactly `3E-7`
per token and back, with no float noise either way.
"""

from __future__ import annotations

from decimal import Decimal

TOKENS_PER_MTOK = Decimal(1_000_000)


def per_token(usd_per_mtok: float) -> Decimal:
    """USD per token, exactly: the page's decimal divided by a million."""
    return Decimal(repr(usd_per_mtok)) / TOKENS_PER_MTOK


def per_mtok(usd_per_token: float | str | Decimal) -> float:
    """USD per 1M tokens from a per-token price (a JSON number or an OpenRouter string), without float noise."""
    value = usd_per_token if isinstance(usd_per_token, Decimal) else Decimal(str(usd_per_token))
    return float(value * TOKENS_PER_MTOK)


def plain(value: Decimal) -> str:
    """A decimal written without an exponent, as OpenRouter writes prices: `0.0000003`."""
    return format(value.normalize(), "f")
