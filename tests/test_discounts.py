"""Checkout arithmetic: what each kind of discount, gift credits and points take off an order.

Worked examples from Voucherify's discount effects cheat sheet (support article 511: a cart
of a $30 T-shirt, a $20 pen and a $10 mug) and the spec's ``Discount`` descriptions.
"""

from __future__ import annotations

import pytest

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.discounts import (
    Checkout,
    DiscountRedeemable,
    GiftRedeemable,
    PointsRedeemable,
    calculate,
)
from loyalty_fake.ledger.orders import OrderItem
from tests.discount_cases import CART, card, coin, line, one, order, products


def test_percent_off_the_whole_order() -> None:
    """10% off the $60 cart takes $6 off the order (cheat sheet: apply to the whole cart)."""
    found = one(CART, {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ORDER"})
    assert found.applied[0].order_discount == 600
    assert (found.order.discount_amount, found.order.total_amount) == (600, 5400)
    assert found.order.items_discount_amount == 0


def test_percent_off_items_discounts_each_line() -> None:
    """10% off the pen and the mug takes $2 and $1 off those lines (cheat sheet)."""
    found = one(
        CART,
        {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ITEMS"},
        products("pen", "mug"),
    )
    assert found.applied[0].items == {1: 200, 2: 100}
    assert [item.subtotal_amount for item in found.order.items] == [3000, 1800, 900]
    assert (found.order.items_discount_amount, found.order.discount_amount) == (300, 0)
    assert found.order.total_amount == 5700


def test_amount_split_proportionally_to_amount() -> None:
    """$10 split over the pen and the mug is $6.67 and $3.33 (cheat sheet), summing to $10."""
    found = one(
        CART,
        {"type": "AMOUNT", "amount_off": 1000, "effect": "APPLY_TO_ITEMS_PROPORTIONALLY"},
        products("pen", "mug"),
    )
    assert found.applied[0].items == {1: 667, 2: 333}
    assert found.order.total_applied_discount_amount == 1000


def test_amount_split_proportionally_to_quantity() -> None:
    """$10 split over 1 pen and 6 mugs goes 1:6 by units, the cents left by largest remainder."""
    cart = order(line("tshirt", 3000, 2), line("pen", 2000), line("mug", 1000, 6))
    found = one(
        cart,
        {
            "type": "AMOUNT",
            "amount_off": 1000,
            "effect": "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY",
        },
        products("pen", "mug"),
    )
    assert found.applied[0].items == {1: 143, 2: 857}


def test_split_by_quantity_never_passes_a_line() -> None:
    """A cheap line's share by quantity is capped at what it costs; the rest goes elsewhere."""
    cart = order(line("pen", 2000), line("clip", 10, 9))
    found = one(
        cart,
        {
            "type": "AMOUNT",
            "amount_off": 1000,
            "effect": "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY",
        },
    )
    assert found.applied[0].items == {0: 910, 1: 90}


def test_amount_off_each_line() -> None:
    """APPLY_TO_ITEMS takes the amount off each covered line's subtotal, at most the line."""
    found = one(
        CART,
        {"type": "AMOUNT", "amount_off": 1500, "effect": "APPLY_TO_ITEMS"},
        products("pen", "mug"),
    )
    assert found.applied[0].items == {1: 1500, 2: 1000}


def test_amount_off_each_unit() -> None:
    """APPLY_TO_ITEMS_BY_QUANTITY takes the amount off every unit of the covered lines."""
    cart = order(line("pen", 2000), line("mug", 1000, 6))
    found = one(
        cart,
        {"type": "AMOUNT", "amount_off": 100, "effect": "APPLY_TO_ITEMS_BY_QUANTITY"},
        products("mug"),
    )
    assert found.applied[0].items == {1: 600}
    assert found.applied[0].units == {1: (1, 2, 3, 4, 5, 6)}


def test_quantity_limits_cap_the_units() -> None:
    """quantity_limit caps units per line, aggregated_quantity_limit across the target's lines."""
    cart = order(line("mug", 1000, 6), line("mug", 1000, 6))
    effect = {"type": "AMOUNT", "amount_off": 100, "effect": "APPLY_TO_ITEMS_BY_QUANTITY"}
    per_line = one(cart, effect, products("mug", quantity_limit=2))
    assert per_line.applied[0].items == {0: 200, 1: 200}
    across = one(cart, effect, products("mug", quantity_limit=4, aggregated_quantity_limit=5))
    assert across.applied[0].items == {0: 400, 1: 100}


def test_target_amount_limits() -> None:
    """A target's amount_limit caps each line, aggregated_amount_limit its lines together."""
    effect = {"type": "PERCENT", "percent_off": 50, "effect": "APPLY_TO_ITEMS"}
    per_line = one(CART, effect, products("tshirt", "pen", amount_limit=800))
    assert per_line.applied[0].items == {0: 800, 1: 800}
    together = one(
        CART, effect, [{"object": "product", "id": "tshirt", "aggregated_amount_limit": 1000}]
    )
    assert together.applied[0].items == {0: 1000}


def test_cheapest_and_most_expensive() -> None:
    """APPLY_TO_CHEAPEST discounts one unit of the cheapest line; most expensive likewise."""
    free = {"type": "PERCENT", "percent_off": 100, "effect": "APPLY_TO_ITEMS"}
    all_three = products("tshirt", "pen", "mug")
    cart = order(line("tshirt", 3000), line("pen", 2000), line("mug", 1000, 3))
    cheapest = one(cart, free, [{**t, "effect": "APPLY_TO_CHEAPEST"} for t in all_three])
    assert cheapest.applied[0].items == {2: 1000}
    priciest = one(
        cart,
        free,
        [{"object": "products_collection", "id": "pcol_all", "effect": "APPLY_TO_MOST_EXPENSIVE"}],
        Checkout(in_collection=lambda _c, _i: True),
    )
    assert priciest.applied[0].items == {0: 3000}


def test_unit_target_repeat() -> None:
    """A UNIT target with skip_initially 1 and repeat 3 covers units 2, 5 and 8 of 10."""
    cart = order(line("mug", 1000, 10))
    found = one(
        cart,
        {"type": "PERCENT", "percent_off": 100, "effect": "APPLY_TO_ITEMS"},
        products("mug", target="UNIT", skip_initially=1, repeat=3),
    )
    assert found.applied[0].units == {0: (2, 5, 8)}
    assert found.applied[0].items == {0: 3000}


def test_fixed_order_amount() -> None:
    """FIXED on the order makes the total the fixed amount; an order below it is not raised."""
    fixed = {"type": "FIXED", "fixed_amount": 5000, "effect": "APPLY_TO_ORDER"}
    assert one(CART, fixed).order.total_amount == 5000
    assert one(order(line("pen", 2000)), fixed).order.total_amount == 2000


def test_fixed_item_price() -> None:
    """FIXED on items sets each covered unit's price; a target's own price wins."""
    fixed = {"type": "FIXED", "fixed_amount": 1500, "effect": "APPLY_TO_ITEMS"}
    cart = order(line("pen", 2000, 2), line("mug", 1000))
    assert one(cart, fixed, products("pen")).applied[0].items == {0: 1000}
    assert one(cart, fixed, products("pen", price=1200)).applied[0].items == {0: 1600}
    assert one(cart, fixed, products("mug")).applied[0].items == {}


def test_percent_amount_limit() -> None:
    """PERCENT's amount_limit caps the discount (the spec: "Upper limit allowed")."""
    limited = {"type": "PERCENT", "percent_off": 50, "amount_limit": 600}
    assert one(CART, limited).order.total_discount_amount == 600
    on_items = {**limited, "effect": "APPLY_TO_ITEMS"}
    assert one(CART, on_items, products("tshirt", "pen")).applied[0].items == {0: 360, 1: 240}


def test_aggregated_amount_limit() -> None:
    """A discount's aggregated_amount_limit caps what it takes off the order."""
    found = one(
        CART,
        {
            "type": "AMOUNT",
            "amount_off": 1000,
            "aggregated_amount_limit": 700,
            "effect": "APPLY_TO_ITEMS",
        },
    )
    assert found.order.total_applied_discount_amount == 700


def test_discount_larger_than_the_order_takes_the_order() -> None:
    """$100 off a $60 order takes $60: the total is 0, never negative."""
    found = one(CART, {"type": "AMOUNT", "amount_off": 10000})
    assert (found.applied[0].order_discount, found.order.total_amount) == (6000, 0)


def test_inapplicable_items_are_left_out_of_an_order_discount() -> None:
    """10% off the order excluding the T-shirt is 10% of the pen and mug."""
    found = one(CART, {"type": "PERCENT", "percent_off": 10}, inapplicable_to=products("tshirt"))
    assert found.applied[0].order_discount == 300


def test_inapplicable_items_are_not_discounted() -> None:
    """An item discount with no applicable_to covers every line but the inapplicable ones."""
    found = one(
        CART,
        {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ITEMS"},
        inapplicable_to=products("pen"),
    )
    assert found.applied[0].items == {0: 300, 2: 100}


def test_a_strict_product_target_leaves_its_skus() -> None:
    """A strict product target does not cover lines of the product's SKUs."""
    cart = order(line("tshirt", 3000, sku_id="sku_red"), line("tshirt", 3000))
    effect = {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ITEMS"}
    assert one(cart, effect, products("tshirt")).applied[0].items == {0: 300, 1: 300}
    assert one(cart, effect, products("tshirt", strict=True)).applied[0].items == {1: 300}
    sku = one(cart, effect, [{"object": "sku", "id": "sku_red"}])
    assert sku.applied[0].items == {0: 300}


def test_discounts_apply_in_the_order_given() -> None:
    """Each discount works on what the ones before left: $10 off then 10% is $10 + $5."""
    amount = DiscountRedeemable({"type": "AMOUNT", "amount_off": 1000})
    percent = DiscountRedeemable({"type": "PERCENT", "percent_off": 10})
    found = calculate(CART, [amount, percent])
    assert [a.discount for a in found.applied] == [1000, 500]
    assert [a.discount for a in calculate(CART, [percent, amount]).applied] == [600, 1000]


def test_products_once_skips_lines_already_discounted() -> None:
    """With products_once, a line an earlier redeemable discounted takes no more."""
    first = DiscountRedeemable(
        {"type": "AMOUNT", "amount_off": 100, "effect": "APPLY_TO_ITEMS"}, products("pen")
    )
    second = DiscountRedeemable({"type": "AMOUNT", "amount_off": 100, "effect": "APPLY_TO_ITEMS"})
    stacked = calculate(CART, [first, second])
    assert stacked.applied[1].items == {0: 100, 1: 100, 2: 100}
    once = calculate(CART, [first, second], Checkout(products_once=True))
    assert once.applied[1].items == {0: 100, 2: 100}


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [("half_up", 127), ("half_even", 126), ("down", 126), ("up", 127)],
)
def test_percent_rounding(rounding: str, expected: int) -> None:
    """12.5% of 1012 cents is 126.5: each rounding reads the half cent its way."""
    checkout = Checkout(rounding=rounding)  # type: ignore[arg-type]
    found = one(
        order(line("pen", 1012)), {"type": "PERCENT", "percent_off": 12.5}, checkout=checkout
    )
    assert found.applied[0].order_discount == expected


def test_prior_discounts_count_but_are_not_applied_again() -> None:
    """An order's earlier discounts are in discount_amount, not in applied_discount_amount."""
    cart = order(line("pen", 2000, discount_amount=500), line("mug", 1000))
    found = calculate(
        cart, [DiscountRedeemable({"type": "PERCENT", "percent_off": 10})], prior_discount=500
    )
    assert found.applied[0].order_discount == 200
    calculated = found.order
    assert (calculated.discount_amount, calculated.applied_discount_amount) == (700, 200)
    assert (calculated.items_discount_amount, calculated.items_applied_discount_amount) == (500, 0)
    assert calculated.total_amount == 3000 - 1200


def test_unit_adds_missing_units() -> None:
    """ADD_MISSING_ITEMS with 2 units and 1 mug in the cart adds 1 and gives both free."""
    found = one(
        CART, {"type": "UNIT", "unit_off": 2, "unit_type": "mug", "effect": "ADD_MISSING_ITEMS"}
    )
    mug = found.order.items[2]
    assert (mug.quantity, mug.initial_quantity, mug.applied_quantity) == (2, 1, 1)
    assert (mug.amount, mug.initial_amount, mug.applied_quantity_amount) == (2000, 1000, 1000)
    assert (mug.discount_quantity, mug.discount_amount, mug.subtotal_amount) == (2, 2000, 0)
    assert (found.order.amount, found.order.initial_amount, found.order.total_amount) == (
        7000,
        6000,
        5000,
    )
    assert found.applied[0].quantities == {2: 2}


def test_unit_adds_nothing_when_the_cart_has_enough() -> None:
    """ADD_MISSING_ITEMS adds no unit when the cart holds enough; the units are still free."""
    found = one(order(line("mug", 1000, 3)), {"type": "UNIT", "unit_off": 2, "unit_type": "mug"})
    assert (found.order.items[0].quantity, found.order.items[0].applied_quantity) == (3, 0)
    assert found.order.total_amount == 1000


def test_unit_adds_new_units_always() -> None:
    """ADD_NEW_ITEMS adds its units even to a cart that has the product."""
    found = one(
        CART, {"type": "UNIT", "unit_off": 1, "unit_type": "mug", "effect": "ADD_NEW_ITEMS"}
    )
    assert found.order.items[2].quantity == 2
    assert (found.order.amount, found.order.total_amount) == (7000, 6000)


def test_unit_missing_product_comes_from_the_catalogue() -> None:
    """A free product the cart lacks is added as a new line at the catalogue's price."""
    catalogue = Checkout(unit_item=lambda unit: OrderItem(product_id=unit["unit_type"], price=450))
    found = one(
        CART, {"type": "UNIT", "unit_off": 2, "unit_type": "prod_socks"}, checkout=catalogue
    )
    socks = found.order.items[3]
    assert socks.added
    assert (socks.quantity, socks.amount, socks.initial_quantity) == (2, 900, 0)
    assert (found.order.amount, found.order.total_amount) == (6900, 6000)
    unpriced = one(CART, {"type": "UNIT", "unit_off": 2, "unit_type": "prod_socks"})
    assert (unpriced.order.items[3].amount, unpriced.order.items[3].price) == (None, None)
    assert unpriced.order.total_amount == 6000


def test_unit_many_items() -> None:
    """ADD_MANY_ITEMS gives each of its units by its own effect."""
    many = {
        "type": "UNIT",
        "effect": "ADD_MANY_ITEMS",
        "units": [
            {"unit_off": 1, "unit_type": "pen", "effect": "ADD_MISSING_ITEMS"},
            {"unit_off": 1, "unit_type": "mug", "effect": "ADD_NEW_ITEMS"},
        ],
    }
    found = one(CART, many)
    assert found.applied[0].items == {1: 2000, 2: 1000}
    assert [item.quantity for item in found.order.items] == [1, 1, 2]


def test_unit_sku() -> None:
    """A UNIT discount naming a SKU gives that SKU's line, not its product's other lines."""
    cart = order(line("tshirt", 3000), line("tshirt", 2500, sku_id="sku_red"))
    found = one(
        cart, {"type": "UNIT", "unit_type": "tshirt", "sku": {"id": "sku_red", "sku": "Red"}}
    )
    assert found.applied[0].items == {1: 2500}


def test_gift_credits_pay_what_is_left() -> None:
    """A gift card spends its balance up to what the discounts before it left to pay."""
    percent = DiscountRedeemable({"type": "PERCENT", "percent_off": 10})
    found = calculate(CART, [percent, GiftRedeemable(balance=10000)])
    assert (found.applied[1].credits, found.order.total_amount) == (5400, 0)
    asked = calculate(CART, [GiftRedeemable(balance=10000, credits=1500)])
    assert (asked.applied[0].credits, asked.order.discount_amount) == (1500, 1500)


def test_gift_credits_on_items() -> None:
    """Gift credits applied to items are split over the covered lines by what is left of them."""
    found = calculate(
        CART,
        [
            GiftRedeemable(
                balance=600, effect="APPLY_TO_ITEMS", applicable_to=products("pen", "mug")
            )
        ],
    )
    assert (found.applied[0].items, found.applied[0].credits) == ({1: 400, 2: 200}, 600)


def test_pay_with_points_pays_what_is_left() -> None:
    """At 10 points a dollar, 10% off $60 leaves $54: 540 points pay it."""
    percent = DiscountRedeemable({"type": "PERCENT", "percent_off": 10})
    found = calculate(CART, [percent, PointsRedeemable(card(1000), coin())])
    assert (found.applied[1].points, found.applied[1].order_discount) == (540, 5400)
    assert found.order.total_amount == 0


def test_pay_with_points_capped_by_the_balance() -> None:
    """A card of 200 points pays $20; asking more than the balance is refused."""
    found = calculate(CART, [PointsRedeemable(card(200), coin())])
    assert (found.applied[0].points, found.order.total_amount) == (200, 4000)
    with pytest.raises(VoucherifyError) as refused:
        calculate(CART, [PointsRedeemable(card(200), coin(), points=300)])
    assert refused.value.key == "loyalty_card_points_exceeded"


def test_pay_with_points_after_the_order_is_paid() -> None:
    """Points after discounts that took everything spend nothing."""
    free = DiscountRedeemable({"type": "PERCENT", "percent_off": 100})
    found = calculate(CART, [free, PointsRedeemable(card(200), coin())])
    assert (found.applied[1].points, found.applied[1].discount) == (0, 0)


@pytest.mark.parametrize(
    "discount",
    [
        {"type": "BOGUS", "amount_off": 1},
        {"type": "AMOUNT"},
        {"type": "AMOUNT", "amount_off_formula": "ORDER_AMOUNT * 0.1"},
        {"type": "AMOUNT", "amount_off": -5},
        {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ITEMS_PROPORTIONALLY"},
        {"type": "UNIT", "unit_type": "mug", "effect": "APPLY_TO_ORDER"},
        {"type": "UNIT", "unit_type": "mug", "unit_off": 1.5},
        {"type": "UNIT", "effect": "ADD_MANY_ITEMS", "units": [{"unit_type": "mug"}]},
    ],
)
def test_unreadable_discounts_are_refused(discount: dict[str, object]) -> None:
    """A discount of an unknown type or effect, or without its value, is 400 invalid_payload."""
    with pytest.raises(VoucherifyError) as refused:
        one(CART, discount)
    assert (refused.value.code, refused.value.key) == (400, "invalid_payload")


def test_a_formula_falls_back_to_its_value() -> None:
    """A discount with a formula uses its fallback value: formulas are not evaluated."""
    found = one(
        CART, {"type": "AMOUNT", "amount_off": 500, "amount_off_formula": "ORDER_AMOUNT / 2"}
    )
    assert found.applied[0].order_discount == 500


def test_an_order_without_amounts() -> None:
    """Discounts on an order without amounts take nothing; its amounts stay unknown."""
    found = one(order(OrderItem(product_id="pen")), {"type": "PERCENT", "percent_off": 10})
    assert (found.order.amount, found.order.total_amount, found.applied[0].discount) == (
        None,
        None,
        0,
    )


def test_targets_given_as_a_result_list() -> None:
    """applicable_to may be the result list Voucherify shows ({"data": [...]}) as well as a list."""
    as_list = {"object": "list", "data_ref": "data", "data": products("pen"), "total": 1}
    effect = {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ITEMS"}
    found = one(CART, effect, as_list, inapplicable_to={"data": products("mug")})  # type: ignore[arg-type]
    assert found.applied[0].items == {1: 200}
    assert found.applied[0].covered_by == {1: 0}
