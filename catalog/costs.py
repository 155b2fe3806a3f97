"""What a workload costs on each model: tokens per request × requests, at the catalog's prices, exactly.

Prices are read from the page as floats, whose shortest repr is the page's own digits (a price has far fewer
than the 15 significant digits a float keeps). Costs are computed in `Decimal` from those digits, so a cost is
the exact decimal the page's prices make, never a float one unit in the last place off
(`0.06537000000000001`); `usd` rounds one only to show it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

from catalog.records import ModelRecord

TOKENS_PER_PRICE_UNIT = 1_000_000
#: A prompt's worst case counts its UTF-8 bytes as its tokens (a byte-level tokenizer writes at most one token a
#: byte: 1 per ASCII character, up to 4 for others), plus a few per message for the chat template.
TOKENS_PER_MESSAGE = 8

#: The context of every cost: sums and products of prices and token counts are exact in it (each factor has at
#: most 17 significant digits, a float's repr, and a cost multiplies three: 51 digits at most, far below 100).
#: A quotient that does not end (a month's cost ÷ 30 days) is rounded at 100 digits, then kept to
#: `QUOTIENT_QUANTUM`.
EXACT = Context(prec=100, traps=[InvalidOperation, DivisionByZero, Overflow])
#: Where an amount that does not end (a month's cost ÷ 30 days, a mean cost, a cost per passing answer) is cut,
#: half to even: 1e-12 USD, the digit to which every cost is checked against the exact rational cost
#: (tests/test_exact_costs.py). Every other amount is exact to its last digit.
QUOTIENT_QUANTUM = Decimal("1e-12")

# Each distinct price once: its digits, per token. A catalog has a few hundred distinct prices at most; the
# cap only bounds what a stream of made-up prices could make this keep.
PER_TOKEN_CACHE: dict[Number, Decimal] = {}
_PER_TOKEN_CAP = 100_000

Number = int | float | Decimal


def exact(value: Number) -> Decimal:
    """A number as the decimal it was written as: a float by its shortest repr (`0.1` is 0.1, not 0.1000…0555)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value))


def per_token_usd(usd_per_mtok: Number) -> Decimal:
    """The exact USD of one token at a price per 1M tokens (each distinct price converted once)."""
    found = PER_TOKEN_CACHE.get(usd_per_mtok)
    if found is None:
        if len(PER_TOKEN_CACHE) >= _PER_TOKEN_CAP:
            PER_TOKEN_CACHE.clear()
        found = PER_TOKEN_CACHE[usd_per_mtok] = EXACT.divide(exact(usd_per_mtok), TOKENS_PER_PRICE_UNIT)
    return found


def exact_sum(amounts: Iterable[Number | None]) -> Decimal:
    """The exact sum of amounts, each float read as the decimal of its repr; None adds nothing."""
    with localcontext(EXACT):
        return sum((exact(amount) for amount in amounts if amount is not None), Decimal(0))


def exact_mean(amounts: Iterable[Number | None]) -> Decimal | None:
    """The mean of the amounts given (None left out), exact to `QUOTIENT_QUANTUM`; None when there are none."""
    present = [amount for amount in amounts if amount is not None]
    if not present:
        return None
    with localcontext(EXACT):
        return (exact_sum(present) / len(present)).quantize(QUOTIENT_QUANTUM)


def report_usd(amount: Decimal) -> float:
    """An exact amount as a run report's JSON number: cut to `QUOTIENT_QUANTUM` (1e-12 USD), then the float whose
    repr is those digits (any amount under $1,000 has at most 15 significant digits there, which a float keeps)."""
    return float(amount.quantize(QUOTIENT_QUANTUM, context=EXACT))


def report_mean(amounts: Iterable[Number | None]) -> float | None:
    """The exact mean of the amounts given as a report's JSON number (`report_usd`); None when there are none."""
    mean = exact_mean(amounts)
    return None if mean is None else report_usd(mean)


