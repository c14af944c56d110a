"""Checkout arithmetic: what discounts, gift credits and points take off an order.

``calculate`` applies redeemables to an order one after another, in the order given (as
Voucherify's default ``redeemables_sorting_rule``, ``REQUESTED_ORDER``, does): each works
on what the ones before left to pay, so no amount goes negative and no discount takes more
than is left. A discount is Voucherify's ``Discount`` JSON (``AMOUNT``, ``PERCENT``,
``FIXED``, ``UNIT``) with the ``applicable_to``/``inapplicable_to`` targets of its
redeemable; a gift card spends credits up to its balance and what is left; a loyalty card
pays with points through a ``COIN`` reward (``rewards.coin_payment``). Nothing here
changes state: the caller spends what the result says. Formulas (``*_formula``) are not
evaluated; their fallback values are used (docs/choices.md, "Discounts").
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.apportion import round_cents, split, split_capped
from loyalty_fake.ledger.checkout_cart import CalculatedOrder, Cart
from loyalty_fake.ledger.discount_targets import (
    Coverage,
    cover,
    excluded,
    target_entries,
    targets,
)
from loyalty_fake.ledger.discount_units import apply_units
from loyalty_fake.ledger.points import check_balance
from loyalty_fake.ledger.rewards import coin_payment

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from loyalty_fake.ledger.apportion import DiscountRounding
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.discount_targets import Target
    from loyalty_fake.ledger.orders import OrderItem, OrderRequest
    from loyalty_fake.ledger.rewards import Reward

__all__ = [
    "ITEM_EFFECTS",
    "Applied",
    "Calculation",
    "Checkout",
    "DiscountRedeemable",
    "GiftRedeemable",
    "PointsRedeemable",
    "Redeemable",
    "calculate",
]

ITEM_EFFECTS = (
    "APPLY_TO_ITEMS",
    "APPLY_TO_ITEMS_PROPORTIONALLY",
    "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY",
    "APPLY_TO_ITEMS_BY_QUANTITY",
)
# The effects each type allows (the spec's Discount*VouchersEffectTypes).
_EFFECTS = {
    "AMOUNT": ("APPLY_TO_ORDER", *ITEM_EFFECTS),
    "PERCENT": ("APPLY_TO_ORDER", "APPLY_TO_ITEMS"),
    "FIXED": ("APPLY_TO_ORDER", "APPLY_TO_ITEMS"),
}
_VALUE = {"AMOUNT": "amount_off", "PERCENT": "percent_off", "FIXED": "fixed_amount"}
# The order an Applied is made with, before ``calculate`` gives it the order after it.
_PENDING = CalculatedOrder(
    amount=None, initial_amount=None, discount_amount=0, applied_discount_amount=0
)


def _no_unit_item(unit: Mapping[str, Any]) -> OrderItem | None:  # noqa: ARG001 - a hook
    return None


def _in_no_collection(collection_id: str, item: OrderItem) -> bool:  # noqa: ARG001 - a hook
    return False


@attrs.frozen
class Checkout:
    """How ``calculate`` reads what Voucherify leaves open, and what it asks the catalogue.

    ``rounding``: how a fraction of a cent rounds (``DiscountRounding``). ``products_once``:
    a line an earlier redeemable of the request discounted takes no further item discount
    (the stacking rules' ``redeemables_products_application_mode: ONCE``; ``STACK`` by
    default). ``unit_item``: the catalogue's line for a ``UNIT`` discount's product or
    SKU (with its price), for a unit the order lacks. ``in_collection``: whether a
    products collection holds a line.
    """

    rounding: DiscountRounding = "half_up"
    products_once: bool = False
    unit_item: Callable[[Mapping[str, Any]], OrderItem | None] = _no_unit_item
    in_collection: Callable[[str, OrderItem], bool] = _in_no_collection


@attrs.frozen
class DiscountRedeemable:
    """A discount (``Discount`` JSON) with the targets of the voucher or tier that gives it.

    ``applicable_to``/``inapplicable_to``: a list of ``ApplicableTo`` entries, or the
    result list (``{"data": [...]}``) Voucherify shows.
    """

    discount: Mapping[str, Any]
    applicable_to: Any = ()
    inapplicable_to: Any = ()
    id: str | None = None


@attrs.frozen
class GiftRedeemable:
    """A gift card's ``balance`` (cents), ``credits`` asked for (all it has by default)."""

    balance: int
    credits: int | None = None
    effect: str = "APPLY_TO_ORDER"
    applicable_to: Any = ()
    inapplicable_to: Any = ()
    id: str | None = None


