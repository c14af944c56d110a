"""Whole-cent arithmetic for discounts: rounding a fraction and splitting a sum by weights.

Amounts are integers in the currency's smallest unit (cents). A percentage of an amount
is rounded as ``DiscountRounding`` says; a sum split among order lines is split by
largest remainder, so the parts always add up to the sum exactly and none passes its cap.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["DISCOUNT_ROUNDINGS", "DiscountRounding", "round_cents", "split", "split_capped"]

# How a fraction of a cent is rounded (docs/choices.md, "Discounts"): half up (the
# default, 0.5 cent up), half to even, always down (the customer pays the cent), up.
DiscountRounding = Literal["half_up", "half_even", "down", "up"]
DISCOUNT_ROUNDINGS: tuple[DiscountRounding, ...] = get_args(DiscountRounding)


def round_cents(value: Fraction, rounding: DiscountRounding) -> int:
    """``value`` (cents, not negative) rounded to a whole cent as ``rounding`` says."""
    if rounding == "down":
        return math.floor(value)
    if rounding == "up":
        return math.ceil(value)
    if rounding == "half_even":
        return round(value)
    return math.floor(value + Fraction(1, 2))


def split(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """``total`` split in proportion to ``weights`` (not negative), as whole cents.

    Each part is its exact share rounded down; the cents left go one each to the parts
    with the largest remainders (the earliest of equals). Weights all zero share nothing.
    """
    whole = sum(weights, Fraction(0))
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [Fraction(total) * weight / whole for weight in weights]
    parts = [math.floor(share) for share in shares]
    left = total - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda at: (parts[at] - shares[at], at))
    for at in by_remainder[:left]:
        parts[at] += 1
    return parts


def split_capped(total: int, weights: Sequence[int | Fraction], caps: Sequence[int]) -> list[int]:
    """``total`` split by ``weights`` with no part above its cap (the excess goes to the rest).

    When the caps sum to less than ``total``, every part is its cap.
    """
    parts = [0] * len(weights)
    open_ = [at for at in range(len(weights)) if caps[at] > 0 and weights[at] > 0]
    left = min(total, sum(caps[at] for at in open_))
    while left > 0 and open_:
        shares = split(left, [weights[at] for at in open_])
        over = [at for at, share in zip(open_, shares, strict=True) if parts[at] + share > caps[at]]
        if not over:
            for at, share in zip(open_, shares, strict=True):
                parts[at] += share
            break
        for at in over:
            left -= caps[at] - parts[at]
            parts[at] = caps[at]
        open_ = [at for at in open_ if at not in over]
    return parts
