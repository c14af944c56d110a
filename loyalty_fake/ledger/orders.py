"""Orders as a redemption carries them: what a request names, and what the fake records.

The orders area (``/v1/orders``) will grow here; today an order exists only inside a
pay-with-points redemption.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["Order", "OrderItem", "OrderRequest"]


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

    def paid(self, order_id: str, discount: int, now: dt.datetime) -> Order:
        """The order the fake records for this request, ``discount`` (cents) paid in points."""
        return Order(
            id=order_id,
            created_at=now,
            source_id=self.source_id,
            status=self.status or "PAID",
            amount=self.total,
            discount_amount=discount,
            items=self.items,
            metadata=dict(self.metadata) if self.metadata else None,
        )


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
