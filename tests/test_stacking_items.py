"""Item-level discounts in stacked validations and redemptions: the order calculated once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.ledger.stacked_checkout import STACKING_RULES
from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _discount_code(client: Client, code: str, discount: dict[str, Any], rule: str) -> None:
    _ok(client.create_voucher(code, {"type": "DISCOUNT_VOUCHER", "discount": discount}))
    voucher_id = _ok(client.get_voucher(code))["id"]
    body = {"related_object_type": "voucher", "related_object_id": voucher_id}
    _ok(client.assign_validation_rule(rule, body))


@pytest.fixture
def stack(client: Client) -> dict[str, Any]:
    """The spec's "5 Redeemables" cart ($20 and $7 lines) and its stack, rules naming both."""
    watch = _ok(client.create_product({"source_id": "watchflix", "name": "Watchflix"}))
    roses = _ok(client.create_product({"source_id": "roses", "name": "Roses"}))
    both = [
        {"object": "product", "id": watch["id"], "effect": "APPLY_TO_EVERY"},
        {"object": "product", "id": roses["id"], "effect": "APPLY_TO_EVERY"},
    ]
    rule = _ok(client.create_validation_rule({"name": "Both", "applicable_to": {"included": both}}))
    _discount_code(
        client,
        "TEN-EACH",
        {"type": "AMOUNT", "effect": "APPLY_TO_ITEMS", "amount_off": 1000},
        rule["id"],
    )
    _discount_code(
        client,
        "FORTY",
        {"type": "PERCENT", "effect": "APPLY_TO_ORDER", "percent_off": 40},
        rule["id"],
    )
    _ok(
        client.create_voucher(
            "THIRTY-C",
            {
                "type": "DISCOUNT_VOUCHER",
                "discount": {"type": "AMOUNT", "effect": "APPLY_TO_ORDER", "amount_off": 30},
            },
        )
    )
    gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 5000}}
    _ok(
        client.create_campaign({"name": "Gifts", "campaign_type": "GIFT_VOUCHERS", "voucher": gift})
    )
    _ok(client.create_voucher("GIFT-50", {"campaign": "Gifts"}))
    items = [
        {"product_id": watch["id"], "quantity": 1, "price": 2000, "amount": 2000},
        {"product_id": roses["id"], "quantity": 1, "price": 700, "amount": 700},
    ]
    voucher = {"object": "voucher"}
    return {
        "redeemables": [
            {**voucher, "id": "TEN-EACH"},
            {**voucher, "id": "GIFT-50", "gift": {"credits": 100}},
            {**voucher, "id": "FORTY"},
            {**voucher, "id": "THIRTY-C"},
        ],
        "order": {"source_id": "o-5", "items": items},
        "customer": {"source_id": "alice"},
        "products": [watch["id"], roses["id"]],
    }


def _body(stack: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in stack.items() if key != "products"}


_TOTALS = {
    "amount": 2700,
    "discount_amount": 490,
    "items_discount_amount": 1700,
    "total_discount_amount": 2190,
    "total_amount": 510,
    "applied_discount_amount": 490,
    "items_applied_discount_amount": 1700,
    "total_applied_discount_amount": 2190,
}


def test_the_specs_stacked_example(client: Client, stack: dict[str, Any]) -> None:
    """$10 off each line, 100 credits, 40% of what is left, 30 cents: the spec's amounts."""
    body = _ok(client.validate_stacked(_body(stack)))
    assert body["valid"] is True
    order = body["order"]
    assert {key: order[key] for key in _TOTALS} == _TOTALS
    lines = [(i["discount_amount"], i["subtotal_amount"]) for i in order["items"]]
    assert lines == [(1000, 1000), (700, 0)]
    steps = [
        (r["order"]["total_amount"], r["order"]["total_applied_discount_amount"])
        for r in body["redeemables"]
    ]
    assert steps == [(1000, 1700), (900, 100), (540, 360), (510, 30)]
    first = body["redeemables"][0]
    covered = [entry["order_item_indices"] for entry in first["applicable_to"]["data"]]
    assert [entry["id"] for entry in first["applicable_to"]["data"]] == stack["products"]
    assert covered == [[0], [1]]
    assert first["inapplicable_to"]["total"] == 0
    assert body["redeemables"][1]["result"]["gift"]["credits"] == 100


def test_the_stacked_example_redeems_what_it_validated(
    client: Client, stack: dict[str, Any]
) -> None:
    """The redemption spends 100 credits, stores the line and order discounts; rollback undoes."""
    made = _ok(client.redeem_stacked(_body(stack)))
    assert {key: made["order"][key] for key in _TOTALS} == _TOTALS
    assert [part["amount"] for part in made["redemptions"]] == [1700, 100, 360, 30]
    stored = _ok(client.get_order("o-5"))
    assert (stored["discount_amount"], stored["items_discount_amount"]) == (490, 1700)
    assert stored["total_amount"] == 510
    assert _ok(client.get_voucher("GIFT-50"))["gift"]["balance"] == 4900
    _ok(client.rollback_stacked(made["parent_redemption"]["id"]))
    assert _ok(client.get_voucher("GIFT-50"))["gift"]["balance"] == 5000


