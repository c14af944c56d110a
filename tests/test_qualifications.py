"""Qualifications (``POST /v1/qualifications``): what a customer can use, over every client."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake.server.control import ControlPlane
from tests.conftest import BASE_URL, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")


def _made(loyalty_fake: LoyaltyFake, method: str, path: str, body: Any) -> dict[str, Any]:
    response = loyalty_fake.request(method, path, json_body=body)
    assert response.status == 200, response.body
    made: dict[str, Any] = response.json()
    return made


def _hold(loyalty_fake: LoyaltyFake, code: str, source_id: str) -> None:
    """Publish voucher ``code`` to the customer ``source_id``: they become its holder."""
    body = {"voucher": code, "customer": {"source_id": source_id}}
    _made(loyalty_fake, "POST", "/v1/publications", body)


@pytest.fixture
def shop(client: Client, loyalty_fake: LoyaltyFake) -> dict[str, Any]:
    """Alice's card (500 points, a coin reward); a 10% coupon campaign; gift cards; Bob's code.

    Each record is made a minute after the one before, so ``created_at`` orders them.
    """
    card = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}}
    program = make_program(client, voucher=card)
    code = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}}).body["code"]
    loyalty_fake.add_points(code, 500)
    coin = loyalty_fake.create_reward(
        "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
    )
    loyalty_fake.assign_reward("Coffee Club", coin["id"])
    loyalty_fake.clock.advance(minutes=1)
    coupons = _made(
        loyalty_fake,
        "POST",
        "/v1/campaigns",
        {
            "name": "Ten off",
            "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {
                "type": "DISCOUNT_VOUCHER",
                "discount": {"type": "PERCENT", "percent_off": 10},
            },
        },
    )
    loyalty_fake.clock.advance(minutes=1)
    discount = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 300}}
    _made(loyalty_fake, "POST", "/v1/vouchers/TEN-1", {**discount, "campaign": coupons["id"]})
    loyalty_fake.clock.advance(minutes=1)
    _made(
        loyalty_fake,
        "POST",
        "/v1/vouchers/GIFT-5",
        {"type": "GIFT_VOUCHER", "gift": {"amount": 500}},
    )
    loyalty_fake.clock.advance(minutes=1)
    _made(loyalty_fake, "POST", "/v1/vouchers/BOBS", discount)
    _hold(loyalty_fake, "BOBS", "bob")
    loyalty_fake.clock.advance(minutes=1)
    _made(loyalty_fake, "POST", "/v1/vouchers/ALICES", discount)
    _hold(loyalty_fake, "ALICES", "alice")
    loyalty_fake.clock.advance(minutes=1)
    return {"card": code, "program": program, "coupons": coupons}


def _codes(reply: Any) -> list[str]:
    assert reply.status == 200, reply.body
    return [each["id"] for each in reply.body["redeemables"]["data"]]


def _by_code(reply: Any) -> dict[str, dict[str, Any]]:
    return {each["id"]: each for each in reply.body["redeemables"]["data"]}


ALICE = {"customer": {"source_id": "alice"}}


def test_all_answers_alices_card_and_every_voucher_not_held_by_someone_else(
    client: Client, shop: dict[str, Any]
) -> None:
    """ALL (the default): her card, the free vouchers and hers, newest first; never Bob's."""
    reply = client.qualify({**ALICE, "order": {"amount": 2000}, "options": {"limit": 50}})
    assert _codes(reply) == ["ALICES", "GIFT-5", "TEN-1", shop["card"]]
    listed = reply.body["redeemables"]
    assert (listed["total"], listed["has_more"], listed["object"]) == (4, False, "list")
    assert "more_starting_after" not in listed
    assert reply.body["tracking_id"] == "alice"
    assert reply.body["order"]["amount"] == 2000
    assert reply.body["order"]["total_applied_discount_amount"] == 0
    assert reply.body["stacking_rules"]["redeemables_limit"] == 30


