"""Stacked validations and redemptions of loyalty cards (/v1/validations, /v1/redemptions)."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")


@pytest.fixture
def setup(client: Client, loyalty_fake: LoyaltyFake) -> dict[str, str]:
    """Alice's card with 500 points; pay with points at 10 cents a point; a 200-point mug."""
    card = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}}
    make_program(client, voucher=card)
    code = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}}).body["code"]
    loyalty_fake.add_points(code, 500)
    coin = loyalty_fake.create_reward(
        "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
    )
    mug = loyalty_fake.create_reward(
        "Mug", type="MATERIAL", parameters={"product": {"id": "prod_mug"}}
    )
    loyalty_fake.assign_reward("Coffee Club", coin["id"])
    loyalty_fake.assign_reward("Coffee Club", mug["id"], 200)
    return {"code": code, "coin": coin["id"], "mug": mug["id"]}


def _pay(code: str, reward: str, points: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"object": "voucher", "id": code, "reward": {"id": reward}}
    if points is not None:
        item["reward"]["points"] = points
    return item


def _balance(client: Client, code: str) -> int:
    balance: int = client.get_member(code).body["loyalty_card"]["balance"]
    return balance


def test_validation_of_pay_with_points_spends_nothing(
    client: Client, setup: dict[str, str]
) -> None:
    """A valid loyalty card paying with points shows its discount; the balance stays."""
    reply = client.validate_stacked(
        {
            "redeemables": [_pay(setup["code"], setup["coin"], 100)],
            "order": {"amount": 5000},
            "customer": {"source_id": "alice"},
        }
    )
    assert reply.status == 200
    body = reply.body
    assert body["valid"] is True
    assert body["redeemables"][0]["status"] == "APPLICABLE"
    assert body["redeemables"][0]["result"]["loyalty_card"]["points"] == 100
    assert body["order"]["discount_amount"] == 1000
    assert body["order"]["total_amount"] == 4000
    assert body["tracking_id"] == "alice"
    assert body["stacking_rules"]["redeemables_limit"] == 30
    assert _balance(client, setup["code"]) == 500


def test_validation_of_an_unknown_code_is_inapplicable(
    client: Client, setup: dict[str, str]
) -> None:
    """A code nobody knows is INAPPLICABLE with 404 not_found; the others are SKIPPED."""
    reply = client.validate_stacked(
        {
            "redeemables": [
                {"object": "voucher", "id": "NOPE"},
                _pay(setup["code"], setup["coin"], 10),
            ],
            "order": {"amount": 5000},
        }
    )
    body = reply.body
    assert body["valid"] is False
    first, second = body["redeemables"]
    assert first["status"] == "INAPPLICABLE"
    assert first["result"]["error"]["key"] == "not_found"
    assert first["result"]["error"]["details"] == "Cannot find voucher with id NOPE"
    assert second["status"] == "SKIPPED"
    assert second["result"]["details"]["key"] == "preceding_validation_failed"
    assert [item["id"] for item in body["inapplicable_redeemables"]] == ["NOPE"]
    assert [item["id"] for item in body["skipped_redeemables"]] == [setup["code"]]


@pytest.mark.parametrize(
    ("item", "order", "key"),
    [
        ({"reward": None}, {"amount": 100}, "missing_reward"),
        ({}, None, "missing_order"),
        ({"points": 501}, {"amount": 100_000}, "loyalty_card_points_exceeded"),
    ],
)
def test_validation_refusals_carry_voucherifys_keys(
    client: Client, setup: dict[str, str], item: dict[str, Any], order: Any, key: str
) -> None:
    """No reward, no order, more points than the balance: each refused with its key."""
    redeemable = _pay(setup["code"], setup["coin"], item.get("points"))
    if "reward" in item:
        del redeemable["reward"]
    body: dict[str, Any] = {"redeemables": [redeemable]}
    if order is not None:
        body["order"] = order
    reply = client.validate_stacked(body)
    assert reply.body["valid"] is False
    assert reply.body["redeemables"][0]["result"]["error"]["key"] == key


