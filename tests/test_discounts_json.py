"""The calculated order's JSON: Voucherify's ``OrderCalculated`` fields, valid against the spec."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings

# jsonschema ships no types; the ignore stays harmless once types-jsonschema is installed.
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from loyalty_fake import LoyaltyFake
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.http import order_amounts_json, orders_json
from loyalty_fake.http.order_amounts_json import (
    applicable_to_json,
    calculated_order_json,
    redeemable_result_json,
)
from loyalty_fake.ledger.checkout_catalogue import session_checkout
from loyalty_fake.ledger.discounts import (
    DiscountRedeemable,
    GiftRedeemable,
    PointsRedeemable,
    calculate,
)
from loyalty_fake.ledger.products import ProductInput
from tests.discount_cases import CART, card, coin, line, one, order, products
from tests.spec import validate_schema
from tests.test_discounts_properties import _checkouts, _orders, _stacks

if TYPE_CHECKING:
    from loyalty_fake.ledger.discounts import Checkout, Redeemable
    from loyalty_fake.ledger.orders import OrderRequest
    from tests.spec import SpecName

_SPECS: tuple[SpecName, ...] = ("current", "full", "sdk")
_OLDER: tuple[SpecName, ...] = ("full", "sdk")
_OWN = "urn:loyalty-fake:discounts"


def _own_validator(name: str) -> Any:
    document = {"components": {"schemas": {**orders_json.SCHEMAS, **order_amounts_json.SCHEMAS}}}
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_OWN, resource)
    return Draft202012Validator({"$ref": f"{_OWN}#/components/schemas/{name}"}, registry=registry)


_OWN_ORDER = _own_validator("CalculatedOrderAmounts")
_OWN_TARGETS = _own_validator("ApplicableToResult")


def _validate(body: dict[str, Any]) -> None:
    for spec in _SPECS:
        validate_schema("OrderCalculated", body, spec=spec)
        for item in body["items"]:
            validate_schema("OrderCalculatedItem", item, spec=spec)
    errors = [error.message for error in _OWN_ORDER.iter_errors(body)]
    assert errors == []


def test_a_discounted_order_carries_every_amount() -> None:
    """10% off the pen and mug, then gift credits: the order's JSON has every amount field."""
    percent = DiscountRedeemable(
        {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ITEMS"}, products("pen", "mug")
    )
    body = calculated_order_json(calculate(CART, [percent, GiftRedeemable(balance=1000)]).order)
    assert {key: value for key, value in body.items() if key != "items"} == {
        "amount": 6000,
        "discount_amount": 1000,
        "items_discount_amount": 300,
        "total_discount_amount": 1300,
        "total_amount": 4700,
        "applied_discount_amount": 1000,
        "items_applied_discount_amount": 300,
        "total_applied_discount_amount": 1300,
        "object": "order",
    }
    assert body["items"][1] == {
        "object": "order_item",
        "product_id": "pen",
        "quantity": 1,
        "amount": 2000,
        "discount_amount": 200,
        "applied_discount_amount": 200,
        "price": 2000,
        "subtotal_amount": 1800,
    }
    _validate(body)


def test_free_units_show_their_quantities() -> None:
    """A line a UNIT discount touched shows its initial, added and free quantities."""
    found = one(CART, {"type": "UNIT", "unit_off": 2, "unit_type": "mug"})
    body = calculated_order_json(found.order)
    mug = body["items"][2]
    assert {key: value for key, value in mug.items() if "quantity" in key or "initial" in key} == {
        "quantity": 2,
        "initial_quantity": 1,
        "initial_amount": 1000,
        "discount_quantity": 2,
        "applied_discount_quantity": 2,
        "applied_quantity": 1,
        "applied_quantity_amount": 1000,
    }
    assert "initial_quantity" not in body["items"][0]
    _validate(body)


def test_applicable_to_lists_the_lines_each_target_covered() -> None:
    """applicable_to answers each target with order_item_indices and order_item_units."""
    targets = [*products("mug", quantity_limit=2), *products("pen"), *products("socks")]
    found = one(
        CART,
        {"type": "AMOUNT", "amount_off": 100, "effect": "APPLY_TO_ITEMS_BY_QUANTITY"},
        targets,
    )
    body = applicable_to_json(targets, found.applied[0])
    assert [entry["order_item_indices"] for entry in body["data"]] == [[2], [1], []]
    assert body["data"][0]["order_item_units"] == [{"index": 2, "units": [1]}]
    assert (body["total"], body["object"], body["data_ref"]) == (3, "list", "data")
    # The current split files do not define ApplicableToResultList.
    for spec in _OLDER:
        validate_schema("ApplicableToResultList", body, spec=spec)
    for entry in body["data"]:
        assert [error.message for error in _OWN_TARGETS.iter_errors(entry)] == []


@settings(max_examples=30)
@given(_orders, _stacks, _checkouts)
def test_any_calculated_order_is_valid(
    given_order: OrderRequest, stack: list[Redeemable], checkout: Checkout
) -> None:
    """Whatever is applied, the calculated order is valid against the spec and the fake's schema."""
    _validate(calculated_order_json(calculate(given_order, stack, checkout).order))


@pytest.mark.loyalty_fake(discount_rounding="down")
def test_the_rounding_switch_reaches_the_session(loyalty_fake: LoyaltyFake) -> None:
    """@pytest.mark.loyalty_fake(discount_rounding=...) sets how a session's discounts round."""
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        assert session.discount_rounding == "down"


def test_an_unknown_rounding_is_refused() -> None:
    """LoyaltyFake refuses a discount_rounding it does not know."""
    with pytest.raises(ValueError, match="discount_rounding"):
        LoyaltyFake(discount_rounding="nearest")  # type: ignore[arg-type]


def test_session_checkout_prices_free_units_from_the_catalogue(loyalty_fake: LoyaltyFake) -> None:
    """A session's checkout adds a free product the cart lacks at the catalogue's price."""
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        socks = session.products.upsert(ProductInput(source_id="socks", name="Socks", price=450))
        checkout = session_checkout(session)
        found = one(CART, {"type": "UNIT", "unit_off": 2, "unit_type": socks.id}, checkout=checkout)
        by_source = one(
            CART, {"type": "UNIT", "unit_type": "x", "product": {"id": "socks"}}, checkout=checkout
        )
    added = calculated_order_json(found.order)["items"][3]
    assert (added["product_id"], added["price"], added["amount"]) == (socks.id, 450, 900)
    assert added["product"] == {"id": socks.id, "source_id": "socks", "name": "Socks", "price": 450}
    assert found.order.total_amount == 6000
    assert by_source.order.items[3].amount == 450


@pytest.mark.loyalty_fake(strict_products=True, discount_rounding="down")
def test_session_checkout_follows_the_fakes_options(loyalty_fake: LoyaltyFake) -> None:
    """Under strict_products an unknown free product is 404; the rounding is the fake's."""
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        checkout = session_checkout(session)
        assert checkout.rounding == "down"
        with pytest.raises(VoucherifyError) as refused:
            one(CART, {"type": "UNIT", "unit_type": "prod_unknown"}, checkout=checkout)
    assert (refused.value.code, refused.value.key) == (404, "not_found")


def test_each_redeemable_reports_its_result() -> None:
    """Each redeemable's result: its discount, the gift credits, the points (the spec's result)."""
    discount = {"type": "AMOUNT", "amount_off": 1000, "effect": "APPLY_TO_ORDER"}
    stack: list[Redeemable] = [
        DiscountRedeemable(discount),
        GiftRedeemable(balance=2000),
        PointsRedeemable(card(1000), coin()),
    ]
    results = [redeemable_result_json(a) for a in calculate(CART, stack).applied]
    assert results == [
        {"discount": discount},
        {"gift": {"credits": 2000}},
        {"loyalty_card": {"points": 300}},
    ]
    names = (
        "RedeemableResultVoucherCode",
        "RedeemableResultGiftCard",
        "RedeemableResultLoyaltyCard",
    )
    for name, result in zip(names, results, strict=True):
        validate_schema(name, result, spec="full")
    for result in results:
        validate_schema("RedeemableResult", result, spec="sdk")


def test_the_specs_five_redeemables_example() -> None:
    """The spec's POST /v1/validations "True - 5 Redeemables" example, amount for amount.

    $10 off each item (a $20 SKU line and a $7 product line: $17), 100 gift credits, 40% off
    what is left ($3.60 of $9) and 30 cents off: each redeemable's order carries the running
    totals and its own applied amounts. (The example's loyalty card spends points on a
    reward that changes no amount; it is left out.)
    """
    cart = order(
        line("prod_s3C0nDpr0DuC7", 2000, sku_id="sku_0a3efc90375d1217e2"),
        line("prod_0bc3bd8a4e072c5275", 700),
    )
    both = [
        {"object": "sku", "id": "sku_0a3efc90375d1217e2", "strict": True},
        {"object": "product", "id": "prod_0bc3bd8a4e072c5275", "strict": True},
    ]
    stack: list[Redeemable] = [
        DiscountRedeemable(
            {"type": "AMOUNT", "effect": "APPLY_TO_ITEMS", "amount_off": 1000}, both
        ),
        GiftRedeemable(balance=5000, credits=100),
        DiscountRedeemable(
            {"type": "PERCENT", "effect": "APPLY_TO_ORDER", "percent_off": 40}, both
        ),
        DiscountRedeemable({"type": "AMOUNT", "effect": "APPLY_TO_ORDER", "amount_off": 30}, both),
    ]
    found = calculate(cart, stack)
    amounts = ("discount_amount", "total_amount", "applied_discount_amount")
    steps = [tuple(getattr(a.order, key) for key in amounts) for a in found.applied]
    assert steps == [(0, 1000, 0), (100, 900, 100), (460, 540, 360), (490, 510, 30)]
    assert found.applied[0].order.items_applied_discount_amount == 1700
    assert found.applied[2].order.items_applied_discount_amount == 0
    body = calculated_order_json(found.order)
    assert {key: value for key, value in body.items() if key != "items"} == {
        "amount": 2700,
        "discount_amount": 490,
        "items_discount_amount": 1700,
        "total_discount_amount": 2190,
        "total_amount": 510,
        "applied_discount_amount": 490,
        "items_applied_discount_amount": 1700,
        "total_applied_discount_amount": 2190,
        "object": "order",
    }
    assert [(i["discount_amount"], i["subtotal_amount"]) for i in body["items"]] == [
        (1000, 1000),
        (700, 0),
    ]
    _validate(body)


def test_the_specs_discount_coupon_example() -> None:
    """The spec's "Discount Coupon" redemption: 300 split 148/152 over lines of 3300 and 3400."""
    cart = order(
        line("prod_0a9f9ab4ab019a42d5", 3300), line("prod_0a9f9aeddb019a42db", 1700, 2), amount=6000
    )
    found = one(
        cart, {"type": "AMOUNT", "amount_off": 300, "effect": "APPLY_TO_ITEMS_PROPORTIONALLY"}
    )
    assert found.applied[0].items == {0: 148, 1: 152}
    assert (found.order.total_amount, found.order.items_discount_amount) == (5700, 300)
