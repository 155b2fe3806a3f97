"""What a workload costs on each model: tokens per request × requests, at the catalog's prices."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.records import ModelRecord

TOKENS_PER_PRICE_UNIT = 1_000_000
#: A prompt's worst case counts its UTF-8 bytes as its tokens (a byte-level tokenizer writes at most one token a
#: byte: 1 per ASCII character, up to 4 for others), plus a few per message for the chat template.
TOKENS_PER_MESSAGE = 8


def usd(value: float, max_decimals: int = 4, *, significant: int | None = None, fixed: bool = False) -> str:
    """A dollar amount with 2 to `max_decimals` decimals: $1.40, $0.345, $0.005, −$136.50 (a true minus sign).

    With `significant`, an amount under a dollar keeps that many significant digits however small it is
    (up to 12 decimals): `usd(0.0000316, significant=3)` is $0.0000316, where the default shows $0.00.
    With `fixed` too, it shows exactly that many, zeros kept, so a column's amounts line up and compare at a
    glance: `usd(0.00009, 2, significant=2, fixed=True)` is $0.000090 beside $0.000055.
    """
    keep = 2
    if significant is not None and 0 < abs(value) < 1:
        digits = significant - 1 - math.floor(math.log10(abs(value)))
        if fixed:
            rounded = round(abs(value), digits)  # 0.0999 to 2 digits is 0.10: one decimal fewer
            digits = significant - 1 - math.floor(math.log10(rounded)) if 0 < rounded < 1 else digits
            max_decimals = keep = min(12, max(2, digits))
        else:
            max_decimals = min(12, max(max_decimals, digits))
    text = f"{abs(value):,.{max_decimals}f}".rstrip("0")
    if not text.strip("0.,"):
        keep = 2  # too small for 12 decimals: $0.00
    whole, _, decimals = text.partition(".")
    amount = f"${whole}.{decimals.ljust(keep, '0')}"
    return f"\u2212{amount}" if value < 0 and amount.strip("$0.,") else amount


def price_text(usd_per_mtok: float) -> str:
    """A price per 1M tokens, to as many decimals as the page writes it: `$0.50`, `$0.005`; nothing is `Free`
    (as provider pages write it)."""
    return "Free" if usd_per_mtok == 0 else usd(usd_per_mtok, max_decimals=6)


def request_cost(record: ModelRecord, input_tokens: float, output_tokens: float) -> float:
    """USD for one request of `input_tokens` in and `output_tokens` out."""
    return (
        input_tokens * record.input_usd_per_mtok + output_tokens * record.output_usd_per_mtok
    ) / TOKENS_PER_PRICE_UNIT


def prompt_token_bound(contents: Iterable[str]) -> int:
    """The most tokens the messages `contents` can count as: their UTF-8 bytes plus the chat template's few per
    message. The runner's budget and the spend ledger both reserve with it; 0.5 a character (the old bound) let an
    emoji prompt, 4 bytes a character, spend past what was reserved."""
    return sum(len(content.encode("utf-8", "surrogatepass")) + TOKENS_PER_MESSAGE for content in contents)


@dataclass(frozen=True, slots=True)
class CostLine:
    """One model's cost for a workload."""

    record: ModelRecord
    per_request_usd: float
    total_usd: float


def rank_by_cost(
    records: Iterable[ModelRecord], input_tokens: float, output_tokens: float, requests: float = 1
) -> list[CostLine]:
    """Every model's cost for the workload, cheapest first."""
    if min(input_tokens, output_tokens, requests) < 0:
        raise ValueError("token and request counts cannot be negative")
    lines = []
    for record in records:
        per_request = request_cost(record, input_tokens, output_tokens)
        lines.append(CostLine(record, per_request, per_request * requests))
    lines.sort(key=lambda line: (line.total_usd, line.record.model))
    return lines