@attrs.frozen
class PointsRedeemable:
    """A loyalty card paying with ``points`` through a ``COIN`` reward (what pays, if none)."""

    card: LoyaltyCard
    reward: Reward
    points: int | None = None
    id: str | None = None


Redeemable = DiscountRedeemable | GiftRedeemable | PointsRedeemable


@attrs.frozen
class Applied:
    """What one redeemable took: order-level cents, cents per line, units, credits, points.

    ``items`` maps a line's index (the request's lines first, added lines after) to its
    discount; ``order`` is the order after it (its ``applied_*`` amounts are this
    redeemable's, as each redeemable's ``order`` in a validation shows); ``units`` the
    covered units of each line (counted from 1), ``covered_by`` the position in
    ``applicable_to`` of the target that covered it, and ``quantities`` the units a
    ``UNIT`` discount gave free.
    """

    redeemable: Redeemable
    order: CalculatedOrder
    order_discount: int = 0
    items: Mapping[int, int] = attrs.field(factory=dict)
    units: Mapping[int, tuple[int, ...]] = attrs.field(factory=dict)
    quantities: Mapping[int, int] = attrs.field(factory=dict)
    covered_by: Mapping[int, int] = attrs.field(factory=dict)
    credits: int | None = None
    points: int | None = None

    @property
    def discount(self) -> int:
        """The whole value it took off the order (cents)."""
        return self.order_discount + sum(self.items.values())

    @property
    def item_indices(self) -> tuple[int, ...]:
        """The lines it touched, in order."""
        return tuple(sorted(set(self.items) | set(self.quantities)))


@attrs.frozen
class Calculation:
    """The order after every redeemable, and what each took."""

    order: CalculatedOrder
    applied: tuple[Applied, ...]


def calculate(
    order: OrderRequest,
    redeemables: Sequence[Redeemable],
    checkout: Checkout | None = None,
    *,
    prior_discount: int = 0,
) -> Calculation:
    """Apply ``redeemables`` to ``order`` in turn; ``order`` is not changed.

    ``prior_discount`` is the order-level discount the order carried before (its lines
    carry theirs in ``discount_amount``). Raises 400 ``invalid_payload`` for a discount
    this arithmetic cannot read, and what ``coin_payment`` raises for points.
    """
    checkout = checkout or Checkout()
    cart = Cart.of(order, prior_discount)
    applied = []
    for redeemable in redeemables:
        since = cart.mark()
        if isinstance(redeemable, DiscountRedeemable):
            found = _discount(cart, redeemable, checkout)
        elif isinstance(redeemable, GiftRedeemable):
            found = _gift(cart, redeemable, checkout)
        else:
            found = _points(cart, redeemable)
        applied.append(attrs.evolve(found, order=cart.result(since)))
    return Calculation(cart.result(), tuple(applied))


def _skipped(cart: Cart, inapplicable: Sequence[Target], checkout: Checkout) -> set[int]:
    """The lines an item discount must leave alone."""
    skip = excluded(cart.items, inapplicable, checkout.in_collection)
    if checkout.products_once:
        skip |= {at for at, value in enumerate(cart.applied) if value}
    return skip


def _coverage(cart: Cart, raw: Any, skip: set[int], checkout: Checkout) -> list[Coverage]:
    return cover(
        cart.items,
        quantities=cart.quantity,
        prices=cart.price,
        applicable=targets(raw),
        skip=skip,
        in_collection=checkout.in_collection,
    )