def test_redemption_spends_points_and_records_parent_and_part(
    client: Client, setup: dict[str, str]
) -> None:
    """A stacked redemption records r_ parent naming one r_ per redeemable; points spent."""
    reply = client.redeem_stacked(
        {
            "redeemables": [_pay(setup["code"], setup["coin"], 100)],
            "order": {"source_id": "ord-1", "amount": 5000},
            "customer": {"source_id": "alice"},
        }
    )
    assert reply.status == 200, reply.body
    body = reply.body
    parent = body["parent_redemption"]
    assert parent["id"].startswith("r_")
    assert parent["object"] == "redemption"
    assert parent["redemptions"] == [body["redemptions"][0]["id"]]
    child = body["redemptions"][0]
    assert child["redemption"] == parent["id"]
    assert child["amount"] == 100
    assert body["order"]["status"] == "PAID"
    assert body["order"]["discount_amount"] == 1000
    assert _balance(client, setup["code"]) == 400
    assert client.get_redemption(parent["id"]).body["id"] == parent["id"]
    transactions = client.list_transactions(setup["code"]).body["data"]
    spent = next(t for t in transactions if t["type"] == "POINTS_REDEMPTION")
    assert spent["details"]["redemption"]["id"] == child["id"]
    assert spent["details"]["order"]["source_id"] == "ord-1"


def test_redemption_with_a_bad_redeemable_changes_nothing(
    client: Client, setup: dict[str, str]
) -> None:
    """One refused redeemable refuses the whole redemption with its error; nothing moves."""
    reply = client.redeem_stacked(
        {
            "redeemables": [
                _pay(setup["code"], setup["coin"], 100),
                {"object": "voucher", "id": "NOPE"},
            ],
            "order": {"source_id": "ord-2", "amount": 5000},
        }
    )
    assert reply.status == 404
    assert reply.error_key == "not_found"
    assert _balance(client, setup["code"]) == 500
    assert client.get_order("ord-2").status == 404
    assert client.list_redemptions().body["total"] == 0


def test_paid_order_appears_in_orders_and_earns(client: Client, setup: dict[str, str]) -> None:
    """The redemption's PAID order is listed by /v1/orders and runs the earning rules."""
    campaign = client.get_program("Coffee Club").body["id"]
    client.create_earning_rules(
        campaign,
        [
            {
                "event": "order.paid",
                "validation_rule_id": None,
                "loyalty": {"type": "FIXED", "points": 7},
                "source": {"banner": "Order paid"},
            }
        ],
    )
    reply = client.redeem_stacked(
        {
            "redeemables": [_pay(setup["code"], setup["coin"], 100)],
            "order": {"source_id": "ord-3", "amount": 5000},
        }
    )
    assert reply.status == 200, reply.body
    orders = client.list_orders().body["orders"]
    assert [order["source_id"] for order in orders] == ["ord-3"]
    assert orders[0]["customer_id"] == reply.body["parent_redemption"]["customer_id"]
    assert _balance(client, setup["code"]) == 407


def test_rollback_restores_points_counts_and_cancels_the_order(
    client: Client, setup: dict[str, str]
) -> None:
    """Rolling back the parent refunds the points (POINTS_REFUND), counts and cancels the order."""
    redeemed = client.redeem_stacked(
        {
            "redeemables": [_pay(setup["code"], setup["coin"], 100)],
            "order": {"source_id": "ord-4", "amount": 5000},
        }
    ).body
    parent = redeemed["parent_redemption"]["id"]
    reply = client.rollback_stacked(parent, {"reason": "returned"})
    assert reply.status == 200, reply.body
    assert reply.body["parent_rollback"]["id"].startswith("rr_")
    assert reply.body["parent_rollback"]["redemption"] == parent
    assert reply.body["rollbacks"][0]["redemption"] == redeemed["redemptions"][0]["id"]
    assert reply.body["order"]["status"] == "CANCELED"
    assert _balance(client, setup["code"]) == 500
    member = client.get_member(setup["code"]).body
    assert member["redemption"]["redeemed_quantity"] == 0
    types = [t["type"] for t in client.list_transactions(setup["code"]).body["data"]]
    assert types[0] == "POINTS_REFUND"
    assert client.get_redemption(parent).body["status"] == "ROLLED_BACK"
    again = client.rollback_stacked(parent)
    assert again.status == 400
    assert again.error_key == "already_rolled_back"
    assert again.body["resource_id"].startswith("rrf_")


