"""Properties of the checkout arithmetic over any order and any stack of redeemables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import given
from hypothesis import strategies as st

from loyalty_fake.http.order_amounts_json import calculated_order_json
from loyalty_fake.ledger.apportion import DISCOUNT_ROUNDINGS, split, split_capped
from loyalty_fake.ledger.discounts import (
    Checkout,
    DiscountRedeemable,
    GiftRedeemable,
    PointsRedeemable,
    calculate,
)
from tests.discount_cases import card, coin, line, order

if TYPE_CHECKING:
    from loyalty_fake.ledger.discounts import Calculation, Redeemable
    from loyalty_fake.ledger.orders import OrderRequest

_PRODUCTS = ("tshirt", "pen", "mug", "socks")
_CENTS = st.integers(0, 200_000)

_orders = st.lists(
    st.builds(line, st.sampled_from(_PRODUCTS), st.integers(0, 50_000), st.integers(1, 12)),
    min_size=1,
    max_size=5,
).map(lambda items: order(*items))

_targets = st.lists(
    st.fixed_dictionaries(
        {"object": st.just("product"), "id": st.sampled_from(_PRODUCTS)},
        optional={
            "effect": st.sampled_from(
                [
                    "APPLY_TO_EVERY",
                    "APPLY_TO_CHEAPEST",
                    "APPLY_FROM_CHEAPEST",
                    "APPLY_TO_MOST_EXPENSIVE",
                    "APPLY_FROM_MOST_EXPENSIVE",
                ]
            ),
            "quantity_limit": st.integers(0, 5),
            "aggregated_quantity_limit": st.integers(0, 8),
            "amount_limit": st.integers(0, 5000),
            "aggregated_amount_limit": st.integers(0, 9000),
            "price": st.integers(0, 3000),
        },
    ),
    max_size=3,
)

_amount = st.fixed_dictionaries(
    {
        "type": st.just("AMOUNT"),
        "amount_off": _CENTS,
        "effect": st.sampled_from(
            [
                "APPLY_TO_ORDER",
                "APPLY_TO_ITEMS",
                "APPLY_TO_ITEMS_PROPORTIONALLY",
                "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY",
                "APPLY_TO_ITEMS_BY_QUANTITY",
            ]
        ),
    },
    optional={"aggregated_amount_limit": _CENTS},
)
_percent = st.fixed_dictionaries(
    {
        "type": st.just("PERCENT"),
        "percent_off": st.integers(0, 100) | st.floats(0, 100, allow_nan=False),
        "effect": st.sampled_from(["APPLY_TO_ORDER", "APPLY_TO_ITEMS"]),
    },
    optional={"amount_limit": _CENTS},
)
_fixed = st.fixed_dictionaries(
    {
        "type": st.just("FIXED"),
        "fixed_amount": _CENTS,
        "effect": st.sampled_from(["APPLY_TO_ORDER", "APPLY_TO_ITEMS"]),
    }
)
_unit = st.fixed_dictionaries(
    {
        "type": st.just("UNIT"),
        "unit_off": st.integers(0, 4),
        "unit_type": st.sampled_from(_PRODUCTS),
        "effect": st.sampled_from(["ADD_MISSING_ITEMS", "ADD_NEW_ITEMS"]),
    }
)

_discounts = st.builds(
    DiscountRedeemable,
    st.one_of(_amount, _percent, _fixed, _unit),
    _targets,
    _targets.map(lambda found: found[:1]),
)
_gifts = st.builds(
    GiftRedeemable,
    balance=_CENTS,
    credits=st.none() | _CENTS,
    effect=st.sampled_from(["APPLY_TO_ORDER", "APPLY_TO_ITEMS"]),
    applicable_to=_targets,
)
_points = st.builds(
    PointsRedeemable, st.integers(1, 5000).map(card), st.sampled_from([coin(), coin(0.5, 3)])
)
_stacks = st.lists(_discounts | _gifts | _points, max_size=6)
_checkouts = st.builds(Checkout, st.sampled_from(DISCOUNT_ROUNDINGS), st.booleans())


def _integers(body: Any) -> None:
    if isinstance(body, dict):
        for value in body.values():
            _integers(value)
    elif isinstance(body, list):
        for value in body:
            _integers(value)
    else:
        assert not isinstance(body, float), body


def _calculate(
    given_order: OrderRequest, stack: list[Redeemable], checkout: Checkout
) -> Calculation:
    return calculate(given_order, stack, checkout)


@given(_orders, _stacks, _checkouts)
def test_no_amount_goes_negative(
    given_order: OrderRequest, stack: list[Redeemable], checkout: Checkout
) -> None:
    """Whatever is applied, no line, total or discount is below 0."""
    found = _calculate(given_order, stack, checkout).order
    assert found.total_amount is not None
    assert found.total_amount >= 0
    for item in found.items:
        # A line added for a free unit of no known price has no amount.
        assert item.subtotal_amount is not None or item.added
        assert (item.subtotal_amount or 0) >= 0
        assert item.applied_discount_amount >= 0


@given(_orders, _stacks, _checkouts)
def test_totals_add_up(
    given_order: OrderRequest, stack: list[Redeemable], checkout: Checkout
) -> None:
    """The order's amounts agree with its lines and with what each redeemable took."""
    found = _calculate(given_order, stack, checkout)
    calculated = found.order
    assert calculated.amount is not None
    assert calculated.amount == sum(item.amount or 0 for item in calculated.items)
    assert calculated.total_amount == calculated.amount - calculated.total_discount_amount
    assert calculated.total_applied_discount_amount == sum(a.discount for a in found.applied)
    assert calculated.applied_discount_amount == sum(a.order_discount for a in found.applied)
    for at, item in enumerate(calculated.items):
        assert item.applied_discount_amount == sum(a.items.get(at, 0) for a in found.applied)
    added = sum(item.applied_quantity_amount for item in calculated.items)
    assert calculated.initial_amount == calculated.amount - added