def _base(cart: Cart, coverage: Sequence[Coverage]) -> int:
    """What of a line an item discount may work on: its covered units' part of what is left."""
    return sum(_line_base(cart, covered) for covered in coverage)


def _line_base(cart: Cart, covered: Coverage) -> int:
    return int(cart.line_left(covered.index) * covered.share)


def _order_base(cart: Cart, raw: Any, inapplicable: Sequence[Target], checkout: Checkout) -> int:
    """What an order-level discount works on: what is left, less the lines it may not touch.

    With ``applicable_to`` targets, only the lines they cover count.
    """
    skip = excluded(cart.items, inapplicable, checkout.in_collection)
    if targets(raw):
        return min(cart.left(), _base(cart, _coverage(cart, raw, skip, checkout)))
    return max(0, cart.left() - sum(cart.line_left(at) for at in skip))


def _number(discount: Mapping[str, Any], key: str) -> Fraction:
    value = discount.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise errors.invalid_payload(f"discount.{key} must be a number of at least 0")
    return Fraction(str(value))


def _limit(discount: Mapping[str, Any], key: str) -> int | None:
    value = discount.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(value)


def _discount(cart: Cart, redeemable: DiscountRedeemable, checkout: Checkout) -> Applied:
    discount = redeemable.discount
    kind = discount.get("type")
    inapplicable = targets(redeemable.inapplicable_to)
    if kind == "UNIT":
        # Free units go on the product's line even if an earlier redeemable discounted it.
        skip = excluded(cart.items, inapplicable, checkout.in_collection)
        items, quantities = apply_units(cart, discount, skip, checkout.unit_item)
        return Applied(redeemable, _PENDING, items=items, quantities=quantities)
    if kind not in _EFFECTS:
        raise errors.invalid_payload("discount.type must be AMOUNT, PERCENT, FIXED or UNIT")
    effect = discount.get("effect") or "APPLY_TO_ORDER"
    if effect not in _EFFECTS[kind]:
        raise errors.invalid_payload(f"discount.effect {effect} does not suit a {kind} discount")
    value = _number(discount, _VALUE[kind])
    limits = [_limit(discount, "aggregated_amount_limit")]
    if kind == "PERCENT":
        limits.append(_limit(discount, "amount_limit"))
    if effect == "APPLY_TO_ORDER":
        base = _order_base(cart, redeemable.applicable_to, inapplicable, checkout)
        if kind == "AMOUNT":
            wanted = min(int(value), base)
        elif kind == "PERCENT":
            wanted = round_cents(base * value / 100, checkout.rounding)
        else:
            wanted = max(0, base - int(value))
        for limit in limits:
            wanted = wanted if limit is None else min(wanted, limit)
        return Applied(redeemable, _PENDING, order_discount=cart.take_order(min(wanted, base)))
    coverage = _coverage(
        cart, redeemable.applicable_to, _skipped(cart, inapplicable, checkout), checkout
    )
    parts = _item_parts(
        cart, kind=kind, effect=effect, value=value, coverage=coverage, rounding=checkout.rounding
    )
    parts = _capped_by_targets(parts, coverage)
    for limit in limits:
        parts = _capped(parts, limit)
    taken = cart.take_items(dict(zip([c.index for c in coverage], parts, strict=True)))
    units = {c.index: c.units for c in coverage if c.index in taken}
    return Applied(
        redeemable,
        _PENDING,
        items=taken,
        units=units,
        covered_by=_covered_by(coverage, redeemable.applicable_to),
    )


def _covered_by(coverage: Sequence[Coverage], raw: Any) -> dict[int, int]:
    """Each covered line's target, as its position in ``applicable_to``."""
    found: dict[int, int] = {}
    for covered in coverage:
        if covered.target is not None:
            entries = target_entries(raw)
            at = next(at for at, entry in enumerate(entries) if entry is covered.target.raw)
            found[covered.index] = at
    return found


