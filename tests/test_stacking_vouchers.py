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
    _ok(client.create_voucher("GIFT-25", {"type": "GIFT_VOUCHER", "gift": {"amount": 2500}}))
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
    _ok(client.assign_validation_rule(rule["id"], body))
    refused = _validate(client, _voucher("TEN-OFF"))
    error = refused["inapplicable_redeemables"][0]["result"]["error"]
    assert error["key"] == "order_rules_violated"
    assert _validate(client, _voucher("TEN-OFF"), amount=20000)["valid"] is True


def test_redeeming_a_voucher_is_not_done_yet_and_changes_nothing(
    client: Client, setup: dict[str, str]
) -> None:
    """Redeeming a discount code with a card answers 501; no points move, no order is made."""
    pay = _voucher(setup["card"], reward={"id": setup["coin"], "points": 100})
    body = {
        "redeemables": [pay, _voucher("TEN-OFF")],
        "order": {"amount": 5000, "source_id": "o-1"},
        "customer": {"source_id": "alice"},
    }
    reply = client.redeem_stacked(body)
    assert (reply.status, reply.error_key) == (501, "not_implemented")
    assert client.get_member(setup["card"]).body["loyalty_card"]["balance"] == 500
    assert _ok(client.list_redemptions())["total"] == 0


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
