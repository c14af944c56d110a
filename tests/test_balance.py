"""Changing a member's points: POST .../members/{memberId}/balance, expiry on the fake's clock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.errors import VoucherifyError
from tests.conftest import Client, RequestsClient, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

MONTHLY = {"period_type": "MONTH", "period_value": 1}
RULES = "Property .voucher.loyalty_card.expiration_rules"


def _member(client: Client, rules: dict[str, Any] | None = None, points: int = 0) -> str:
    """Create a program (with expiration rules if given), add a member, return the code."""
    loyalty_card: dict[str, Any] = {"points": points}
    if rules is not None:
        loyalty_card["expiration_rules"] = rules
    program = make_program(
        client, vouchers_count=2, voucher={"type": "LOYALTY_CARD", "loyalty_card": loyalty_card}
    )
    reply = client.add_member(program["id"], {"customer": {"source_id": "alice"}})
    code: str = reply.body["code"]
    return code


def _snapshot(fake: LoyaltyFake, code: str) -> tuple[Any, ...]:
    return (fake.get_member(code), fake.transactions(code, limit=100))


def test_adding_points_answers_the_balance_object(client: Client) -> None:
    """Adding answers the spec's balance object: the change, the total, the balance."""
    code = _member(client)
    reply = client.change_balance(code, {"points": 500})
    assert reply.status == 200
    card_id = client.get_member(code).body["id"]
    assert reply.body == {
        "points": 500,
        "total": 500,
        "balance": 500,
        "type": "loyalty_card",
        "object": "balance",
        "operation_type": "MANUAL",
        "related_object": {"type": "voucher", "id": card_id},
    }


def test_removing_points_follows_the_balance_formula(client: Client) -> None:
    """Removing counts in subtracted_points; points stays the lifetime total, total drops."""
    code = _member(client)
    client.change_balance(code, {"points": 500})
    reply = client.change_balance(code, {"points": -200})
    assert reply.body["points"] == -200
    assert reply.body["total"] == 300
    assert reply.body["balance"] == 300
    card = client.get_member(code).body["loyalty_card"]
    assert card == {"points": 500, "balance": 300, "subtracted_points": 200}


def test_campaign_path_changes_the_same_card(client: Client) -> None:
    """The balance endpoint under the program's path (by ID or name) changes the card too."""
    code = _member(client)
    assert client.change_balance(code, {"points": 50}, campaign="Coffee Club").status == 200
    assert client.get_member(code).body["loyalty_card"]["balance"] == 50


def test_removing_more_than_the_balance_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Removing more than the balance is 400 and changes nothing."""
    code = _member(client)
    client.change_balance(code, {"points": 100})
    before = _snapshot(loyalty_fake, code)
    reply = client.change_balance(code, {"points": -101})
    assert reply.status == 400
    assert reply.body["key"] == "loyalty_card_points_exceeded"
    assert _snapshot(loyalty_fake, code) == before


def test_unpublished_card_cannot_change(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A card nobody holds is 400 voucher_not_published, and keeps its points."""
    program = make_program(client, vouchers_count=1)
    [card] = loyalty_fake.cards(program["id"])
    reply = client.change_balance(card["code"], {"points": 100})
    assert reply.status == 400
    assert reply.body["key"] == "voucher_not_published"
    assert loyalty_fake.cards(program["id"]) == [card]


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, "Payload must have required property 'points'"),
        ({"points": 0}, "Property .points must not be equal to 0"),
        ({"points": "100"}, "Property .points must be integer"),
        ({"points": 1.5}, "Property .points must be integer"),
        ({"points": 10, "expiration_type": "SOMETIMES"}, "Property .expiration_type must be equal"),
        (
            {"points": 10, "expiration_type": "CUSTOM_DATE", "expiration_date": "soon"},
            "Property .expiration_date cannot be recognized as a ISO-8601 compliant date",
        ),
        (
            {"points": 10, "expiration_type": "CUSTOM_DATE"},
            "Property .expiration_date is required when expiration_type is CUSTOM_DATE",
        ),
    ],
)
def test_invalid_balance_payload_is_400(
    http: RequestsClient, loyalty_fake: LoyaltyFake, body: dict[str, Any], details: str
) -> None:
    """Bad payloads are 400 invalid_payload naming the property, and change nothing."""
    code = _member(http)
    before = _snapshot(loyalty_fake, code)
    reply = http.change_balance(code, body)
    assert reply.status == 400
    assert reply.body["key"] == "invalid_payload"
    assert reply.body["details"].startswith(details)
    assert _snapshot(loyalty_fake, code) == before


