"""Reading a customer (GET /v1/customers/{customerId}) with their loyalty summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

# Points earned on 25 January with a one-month rule can be spent through 25 February.
ONE_MONTH = {
    "type": "LOYALTY_CARD",
    "loyalty_card": {"points": 0, "expiration_rules": {"period_type": "MONTH", "period_value": 1}},
}
# A source_id the way apps use them, full of characters a URL path must encode.
AWKWARD_SOURCE_ID = "alice smith+vip@example.com/eu #1?"


def _two_cards(fake: LoyaltyFake, source_id: str = "alice") -> tuple[str, str]:
    """A customer holding a card in "Coffee Club" (expiring) and in "Tea Club"; their codes."""
    coffee = fake.create_loyalty_program("Coffee Club", voucher=ONE_MONTH)["id"]
    tea = fake.create_loyalty_program("Tea Club")["id"]
    coffee_card: str = fake.add_member(coffee, {"source_id": source_id})["code"]
    tea_card: str = fake.add_member(tea, {"source_id": source_id})["code"]
    return coffee_card, tea_card


def _customer(client: Client, ref: str) -> dict[str, Any]:
    reply = client.get_customer(ref)
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def test_customer_by_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer is found by the cust_ ID their card's holder_id names."""
    coffee_card, _ = _two_cards(loyalty_fake)
    holder_id = loyalty_fake.get_member(coffee_card)["holder_id"]
    customer = _customer(client, holder_id)
    assert customer["id"] == holder_id
    assert customer["source_id"] == "alice"
    assert customer["object"] == "customer"
    assert customer["created_at"] == "2024-01-25T10:00:00.000Z"


def test_customer_by_source_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer is found by source_id, the same object as by ID."""
    coffee_card, _ = _two_cards(loyalty_fake)
    holder_id = loyalty_fake.get_member(coffee_card)["holder_id"]
    assert _customer(client, "alice") == _customer(client, holder_id)


def test_source_id_with_url_special_characters(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A source_id with '@', spaces, '+', '/', '#' or '?' is found when percent-encoded."""
    _two_cards(loyalty_fake, AWKWARD_SOURCE_ID)
    assert _customer(client, AWKWARD_SOURCE_ID)["source_id"] == AWKWARD_SOURCE_ID


def test_profile_fields_are_shown(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The name, email and metadata given when joining are on the customer."""
    program = loyalty_fake.create_loyalty_program("Coffee Club")["id"]
    profile = {"source_id": "alice", "name": "Alice", "email": "alice@example.com"}
    loyalty_fake.add_member(program, {**profile, "metadata": {"vip": True}})
    customer = _customer(client, "alice")
    assert (customer["name"], customer["email"]) == ("Alice", "alice@example.com")
    assert customer["metadata"] == {"vip": True}


def test_loyalty_sums_balances_across_programs(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """loyalty.points is the sum of the customer's card balances; each program shows its own."""
    coffee_card, tea_card = _two_cards(loyalty_fake)
    loyalty_fake.add_points(coffee_card, 500)
    loyalty_fake.add_points(coffee_card, -200)
    loyalty_fake.add_points(tea_card, 40)
    loyalty = _customer(client, "alice")["loyalty"]
    assert loyalty["points"] == 340
    assert loyalty["campaigns"]["Coffee Club"]["points"] == 300
    assert loyalty["campaigns"]["Tea Club"]["points"] == 40
    assert set(loyalty["campaigns"]) == {"Coffee Club", "Tea Club"}


def test_loyalty_of_a_new_member_is_zero(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer whose cards hold no points has loyalty.points 0 and 0 in each program."""
    _two_cards(loyalty_fake)
    loyalty = _customer(client, "alice")["loyalty"]
    assert loyalty["points"] == 0
    assert {name: entry["points"] for name, entry in loyalty["campaigns"].items()} == {
        "Coffee Club": 0,
        "Tea Club": 0,
    }


def test_points_to_go_is_the_balance(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """summary.redemptions.loyalty_card.points_to_go is the same available balance."""
    coffee_card, tea_card = _two_cards(loyalty_fake)
    loyalty_fake.add_points(coffee_card, 500)
    loyalty_fake.add_points(tea_card, 40)
    summary = _customer(client, "alice")["summary"]
    assert summary["redemptions"]["loyalty_card"]["points_to_go"] == 540


def test_loyalty_reflects_expiry_after_the_clock_moves(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Once the clock passes the last day, expired points leave the customer's loyalty."""
    coffee_card, tea_card = _two_cards(loyalty_fake)
    loyalty_fake.add_points(coffee_card, 500)
    loyalty_fake.add_points(tea_card, 40)
    assert _customer(client, "alice")["loyalty"]["points"] == 540
    loyalty_fake.clock.advance(days=60)
    loyalty = _customer(client, "alice")["loyalty"]
    assert loyalty["points"] == 40
    assert loyalty["campaigns"]["Coffee Club"]["points"] == 0
    assert loyalty["campaigns"]["Tea Club"]["points"] == 40


def test_only_the_customers_own_cards_count(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Another member's points in the same program do not count for this customer."""
    coffee_card, _ = _two_cards(loyalty_fake)
    bobs_card = loyalty_fake.add_member("Coffee Club", {"source_id": "bob"})["code"]
    loyalty_fake.add_points(coffee_card, 5)
    loyalty_fake.add_points(bobs_card, 700)
    assert _customer(client, "alice")["loyalty"]["points"] == 5
    assert _customer(client, "bob")["loyalty"] == {
        "points": 700,
        "referred_customers": 0,
        "campaigns": {"Coffee Club": {"points": 700, "referred_customers": 0}},
    }


@pytest.mark.parametrize("ref", ["cust_NoSuchCustomer0000000000", "nobody@example.com"])
def test_unknown_customer_is_not_found(client: Client, loyalty_fake: LoyaltyFake, ref: str) -> None:
    """An unknown ID or source_id is 404 not_found naming the customer."""
    _two_cards(loyalty_fake)
    reply = client.get_customer(ref)
    assert reply.status == 404
    assert reply.error_key == "not_found"
    assert reply.body["resource_type"] == "customer"
    assert reply.body["resource_id"] == ref
    assert reply.body["details"] == f"Cannot find customer with id {ref}"
