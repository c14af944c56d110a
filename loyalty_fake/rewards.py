"""Rewards, their assignments to programs, and the redemptions that spend points on them."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "PARAMETERS_KEY",
    "FailedRedemption",
    "Order",
    "OrderItem",
    "OrderRequest",
    "Redemption",
    "Reward",
    "RewardAssignment",
    "RewardType",
    "Rollback",
]

RewardType = Literal["CAMPAIGN", "COIN", "MATERIAL"]
# The key under which each type's ``parameters`` are given.
PARAMETERS_KEY: dict[RewardType, str] = {
    "MATERIAL": "product",
    "COIN": "coin",
    "CAMPAIGN": "campaign",
}


@attrs.define
class Reward:
    """A reward members can spend points on (Voucherify's ``rew_`` object).

    ``parameters`` are kept as Voucherify shows them: ``{"product": {"id", "sku_id"}}``
    for ``MATERIAL``, ``{"coin": {"exchange_ratio", "points_ratio"}}`` for ``COIN``.
    """

    id: str
    name: str
    type: RewardType
    parameters: dict[str, Any]
    created_at: dt.datetime
    seq: int
    stock: int | None = None
    attributes: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    updated_at: dt.datetime | None = None
    # Redemptions of this reward that were not rolled back.
    redeemed: int = 0

    def cash_per_point(self) -> Fraction:
        """A ``COIN`` reward's value of one point in the currency's smallest unit (cents).

        ``points_ratio`` points are worth ``exchange_ratio`` currency units.
        """
        coin = self.parameters["coin"]
        exchange = Fraction(str(coin["exchange_ratio"]))
        return exchange * 100 / Fraction(coin.get("points_ratio") or 1)


@attrs.define
class RewardAssignment:
    """A reward offered by one loyalty program, at ``points`` per redemption (``rewa_``).

    ``COIN`` rewards have no price (``points`` is ``None``): members pay what they choose.
    """

    id: str
    reward_id: str
    campaign_id: str
    created_at: dt.datetime
    seq: int
    points: int | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class OrderItem:
    """One line of an order as given, with its ``amount`` worked out from price and quantity."""

    product_id: str | None = None
    sku_id: str | None = None
    source_id: str | None = None
    related_object: str | None = None
    quantity: int | None = None
    price: int | None = None
    amount: int | None = None


@attrs.frozen
class OrderRequest:
    """The order a redemption request names, already validated."""

    source_id: str | None = None
    status: str | None = None
    amount: int | None = None
    items: tuple[OrderItem, ...] = ()
    metadata: dict[str, Any] | None = None

    @property
    def total(self) -> int | None:
        """``amount``, or else the sum of the items' amounts; ``None`` when nothing says."""
        if self.amount is not None:
            return self.amount
        amounts = [item.amount for item in self.items if item.amount is not None]
        return sum(amounts) if amounts else None


@attrs.define
class Order:
    """The order a pay-with-points redemption discounts (``ord_``); amounts in cents."""

    id: str
    created_at: dt.datetime
    source_id: str | None = None
    status: str = "PAID"
    amount: int | None = None
    discount_amount: int = 0
    items: tuple[OrderItem, ...] = ()
    metadata: dict[str, Any] | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class Rollback:
    """The rollback of a redemption (``rr_``): the points returned and those already expired."""

    id: str
    created_at: dt.datetime
    reason: str | None = None
    expired_points: int = 0
    # The project-wide sequence number it was made with: orders it among a card's records.
    seq: int = 0


@attrs.define(eq=False)
class Redemption:
    """Points spent from a card on a reward (``r_``); compared by identity, as a record.

    Transactions point at their redemption, so it stays hashable while it changes
    (a rollback). ``taken`` records where the points came from, ``(last_day, points)`` per bucket
    (``last_day`` ``None``: never expiring), so that a rollback can put them back.
    """

    id: str
    seq: int
    created_at: dt.datetime
    card_code: str
    campaign_id: str
    customer_id: str
    reward: Reward
    assignment_id: str
    points: int
    taken: tuple[tuple[dt.date | None, int], ...]
    channel_id: str
    order: Order | None = None
    metadata: dict[str, Any] | None = None
    rollback: Rollback | None = None


@attrs.frozen
class FailedRedemption:
    """A refused redemption (``rf_``) or rollback (``rrf_``), as Voucherify records it.

    The refusal's error ``key`` and ``message`` are its ``failure_code`` and
    ``failure_message``. ``redemption_id`` is the redemption a failed rollback tried to
    undo (``None`` for a failed redemption). ``customer_id`` is the card's holder then
    (``None`` for a card nobody held).
    """

    id: str
    seq: int
    created_at: dt.datetime
    card_code: str
    campaign_id: str
    customer_id: str | None
    failure_code: str
    failure_message: str
    channel_id: str
    metadata: dict[str, Any] | None = None
    redemption_id: str | None = None
    reason: str | None = None

    @property
    def is_rollback(self) -> bool:
        """Whether this is a failed rollback (``rrf_``) rather than a failed redemption."""
        return self.redemption_id is not None