def test_each_redeemable_says_what_it_would_give(client: Client, shop: dict[str, Any]) -> None:
    """A discount and the order it leaves; a gift card's credits and balance; a card's points."""
    reply = client.qualify({**ALICE, "order": {"amount": 2000}, "options": {"limit": 50}})
    found = _by_code(reply)
    ten = found["TEN-1"]
    assert ten["result"] == {
        "discount": {"type": "AMOUNT", "amount_off": 300, "effect": "APPLY_TO_ORDER"}
    }
    assert ten["order"]["total_applied_discount_amount"] == 300
    assert ten["order"]["total_amount"] == 1700
    assert ten["campaign_name"] == "Ten off"
    assert ten["campaign_id"] == shop["coupons"]["id"]
    assert (ten["object"], ten["name"]) == ("voucher", "TEN-1")
    assert ten["applicable_to"] == {"data": [], "total": 0, "object": "list", "data_ref": "data"}
    assert found["GIFT-5"]["result"] == {"gift": {"credits": 500, "balance": 500}}
    assert found["GIFT-5"]["order"]["total_amount"] == 1500
    card = found[shop["card"]]["result"]["loyalty_card"]
    assert card == {"points": 500, "balance": 500, "exchange_ratio": 1, "points_ratio": 10}
    assert found[shop["card"]]["campaign_name"] == "Coffee Club"


def test_customer_wallet_is_what_she_holds(client: Client, shop: dict[str, Any]) -> None:
    """CUSTOMER_WALLET: her loyalty card and the voucher published to her."""
    reply = client.qualify({**ALICE, "scenario": "CUSTOMER_WALLET"})
    assert _codes(reply) == ["ALICES", shop["card"]]
    bob = client.qualify({"customer": {"source_id": "bob"}, "scenario": "CUSTOMER_WALLET"})
    assert _codes(bob) == ["BOBS"]


@pytest.mark.usefixtures("shop")
def test_no_customer_sees_only_what_nobody_holds(client: Client) -> None:
    """Without a customer, no card and no published voucher: the free ones only."""
    assert _codes(client.qualify({"options": {"limit": 10}})) == ["GIFT-5", "TEN-1"]


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize(
    "scenario",
    [
        "PRODUCTS",
        "PRODUCTS_DISCOUNT",
        "PROMOTION_STACKS",
        "PRODUCTS_BY_CUSTOMER",
        "PRODUCTS_DISCOUNT_BY_CUSTOMER",
    ],
)
def test_promotion_scenarios_find_nothing(client: Client, scenario: str) -> None:
    """The fake has no promotion tiers or stacks: those scenarios answer an empty list."""
    reply = client.qualify({**ALICE, "scenario": scenario})
    assert _codes(reply) == []
    assert reply.body["redeemables"]["total"] == 0


@pytest.mark.usefixtures("shop")
def test_paging_with_starting_after(client: Client) -> None:
    """Pages of ``limit``; ``more_starting_after`` is the last one's ``created_at``."""
    first = client.qualify({**ALICE, "options": {"limit": 2}})
    assert _codes(first) == ["ALICES", "GIFT-5"]
    listed = first.body["redeemables"]
    assert (listed["total"], listed["has_more"]) == (4, True)
    cursor = listed["more_starting_after"]
    assert cursor == listed["data"][-1]["created_at"]
    second = client.qualify({**ALICE, "options": {"limit": 2, "starting_after": cursor}})
    assert _codes(second)[0] == "TEN-1"
    assert second.body["redeemables"]["has_more"] is False