def test_rollbacks_of_a_part_is_invalid_redemption_parent(
    client: Client, setup: dict[str, str]
) -> None:
    """/rollbacks on a part of a stacked redemption is 400 invalid_redemption_parent."""
    redeemed = client.redeem_stacked(
        {"redeemables": [_pay(setup["code"], setup["coin"], 10)], "order": {"amount": 500}}
    ).body
    reply = client.rollback_stacked(redeemed["redemptions"][0]["id"])
    assert reply.status == 400
    assert reply.error_key == "invalid_redemption_parent"


def test_a_part_does_not_roll_back_alone(client: Client, setup: dict[str, str]) -> None:
    """A part's /rollback is 400 invalid_redemption_parent: "You can't roll back a child"."""
    redeemed = client.redeem_stacked(
        {"redeemables": [_pay(setup["code"], setup["coin"], 10)], "order": {"amount": 500}}
    ).body
    reply = client.rollback(redeemed["redemptions"][0]["id"])
    assert reply.status == 400
    assert reply.error_key == "invalid_redemption_parent"
    assert _balance(client, setup["code"]) == 490


@pytest.mark.loyalty_fake(rollback_stacked_parts=True)
def test_a_part_rolls_back_alone_when_switched_on(client: Client, setup: dict[str, str]) -> None:
    """With rollback_stacked_parts, a part rolls back alone; the parent then undoes the rest."""
    redeemed = client.redeem_stacked(
        {"redeemables": [_pay(setup["code"], setup["coin"], 10)], "order": {"amount": 500}}
    ).body
    child = redeemed["redemptions"][0]["id"]
    assert client.rollback(child).status == 200
    assert _balance(client, setup["code"]) == 500
    reply = client.rollback_stacked(redeemed["parent_redemption"]["id"])
    assert reply.status == 200
    assert reply.body["rollbacks"] == []
    assert _balance(client, setup["code"]) == 500


def test_redemption_of_another_reward_spends_its_price(
    client: Client, setup: dict[str, str]
) -> None:
    """A loyalty card redeeming a material reward spends its assigned points, no discount."""
    reply = client.redeem_stacked(
        {
            "redeemables": [
                {"object": "voucher", "id": setup["code"], "reward": {"id": setup["mug"]}}
            ]
        }
    )
    assert reply.status == 200, reply.body
    assert reply.body["redemptions"][0]["amount"] == 200
    assert "order" not in reply.body
    assert _balance(client, setup["code"]) == 300


def test_list_redemptions_filters_and_pages(client: Client, setup: dict[str, str]) -> None:
    """GET /v1/redemptions lists parents, parts and rollbacks, newest first, filtered."""
    for n in range(2):
        client.redeem_stacked(
            {
                "redeemables": [_pay(setup["code"], setup["coin"], 10)],
                "order": {"source_id": f"o{n}", "amount": 500},
            }
        )
    every = client.list_redemptions().body
    assert every["total"] == 4
    assert every["object"] == "list"
    assert every["data_ref"] == "redemptions"
    oldest = client.list_redemptions({"order": "created_at"}).body["redemptions"]
    assert oldest == list(reversed(every["redemptions"]))
    alice = client.list_redemptions({"customer": "alice"}).body
    assert alice["total"] == 4
    # A parent names no campaign: only the parts are the program's.
    assert client.list_redemptions({"campaign": "Coffee Club"}).body["total"] == 2
    paged = client.list_redemptions({"limit": 1, "page": 2}).body
    assert len(paged["redemptions"]) == 1
    assert client.list_redemptions({"result": "FAILURE"}).body["total"] == 0


