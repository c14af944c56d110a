"""A discount voucher's or gift card's part of a stacked redemption is a redemption of its own.

Listed by ``GET /v1/redemptions`` (with its filters), read by ``GET /v1/redemptions/{id}``,
listed by its voucher's ``GET /v1/vouchers/{code}/redemption``, and shown rolled back after
its parent's rollback; ``redemption.quantity`` used up refuses a voucher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _voucher(code: str, **more: Any) -> dict[str, Any]:
    return {"object": "voucher", "id": code, **more}


@pytest.fixture
def setup(client: Client, loyalty_fake: LoyaltyFake) -> dict[str, str]:
    """Alice's 500 points at 10 cents each, a $10-off code used twice at most, a $25 gift card."""
    make_program(client, voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}})
    code = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}}).body["code"]
    loyalty_fake.add_points(code, 500)
    coin = loyalty_fake.create_reward(
        "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
    )
    loyalty_fake.assign_reward("Coffee Club", coin["id"])
    ten_off = {
        "type": "DISCOUNT_VOUCHER",
        "discount": {"type": "AMOUNT", "amount_off": 1000},
        "redemption": {"quantity": 2},
    }
    _ok(client.create_voucher("TEN-OFF", ten_off))
    gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 2500}}
    _ok(
        client.create_campaign({"name": "Gifts", "campaign_type": "GIFT_VOUCHERS", "voucher": gift})
    )
    _ok(client.create_voucher("GIFT-25", {"campaign": "Gifts"}))
    return {"card": code, "coin": coin["id"]}


def _checkout(setup: dict[str, str], source_id: str = "o-1") -> dict[str, Any]:
    """$10 off, $5 of gift credits and 100 points ($10) on a $50 order."""
    return {
        "redeemables": [
            _voucher("TEN-OFF"),
            _voucher("GIFT-25", gift={"credits": 500}),
            _voucher(setup["card"], reward={"id": setup["coin"], "points": 100}),
        ],
        "order": {"amount": 5000, "source_id": source_id},
        "customer": {"source_id": "alice"},
    }


def test_every_part_is_read_by_its_id(client: Client, setup: dict[str, str]) -> None:
    """Each part is a redemption naming its parent, voucher, order and customer."""
    made = _ok(client.redeem_stacked(_checkout(setup)))
    parent = made["parent_redemption"]
    ten_off = _ok(client.get_voucher("TEN-OFF"))
    gift = _ok(client.get_voucher("GIFT-25"))
    expected = ((ten_off, 1000), (gift, 500))
    for part, (voucher, amount) in zip(made["redemptions"], expected, strict=False):
        got = _ok(client.get_redemption(part["id"]))
        assert (got["object"], got["status"]) == ("redemption", "SUCCEEDED")
        assert got["result"] == "SUCCESS"
        assert got["redemption"] == parent["id"]
        assert (got["related_object_type"], got["related_object_id"]) == ("voucher", voucher["id"])
        assert got["voucher"]["code"] == voucher["code"]
        assert got["amount"] == amount
        assert got["order"]["id"] == made["order"]["id"]
        assert got["customer_id"] == parent["customer_id"] == got["customer"]["id"]
    assert _ok(client.get_redemption(made["redemptions"][1]["id"]))["gift"] == {"amount": 500}


def test_every_part_is_listed(client: Client, setup: dict[str, str]) -> None:
    """GET /v1/redemptions lists the parent and its three parts; campaign and customer filter."""
    made = _ok(client.redeem_stacked(_checkout(setup)))
    ids = [part["id"] for part in made["redemptions"]]
    listed = _ok(client.list_redemptions())
    assert listed["total"] == 4
    assert {entry["id"] for entry in listed["redemptions"]} == {
        made["parent_redemption"]["id"],
        *ids,
    }
    gifts = _ok(client.list_redemptions({"campaign": "Gifts"}))["redemptions"]
    assert [entry["id"] for entry in gifts] == [ids[1]]
    assert _ok(client.list_redemptions({"customer": "alice"}))["total"] == 4
    assert _ok(client.list_redemptions({"customer": "bob"}))["total"] == 0
    assert _ok(client.list_redemptions({"result": "FAILURE"}))["total"] == 0
    oldest = _ok(client.list_redemptions({"order": "created_at", "limit": 2, "page": 2}))
    assert [entry["id"] for entry in oldest["redemptions"]] == ids[1:]