def test_past_expiration_date_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A custom expiration date before today is 400 invalid_expiration_date."""
    code = _member(client)
    before = _snapshot(loyalty_fake, code)
    reply = client.change_balance(
        code, {"points": 10, "expiration_type": "CUSTOM_DATE", "expiration_date": "2024-01-24"}
    )
    assert reply.status == 400
    assert reply.body == {
        "code": 400,
        "key": "invalid_expiration_date",
        "message": "Invalid Expiration Date",
        "details": "Expiration date cannot be set in the past",
        "request_id": reply.body["request_id"],
    }
    assert _snapshot(loyalty_fake, code) == before


@pytest.mark.parametrize(
    "expiration_date", ["2024-03-31", "2024-03-31T00:00:00", "2024-03-31T12:00:00+00:00"]
)
def test_custom_date_sets_the_last_day(client: Client, expiration_date: str) -> None:
    """CUSTOM_DATE points are spendable through that day, however the SDK spells it."""
    code = _member(client)
    body = {"points": 10, "expiration_type": "CUSTOM_DATE", "expiration_date": expiration_date}
    client.change_balance(code, body)
    card = client.get_member(code).body["loyalty_card"]
    assert card["next_expiration_date"] == "2024-03-31"
    assert card["next_expiration_points"] == 10


def test_program_rules_set_the_expiry(client: Client) -> None:
    """Without an expiration type, the program's expiration_rules date the points."""
    code = _member(client, {**MONTHLY, "rounding_type": "END_OF_MONTH"})
    client.change_balance(code, {"points": 70})
    card = client.get_member(code).body["loyalty_card"]
    assert card["next_expiration_date"] == "2024-02-29"


def test_non_expiring_points_have_no_next_expiration(client: Client) -> None:
    """NON_EXPIRING points never show up as expiring, even in a program with rules."""
    code = _member(client, MONTHLY)
    client.change_balance(code, {"points": 70, "expiration_type": "NON_EXPIRING"})
    card = client.get_member(code).body["loyalty_card"]
    assert card == {"points": 70, "balance": 70}


def test_points_expire_after_their_last_day(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Points are spendable through their last day and expired at the midnight after it."""
    code = _member(client, MONTHLY)
    client.change_balance(code, {"points": 500})
    client.change_balance(code, {"points": -200})
    loyalty_fake.clock.set("2024-02-25T23:59:59.999Z")
    assert client.get_member(code).body["loyalty_card"]["balance"] == 300
    loyalty_fake.clock.set("2024-02-26T00:00:00Z")
    card = client.get_member(code).body["loyalty_card"]
    assert card == {"points": 500, "balance": 0, "expired_points": 300, "subtracted_points": 200}


def test_removal_consumes_soonest_expiring_points_first(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Removed points come from the bucket that expires first."""
    code = _member(client)
    late = {"points": 100, "expiration_type": "CUSTOM_DATE", "expiration_date": "2024-12-31"}
    soon = {"points": 100, "expiration_type": "CUSTOM_DATE", "expiration_date": "2024-02-01"}
    client.change_balance(code, late)
    client.change_balance(code, soon)
    client.change_balance(code, {"points": 150})  # never expires: consumed last
    client.change_balance(code, {"points": -120})
    card = client.get_member(code).body["loyalty_card"]
    assert card["next_expiration_date"] == "2024-12-31"
    assert card["next_expiration_points"] == 80
    loyalty_fake.clock.advance(days=365)
    assert client.get_member(code).body["loyalty_card"]["balance"] == 150


def test_expiry_is_applied_whatever_is_read_next(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Expiry shows on a list of members, not only on the member read."""
    code = _member(client, MONTHLY)
    client.change_balance(code, {"points": 40})
    loyalty_fake.clock.advance(days=60)
    [member] = client.list_members("Coffee Club", {"code": code}).body["vouchers"]
    assert member["loyalty_card"]["expired_points"] == 40
    assert member["loyalty_card"]["balance"] == 0


def test_initial_points_are_spendable(client: Client) -> None:
    """A program's initial points are on the card's balance and can be removed."""
    code = _member(client, points=100)
    reply = client.change_balance(code, {"points": -30})
    assert reply.body["balance"] == 70
    assert reply.body["total"] == 70


def test_balance_change_moves_updated_at(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A points change updates the card's updated_at to the fake's now."""
    code = _member(client)
    loyalty_fake.clock.advance(hours=3)
    client.change_balance(code, {"points": 5})
    assert client.get_member(code).body["updated_at"] == "2024-01-25T13:00:00.000Z"


def test_unknown_member_is_404(client: Client) -> None:
    """A balance change for an unknown code is 404 not_found, resource_type voucher."""
    make_program(client)
    reply = client.change_balance("NOPE", {"points": 5})
    assert reply.status == 404
    assert reply.body["resource_type"] == "voucher"


def test_program_echoes_expiration_rules(client: Client) -> None:
    """The program shows the expiration rules it was given."""
    rules = {"period_type": "MONTH", "period_value": 3, "rounding_type": "END_OF_QUARTER"}
    program = make_program(
        client,
        voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 0, "expiration_rules": rules}},
    )
    assert program["voucher"]["loyalty_card"]["expiration_rules"] == rules


