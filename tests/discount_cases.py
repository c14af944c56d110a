"""Orders, cards and rewards for the discount tests (``tests/test_discounts*.py``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.discounts import DiscountRedeemable, calculate
from loyalty_fake.ledger.orders import OrderItem, OrderRequest
from loyalty_fake.ledger.rewards import Reward

if TYPE_CHECKING:
    from loyalty_fake.ledger.discounts import Calculation, Checkout, Redeemable

__all__ = ["CART", "card", "coin", "line", "one", "order", "products"]

_WHEN = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


def line(product: str, price: int, quantity: int = 1, **more: Any) -> OrderItem:
    """An order line of ``quantity`` units of ``product`` at ``price`` cents."""
    return OrderItem(
        product_id=product, quantity=quantity, price=price, amount=price * quantity, **more
    )


def order(*items: OrderItem, amount: int | None = None) -> OrderRequest:
    """An order of ``items`` (its amount their sum unless given)."""
    return OrderRequest(amount=amount, items=items)


# The cart of Voucherify's discount effects cheat sheet: T-shirt $30, Pen $20, Mug $10.
CART = order(line("tshirt", 3000), line("pen", 2000), line("mug", 1000))


def products(*ids: str, **more: Any) -> list[dict[str, Any]]:
    """``applicable_to`` targets naming these products."""
    return [{"object": "product", "id": ident, **more} for ident in ids]


def one(
    given: OrderRequest,
    discount: dict[str, Any],
    applicable_to: list[dict[str, Any]] | None = None,
    checkout: Checkout | None = None,
    **more: Any,
) -> Calculation:
    """``given`` with one discount applied."""
    redeemable: Redeemable = DiscountRedeemable(discount, applicable_to or (), **more)
    return calculate(given, [redeemable], checkout)


def card(balance: int) -> LoyaltyCard:
    """A loyalty card holding ``balance`` points."""
    return LoyaltyCard(
        code="CARD-1",
        campaign_id="camp_1",
        seq=1,
        created_at=_WHEN,
        updated_at=None,
        points=balance,
    )


def coin(exchange_ratio: float = 1, points_ratio: int = 10) -> Reward:
    """A pay-with-points reward: ``points_ratio`` points are worth ``exchange_ratio`` dollars."""
    return Reward(
        id="rew_1",
        name="Pay with points",
        type="COIN",
        parameters={"coin": {"exchange_ratio": exchange_ratio, "points_ratio": points_ratio}},
        created_at=_WHEN,
        seq=1,
    )
