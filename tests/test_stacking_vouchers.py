"""Discount vouchers and gift cards in stacked validations (/v1/validations, /v1/redemptions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

TEN_OFF = {"type": "AMOUNT", "amount_off": 1000}
BIG_ORDER: dict[str, Any] = {
    "name": "Order over $100",
    "rules": {
        "1": {"name": "order.amount", "conditions": {"$more_than": [10000]}, "rules": {}},
        "logic": "1",
    },
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


@pytest.fixture
def setup(client: Client, loyalty_fake: LoyaltyFake) -> dict[str, str]:
    """Alice's card with 500 points paying at 10 cents a point, a $10-off code, a $25 gift card."""
    make_program(client, voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}})
    code = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}}).body["code"]
    loyalty_fake.add_points(code, 500)
    coin = loyalty_fake.create_reward(
        "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
    )
    loyalty_fake.assign_reward("Coffee Club", coin["id"])
    _ok(client.create_voucher("TEN-OFF", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 2500}}
    # In a campaign: the official spec wants a transaction's campaign_id to be a string.
    _ok(
        client.create_campaign({"name": "Gifts", "campaign_type": "GIFT_VOUCHERS", "voucher": gift})
    )
    _ok(client.create_voucher("GIFT-25", {"campaign": "Gifts"}))
    return {"card": code, "coin": coin["id"]}


def _validate(client: Client, *items: dict[str, Any], amount: int = 5000) -> Any:
    body = {
        "redeemables": list(items),
        "order": {"amount": amount},
        "customer": {"source_id": "alice"},
    }
    return _ok(client.validate_stacked(body))


def _voucher(code: str, **more: Any) -> dict[str, Any]:
    return {"object": "voucher", "id": code, **more}


def test_a_discount_code_and_points_together(client: Client, setup: dict[str, str]) -> None:
    """$10 off and 100 points ($10) take $20 off a $50 order, in request order."""
    pay = _voucher(setup["card"], reward={"id": setup["coin"], "points": 100})
    body = _validate(client, _voucher("TEN-OFF"), pay)
    assert body["valid"] is True
    first, second = body["redeemables"]
    assert (first["status"], first["result"]["discount"]["amount_off"]) == ("APPLICABLE", 1000)
    assert second["result"]["loyalty_card"]["points"] == 100
    assert second["result"]["discount"]["amount_off"] == 1000
    assert body["order"]["total_discount_amount"] == 2000
    assert body["order"]["total_amount"] == 3000
    # Nothing is spent by a validation.
    assert client.get_member(setup["card"]).body["loyalty_card"]["balance"] == 500


def test_a_gift_card_pays_part_of_an_order(client: Client, setup: dict[str, str]) -> None:
    """A $25 gift card spends the credits asked for; all it has by default, up to the order."""
    del setup
    body = _validate(client, _voucher("GIFT-25", gift={"credits": 1000}))
    assert body["redeemables"][0]["result"]["gift"] == {"credits": 1000, "balance": 2500}
    assert body["order"]["total_amount"] == 4000
    body = _validate(client, _voucher("GIFT-25"), amount=2000)
    assert body["redeemables"][0]["result"]["gift"]["credits"] == 2000
    assert body["order"]["total_amount"] == 0


def test_gift_credits_beyond_the_balance(client: Client, setup: dict[str, str]) -> None:
    """Asking for more credits than the card has is ``not_enough_balance``."""
    del setup
    body = _validate(client, _voucher("GIFT-25", gift={"credits": 3000}))
    assert body["valid"] is False
    assert body["inapplicable_redeemables"][0]["result"]["error"]["key"] == "not_enough_balance"


def test_a_disabled_or_used_up_voucher_is_inapplicable(
    client: Client, setup: dict[str, str]
) -> None:
    """Voucherify's keys: ``voucher_disabled``, ``voucher_expired``; the card is skipped."""
    _ok(client.disable_voucher("TEN-OFF"))
    pay = _voucher(setup["card"], reward={"id": setup["coin"]})
    body = _validate(client, _voucher("TEN-OFF"), pay)
    assert body["valid"] is False
    results = [item["result"] for item in body["redeemables"]]
    keys = [result.get("error", result.get("details"))["key"] for result in results]
    assert keys == ["voucher_disabled", "preceding_validation_failed"]
    _ok(client.enable_voucher("TEN-OFF"))
    _ok(client.update_voucher("TEN-OFF", {"expiration_date": "2024-01-01T00:00:00Z"}))
    body = _validate(client, _voucher("TEN-OFF"))
    assert body["redeemables"][0]["result"]["error"]["key"] == "voucher_expired"


def test_an_assigned_validation_rule_refuses_the_voucher(
    client: Client, setup: dict[str, str]
) -> None:
    """A rule assigned to the voucher is checked against the order: $50 is too little."""
    del setup
    rule = _ok(client.create_validation_rule(BIG_ORDER))
    voucher_id = _ok(client.get_voucher("TEN-OFF"))["id"]
    body = {"related_object_type": "voucher", "related_object_id": voucher_id}
    assigned = _ok(client.assign_validation_rule(rule["id"], body))
    listed = _ok(client.get_voucher("TEN-OFF"))["validation_rules_assignments"]
    assert [a["id"] for a in listed["data"]] == [assigned["id"]]
    assert (listed["total"], listed["data"][0]["rule_id"]) == (1, rule["id"])
    refused = _validate(client, _voucher("TEN-OFF"))
    error = refused["inapplicable_redeemables"][0]["result"]["error"]
    assert error["key"] == "order_rules_violated"
    assert _validate(client, _voucher("TEN-OFF"), amount=20000)["valid"] is True