def test_parts_filter_by_voucher_and_parent(
    client: Client, setup: dict[str, str], loyalty_fake: LoyaltyFake
) -> None:
    """filters[voucher_code], [parent_redemption_id], [related_object_id] find voucher parts."""
    made = _ok(client.redeem_stacked(_checkout(setup)))
    _ok(client.redeem_stacked(_checkout(setup, "o-2")))
    parent = made["parent_redemption"]["id"]

    def ids(**conditions: str) -> list[str]:
        params = {
            f"filters[{field}][conditions][$is]": value for field, value in conditions.items()
        }
        listed = loyalty_fake.request("GET", "/v1/redemptions", params=params).json()
        return sorted(entry["id"] for entry in listed["redemptions"])

    assert len(ids(voucher_code="TEN-OFF")) == 2
    assert ids(parent_redemption_id=parent) == sorted(part["id"] for part in made["redemptions"])
    gift_id = _ok(client.get_voucher("GIFT-25"))["id"]
    assert ids(related_object_id=gift_id) == ids(voucher_code="GIFT-25")
    campaign = _ok(client.get_campaign("Gifts"))["id"]
    assert ids(related_object_parent_id=campaign) == ids(campaign_name="Gifts")
    assert len(ids(campaign_name="Gifts")) == 2
    by_code = loyalty_fake.request("GET", "/v1/redemptions", params={"order": "voucher_code"})
    codes = [entry.get("voucher", {}).get("code", "") for entry in by_code.json()["redemptions"]]
    assert codes == sorted(codes)


def test_a_voucher_lists_its_parts_and_their_rollbacks(
    client: Client, setup: dict[str, str]
) -> None:
    """GET /v1/vouchers/{code}/redemption: the parts and rollbacks, newest first."""
    first = _ok(client.redeem_stacked(_checkout(setup)))
    second = _ok(client.redeem_stacked(_checkout(setup, "o-2")))
    undone = _ok(client.rollback_stacked(first["parent_redemption"]["id"]))
    listed = _ok(client.list_card_redemptions("TEN-OFF"))
    expected = [undone["rollbacks"][0]["id"], second["redemptions"][0]["id"]]
    expected.append(first["redemptions"][0]["id"])
    assert [entry["id"] for entry in listed["redemption_entries"]] == expected
    assert (listed["total"], listed["quantity"], listed["redeemed_quantity"]) == (3, 2, 1)
    gift = _ok(client.list_card_redemptions("GIFT-25"))
    assert (gift["total"], gift["quantity"], gift["redeemed_quantity"]) == (3, None, 1)


def test_a_rolled_back_part_shows_its_rollback(client: Client, setup: dict[str, str]) -> None:
    """After the parent's rollback each part is ROLLED_BACK, naming its rollback (rr_)."""
    made = _ok(client.redeem_stacked(_checkout(setup)))
    undone = _ok(client.rollback_stacked(made["parent_redemption"]["id"], reason="returned"))
    for part, rollback in zip(made["redemptions"], undone["rollbacks"], strict=True):
        got = _ok(client.get_redemption(part["id"]))
        assert got["status"] == "ROLLED_BACK"
        assert [entry["id"] for entry in got["related_redemptions"]["rollbacks"]] == [
            rollback["id"]
        ]
        read = _ok(client.get_redemption(rollback["id"]))
        assert (read["object"], read["status"]) == ("redemption_rollback", "SUCCEEDED")
        assert (read["redemption"], read["amount"]) == (part["id"], -part["amount"])
        assert read["reason"] == "returned"
    listed = _ok(client.list_redemptions({"limit": 100}))
    assert listed["total"] == 8  # the parent, three parts and their four rollbacks


def test_a_voucher_part_does_not_roll_back_alone(client: Client, setup: dict[str, str]) -> None:
    """A voucher's part alone is 400 invalid_redemption_parent: nothing moves."""
    made = _ok(client.redeem_stacked(_checkout(setup)))
    for part in made["redemptions"][:2]:
        reply = client.rollback(part["id"])
        assert (reply.status, reply.error_key) == (400, "invalid_redemption_parent")
    assert _ok(client.get_voucher("GIFT-25"))["gift"]["balance"] == 2000
    assert _ok(client.get_voucher("TEN-OFF"))["redemption"]["redeemed_quantity"] == 1
    assert _ok(client.get_redemption(made["redemptions"][0]["id"]))["status"] == "SUCCEEDED"