@pytest.mark.usefixtures("shop")
def test_the_default_limit_is_five(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """QualificationsOption.limit: 5 unless given."""
    for number in range(4):
        body = {"type": "GIFT_VOUCHER", "gift": {"amount": 100 + number}}
        _made(loyalty_fake, "POST", f"/v1/vouchers/MORE-{number}", body)
    reply = client.qualify(ALICE)
    assert len(_codes(reply)) == 5
    assert reply.body["redeemables"]["total"] == 8


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"voucher_type": {"conditions": {"$in": ["GIFT_VOUCHER"]}}}, ["GIFT-5"]),
        ({"voucher_type": {"conditions": {"$is": ["LOYALTY_CARD"]}}}, ["card"]),
        ({"code": {"conditions": {"$not_in": ["ALICES", "GIFT-5"]}}}, ["TEN-1", "card"]),
        ({"code": {"conditions": {"$is_not": ["ALICES"]}}}, ["GIFT-5", "TEN-1", "card"]),
        ({"holder_role": {"conditions": {"$is": ["OWNER"]}}}, ["ALICES", "card"]),
        ({"campaign_id": {"conditions": {"$is_unknown": True}}}, ["ALICES", "GIFT-5"]),
        ({"campaign_type": {"conditions": {"$in": ["LOYALTY_PROGRAM"]}}}, ["card"]),
        ({"resource_type": {"conditions": {"$in": ["promotion_tier"]}}}, []),
        (
            {
                "junction": "or",
                "code": {"conditions": {"$is": ["TEN-1"]}},
                "voucher_type": {"conditions": {"$is": ["GIFT_VOUCHER"]}},
            },
            ["GIFT-5", "TEN-1"],
        ),
    ],
)
def test_filters(
    client: Client, shop: dict[str, Any], filters: dict[str, Any], expected: list[str]
) -> None:
    """Every filter field; ``$is``/``$is_not`` read the first value, as the spec says."""
    reply = client.qualify({**ALICE, "options": {"limit": 50, "filters": filters}})
    assert _codes(reply) == [shop["card"] if code == "card" else code for code in expected]


def test_filter_by_campaign(client: Client, shop: dict[str, Any]) -> None:
    """``campaign_id``: the campaign's vouchers only."""
    filters = {"campaign_id": {"conditions": {"$in": [shop["coupons"]["id"]]}}}
    assert _codes(client.qualify({**ALICE, "options": {"filters": filters}})) == ["TEN-1"]


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("BEST_DEAL", ["GIFT-5", "ALICES", "TEN-1"]),
        ("LEAST_DEAL", ["ALICES", "TEN-1", "GIFT-5"]),
        ("DEFAULT", ["ALICES", "GIFT-5", "TEN-1"]),
    ],
)
def test_sorting_rule(client: Client, rule: str, expected: list[str]) -> None:
    """BEST_DEAL: the biggest discount first; LEAST_DEAL: the smallest; newest among equals."""
    options = {
        "sorting_rule": rule,
        "filters": {"voucher_type": {"conditions": {"$is_not": ["LOYALTY_CARD"]}}},
    }
    reply = client.qualify({**ALICE, "order": {"amount": 400}, "options": options})
    # 400 cents: the gift card takes 400, the 300 off vouchers 300 each.
    assert _codes(reply) == expected


def test_validation_rules_decide_and_are_named(
    client: Client, loyalty_fake: LoyaltyFake, shop: dict[str, Any]
) -> None:
    """A campaign's rule on the order amount: an order below it leaves the campaign out.

    AUDIENCE_ONLY reads the customer only, so the order rule does not count there.
    """
    rule = _made(
        loyalty_fake,
        "POST",
        "/v1/validation-rules",
        {
            "name": "Big orders",
            "rules": {
                "1": {"name": "order.amount", "conditions": {"$more_than": [1000]}, "rules": {}},
                "logic": "1",
            },
        },
    )
    _made(
        loyalty_fake,
        "POST",
        f"/v1/validation-rules/{rule['id']}/assignments",
        {"related_object_type": "campaign", "related_object_id": shop["coupons"]["id"]},
    )
    small = client.qualify({**ALICE, "order": {"amount": 500}, "options": {"limit": 50}})
    assert "TEN-1" not in _codes(small)
    big = client.qualify({**ALICE, "order": {"amount": 5000}, "options": {"limit": 50}})
    assert _by_code(big)["TEN-1"]["validation_rule_id"] == rule["id"]
    audience = {**ALICE, "order": {"amount": 500}, "scenario": "AUDIENCE_ONLY"}
    assert "TEN-1" in _codes(client.qualify({**audience, "options": {"limit": 50}}))