def test_session_lock_reserves_points_until_released(client: Client, setup: dict[str, str]) -> None:
    """A LOCK validation holds its points from others; releasing the session frees them."""
    held = client.validate_stacked(
        {
            "redeemables": [_pay(setup["code"], setup["coin"], 400)],
            "order": {"amount": 100_000},
            "session": {"type": "LOCK", "key": "ssn_checkout"},
        }
    ).body
    assert held["session"] == {"key": "ssn_checkout", "type": "LOCK", "ttl": 7, "ttl_unit": "DAYS"}
    other = client.validate_stacked(
        {"redeemables": [_pay(setup["code"], setup["coin"], 200)], "order": {"amount": 100_000}}
    ).body
    assert other["valid"] is False
    assert other["redeemables"][0]["result"]["error"]["key"] == "loyalty_card_points_exceeded"
    assert client.release_session(setup["code"], "ssn_checkout").status == 204
    assert client.release_session(setup["code"], "ssn_checkout").status == 404
    again = client.validate_stacked(
        {"redeemables": [_pay(setup["code"], setup["coin"], 200)], "order": {"amount": 100_000}}
    ).body
    assert again["valid"] is True


@pytest.mark.parametrize(
    "last",
    [
        {"object": "voucher", "id": "NOPE"},
        {"object": "promotion_tier", "id": "promo_nope"},
        {"object": "voucher", "id": "SAME", "reward": {"id": "rew_nope"}},
    ],
)
def test_a_refused_stacked_redemption_leaves_the_state_byte_for_byte(
    client: Client, setup: dict[str, str], loyalty_fake: LoyaltyFake, last: dict[str, Any]
) -> None:
    """After a paying card and a PAID order that would earn, one bad redeemable: no change."""
    if last["id"] == "SAME":
        last = {**last, "id": setup["code"], "object": "voucher"}
        first = {"object": "voucher", "id": "NOPE-FIRST"}
    else:
        first = _pay(setup["code"], setup["coin"], 100)
    before = _records(loyalty_fake)
    reply = client.redeem_stacked(
        {
            "redeemables": [first, last],
            "order": {"source_id": "o-x", "amount": 5000, "status": "PAID"},
            "customer": {"source_id": "newcomer", "name": "New"},
        }
    )
    assert reply.status in {400, 404}
    assert _records(loyalty_fake) == before


def _records(fake: LoyaltyFake) -> bytes:
    """Every project and the ID stream (not the one naming errors' request_id), as bytes."""
    ledger = fake.ledger
    return pickle.dumps((ledger.projects(), ledger.ids.state()[0]))


def test_a_redeemable_given_twice_is_duplicated_redeemables(
    client: Client, setup: dict[str, str]
) -> None:
    """The same card twice in one request: 400 duplicated_redeemables, as the spec shows."""
    item = _pay(setup["code"], setup["coin"], 10)
    reply = client.redeem_stacked({"redeemables": [item, item], "order": {"amount": 500}})
    assert reply.status == 400
    assert reply.error_key == "duplicated_redeemables"
    assert _balance(client, setup["code"]) == 500


@pytest.mark.parametrize(
    ("dates", "key"),
    [
        ({"expiration_date": "2024-01-01T00:00:00Z"}, "voucher_expired"),
        ({"start_date": "2024-02-01T00:00:00Z"}, "voucher_not_active_now"),
    ],
)
def test_a_card_outside_its_dates_is_inapplicable(
    client: Client, setup: dict[str, str], dates: dict[str, str], key: str
) -> None:
    """A card added with dates that exclude now: voucher_expired or voucher_not_active_now."""
    campaign = client.get_program("Coffee Club").body["id"]
    assert client.add_voucher_code(campaign, "DATED-1", dates).status == 200
    published = client.create_publication({"voucher": "DATED-1", "customer": {"source_id": "bob"}})
    assert published.status == 200, published.body
    reply = client.validate_stacked(
        {"redeemables": [_pay("DATED-1", setup["coin"], 1)], "order": {"amount": 500}}
    )
    error = reply.body["redeemables"][0]["result"]["error"]
    assert (error["key"], error["details"]) == (key, "DATED-1")


def test_a_card_used_up_is_quantity_exceeded(client: Client, setup: dict[str, str]) -> None:
    """A card added with redemption.quantity 1 redeems once; then quantity_exceeded."""
    campaign = client.get_program("Coffee Club").body["id"]
    client.add_voucher_code(campaign, "ONCE-1", {"redemption": {"quantity": 1}})
    client.create_publication({"voucher": "ONCE-1", "customer": {"source_id": "bob"}})
    mug = {"object": "voucher", "id": "ONCE-1", "reward": {"id": setup["coin"], "points": 1}}
    client.change_balance("ONCE-1", {"points": 10})
    assert client.redeem_stacked({"redeemables": [mug], "order": {"amount": 500}}).status == 200
    again = client.redeem_stacked({"redeemables": [mug], "order": {"amount": 500}})
    assert (again.status, again.error_key) == (400, "quantity_exceeded")