def test_an_order_level_discount_on_named_products_works_on_them(
    client: Client, stack: dict[str, Any]
) -> None:
    """40% with a rule naming the $7 product only takes 40% of $7, not of the order."""
    del stack
    socks = _ok(client.create_product({"source_id": "socks", "name": "Socks"}))
    target = [{"object": "product", "id": socks["id"], "effect": "APPLY_TO_EVERY"}]
    rule = _ok(
        client.create_validation_rule({"name": "Socks", "applicable_to": {"included": target}})
    )
    _discount_code(
        client,
        "SOCKS-40",
        {"type": "PERCENT", "effect": "APPLY_TO_ITEMS", "percent_off": 40},
        rule["id"],
    )
    items = [
        {"product_id": socks["id"], "quantity": 1, "price": 700, "amount": 700},
        {"product_id": "prod_other", "quantity": 1, "price": 3000, "amount": 3000},
    ]
    body = _ok(
        client.validate_stacked(
            {"redeemables": [{"object": "voucher", "id": "SOCKS-40"}], "order": {"items": items}}
        )
    )
    order = body["order"]
    assert (order["items_discount_amount"], order["total_amount"]) == (280, 3420)
    assert [i["discount_amount"] for i in order["items"]] == [280, 0]


def _card_paying_with_points(client: Client, loyalty_fake: LoyaltyFake) -> dict[str, str]:
    make_program(client, voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}})
    code = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}}).body["code"]
    loyalty_fake.add_points(code, 5000)
    coin = loyalty_fake.create_reward(
        "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
    )
    loyalty_fake.assign_reward("Coffee Club", coin["id"])
    return {"object": "voucher", "id": code, "reward": {"id": coin["id"]}}


def test_points_pay_what_the_item_discounts_left(
    client: Client, loyalty_fake: LoyaltyFake, stack: dict[str, Any]
) -> None:
    """After $17 off the lines, the card pays the $10 left: 100 points, spent as answered."""
    pay = _card_paying_with_points(client, loyalty_fake)
    body = {**_body(stack), "redeemables": [stack["redeemables"][0], pay]}
    checked = _ok(client.validate_stacked(body))
    card = checked["redeemables"][1]
    assert card["result"]["loyalty_card"]["points"] == 100
    assert card["result"]["discount"]["amount_off"] == 1000
    assert checked["order"]["total_amount"] == 0
    made = _ok(client.redeem_stacked(body))
    assert [part["amount"] for part in made["redemptions"]] == [1700, 100]
    assert client.get_member(pay["id"]).body["loyalty_card"]["balance"] == 4900
    _ok(client.rollback_stacked(made["parent_redemption"]["id"]))
    assert client.get_member(pay["id"]).body["loyalty_card"]["balance"] == 5000


def test_products_once_lets_a_line_take_one_item_discount(
    client: Client, stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stacking rules' redeemables_products_application_mode ONCE: a second item discount skips."""
    rule = _ok(client.list_validation_rules())["data"][0]["id"]
    _discount_code(
        client,
        "FIVE-EACH",
        {"type": "AMOUNT", "effect": "APPLY_TO_ITEMS", "amount_off": 500},
        rule,
    )
    redeemables = [
        {"object": "voucher", "id": "TEN-EACH"},
        {"object": "voucher", "id": "FIVE-EACH"},
    ]
    body = {**_body(stack), "redeemables": redeemables}
    stacked = _ok(client.validate_stacked(body))["order"]
    assert stacked["items_discount_amount"] == 1700 + 500
    monkeypatch.setitem(STACKING_RULES, "redeemables_products_application_mode", "ONCE")
    once = _ok(client.validate_stacked(body))["order"]
    assert once["items_discount_amount"] == 1700


def test_an_excluded_product_keeps_its_price(client: Client, stack: dict[str, Any]) -> None:
    """A rule excluding the $7 product: 50% off the order takes half of the $20 line only."""
    roses = stack["products"][1]
    excluded = [{"object": "product", "id": roses, "effect": "APPLY_TO_EVERY"}]
    rule = _ok(
        client.create_validation_rule({"name": "No roses", "applicable_to": {"excluded": excluded}})
    )
    _discount_code(client, "HALF", {"type": "PERCENT", "percent_off": 50}, rule["id"])
    body = {**_body(stack), "redeemables": [{"object": "voucher", "id": "HALF"}]}
    checked = _ok(client.validate_stacked(body))
    assert (checked["order"]["discount_amount"], checked["order"]["total_amount"]) == (1000, 1700)
    half = checked["redeemables"][0]
    assert [entry["id"] for entry in half["inapplicable_to"]["data"]] == [roses]
    assert half["applicable_to"]["total"] == 0