@pytest.mark.usefixtures("shop")
def test_disabled_expired_and_spent_vouchers_do_not_qualify(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A disabled voucher, an expired one and an empty gift card are left out."""
    assert loyalty_fake.request("POST", "/v1/vouchers/TEN-1/disable").status == 200
    expired = {
        "type": "DISCOUNT_VOUCHER",
        "discount": {"type": "AMOUNT", "amount_off": 1},
        "expiration_date": "2024-01-01T00:00:00Z",
    }
    _made(loyalty_fake, "POST", "/v1/vouchers/OLD", expired)
    _made(loyalty_fake, "POST", "/v1/vouchers/GIFT-5/balance", {"amount": -500})
    assert _codes(client.qualify({"options": {"limit": 50}})) == []


@pytest.mark.parametrize(
    "body",
    [
        {"scenario": "EVERYTHING"},
        {"options": {"limit": 51}},
        {"options": {"limit": 0}},
        {"options": {"sorting_rule": "RANDOM"}},
        {"options": {"starting_after": "yesterday"}},
        {"options": {"expand": ["everything"]}},
        {"options": {"filters": {"colour": {"conditions": {"$is": ["red"]}}}}},
        {"customer": 5},
        {"order": {"amount": -1}},
        {"metadata": "x"},
    ],
)
@pytest.mark.usefixtures("shop")
def test_bad_input_is_invalid_payload(client: Client, body: dict[str, Any]) -> None:
    """A malformed body: 400 ``invalid_payload``.

    The official SDK's request model refuses some of these before sending: then only the
    plain HTTP clients send them.
    """
    if client.name == "sdk":
        pytest.skip("the SDK's request model refuses these bodies before sending them")
    reply = client.qualify(body)
    assert reply.status == 400, reply.body
    assert reply.body["key"] == "invalid_payload"


def _state(fake: LoyaltyFake) -> tuple[bytes, Any]:
    ledger = fake.ledger
    return pickle.dumps((ledger.projects(), ledger.ids.state()[0])), ControlPlane(fake).dump()


def test_a_qualification_changes_nothing(
    client: Client, loyalty_fake: LoyaltyFake, shop: dict[str, Any]
) -> None:
    """No customer made (an unknown one neither), no order stored, no lock taken."""
    before = _state(loyalty_fake)
    for body in (
        {**ALICE, "order": {"source_id": "new-order", "amount": 2000}},
        {"customer": {"source_id": "stranger"}, "scenario": "CUSTOMER_WALLET"},
        {**ALICE, "session": {"type": "LOCK"}, "metadata": {"x": 1}},
    ):
        assert client.qualify(body).status == 200
    if client.name != "sdk":  # the SDK's model refuses an unknown scenario before sending
        assert client.qualify({"scenario": "EVERYTHING"}).status == 400
    assert _state(loyalty_fake) == before
    assert client.get_member(shop["card"]).body["loyalty_card"]["balance"] == 500


def test_the_client_side_twin_answers_the_same(
    loyalty_fake: LoyaltyFake, shop: dict[str, Any]
) -> None:
    """``POST /client/v1/qualifications`` with client-side keys answers as the server's."""
    del shop
    body = {**ALICE, "order": {"amount": 2000}}
    server = loyalty_fake.request("POST", "/v1/qualifications", json_body=body).json()
    response = requests.post(
        BASE_URL + "/client/v1/qualifications",
        headers={**loyalty_fake.client_headers, "origin": "https://shop.example"},
        json=body,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert response.json() == server


def test_starting_after_keeps_what_was_made_before(
    client: Client, loyalty_fake: LoyaltyFake, shop: dict[str, Any]
) -> None:
    """``starting_after`` is a date: redeemables made at or after it are left out."""
    del shop
    moment = loyalty_fake.clock.now() - dt.timedelta(minutes=3)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    reply = client.qualify({**ALICE, "options": {"limit": 50, "starting_after": text}})
    assert _codes(reply)[0] == "TEN-1"
