"""An order being discounted at checkout: its lines' running amounts, and what it ends as.

``Cart`` is the working state ``discounts.calculate`` changes one redeemable at a time;
``CalculatedOrder`` and ``CalculatedItem`` are the result, with the fields of the spec's
``OrderCalculated`` and ``OrderCalculatedItem``. Amounts are cents. ``discount_amount``
fields count what the order carried before (earlier redemptions of it) and what this
request applied; ``applied_*`` fields count this request only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from loyalty_fake.ledger.apportion import split_capped

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.orders import OrderItem, OrderRequest

__all__ = ["CalculatedItem", "CalculatedOrder", "Cart"]


@attrs.frozen
class CalculatedItem:
    """One line of the calculated order: the line as given (``item``) and its new figures.

    ``added``: a ``UNIT`` discount added the line. The quantity fields beyond
    ``quantity`` are set when a ``UNIT`` discount touched it.
    """

    item: OrderItem
    quantity: int | None
    price: int | None
    amount: int | None
    discount_amount: int
    applied_discount_amount: int
    initial_quantity: int | None = None
    initial_amount: int | None = None
    discount_quantity: int = 0
    applied_discount_quantity: int = 0
    applied_quantity: int = 0
    applied_quantity_amount: int = 0
    added: bool = False
    unit_touched: bool = False

    @property
    def subtotal_amount(self) -> int | None:
        """The line's amount after its discounts (``amount - discount_amount``)."""
        return None if self.amount is None else self.amount - self.discount_amount


@attrs.frozen
class CalculatedOrder:
    """The order's figures after the discounts (the spec's ``OrderCalculated``)."""

    amount: int | None
    initial_amount: int | None
    discount_amount: int
    applied_discount_amount: int
    items: tuple[CalculatedItem, ...] = ()

    @property
    def items_discount_amount(self) -> int:
        """The sum of the items' discounts."""
        return sum(item.discount_amount for item in self.items)

    @property
    def items_applied_discount_amount(self) -> int:
        """The sum of the items' discounts applied in this request."""
        return sum(item.applied_discount_amount for item in self.items)

    @property
    def total_discount_amount(self) -> int:
        """Order-level and item-level discounts together."""
        return self.discount_amount + self.items_discount_amount

    @property
    def total_applied_discount_amount(self) -> int:
        """Order-level and item-level discounts applied in this request."""
        return self.applied_discount_amount + self.items_applied_discount_amount

    @property
    def total_amount(self) -> int | None:
        """What is left to pay: ``amount`` less every discount; ``None`` without an amount."""
        return None if self.amount is None else self.amount - self.total_discount_amount