def decimal_text(amount: Decimal) -> str:
    """An exact amount as an export writes it: plain digits, no exponent, no trailing zeros (`0.0000001234`, `20.75`,
    `-877.5`, `0`)."""
    text = str(amount)  # four times faster than format(amount, "f"), which is needed only for an exponent
    if "E" in text:
        text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def usd(value: float | Decimal, max_decimals: int = 4, *, significant: int | None = None, fixed: bool = False) -> str:
    """A dollar amount with 2 to `max_decimals` decimals: $1.40, $0.345, $0.005, −$136.50 (a true minus sign).

    With `significant`, an amount under a dollar keeps that many significant digits however small it is
    (up to 12 decimals): `usd(0.0000316, significant=3)` is $0.0000316, where the default shows $0.00.
    With `fixed` too, it shows exactly that many, zeros kept, so a column's amounts line up and compare at a
    glance: `usd(0.00009, 2, significant=2, fixed=True)` is $0.000090 beside $0.000055.
    An exact `Decimal` cost is rounded here, half to even, and nowhere else.
    """
    keep = 2
    size = value.copy_abs() if isinstance(value, Decimal) else abs(value)
    if significant is not None and 0 < size < 1:
        digits = significant - 1 - math.floor(math.log10(size))
        if fixed:
            # 0.0999 to 2 digits is 0.10: one decimal fewer
            rounded = round(size, digits) if isinstance(size, Decimal) else round(size, digits)
            digits = significant - 1 - math.floor(math.log10(rounded)) if 0 < rounded < 1 else digits
            max_decimals = keep = min(12, max(2, digits))
        else:
            max_decimals = min(12, max(max_decimals, digits))
    text = f"{size:,.{max_decimals}f}".rstrip("0")
    if not text.strip("0.,"):
        keep = 2  # too small for 12 decimals: $0.00
    whole, _, decimals = text.partition(".")
    amount = f"${whole}.{decimals.ljust(keep, '0')}"
    return f"\u2212{amount}" if value < 0 and amount.strip("$0.,") else amount


def price_text(usd_per_mtok: float) -> str:
    """A price per 1M tokens, to as many decimals as the page writes it: `$0.50`, `$0.005`; nothing is `Free`
    (as provider pages write it)."""
    return "Free" if usd_per_mtok == 0 else usd(usd_per_mtok, max_decimals=6)


def request_cost(record: ModelRecord, input_tokens: Number, output_tokens: Number) -> Decimal:
    """The exact USD of one request of `input_tokens` in and `output_tokens` out."""
    with localcontext(EXACT):
        return per_token_usd(record.input_usd_per_mtok) * exact(input_tokens) + per_token_usd(
            record.output_usd_per_mtok
        ) * exact(output_tokens)


def prompt_token_bound(contents: Iterable[str]) -> int:
    """The most tokens the messages `contents` can count as: their UTF-8 bytes plus the chat template's few per
    message. The runner's budget and the spend ledger both reserve with it; 0.5 a character (the old bound) let an
    emoji prompt, 4 bytes a character, spend past what was reserved."""
    return sum(len(content.encode("utf-8", "surrogatepass")) + TOKENS_PER_MESSAGE for content in contents)


@dataclass(frozen=True, slots=True)
class CostLine:
    """One model's exact cost for a workload."""

    record: ModelRecord
    per_request_usd: Decimal
    total_usd: Decimal


def rank_by_cost(
    records: Iterable[ModelRecord], input_tokens: Number, output_tokens: Number, requests: Number = 1
) -> list[CostLine]:
    """Every model's exact cost for the workload, cheapest first."""
    if min(input_tokens, output_tokens, requests) < 0:
        raise ValueError("token and request counts cannot be negative")
    tokens_in, tokens_out, count = exact(input_tokens), exact(output_tokens), exact(requests)
    lines = []
    with localcontext(EXACT):
        for record in records:
            per_request = (
                per_token_usd(record.input_usd_per_mtok) * tokens_in
                + per_token_usd(record.output_usd_per_mtok) * tokens_out
            )
            lines.append(CostLine(record, per_request, per_request * count))
    lines.sort(key=lambda line: (line.total_usd, line.record.model))
    return lines