def _balance(client: Client, code: str) -> int:
    balance: int = client.get_member(code).body["loyalty_card"]["balance"]
    return balance


def _redeemed(client: Client, code: str) -> int:
    count: int = _ok(client.get_voucher(code))["redemption"]["redeemed_quantity"]
    return count


def test_the_checkout_redeems_and_rolls_back_everything(
    client: Client, setup: dict[str, str]
) -> None:
    """A discount code and 100 points pay $20 of a $50 PAID order; the rollback restores all."""
    pay = _voucher(setup["card"], reward={"id": setup["coin"], "points": 100})
    body = {
        "redeemables": [_voucher("TEN-OFF"), pay],
        "order": {"amount": 5000, "source_id": "o-1", "status": "PAID"},
        "customer": {"source_id": "alice"},
    }
    assert _ok(client.validate_stacked(body))["valid"] is True
    made = _ok(client.redeem_stacked(body))
    parts = made["redemptions"]
    assert [part["redemption"] for part in parts] == [made["parent_redemption"]["id"]] * 2
    assert parts[0]["amount"] == 1000
    assert made["order"]["discount_amount"] == 2000
    order = _ok(client.get_order("o-1"))
    assert (order["discount_amount"], order["total_amount"]) == (2000, 3000)
    assert _balance(client, setup["card"]) == 400
    assert _redeemed(client, "TEN-OFF") == 1
    undone = _ok(client.rollback_stacked(made["parent_redemption"]["id"]))
    assert [part["amount"] for part in undone["rollbacks"]] == [-1000, -100]
    assert _balance(client, setup["card"]) == 500
    assert _redeemed(client, "TEN-OFF") == 0
    assert _ok(client.get_order("o-1"))["status"] == "CANCELED"


def test_a_gift_card_pays_part_and_gets_its_credits_back(
    client: Client, setup: dict[str, str]
) -> None:
    """$10 of a $25 gift card is a CREDITS_REDEMPTION; the rollback a CREDITS_REFUND."""
    del setup
    body = {
        "redeemables": [_voucher("GIFT-25", gift={"credits": 1000})],
        "order": {"amount": 5000},
        "customer": {"source_id": "alice"},
    }
    made = _ok(client.redeem_stacked(body))
    assert made["order"]["total_amount"] == 4000
    assert _ok(client.get_voucher("GIFT-25"))["gift"]["balance"] == 1500
    _ok(client.rollback_stacked(made["parent_redemption"]["id"]))
    assert _ok(client.get_voucher("GIFT-25"))["gift"]["balance"] == 2500
    moves = _ok(client.voucher_transactions("GIFT-25"))["data"]
    assert {move["type"] for move in moves} == {"CREDITS_REDEMPTION", "CREDITS_REFUND"}
    assert _redeemed(client, "GIFT-25") == 0


def test_a_refused_voucher_makes_the_redemption_change_nothing(
    client: Client, setup: dict[str, str]
) -> None:
    """A rule assigned to the code refuses a $50 order: no points, counts, credits or order."""
    rule = _ok(client.create_validation_rule(BIG_ORDER))
    assignment = {"related_object_type": "voucher", "related_object_id": "TEN-OFF"}
    _ok(client.assign_validation_rule(rule["id"], assignment))
    pay = _voucher(setup["card"], reward={"id": setup["coin"], "points": 100})
    body = {
        "redeemables": [pay, _voucher("GIFT-25", gift={"credits": 500}), _voucher("TEN-OFF")],
        "order": {"amount": 5000, "source_id": "o-2"},
        "customer": {"source_id": "alice"},
    }
    reply = client.redeem_stacked(body)
    assert (reply.status, reply.error_key) == (400, "order_rules_violated")
    assert _balance(client, setup["card"]) == 500
    assert _ok(client.get_voucher("GIFT-25"))["gift"]["balance"] == 2500
    assert _redeemed(client, "TEN-OFF") == 0
    assert client.get_order("o-2").status == 404


def test_a_customer_rule_on_a_gift_card_reads_the_customer(
    client: Client, setup: dict[str, str]
) -> None:
    """A gold-members-only gift card refuses Alice (``customer_rules_violated``), then takes her."""
    del setup
    gold = {
        "name": "Gold only",
        "rules": {
            "1": {
                "name": "customer.metadata",
                "property": "tier",
                "conditions": {"$is": ["gold"]},
                "rules": {},
            },
            "logic": "1",
        },
    }
    rule = _ok(client.create_validation_rule(gold))
    body = {"related_object_type": "voucher", "related_object_id": "GIFT-25"}
    _ok(client.assign_validation_rule(rule["id"], body))
    refused = _validate(client, _voucher("GIFT-25"))
    error = refused["inapplicable_redeemables"][0]["result"]["error"]
    assert error["key"] == "customer_rules_violated"
    _ok(client.create_customer({"source_id": "alice", "metadata": {"tier": "gold"}}))
    assert _validate(client, _voucher("GIFT-25"))["valid"] is True