@pytest.mark.parametrize(
    ("rules", "details"),
    [
        (
            {"period_value": 1},
            f"{RULES} must have required property 'period_type'",
        ),
        (
            {"period_type": "WEEK"},
            f"{RULES}.period_type must be equal",
        ),
        (
            {"period_type": "MONTH"},
            f"{RULES} must have required property 'period_value'",
        ),
        (
            {"period_type": "FIXED_DAY_OF_YEAR", "fixed_month": 2},
            f"{RULES} must have required property 'fixed_day'",
        ),
        (
            {"period_type": "FIXED_DAY_OF_YEAR", "fixed_month": 13, "fixed_day": 1},
            f"{RULES}.fixed_month must be <= 12",
        ),
        (
            {**MONTHLY, "rounding_type": "PARTICULAR_MONTH"},
            f"{RULES} must have required property 'rounding_value'",
        ),
    ],
)
def test_invalid_expiration_rules_are_400(
    http: RequestsClient, rules: dict[str, Any], details: str
) -> None:
    """Incomplete or out-of-range expiration rules are 400 invalid_payload."""
    reply = http.create_program(
        {
            "name": "P",
            "voucher": {
                "type": "LOYALTY_CARD",
                "loyalty_card": {"points": 0, "expiration_rules": rules},
            },
        }
    )
    assert reply.status == 400
    assert reply.body["details"].startswith(details)


# -- how many points a card holds ------------------------------------------------------------

MOST = 2**53 - 1  # Number.MAX_SAFE_INTEGER


@pytest.mark.parametrize(
    ("points", "details"),
    [
        (MOST + 1, f"Property .points must be <= {MOST}"),
        (2**63, f"Property .points must be <= {MOST}"),
        (-(MOST + 1), f"Property .points must be >= {-MOST}"),
    ],
)
def test_points_beyond_what_javascript_holds_are_400(
    client: Client, loyalty_fake: LoyaltyFake, points: int, details: str
) -> None:
    """Points past 2^53 - 1 either way are 400 invalid_payload; nothing changes."""
    code = _member(client)
    client.change_balance(code, {"points": 10})
    before = _snapshot(loyalty_fake, code)
    reply = client.change_balance(code, {"points": points})
    assert reply.status == 400
    assert reply.error_key == "invalid_payload"
    assert reply.body["details"] == details
    assert _snapshot(loyalty_fake, code) == before


def test_a_card_holds_at_most_2_to_the_53_minus_1_points(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """An addition that would take a card's points past 2^53 - 1 is 400; the card still works."""
    code = _member(client)
    assert client.change_balance(code, {"points": MOST - 10}).status == 200
    before = _snapshot(loyalty_fake, code)
    reply = client.change_balance(code, {"points": 11})
    assert reply.status == 400
    assert reply.error_key == "invalid_payload"
    assert reply.body["details"] == (
        f"Property .points must be <= 10: loyalty card {code} has earned {MOST - 10} points, "
        f"and a card holds at most {MOST}"
    )
    assert _snapshot(loyalty_fake, code) == before
    assert client.change_balance(code, {"points": 10}).body["balance"] == MOST
    assert client.change_balance(code, {"points": -MOST}).body["balance"] == 0
    assert client.get_member(code).body["loyalty_card"]["points"] == MOST


def test_points_past_2_to_the_63_leave_the_card_working(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """The fuzzer's case: 2^63 points once made every later change to the card a 500."""
    code = _member(http)
    assert http.change_balance(code, {"points": 2**63}).status == 400
    assert http.change_balance(code, {"points": 5}).body["balance"] == 5
    assert http.change_balance(code, {"points": -5}).body["balance"] == 0
    assert not loyalty_fake.app.internal_errors


def test_initial_points_beyond_2_to_the_53_are_400(client: Client) -> None:
    """A program's initial points past 2^53 - 1 are 400 invalid_payload."""
    reply = client.create_program(
        {"name": "P", "voucher": {"type": "LOYALTY_CARD", "loyalty_card": {"points": MOST + 1}}}
    )
    assert reply.status == 400
    assert reply.body["details"] == (f"Property .voucher.loyalty_card.points must be <= {MOST}")


def test_the_ledger_refuses_what_it_cannot_hold_before_changing_anything(
    loyalty_fake: LoyaltyFake,
) -> None:
    """Python callers of the ledger get the same 400s, with the card untouched."""
    ledger = loyalty_fake.ledger
    code = loyalty_fake.add_member(loyalty_fake.create_loyalty_program("P")["id"], "alice")["code"]
    loyalty_fake.add_points(code, MOST)
    before = ledger.snapshot()
    for points in (2**63, 1, -(2**63)):
        with pytest.raises(VoucherifyError) as refused, ledger.session(loyalty_fake.app_id) as s:
            s.points.change_balance(code, points)
        assert (refused.value.code, refused.value.key) == (400, "invalid_payload")
    with pytest.raises(VoucherifyError), ledger.session(loyalty_fake.app_id) as session:
        session.campaigns.create(name="Q", initial_points=MOST + 1)
    assert ledger.snapshot() == before