@given(_orders, _stacks, _discounts | _gifts | _points, _checkouts)
def test_a_discount_never_raises_the_total(
    given_order: OrderRequest, stack: list[Redeemable], extra: Redeemable, checkout: Checkout
) -> None:
    """Applying one more redeemable never makes the order cost more."""
    before = _calculate(given_order, stack, checkout).order.total_amount
    after = _calculate(given_order, [*stack, extra], checkout).order.total_amount
    assert before is not None
    assert after is not None
    assert after <= before


@given(_orders, _stacks, st.integers(1, 20_000), _percent, _checkouts)
def test_amount_limit_is_respected(
    given_order: OrderRequest,
    stack: list[Redeemable],
    limit: int,
    percent: dict[str, Any],
    checkout: Checkout,
) -> None:
    """A PERCENT discount never takes more than its amount_limit (0 sets none)."""
    limited = DiscountRedeemable({**percent, "amount_limit": limit})
    found = _calculate(given_order, [*stack, limited], checkout)
    assert found.applied[-1].discount <= limit


@given(
    _orders,
    st.lists(
        st.builds(
            DiscountRedeemable,
            st.fixed_dictionaries({"type": st.just("AMOUNT"), "amount_off": _CENTS}),
        )
        | st.builds(GiftRedeemable, balance=_CENTS, credits=st.none() | _CENTS),
        max_size=5,
    ),
    st.randoms(use_true_random=False),
)
def test_order_amounts_do_not_depend_on_the_order_of_fixed_sums(
    given_order: OrderRequest, stack: list[Redeemable], shuffler: Any
) -> None:
    """Amounts off the order and gift credits leave the same total in any order."""
    shuffled = list(stack)
    shuffler.shuffle(shuffled)
    first = calculate(given_order, stack).order
    second = calculate(given_order, shuffled).order
    assert first.total_amount == second.total_amount


@given(_orders, _stacks, _checkouts)
def test_json_holds_integers_only(
    given_order: OrderRequest, stack: list[Redeemable], checkout: Checkout
) -> None:
    """Every amount the calculated order's JSON carries is an integer (cents)."""
    _integers(calculated_order_json(_calculate(given_order, stack, checkout).order))


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_split_adds_up(total: int, weights: list[int]) -> None:
    """A split's parts sum to the total (when anything weighs) and follow the weights."""
    parts = split(total, weights)
    assert sum(parts) == (total if sum(weights) else 0)
    assert all(part >= 0 for part in parts)
    assert all(part == 0 for part, weight in zip(parts, weights, strict=True) if weight == 0)


@given(
    st.integers(0, 10**7),
    st.lists(st.tuples(st.integers(0, 100), st.integers(0, 10**6)), min_size=1, max_size=8),
)
def test_split_capped_stays_under_the_caps(total: int, pairs: list[tuple[int, int]]) -> None:
    """A capped split sums to the total or to every open cap, and no part passes its cap."""
    weights = [weight for weight, _ in pairs]
    caps = [cap for _, cap in pairs]
    parts = split_capped(total, weights, caps)
    assert all(0 <= part <= cap for part, cap in zip(parts, caps, strict=True))
    room = sum(cap for weight, cap in pairs if weight)
    assert sum(parts) == min(total, room)


@given(_orders, st.integers(0, 100) | st.floats(0, 100, allow_nan=False))
def test_roundings_stay_within_a_cent(given_order: OrderRequest, percent_off: float) -> None:
    """Every rounding is within a cent of the exact percentage, down lowest and up highest."""
    discount = DiscountRedeemable({"type": "PERCENT", "percent_off": percent_off})
    taken = {
        rounding: calculate(given_order, [discount], Checkout(rounding)).applied[0].discount
        for rounding in DISCOUNT_ROUNDINGS
    }
    assert given_order.total is not None
    exact = given_order.total * percent_off / 100
    assert taken["down"] <= taken["half_up"] <= taken["up"]
    assert taken["down"] <= taken["half_even"] <= taken["up"]
    assert taken["up"] - taken["down"] <= 1
    assert abs(taken["half_up"] - exact) <= 0.5 + 1e-6
