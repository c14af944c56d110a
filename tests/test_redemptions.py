"""Spending points: POST .../members/{memberId}/redemption, GET and rollback /v1/redemptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

MONTHLY = {"period_type": "MONTH", "period_value": 1}


@pytest.fixture
def setup(client: Client, loyalty_fake: LoyaltyFake) -> dict[str, str]:
    """A program whose points last a month, Alice's card with 500 points, and two rewards.

    A mug costs 200 points; pay-with-points gives 10 cents a point (1 unit per 10 points).
    """
    card = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0, "expiration_rules": MONTHLY}}
    make_program(client, voucher=card)
    code = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}}).body["code"]
    loyalty_fake.add_points(code, 500)
    mug = loyalty_fake.create_reward(
        "Mug", type="MATERIAL", parameters={"product": {"id": "prod_mug"}}
    )
    coin = loyalty_fake.create_reward(
        "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
    )
    loyalty_fake.assign_reward("Coffee Club", mug["id"], 200)
    loyalty_fake.assign_reward("Coffee Club", coin["id"])
    return {"code": code, "mug": mug["id"], "coin": coin["id"]}


def _state(fake: LoyaltyFake, code: str) -> tuple[Any, ...]:
    """Everything a rejected redemption must leave as it was."""
    return (
        fake.get_member(code),
        fake.transactions(code, limit=100),
        fake.request("GET", f"/v1/loyalties/Coffee Club/members/{code}/points-expiration").json(),
    )


def _balance(client: Client, code: str) -> int:
    balance: int = client.get_member(code).body["loyalty_card"]["balance"]
    return balance


# -- material rewards -----------------------------------------------------------------------


def test_redemption_answers_the_redemption_object(client: Client, setup: dict[str, str]) -> None:
    """A redemption answers r_ ID, SUCCESS, the points spent, the reward and the card after it."""
    reply = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    assert reply.status == 200
    body = reply.body
    assert body["id"].startswith("r_")
    assert body["object"] == "redemption"
    assert (body["result"], body["status"]) == ("SUCCESS", "SUCCEEDED")
    assert body["amount"] == 200
    assert body["loyalty_card"] == {"points": 200}
    assert body["reward"]["id"] == setup["mug"]
    assert body["reward"]["type"] == "MATERIAL"
    assert body["voucher"]["code"] == setup["code"]
    assert body["voucher"]["loyalty_card"]["balance"] == 300
    assert body["voucher"]["redemption"]["redeemed_points"] == 200
    assert body["customer"]["source_id"] == "alice"
    assert body["tracking_id"] == "alice"


def test_redemption_spends_the_assigned_points(client: Client, setup: dict[str, str]) -> None:
    """The card's balance drops by the price; redeemed_points and redeemed_quantity grow."""
    client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    member = client.get_member(setup["code"]).body
    assert member["loyalty_card"]["balance"] == 300
    assert member["loyalty_card"]["points"] == 500
    assert member["redemption"]["redeemed_points"] == 200
    assert member["redemption"]["redeemed_quantity"] == 1


def test_redemption_under_the_program_path(client: Client, setup: dict[str, str]) -> None:
    """The program-scoped path (by name) redeems the same card."""
    reply = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}, campaign="Coffee Club")
    assert reply.status == 200
    assert _balance(client, setup["code"]) == 300