def test_validation_creates_no_customer_and_redemption_does(
    client: Client, setup: dict[str, str]
) -> None:
    """A validation names a new customer and creates nothing; the redemption creates them."""
    body = {
        "redeemables": [{"object": "voucher", "id": setup["code"], "reward": {"id": setup["mug"]}}],
        "customer": {"source_id": "walk-in", "name": "Walk In"},
    }
    assert client.validate_stacked(body).body["valid"] is True
    assert client.get_customer("walk-in").status == 404
    assert client.redeem_stacked(body).status == 200
    assert client.get_customer("walk-in").body["name"] == "Walk In"


def test_expand_redeemable_names_the_campaign(client: Client, setup: dict[str, str]) -> None:
    """options.expand redeemable adds campaign_name and campaign_id to applicable ones."""
    body = {
        "redeemables": [_pay(setup["code"], setup["coin"], 10)],
        "order": {"items": [{"quantity": 2, "price": 700}]},
        "options": {"expand": ["redeemable", "order"]},
    }
    item = client.validate_stacked(body).body["redeemables"][0]
    assert item["campaign_name"] == "Coffee Club"
    assert item["campaign_id"].startswith("camp_")
    assert item["order"]["amount"] == 1400
    assert item["order"]["total_amount"] == 1300


def test_pay_with_points_is_capped_by_what_is_left_to_pay(
    client: Client, setup: dict[str, str]
) -> None:
    """Points beyond what the order needs are not spent: 300 points asked, 200 pay 2000."""
    reply = client.redeem_stacked(
        {"redeemables": [_pay(setup["code"], setup["coin"], 300)], "order": {"amount": 2000}}
    )
    assert reply.body["redemptions"][0]["amount"] == 200
    assert reply.body["order"]["total_amount"] == 0
    assert _balance(client, setup["code"]) == 300


def test_a_session_is_used_up_by_its_redemption(client: Client, setup: dict[str, str]) -> None:
    """The redemption naming a session's key spends its lock; the session is gone."""
    body = {
        "redeemables": [_pay(setup["code"], setup["coin"], 400)],
        "order": {"amount": 100_000},
        "session": {"type": "LOCK", "key": "ssn_mine", "ttl": 1, "ttl_unit": "HOURS"},
    }
    assert client.validate_stacked(body).body["session"]["ttl_unit"] == "HOURS"
    assert client.redeem_stacked(body).status == 200
    assert client.release_session(setup["code"], "ssn_mine").status == 404


def test_a_session_lock_lapses_after_its_ttl(
    client: Client, setup: dict[str, str], loyalty_fake: LoyaltyFake
) -> None:
    """After its ttl a lock holds nothing: others may spend the points again."""
    locked = {
        "redeemables": [_pay(setup["code"], setup["coin"], 400)],
        "order": {"amount": 100_000},
        "session": {"type": "LOCK", "ttl": 30, "ttl_unit": "MINUTES"},
    }
    key = client.validate_stacked(locked).body["session"]["key"]
    assert key.startswith("ssn_")
    other = {"redeemables": [_pay(setup["code"], setup["coin"], 200)], "order": {"amount": 9000}}
    assert client.validate_stacked(other).body["valid"] is False
    loyalty_fake.clock.advance(minutes=31)
    assert client.validate_stacked(other).body["valid"] is True