def _item_parts(  # noqa: PLR0913 - one discount over its lines
    cart: Cart,
    *,
    kind: str,
    effect: str,
    value: Fraction,
    coverage: Sequence[Coverage],
    rounding: DiscountRounding,
) -> list[int]:
    """What each covered line's discount asks for, before any limit."""
    bases = [_line_base(cart, covered) for covered in coverage]
    counts = [len(covered.units) for covered in coverage]
    if kind == "PERCENT":
        return [min(b, round_cents(b * value / 100, rounding)) for b in bases]
    if kind == "FIXED":
        prices = [
            value
            if covered.target is None or covered.target.price is None
            else covered.target.price
            for covered in coverage
        ]
        return [max(0, b - int(p * n)) for b, p, n in zip(bases, prices, counts, strict=True)]
    if effect == "APPLY_TO_ITEMS":
        return [min(b, int(value)) for b in bases]
    if effect == "APPLY_TO_ITEMS_BY_QUANTITY":
        return [min(b, int(value) * n) for b, n in zip(bases, counts, strict=True)]
    total = min(int(value), sum(bases))
    if effect == "APPLY_TO_ITEMS_PROPORTIONALLY":
        return split(total, bases)
    return split_capped(total, counts, bases)


def _capped(parts: list[int], limit: int | None) -> list[int]:
    """``parts`` cut in proportion to sum to at most ``limit``."""
    if limit is None or sum(parts) <= limit:
        return parts
    return split_capped(limit, parts, parts)


def _capped_by_targets(parts: list[int], coverage: Sequence[Coverage]) -> list[int]:
    """Each target's ``amount_limit`` (per line) and ``aggregated_amount_limit`` (its lines)."""
    parts = list(parts)
    for at, covered in enumerate(coverage):
        limit = covered.target.limit("amount_limit") if covered.target else None
        if limit is not None:
            parts[at] = min(parts[at], limit)
    for target in {covered.target for covered in coverage} - {None}:
        assert target is not None  # noqa: S101 - None removed above
        limit = target.limit("aggregated_amount_limit")
        lines = [at for at, covered in enumerate(coverage) if covered.target is target]
        for at, value in zip(lines, _capped([parts[at] for at in lines], limit), strict=True):
            parts[at] = value
    return parts


def _gift(cart: Cart, redeemable: GiftRedeemable, checkout: Checkout) -> Applied:
    wanted = max(0, redeemable.balance)
    if redeemable.credits is not None:
        wanted = min(wanted, max(0, redeemable.credits))
    inapplicable = targets(redeemable.inapplicable_to)
    if redeemable.effect != "APPLY_TO_ITEMS":
        base = _order_base(cart, redeemable.applicable_to, inapplicable, checkout)
        taken = cart.take_order(min(wanted, base))
        return Applied(redeemable, _PENDING, order_discount=taken, credits=taken)
    coverage = _coverage(
        cart, redeemable.applicable_to, _skipped(cart, inapplicable, checkout), checkout
    )
    bases = [_line_base(cart, covered) for covered in coverage]
    parts = split(min(wanted, sum(bases)), bases)
    items = cart.take_items(dict(zip([c.index for c in coverage], parts, strict=True)))
    return Applied(redeemable, _PENDING, items=items, credits=sum(items.values()))


def _points(cart: Cart, redeemable: PointsRedeemable) -> Applied:
    left = cart.left() if cart.order_amount is not None else None
    if left == 0:
        if redeemable.points is not None:
            check_balance(redeemable.card, redeemable.points)
        return Applied(redeemable, _PENDING, points=0)
    spent, value = coin_payment(redeemable.card, redeemable.reward, redeemable.points, left)
    if left is None:
        cart.applied_order += value
        taken = value
    else:
        taken = cart.take_order(value)
    return Applied(redeemable, _PENDING, order_discount=taken, points=spent)