@pytest.mark.loyalty_fake(rollback_stacked_parts=True)
def test_a_voucher_part_rolls_back_alone_when_switched_on(
    client: Client, setup: dict[str, str]
) -> None:
    """With rollback_stacked_parts, a gift card's part alone gives its credits back, once."""
    made = _ok(client.redeem_stacked(_checkout(setup)))
    part = made["redemptions"][1]["id"]
    rolled = _ok(client.rollback(part))
    assert (rolled["object"], rolled["amount"], rolled["redemption"]) == (
        "redemption_rollback",
        -500,
        part,
    )
    assert _ok(client.get_voucher("GIFT-25"))["gift"]["balance"] == 2500
    assert _ok(client.get_order("o-1"))["status"] == "CANCELED"
    again = client.rollback(part)
    assert (again.status, again.error_key) == (400, "already_rolled_back")
    rest = _ok(client.rollback_stacked(made["parent_redemption"]["id"]))
    assert [entry["redemption"] for entry in rest["rollbacks"]] == [
        made["redemptions"][0]["id"],
        made["redemptions"][2]["id"],
    ]
    assert _ok(client.get_voucher("GIFT-25"))["gift"]["balance"] == 2500


def test_a_used_up_voucher_is_quantity_exceeded(client: Client, setup: dict[str, str]) -> None:
    """redemption.quantity 2: a third redemption is 400 quantity_exceeded; a rollback frees one."""
    del setup
    body = {"redeemables": [_voucher("TEN-OFF")], "order": {"amount": 5000}}
    first = _ok(client.redeem_stacked(body))
    _ok(client.redeem_stacked(body))
    refused = client.redeem_stacked(body)
    assert (refused.status, refused.error_key) == (400, "quantity_exceeded")
    voucher = _ok(client.get_voucher("TEN-OFF"))
    assert voucher["redemption"]["redeemed_quantity"] == 2
    validated = _ok(client.validate_stacked(body))
    assert validated["valid"] is False
    error = validated["inapplicable_redeemables"][0]["result"]["error"]
    assert error["key"] == "quantity_exceeded"
    _ok(client.rollback_stacked(first["parent_redemption"]["id"]))
    _ok(client.redeem_stacked(body))


def test_one_used_up_voucher_makes_the_checkout_change_nothing(
    client: Client, setup: dict[str, str]
) -> None:
    """Points, gift credits and a used-up code together: quantity_exceeded, nothing moves."""
    once = {
        "type": "DISCOUNT_VOUCHER",
        "discount": {"type": "PERCENT", "percent_off": 10},
        "redemption": {"quantity": 1},
    }
    _ok(client.create_voucher("ONCE", once))
    _ok(client.redeem_stacked({"redeemables": [_voucher("ONCE")]}))
    before = (
        _ok(client.list_redemptions({"limit": 100})),
        _ok(client.get_voucher("GIFT-25")),
        client.get_member(setup["card"]).body,
        _ok(client.get_voucher("TEN-OFF")),
        _ok(client.get_voucher("ONCE")),
    )
    body = _checkout(setup)
    # The used-up code last: the others check out first.
    body["redeemables"].append(_voucher("ONCE"))
    refused = client.redeem_stacked(body)
    assert (refused.status, refused.error_key) == (400, "quantity_exceeded")
    after = (
        _ok(client.list_redemptions({"limit": 100})),
        _ok(client.get_voucher("GIFT-25")),
        client.get_member(setup["card"]).body,
        _ok(client.get_voucher("TEN-OFF")),
        _ok(client.get_voucher("ONCE")),
    )
    assert after == before
    assert client.get_order("o-1").status == 404


def test_the_customers_summary_counts_the_parts(client: Client, setup: dict[str, str]) -> None:
    """summary.redemptions counts the voucher parts beside the card's, and their rollbacks."""
    made = _ok(client.redeem_stacked(_checkout(setup)))
    counts = _ok(client.get_customer("alice"))["summary"]["redemptions"]
    assert (counts["total_redeemed"], counts["total_succeeded"]) == (3, 3)
    assert counts["total_rolled_back"] == 0
    _ok(client.rollback_stacked(made["parent_redemption"]["id"]))
    counts = _ok(client.get_customer("alice"))["summary"]["redemptions"]
    assert (counts["total_redeemed"], counts["total_succeeded"]) == (3, 3)
    assert (counts["total_rolled_back"], counts["total_rollback_succeeded"]) == (3, 3)
    listed = _ok(client.list_customers())["customers"]
    assert [c["summary"]["redemptions"]["total_succeeded"] for c in listed] == [3]