def test_more_than_five_applicable_are_skipped_past_the_limit(
    client: Client, setup: dict[str, str], loyalty_fake: LoyaltyFake
) -> None:
    """applicable_redeemables_limit (5): the sixth applicable redeemable is SKIPPED."""
    campaign = client.get_program("Coffee Club").body["id"]
    codes = []
    for n in range(6):
        code = f"SIX-{n}"
        client.add_voucher_code(campaign, code, {})
        client.create_publication({"voucher": code, "customer": {"source_id": f"c{n}"}})
        loyalty_fake.add_points(code, 10)
        codes.append(code)
    body = {
        "redeemables": [_pay(code, setup["coin"], 1) for code in codes],
        "order": {"amount": 9000},
    }
    validated = client.validate_stacked(body).body
    assert validated["valid"] is True
    assert [item["status"] for item in validated["redeemables"]] == ["APPLICABLE"] * 5 + ["SKIPPED"]
    skipped = validated["skipped_redeemables"][0]["result"]["details"]
    assert skipped["key"] == "applicable_redeemables_limit_exceeded"
    assert validated["order"]["discount_amount"] == 50
    redeemed = client.redeem_stacked(body).body
    assert len(redeemed["redemptions"]) == 5
    assert [item["id"] for item in redeemed["skipped_redeemables"]] == ["SIX-5"]


def test_list_redemptions_by_creation_date(
    client: Client, setup: dict[str, str], loyalty_fake: LoyaltyFake
) -> None:
    """created_at[after] and [before] keep what was made then (the SDK takes one object)."""
    client.redeem_stacked({"redeemables": [_pay(setup["code"], setup["coin"], 10)]} | _ORDER)
    loyalty_fake.clock.advance(days=2)
    client.redeem_stacked({"redeemables": [_pay(setup["code"], setup["coin"], 10)]} | _ORDER)
    later = loyalty_fake.request(
        "GET", "/v1/redemptions", params={"created_at[after]": "2024-01-26T00:00:00Z"}
    ).json()
    earlier = loyalty_fake.request(
        "GET", "/v1/redemptions", params={"created_at[before]": "2024-01-26T00:00:00Z"}
    ).json()
    assert (later["total"], earlier["total"]) == (2, 2)
    assert {r["date"][:10] for r in later["redemptions"]} == {"2024-01-27"}


_ORDER = {"order": {"amount": 500}}


def test_list_redemptions_filters(
    client: Client, setup: dict[str, str], loyalty_fake: LoyaltyFake
) -> None:
    """filters[...] on voucher_code, parent_redemption_id, object, result, failure_code..."""
    made = client.redeem_stacked(
        {"redeemables": [_pay(setup["code"], setup["coin"], 10)]} | _ORDER
    ).body
    parent = made["parent_redemption"]["id"]
    client.rollback_stacked(parent)
    client.rollback_stacked(parent)  # a failed rollback, already_rolled_back

    def ids(**conditions: str) -> list[str]:
        params = {
            f"filters[{field}][conditions][$is]": value for field, value in conditions.items()
        }
        listed = loyalty_fake.request("GET", "/v1/redemptions", params=params).json()
        return [entry["id"] for entry in listed["redemptions"]]

    card_id = client.get_member(setup["code"]).body["id"]
    campaign = client.get_program("Coffee Club").body
    child = made["redemptions"][0]["id"]
    # The part and its rollback (the rollback of a part is the parent's too).
    assert ids(parent_redemption_id=parent)[1] == child
    assert ids(parent_redemption_id=parent)[0].startswith("rr_")
    assert len(ids(voucher_code=setup["code"])) == 3  # the part, its rollback, the failure
    assert ids(related_object_id=parent)[-1] == parent  # the parent (and its rollback)
    assert len(ids(related_object_id=card_id)) == 3
    assert len(ids(related_object_parent_id=campaign["id"], campaign_name="Coffee Club")) == 3
    assert [i[:4] for i in ids(result="FAILURE")] == ["rrf_"]
    assert ids(failure_code="already_rolled_back") == ids(result="FAILURE")
    assert {i[:3] for i in ids(object="redemption_rollback")} == {"rr_", "rrf"}
    customer = made["parent_redemption"]["customer_id"]
    assert len(ids(customer_id=customer)) == 5
    assert ids(user_login="someone@example.com") == []
    either = loyalty_fake.request(
        "GET",
        "/v1/redemptions",
        params={
            "filters[result][conditions][$is]": "FAILURE",
            "filters[object][conditions][$is]": "redemption",
            "filters[junction]": "OR",
        },
    ).json()
    assert either["total"] == 3  # the parent, the part, the failed rollback