def test_redemption_without_a_reward_is_400(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """No reward is 400 missing_reward with the spec's details; nothing changes."""
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(setup["code"], {"metadata": {"till": 3}})
    assert reply.status == 400
    assert reply.body["key"] == "missing_reward"
    assert reply.body["details"] == "A reward is required when redeeming a LOYALTY_CARD"
    assert _state(loyalty_fake, setup["code"]) == before


def test_unknown_reward_is_404(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """An unknown reward is 404 reward; nothing changes."""
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(setup["code"], {"reward": {"id": "rew_nope"}})
    assert reply.status == 404
    assert reply.body["resource_type"] == "reward"
    assert _state(loyalty_fake, setup["code"]) == before


def test_reward_the_program_does_not_offer_is_404(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """A reward not assigned to the card's program is 404; nothing changes."""
    other = loyalty_fake.create_reward("Hat", parameters={"product": {"id": "prod_hat"}})
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(setup["code"], {"reward": {"id": other["id"]}})
    assert reply.status == 404
    assert reply.body["resource_id"] == other["id"]
    assert _state(loyalty_fake, setup["code"]) == before


def test_not_enough_points_is_400(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """A price above the balance is 400 loyalty_card_points_exceeded; nothing changes."""
    loyalty_fake.add_points(setup["code"], -301)
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    assert reply.status == 400
    assert reply.body["key"] == "loyalty_card_points_exceeded"
    assert reply.body["message"] == "loyalty card points exceeded"
    assert _state(loyalty_fake, setup["code"]) == before


def test_unpublished_card_cannot_redeem(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A card nobody holds is 400 voucher_not_published."""
    program = make_program(http, vouchers_count=1)
    [card] = loyalty_fake.cards(program["id"])
    reward = loyalty_fake.create_reward("Mug", parameters={"product": {"id": "prod_mug"}})
    loyalty_fake.assign_reward("Coffee Club", reward["id"], 1)
    reply = http.redeem(card["code"], {"reward": {"id": reward["id"]}})
    assert reply.status == 400
    assert reply.body["key"] == "voucher_not_published"


def test_soonest_expiring_points_are_spent_first(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """A redemption takes the points that expire soonest, as a removal does."""
    loyalty_fake.add_points(setup["code"], 100, expiration_type="NON_EXPIRING")
    client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    buckets = client.list_points_expiration("Coffee Club", setup["code"]).body["data"]
    assert [(b.get("expires_at"), b["bucket"]["total_points"]) for b in buckets] == [
        ("2024-02-25", 300),
        (None, 100),
    ]


def test_redemption_writes_a_points_redemption_transaction(
    client: Client, setup: dict[str, str]
) -> None:
    """A POINTS_REDEMPTION transaction shows the points, the redemption and the reward."""
    redemption = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    [latest, *_] = client.list_transactions(setup["code"]).body["data"]
    assert latest["type"] == "POINTS_REDEMPTION"
    assert latest["source"] is None
    assert latest["details"]["balance"]["points"] == -200
    assert latest["details"]["balance"]["balance"] == 300
    assert latest["details"]["balance"]["operation_type"] == "AUTOMATIC"
    assert latest["details"]["redemption"] == {"id": redemption["id"]}
    assert latest["details"]["reward"] == {"id": setup["mug"], "name": "Mug"}


def test_redemption_writes_a_member_activity(client: Client, setup: dict[str, str]) -> None:
    """The member's activity shows the reward redemption, newest first."""
    client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    [latest, *_] = client.list_activity(setup["code"]).body["data"]
    assert latest["type"] == "customer.reward_redemptions.created"
    assert latest["data"]["data"]["reward"]["id"] == setup["mug"]
    assert latest["data"]["data"]["balance"]["points"] == -200


def test_reward_counts_its_redemptions(client: Client, setup: dict[str, str]) -> None:
    """A reward's redeemed count grows with each redemption."""
    client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    assert client.get_reward(setup["mug"]).body["redeemed"] == 2


# -- pay with points ------------------------------------------------------------------------


def test_coin_reward_needs_an_order(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """Pay with points without an order is 400 missing_order; nothing changes."""
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(setup["code"], {"reward": {"id": setup["coin"], "points": 10}})
    assert reply.status == 400
    assert reply.body["key"] == "missing_order"
    assert _state(loyalty_fake, setup["code"]) == before


def test_coin_pays_the_rest_of_the_order(client: Client, setup: dict[str, str]) -> None:
    """Without points, the card pays the whole order at the exchange ratio (10 cents a point)."""
    reply = client.redeem(
        setup["code"], {"reward": {"id": setup["coin"]}, "order": {"amount": 2500}}
    )
    order = reply.body["order"]
    assert reply.body["amount"] == 250
    assert order["id"].startswith("ord_")
    assert (order["amount"], order["discount_amount"], order["total_amount"]) == (2500, 2500, 0)
    assert _balance(client, setup["code"]) == 250


def test_coin_spends_the_points_asked(client: Client, setup: dict[str, str]) -> None:
    """With points, exactly those are spent and buy their value off the order."""
    reply = client.redeem(
        setup["code"],
        {
            "reward": {"id": setup["coin"], "points": 100},
            "order": {"items": [{"product_id": "prod_1", "quantity": 2, "price": 1500}]},
        },
    )
    order = reply.body["order"]
    assert reply.body["amount"] == 100
    assert (order["amount"], order["discount_amount"], order["total_amount"]) == (3000, 1000, 2000)
    assert order["items"][0]["amount"] == 3000
    assert _balance(client, setup["code"]) == 400


def test_coin_payment_is_capped_by_the_balance(client: Client, setup: dict[str, str]) -> None:
    """An order worth more than the balance takes every point and leaves the rest to pay."""
    reply = client.redeem(
        setup["code"], {"reward": {"id": setup["coin"]}, "order": {"amount": 10_000}}
    )
    assert reply.body["amount"] == 500
    assert reply.body["order"]["total_amount"] == 5000
    assert _balance(client, setup["code"]) == 0


def test_coin_with_more_points_than_the_balance_is_400(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """Asking for more points than the card holds is 400; nothing changes."""
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(
        setup["code"], {"reward": {"id": setup["coin"], "points": 501}, "order": {"amount": 99999}}
    )
    assert reply.status == 400
    assert reply.body["key"] == "loyalty_card_points_exceeded"
    assert _state(loyalty_fake, setup["code"]) == before


def test_pay_with_points_transactions_name_the_order(client: Client, setup: dict[str, str]) -> None:
    """The POINTS_REDEMPTION and its POINTS_REFUND carry details.order, as the spec shows."""
    made = client.redeem(
        setup["code"],
        {"reward": {"id": setup["coin"]}, "order": {"source_id": "ord-1", "amount": 300}},
    ).body
    rollback = client.rollback(made["id"]).body
    refund, redemption, *_ = client.list_transactions(setup["code"]).body["data"]
    order = {"id": made["order"]["id"], "source_id": "ord-1"}
    assert order["id"].startswith("ord_")
    assert redemption["type"] == "POINTS_REDEMPTION"
    assert list(redemption["details"]) == ["balance", "order", "redemption", "reward"]
    assert redemption["details"]["order"] == order
    assert refund["type"] == "POINTS_REFUND"
    assert list(refund["details"]) == ["balance", "order", "redemption", "rollback", "reward"]
    assert refund["details"]["order"] == order
    assert refund["details"]["rollback"] == {"id": rollback["id"]}


def test_an_order_without_source_id_is_named_by_id(client: Client, setup: dict[str, str]) -> None:
    """An order given without source_id shows ``source_id: null`` (the spec's example)."""
    made = client.redeem(
        setup["code"], {"reward": {"id": setup["coin"]}, "order": {"amount": 300}}
    ).body
    [latest, *_] = client.list_transactions(setup["code"]).body["data"]
    assert latest["details"]["order"] == {"id": made["order"]["id"], "source_id": None}


def test_a_redemption_without_an_order_names_none(client: Client, setup: dict[str, str]) -> None:
    """A material reward redeemed without an order has no details.order."""
    client.redeem(setup["code"], {"reward": {"id": setup["mug"]}})
    [latest, *_] = client.list_transactions(setup["code"]).body["data"]
    assert "order" not in latest["details"]


def test_coin_never_spends_more_than_the_order_needs(client: Client, setup: dict[str, str]) -> None:
    """Points beyond what pays the order stay on the card."""
    reply = client.redeem(
        setup["code"], {"reward": {"id": setup["coin"], "points": 400}, "order": {"amount": 1000}}
    )
    assert reply.body["amount"] == 100
    assert reply.body["order"]["total_amount"] == 0


# -- refused redemptions are recorded ------------------------------------------------------


def _refused_body(key: str, rewards: dict[str, str]) -> dict[str, Any]:
    """A body the setup's card (500 points) is refused with ``key`` for, at the card."""
    bodies: dict[str, dict[str, Any]] = {
        "missing_reward": {"metadata": {"till": 3}},
        "missing_order": {"reward": {"id": rewards["coin"], "points": 10}},
        "missing_order_items_amount": {
            "reward": {"id": rewards["coin"]},
            "order": {"items": [{"product_id": "prod_1"}]},
        },
        "loyalty_card_points_exceeded": {
            "reward": {"id": rewards["coin"], "points": 501},
            "order": {"amount": 99999},
        },
    }
    return bodies[key]


REFUSALS = (
    "missing_reward",
    "missing_order",
    "missing_order_items_amount",
    "loyalty_card_points_exceeded",
)


@pytest.mark.parametrize("key", REFUSALS)
def test_refused_redemption_names_its_failed_redemption(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str], key: str
) -> None:
    """A redemption refused at the card is 400 naming the failed redemption (rf_) it recorded."""
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(setup["code"], _refused_body(key, setup))
    assert reply.status == 400
    assert reply.body["key"] == key
    assert reply.body["resource_type"] == "redemption"
    assert reply.body["resource_id"].startswith("rf_")
    failed = client.get_redemption(reply.body["resource_id"]).body
    assert (failed["failure_code"], failed["failure_message"]) == (key, reply.body["message"])
    assert _state(loyalty_fake, setup["code"]) == before


def test_failed_redemption_reads_back_as_voucherify_records_it(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """GET /v1/redemptions/{rf_ ID}: FAILURE, the failure code, the customer and the card."""
    loyalty_fake.add_points(setup["code"], -301)
    reply = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}, "metadata": {"till": 3}})
    member = client.get_member(setup["code"]).body
    body = client.get_redemption(reply.body["resource_id"]).body
    assert body["id"] == reply.body["resource_id"]
    assert body["object"] == "redemption"
    assert body["date"] == "2024-01-25T10:00:00.000Z"
    assert (body["result"], body["status"]) == ("FAILURE", "FAILED")
    assert body["failure_code"] == "loyalty_card_points_exceeded"
    assert body["failure_message"] == "loyalty card points exceeded"
    assert body["customer_id"] == member["holder_id"]
    assert body["tracking_id"] == "alice"
    assert body["customer"]["source_id"] == "alice"
    assert body["metadata"] == {"till": 3}
    assert body["order"] is None
    assert body["redemption"] is None
    assert (body["related_object_type"], body["related_object_id"]) == ("voucher", member["id"])
    assert body["voucher"]["code"] == setup["code"]
    assert body["voucher"]["loyalty_card"]["balance"] == 199
    assert "amount" not in body
    assert "loyalty_card" not in body


def test_unpublished_card_refusal_is_recorded_without_a_customer(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """voucher_not_published names a failed redemption whose customer is null."""
    program = make_program(client, vouchers_count=1)
    [card] = loyalty_fake.cards(program["id"])
    reward = loyalty_fake.create_reward("Mug", parameters={"product": {"id": "prod_mug"}})
    loyalty_fake.assign_reward("Coffee Club", reward["id"], 1)
    reply = client.redeem(card["code"], {"reward": {"id": reward["id"]}})
    assert (reply.status, reply.body["key"]) == (400, "voucher_not_published")
    body = client.get_redemption(reply.body["resource_id"]).body
    assert (body["customer_id"], body["tracking_id"], body["customer"]) == (None, None, None)
    assert body["failure_code"] == "voucher_not_published"
    assert "holder" not in body["voucher"]


def test_refusals_that_name_no_redemption_record_nothing(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """Malformed bodies and missing resources are refused without a failed redemption.

    Their errors name what was wrong (invalid_payload) or missing (the 404's resource).
    """
    other = loyalty_fake.create_reward("Hat", parameters={"product": {"id": "prod_hat"}})
    refused = [
        client.redeem(setup["code"], {"reward": {"id": setup["mug"], "points": 0}}),
        client.redeem(setup["code"], {"reward": {"id": "rew_nope"}}),
        client.redeem(setup["code"], {"reward": {"id": other["id"]}}),
        client.redeem("NO-SUCH-CARD", {"reward": {"id": setup["mug"]}}),
    ]
    assert [reply.status for reply in refused] == [400, 404, 404, 404]
    assert refused[0].body["key"] == "invalid_payload"
    assert [reply.body.get("resource_type") for reply in refused] == [
        None,
        "reward",
        "reward",
        "voucher",
    ]
    assert client.list_card_redemptions(setup["code"]).body["total"] == 0
    assert client.get_customer("alice").body["summary"]["redemptions"]["total_failed"] == 0


def test_failed_redemptions_are_listed_with_the_card(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """A card's redemptions list shows failed ones too, newest first; they redeem nothing."""
    made = loyalty_fake.redeem_reward(setup["code"], setup["mug"])
    loyalty_fake.clock.advance(minutes=1)
    failed = client.redeem(setup["code"], {"reward": {"id": setup["coin"], "points": 301}})
    loyalty_fake.clock.advance(minutes=1)
    rollback = loyalty_fake.rollback_redemption(made["id"])
    failed_rollback = client.rollback(made["id"])
    reply = client.list_card_redemptions(setup["code"])
    assert [entry["id"] for entry in reply.body["redemption_entries"]] == [
        failed_rollback.body["resource_id"],
        rollback["id"],
        failed.body["resource_id"],
        made["id"],
    ]
    assert [entry["result"] for entry in reply.body["redemption_entries"]] == [
        "FAILURE",
        "SUCCESS",
        "FAILURE",
        "SUCCESS",
    ]
    assert reply.body["total"] == 4
    assert reply.body["redeemed_quantity"] == 0
    assert client.get_member(setup["code"]).body["redemption"]["redeemed_quantity"] == 0


def test_customer_summary_counts_failures(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """total_failed and total_rollback_failed count failures; the totals count every attempt."""
    made = loyalty_fake.redeem_reward(setup["code"], setup["mug"])
    client.redeem(setup["code"], {"reward": {"id": setup["coin"], "points": 301}})
    client.redeem(setup["code"], {"reward": {"id": setup["coin"], "points": 10}})
    loyalty_fake.rollback_redemption(made["id"])
    client.rollback(made["id"])
    summary = client.get_customer("alice").body["summary"]["redemptions"]
    assert (summary["total_succeeded"], summary["total_failed"], summary["total_redeemed"]) == (
        1,
        2,
        3,
    )
    assert (
        summary["total_rollback_succeeded"],
        summary["total_rollback_failed"],
        summary["total_rolled_back"],
    ) == (1, 1, 2)
    assert summary["loyalty_card"] == {"redeemed_points": 0, "points_to_go": 500}


def test_a_refusal_before_publication_is_not_the_holders(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """A card refused while unpublished, then published, does not count that for its holder."""
    program = make_program(http, vouchers_count=1)
    [card] = loyalty_fake.cards(program["id"])
    reward = loyalty_fake.create_reward("Mug", parameters={"product": {"id": "prod_mug"}})
    loyalty_fake.assign_reward("Coffee Club", reward["id"], 1)
    assert http.redeem(card["code"], {"reward": {"id": reward["id"]}}).status == 400
    http.add_member("Coffee Club", {"customer": {"source_id": "alice"}})
    summary = http.get_customer("alice").body["summary"]["redemptions"]
    assert (summary["total_failed"], summary["total_redeemed"]) == (0, 0)
    assert http.list_card_redemptions(card["code"]).body["total"] == 1


# -- reading and rolling back ---------------------------------------------------------------


def test_get_redemption(client: Client, setup: dict[str, str]) -> None:
    """GET /v1/redemptions/{id} answers the redemption as it was made."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    assert client.get_redemption(made["id"]).body == made


def test_unknown_redemption_is_404(client: Client) -> None:
    """An unknown redemption ID is 404 redemption."""
    reply = client.get_redemption("r_0c5bf0e6d601c7d7de")
    assert reply.status == 404
    assert reply.body["resource_type"] == "redemption"


def test_rollback_returns_the_points(client: Client, setup: dict[str, str]) -> None:
    """A rollback answers rr_ with the points given back; the balance is whole again."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    reply = client.rollback(made["id"], reason="wrong size")
    assert reply.status == 200
    assert reply.body["id"].startswith("rr_")
    assert reply.body["object"] == "redemption_rollback"
    assert reply.body["redemption"] == made["id"]
    assert reply.body["amount"] == -200
    assert reply.body["reason"] == "wrong size"
    member = client.get_member(setup["code"]).body
    assert member["loyalty_card"] == {
        "points": 500,
        "balance": 500,
        "next_expiration_date": "2024-02-25",
        "next_expiration_points": 500,
    }
    assert member["redemption"]["redeemed_points"] == 0


def test_rollback_writes_a_points_refund(client: Client, setup: dict[str, str]) -> None:
    """The refund is a POINTS_REFUND transaction naming the redemption and the rollback."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    rollback = client.rollback(made["id"]).body
    [latest, *_] = client.list_transactions(setup["code"]).body["data"]
    assert latest["type"] == "POINTS_REFUND"
    assert latest["details"]["balance"]["points"] == 200
    assert latest["details"]["balance"]["balance"] == 500
    assert latest["details"]["redemption"] == {"id": made["id"]}
    assert latest["details"]["rollback"] == {"id": rollback["id"]}


def test_second_rollback_names_a_failed_rollback(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """Rolling back twice is 400 already_rolled_back naming a new failed rollback (rrf_).

    Not the earlier successful rollback, as the spec's example shows; no points move.
    """
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    rollback = client.rollback(made["id"]).body
    before = _state(loyalty_fake, setup["code"])
    reply = client.rollback(made["id"], reason="twice")
    assert reply.status == 400
    assert reply.body == {
        "code": 400,
        "key": "already_rolled_back",
        "message": "Already rolled back",
        "details": "Redemption has been already rolled back.",
        "request_id": reply.body["request_id"],
        "resource_id": reply.body["resource_id"],
        "resource_type": "redemption_rollback",
    }
    assert reply.body["resource_id"].startswith("rrf_")
    assert _state(loyalty_fake, setup["code"]) == before
    assert client.get_redemption(rollback["id"]).body == rollback
    assert client.get_redemption(made["id"]).body["status"] == "ROLLED_BACK"


def test_failed_rollback_reads_back_as_a_failure(client: Client, setup: dict[str, str]) -> None:
    """GET /v1/redemptions/{rrf_ ID} answers the failed rollback: FAILURE, its redemption."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    client.rollback(made["id"])
    failed_id = client.rollback(made["id"], reason="twice").body["resource_id"]
    body = client.get_redemption(failed_id).body
    assert body["id"] == failed_id
    assert body["object"] == "redemption_rollback"
    assert body["redemption"] == made["id"]
    assert body["reason"] == "twice"
    assert (body["result"], body["status"]) == ("FAILURE", "FAILED")
    assert (body["failure_code"], body["failure_message"]) == (
        "already_rolled_back",
        "Already rolled back",
    )
    assert body["customer_id"] == made["customer_id"]
    assert body["voucher"]["code"] == setup["code"]
    assert "amount" not in body


def test_each_failed_rollback_is_a_record_of_its_own(client: Client, setup: dict[str, str]) -> None:
    """A third rollback names another failed rollback than the second did."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    client.rollback(made["id"])
    second = client.rollback(made["id"]).body["resource_id"]
    third = client.rollback(made["id"]).body["resource_id"]
    assert second != third
    assert {client.get_redemption(second).status, client.get_redemption(third).status} == {200}


def test_rolled_back_redemption_reads_as_rolled_back(client: Client, setup: dict[str, str]) -> None:
    """After a rollback the redemption's status is ROLLED_BACK and names its rollback."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    rollback = client.rollback(made["id"]).body
    body = client.get_redemption(made["id"]).body
    assert body["status"] == "ROLLED_BACK"
    assert body["related_redemptions"]["rollbacks"] == [
        {"id": rollback["id"], "date": rollback["date"]}
    ]


def test_rollback_reads_back_by_its_id(client: Client, setup: dict[str, str]) -> None:
    """GET /v1/redemptions/{rr_ ID} answers the rollback."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    rollback = client.rollback(made["id"]).body
    assert client.get_redemption(rollback["id"]).body == rollback


def test_rollback_cancels_the_order(client: Client, setup: dict[str, str]) -> None:
    """Rolling back a pay-with-points redemption cancels its order."""
    made = client.redeem(
        setup["code"], {"reward": {"id": setup["coin"]}, "order": {"amount": 300}}
    ).body
    reply = client.rollback(made["id"])
    assert reply.body["order"]["status"] == "CANCELED"
    assert _balance(client, setup["code"]) == 500


def test_points_whose_bucket_expired_come_back_expired(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """Rolled back after their bucket's last day, the points are refunded and count as expired."""
    loyalty_fake.add_points(setup["code"], 100, expiration_type="NON_EXPIRING")
    made = client.redeem(
        setup["code"], {"reward": {"id": setup["coin"]}, "order": {"amount": 6000}}
    ).body
    assert made["amount"] == 600  # 500 expiring on 25 Feb, then 100 that never expire
    loyalty_fake.clock.set("2024-03-10T00:00:00Z")
    client.rollback(made["id"])
    card = client.get_member(setup["code"]).body["loyalty_card"]
    assert (card["balance"], card["expired_points"]) == (100, 500)
    [expiration, refund, *_] = client.list_transactions(setup["code"]).body["data"]
    assert (refund["type"], refund["details"]["balance"]["points"]) == ("POINTS_REFUND", 600)
    assert (expiration["type"], expiration["details"]["balance"]["points"]) == (
        "POINTS_EXPIRATION",
        -500,
    )


def test_rollback_of_an_unknown_redemption_is_404(client: Client) -> None:
    """Rolling back an unknown redemption is 404."""
    reply = client.rollback("r_0c5bf0e6d601c7d7de")
    assert reply.status == 404
    assert reply.body["resource_type"] == "redemption"


def test_card_redemptions_list_redemptions_and_rollbacks(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """A card's redemptions list shows its redemptions and rollbacks, newest first."""
    first = loyalty_fake.redeem_reward(setup["code"], setup["mug"])
    loyalty_fake.clock.advance(minutes=1)
    second = loyalty_fake.redeem_reward(setup["code"], setup["mug"])
    loyalty_fake.clock.advance(minutes=1)
    rollback = loyalty_fake.rollback_redemption(first["id"])
    reply = client.list_card_redemptions(setup["code"])
    assert [entry["id"] for entry in reply.body["redemption_entries"]] == [
        rollback["id"],
        second["id"],
        first["id"],
    ]
    assert reply.body["total"] == 3
    assert reply.body["redeemed_quantity"] == 1


def test_customer_summary_counts_redemptions_and_rollbacks(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """The customer's summary counts two redemptions, one rolled back, and the points spent."""
    first = loyalty_fake.redeem_reward(setup["code"], setup["mug"])
    loyalty_fake.redeem_reward(setup["code"], setup["mug"])
    loyalty_fake.rollback_redemption(first["id"])
    summary = client.get_customer("alice").body["summary"]["redemptions"]
    assert summary["total_redeemed"] == summary["total_succeeded"] == 2
    assert summary["total_rolled_back"] == summary["total_rollback_succeeded"] == 1
    assert summary["total_failed"] == summary["total_rollback_failed"] == 0
    assert summary["loyalty_card"] == {"redeemed_points": 200, "points_to_go": 300}


def test_card_redemptions_are_the_cards_own(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """Another member's redemptions are neither listed with the card nor counted for alice."""
    bob = client.add_member("Coffee Club", {"customer": {"source_id": "bob"}}).body["code"]
    loyalty_fake.add_points(bob, 500)
    loyalty_fake.redeem_reward(bob, setup["mug"])
    reply = client.list_card_redemptions(setup["code"])
    assert reply.body["total"] == 0
    summary = client.get_customer("alice").body["summary"]["redemptions"]
    assert summary["total_redeemed"] == 0
    assert client.get_customer("bob").body["summary"]["redemptions"]["total_redeemed"] == 1


def test_rollback_for_another_customer_is_400(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """A tracking_id that is not the redemption's customer is 400 invalid_customer."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    before = _state(loyalty_fake, setup["code"])
    reply = client.rollback(made["id"], tracking_id="bob")
    assert reply.status == 400
    assert reply.body["key"] == "invalid_customer"
    assert reply.body["details"] == "Customer is not related with redemption."
    assert _state(loyalty_fake, setup["code"]) == before


def test_rollback_names_its_customer(client: Client, setup: dict[str, str]) -> None:
    """The redemption's own customer, by source_id, may be named in the rollback."""
    made = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}).body
    reply = client.rollback(made["id"], tracking_id="alice")
    assert reply.status == 200
    assert _balance(client, setup["code"]) == 500


def test_rollback_with_another_order_is_400(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """An order that is not the redemption's is 400 invalid_order; nothing changes."""
    made = client.redeem(
        setup["code"],
        {"reward": {"id": setup["coin"]}, "order": {"source_id": "ord-1", "amount": 300}},
    ).body
    before = _state(loyalty_fake, setup["code"])
    reply = client.rollback(made["id"], body={"order": {"source_id": "ord-2"}})
    assert reply.status == 400
    assert reply.body["key"] == "invalid_order"
    assert _state(loyalty_fake, setup["code"]) == before
    assert client.rollback(made["id"], body={"order": {"source_id": "ord-1"}}).status == 200


def test_redemption_keeps_its_metadata(client: Client, setup: dict[str, str]) -> None:
    """The request's metadata is the redemption's."""
    reply = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}, "metadata": {"till": 3}})
    assert reply.body["metadata"] == {"till": 3}
    assert client.get_redemption(reply.body["id"]).body["metadata"] == {"till": 3}


def test_same_seed_same_redemption_bytes() -> None:
    """Two fakes with one seed redeem, roll back and fail byte for byte alike (rf_, rrf_ IDs)."""

    def transcript() -> list[bytes]:
        from loyalty_fake import LoyaltyFake  # noqa: PLC0415 - a fake of its own per run

        fake = LoyaltyFake(seed=7, now="2024-01-25T10:00:00Z")
        fake.create_loyalty_program("Club")
        code = fake.add_member("Club", {"source_id": "alice"})["code"]
        fake.add_points(code, 500)
        coin = fake.create_reward("Coin", parameters={"coin": {"exchange_ratio": 1}})
        fake.assign_reward("Club", coin["id"])
        made = fake.request(
            "POST",
            f"/v1/loyalties/members/{code}/redemption",
            json_body={"reward": {"id": coin["id"]}, "order": {"amount": 250}},
        )
        rollback = fake.request("POST", f"/v1/redemptions/{made.json()['id']}/rollback")
        refused = fake.request(
            "POST",
            f"/v1/loyalties/members/{code}/redemption",
            json_body={"reward": {"id": coin["id"], "points": 501}, "order": {"amount": 250}},
        )
        again = fake.request("POST", f"/v1/redemptions/{made.json()['id']}/rollback")
        failures = [
            fake.request("GET", f"/v1/redemptions/{reply.json()['resource_id']}").body
            for reply in (refused, again)
        ]
        return [made.body, rollback.body, *failures]

    assert transcript() == transcript()


def test_member_of_another_program_is_404(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """Redeeming under a program the card is not in is 404 voucher; nothing changes."""
    make_program(client, "Tea Club")
    before = _state(loyalty_fake, setup["code"])
    reply = client.redeem(setup["code"], {"reward": {"id": setup["mug"]}}, campaign="Tea Club")
    assert reply.status == 404
    assert reply.body["resource_type"] == "voucher"
    assert _state(loyalty_fake, setup["code"]) == before


def test_a_program_deleted_for_good_takes_its_failures_along(
    client: Client, loyalty_fake: LoyaltyFake, setup: dict[str, str]
) -> None:
    """After a forced delete, a card taking the code has no failures; a rollback again is 404."""
    made = loyalty_fake.redeem_reward(setup["code"], setup["mug"])
    loyalty_fake.rollback_redemption(made["id"])
    assert client.rollback(made["id"]).status == 400
    assert client.redeem(setup["code"], {"metadata": {}}).status == 400
    assert client.delete_program("Coffee Club", force=True).status == 200
    again = client.rollback(made["id"])
    assert (again.status, again.body["resource_type"]) == (404, "voucher")
    make_program(client, "Tea Club")
    assert client.add_voucher_code("Tea Club", setup["code"]).status == 200
    joined = client.add_member("Tea Club", {"customer": {"source_id": "alice"}})
    assert joined.body["code"] == setup["code"]
    assert client.list_card_redemptions(setup["code"]).body["total"] == 0
    summary = client.get_customer("alice").body["summary"]["redemptions"]
    assert (summary["total_failed"], summary["total_rollback_failed"]) == (0, 0)