@attrs.define
class Cart:
    """The running state of an order while redeemables apply to it, one after another."""

    items: list[OrderItem]
    quantity: list[int]
    price: list[int]
    amount: list[int | None]
    prior: list[int]
    order_amount: int | None
    initial_amount: int | None
    prior_order: int = 0
    applied_order: int = 0
    applied: list[int] = attrs.Factory(list)
    added: list[bool] = attrs.Factory(list)
    initial_quantity: list[int] = attrs.Factory(list)
    applied_quantity: list[int] = attrs.Factory(list)
    discount_quantity: list[int] = attrs.Factory(list)
    applied_discount_quantity: list[int] = attrs.Factory(list)
    unit_touched: list[bool] = attrs.Factory(list)

    @classmethod
    def of(cls, order: OrderRequest, prior_discount: int = 0) -> Cart:
        """The cart of ``order``, which carried ``prior_discount`` (order-level) before."""
        cart = cls(
            items=[],
            quantity=[],
            price=[],
            amount=[],
            prior=[],
            order_amount=order.total,
            initial_amount=order.total,
            prior_order=prior_discount,
        )
        for item in order.items:
            cart.add_line(item, added=False)
        if cart.order_amount is None and any(amount is not None for amount in cart.amount):
            # Lines with a price and quantity but no amount still make the order's amount.
            cart.order_amount = cart.initial_amount = sum(amount or 0 for amount in cart.amount)
        return cart

    def add_line(self, item: OrderItem, *, added: bool = True) -> int:
        """Add a line (``added``: by a ``UNIT`` discount, with no units yet); its index."""
        quantity = 0 if added else (item.quantity if item.quantity is not None else 1)
        price = item.price
        if price is None and item.amount is not None and quantity:
            price = item.amount // quantity
        amount = 0 if added else item.amount
        if amount is None and item.price is not None and item.quantity is not None:
            amount = item.price * item.quantity
        self.items.append(item)
        self.quantity.append(quantity)
        self.price.append(price or 0)
        self.amount.append(amount)
        self.prior.append(0 if added else item.discount_amount or 0)
        self.applied.append(0)
        self.added.append(added)
        self.initial_quantity.append(quantity)
        self.applied_quantity.append(0)
        self.discount_quantity.append(0)
        self.applied_discount_quantity.append(0)
        self.unit_touched.append(False)
        return len(self.items) - 1

    def left(self) -> int:
        """What is left to pay of the order (0 without an amount)."""
        if self.order_amount is None:
            return 0
        discounts = self.prior_order + self.applied_order + sum(self.prior) + sum(self.applied)
        return max(0, self.order_amount - discounts)

    def line_left(self, at: int) -> int:
        """What is left to pay of line ``at`` (0 without an amount)."""
        return max(0, (self.amount[at] or 0) - self.prior[at] - self.applied[at])

    def grow(self, at: int, units: int) -> None:
        """Add ``units`` units to line ``at`` at its price (a ``UNIT`` discount's effect)."""
        value = units * self.price[at]
        self.quantity[at] += units
        self.amount[at] = (self.amount[at] or 0) + value
        self.applied_quantity[at] += units
        self.unit_touched[at] = True
        if self.order_amount is not None or value:
            self.order_amount = (self.order_amount or 0) + value

    def take_order(self, value: int) -> int:
        """Apply up to ``value`` as an order-level discount; what was applied."""
        taken = max(0, min(value, self.left()))
        self.applied_order += taken
        return taken

    def take_items(self, parts: Mapping[int, int]) -> dict[int, int]:
        """Apply ``parts`` (line index: cents) as item discounts; what each line took.

        No line takes more than is left of it, and the lines together no more than is left
        of the order (cut in proportion to what they asked).
        """
        lines = sorted(at for at, value in parts.items() if value > 0)
        asked = [min(parts[at], self.line_left(at)) for at in lines]
        taken = split_capped(self.left(), asked, asked) if sum(asked) > self.left() else asked
        for at, value in zip(lines, taken, strict=True):
            self.applied[at] += value
        return {at: value for at, value in zip(lines, taken, strict=True) if value > 0}

    def mark(self) -> tuple[int, tuple[int, ...]]:
        """What has been applied so far (order-level, per line): for ``result(since=...)``."""
        return self.applied_order, tuple(self.applied)

    def result(self, since: tuple[int, tuple[int, ...]] = (0, ())) -> CalculatedOrder:
        """The order's figures as they stand; ``applied_*`` count what came after ``since``.

        A line added for free units the catalogue has no price for shows no price or amount.
        """
        before_order, before = since
        items = tuple(
            CalculatedItem(
                item=item,
                quantity=self.quantity[at] if item.quantity is not None or self.added[at] else None,
                price=self.price[at] if item.price is not None else None,
                amount=None if self.added[at] and item.price is None else self.amount[at],
                discount_amount=self.prior[at] + self.applied[at],
                applied_discount_amount=self.applied[at] - (before[at] if at < len(before) else 0),
                initial_quantity=self.initial_quantity[at],
                initial_amount=(self.amount[at] or 0) - self.applied_quantity[at] * self.price[at],
                discount_quantity=self.discount_quantity[at],
                applied_discount_quantity=self.applied_discount_quantity[at],
                applied_quantity=self.applied_quantity[at],
                applied_quantity_amount=self.applied_quantity[at] * self.price[at],
                added=self.added[at],
                unit_touched=self.unit_touched[at],
            )
            for at, item in enumerate(self.items)
        )
        return CalculatedOrder(
            amount=self.order_amount,
            initial_amount=self.initial_amount,
            discount_amount=self.prior_order + self.applied_order,
            applied_discount_amount=self.applied_order - before_order,
            items=items,
        )
