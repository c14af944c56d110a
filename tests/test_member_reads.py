"""Reading one member (GET .../members/{memberId}) and its points buckets (points-expiration)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

# Points earned on 25 January with a one-month rule can be spent through 25 February.
ONE_MONTH = {
    "type": "LOYALTY_CARD",
    "loyalty_card": {"points": 0, "expiration_rules": {"period_type": "MONTH", "period_value": 1}},
}
# Codes full of characters that mean something in a URL: "/", " ", "#", "?", "%", "&", "+".
AWKWARD_CODES = {"code_config": {"pattern": "A/B #-##", "charset": "#?%&+"}}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

by_either_path = pytest.mark.parametrize(
    "under_campaign", [True, False], ids=["campaign-path", "code-path"]
)


def _member(
    fake: LoyaltyFake, program: str = "Coffee Club", customer: str = "alice", **fields: Any
) -> tuple[str, str]:
    """A new program with one member; returns the program's ID and the card's code."""
    program_id: str = fake.create_loyalty_program(program, **fields)["id"]
    code: str = fake.add_member(program_id, {"source_id": customer})["code"]
    return program_id, code


def _buckets(client: Client, program: str, code: str, **params: Any) -> list[dict[str, Any]]:
    reply = client.list_points_expiration(program, code, params or None)
    assert reply.status == 200, reply.body
    data: list[dict[str, Any]] = reply.body["data"]
    return data


# -- get member ---------------------------------------------------------------------------


@by_either_path
def test_get_member_returns_the_added_card(client: Client, under_campaign: bool) -> None:
    """A member read back is the very object adding the member returned."""
    program = client.create_program({"name": "Coffee Club", "vouchers_count": 1}).body["id"]
    added = client.add_member(program, {"customer": {"source_id": "alice"}}).body
    reply = client.get_member(added["code"], program if under_campaign else None)
    assert reply.status == 200
    assert reply.body == added


@by_either_path
def test_get_member_reflects_balance_changes(
    client: Client, loyalty_fake: LoyaltyFake, under_campaign: bool
) -> None:
    """After points move, the member shows the new points, balance and updated_at."""
    program, code = _member(loyalty_fake)
    loyalty_fake.clock.advance(hours=1)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, -200)
    member = client.get_member(code, program if under_campaign else None).body
    assert member["loyalty_card"]["points"] == 500
    assert member["loyalty_card"]["balance"] == 300
    assert member["updated_at"] == "2024-01-25T11:00:00.000Z"


@by_either_path
def test_unknown_code_is_voucher_not_found(
    client: Client, loyalty_fake: LoyaltyFake, under_campaign: bool
) -> None:
    """An unknown code is 404 not_found naming the voucher."""
    program, _ = _member(loyalty_fake)
    reply = client.get_member("NO-SUCH-CARD", program if under_campaign else None)
    assert reply.status == 404
    assert reply.error_key == "not_found"
    assert reply.body["resource_type"] == "voucher"
    assert reply.body["resource_id"] == "NO-SUCH-CARD"
    assert reply.body["details"] == "Cannot find voucher with id NO-SUCH-CARD"


def test_unknown_campaign_is_campaign_not_found(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A real code under an unknown campaign is 404 naming the campaign."""
    _, code = _member(loyalty_fake)
    reply = client.get_member(code, "camp_NoSuchProgram")
    assert reply.status == 404
    assert reply.error_key == "not_found"
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "camp_NoSuchProgram"


def test_code_of_another_campaign_is_voucher_not_found(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A code is not found under a program it does not belong to."""
    _, code = _member(loyalty_fake, "Coffee Club")
    other, _ = _member(loyalty_fake, "Tea Club", customer="bob")
    reply = client.get_member(code, other)
    assert reply.status == 404
    assert reply.body["resource_type"] == "voucher"
    assert reply.body["resource_id"] == code


def test_campaign_addressed_by_name(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The campaign path takes the program's name as well as its ID."""
    program, code = _member(loyalty_fake, "Coffee Club")
    reply = client.get_member(code, "Coffee Club")
    assert reply.status == 200
    assert reply.body["campaign_id"] == program
    assert reply.body["code"] == code


@by_either_path
def test_code_with_url_special_characters(
    client: Client, loyalty_fake: LoyaltyFake, under_campaign: bool
) -> None:
    """Codes with '/', ' ', '#', '?', '%', '&' or '+' are found when percent-encoded."""
    program, code = _member(loyalty_fake, voucher=AWKWARD_CODES)
    assert code.startswith("A/B ")
    reply = client.get_member(code, program if under_campaign else None)
    assert reply.status == 200, reply.body
    assert reply.body["code"] == code


def test_fresh_member_shows_only_points_and_balance(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A card without points has loyalty_card {points: 0, balance: 0} and nothing else."""
    _, code = _member(loyalty_fake, voucher=ONE_MONTH)
    assert client.get_member(code).body["loyalty_card"] == {"points": 0, "balance": 0}


def test_next_expiration_is_the_soonest_bucket(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """next_expiration_date and next_expiration_points describe the soonest-expiring bucket."""
    _, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, 70, expiration_type="CUSTOM_DATE", expiration_date="2024-02-10")
    loyalty_fake.add_points(code, 30, expiration_type="NON_EXPIRING")
    card = client.get_member(code).body["loyalty_card"]
    assert ISO_DATE.fullmatch(card["next_expiration_date"])
    assert card["next_expiration_date"] == "2024-02-10"
    assert card["next_expiration_points"] == 70


def test_next_expiration_points_shrink_as_points_are_removed(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Removed points come from the soonest bucket; once it is empty the next one is shown."""
    _, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, 70, expiration_type="CUSTOM_DATE", expiration_date="2024-02-10")
    loyalty_fake.add_points(code, -100)
    card = client.get_member(code).body["loyalty_card"]
    assert card["next_expiration_date"] == "2024-02-25"
    assert card["next_expiration_points"] == 470


def test_never_expiring_points_have_no_next_expiration(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Points that never expire leave next_expiration_date and next_expiration_points out."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 500)
    assert client.get_member(code).body["loyalty_card"] == {"points": 500, "balance": 500}


def test_subtracted_points_show_once_non_zero(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Removing points shows subtracted_points; balance = points - subtracted_points."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, -120)
    loyalty_fake.add_points(code, -30)
    card = client.get_member(code).body["loyalty_card"]
    assert card == {"points": 500, "balance": 350, "subtracted_points": 150}


def test_expired_points_show_after_the_last_day(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Past the bucket's last day its points become expired_points and the next bucket is next."""
    _, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.clock.advance(days=10)
    loyalty_fake.add_points(code, 40)
    loyalty_fake.clock.set("2024-02-26T00:00:00Z")
    card = client.get_member(code).body["loyalty_card"]
    assert card == {
        "points": 540,
        "balance": 40,
        "next_expiration_date": "2024-03-04",
        "next_expiration_points": 40,
        "expired_points": 500,
    }


def test_points_last_through_their_last_day(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A millisecond before midnight after the last day, the points are still there."""
    _, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.clock.set("2024-02-25T23:59:59.999Z")
    card = client.get_member(code).body["loyalty_card"]
    assert card["balance"] == 500
    assert "expired_points" not in card


# -- points expiration ------------------------------------------------------------------------


def test_buckets_are_active_lopb_objects(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Each bucket is a loyalty_points_bucket with a lopb_ ID, status ACTIVE and the card's IDs."""
    program, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    member = loyalty_fake.get_member(code)
    [bucket] = _buckets(client, program, code)
    assert re.fullmatch(r"lopb_[0-9A-Za-z]{24}", bucket["id"])
    assert bucket["object"] == "loyalty_points_bucket"
    assert bucket["status"] == "ACTIVE"
    assert bucket["voucher_id"] == member["id"]
    assert bucket["campaign_id"] == program
    assert bucket["bucket"] == {"total_points": 500}
    assert bucket["expires_at"] == "2024-02-25"
    assert bucket["created_at"] == "2024-01-25T10:00:00.000Z"


def test_bucket_points_are_what_is_left(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A bucket's total_points is what is left of it after removals."""
    program, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, -180)
    [bucket] = _buckets(client, program, code)
    assert bucket["bucket"] == {"total_points": 320}


def test_buckets_soonest_first_never_expiring_last(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Buckets come soonest expiry first; a never-expiring bucket has no expires_at and is last."""
    program, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 30, expiration_type="NON_EXPIRING")
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, 70, expiration_type="CUSTOM_DATE", expiration_date="2024-02-10")
    buckets = _buckets(client, program, code)
    assert [b["bucket"]["total_points"] for b in buckets] == [70, 500, 30]
    assert [b.get("expires_at") for b in buckets] == ["2024-02-10", "2024-02-25", None]
    assert "expires_at" not in buckets[-1]
    assert all(ISO_DATE.fullmatch(b["expires_at"]) for b in buckets[:-1])


def test_additions_with_the_same_expiry_share_a_bucket(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Points added on different days with the same expiry date land in one bucket."""
    program, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.clock.advance(days=2)
    loyalty_fake.add_points(code, 25, expiration_type="CUSTOM_DATE", expiration_date="2024-02-25")
    [bucket] = _buckets(client, program, code)
    assert bucket["bucket"] == {"total_points": 525}
    assert bucket["expires_at"] == "2024-02-25"


def test_buckets_page_and_limit_with_total(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Pages of limit buckets cut the list in order; total counts every active bucket."""
    program, code = _member(loyalty_fake)
    for day in range(1, 6):
        loyalty_fake.add_points(
            code, day, expiration_type="CUSTOM_DATE", expiration_date=f"2024-03-0{day}"
        )
    pages = [
        client.list_points_expiration(program, code, {"limit": 2, "page": page}).body
        for page in (1, 2, 3, 4)
    ]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [[b["bucket"]["total_points"] for b in p["data"]] for p in pages] == [
        [1, 2],
        [3, 4],
        [5],
        [],
    ]


def test_buckets_default_page_holds_ten(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without limit, a page holds ten buckets."""
    program, code = _member(loyalty_fake)
    for day in range(1, 13):
        loyalty_fake.add_points(
            code, 1, expiration_type="CUSTOM_DATE", expiration_date=f"2024-03-{day:02d}"
        )
    reply = client.list_points_expiration(program, code)
    assert len(reply.body["data"]) == 10
    assert reply.body["total"] == 12


def test_expired_buckets_are_gone(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Once the clock passes a bucket's last day the bucket is no longer listed."""
    program, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 70, expiration_type="CUSTOM_DATE", expiration_date="2024-02-10")
    loyalty_fake.add_points(code, 500)
    loyalty_fake.clock.set("2024-02-11T00:00:00Z")
    reply = client.list_points_expiration(program, code)
    assert [b["expires_at"] for b in reply.body["data"]] == ["2024-02-25"]
    assert reply.body["total"] == 1


def test_consumed_buckets_are_gone(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A bucket whose points were all removed is no longer listed."""
    program, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 70, expiration_type="CUSTOM_DATE", expiration_date="2024-02-10")
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, -100)
    reply = client.list_points_expiration(program, code)
    assert [b["bucket"]["total_points"] for b in reply.body["data"]] == [470]
    assert reply.body["total"] == 1


def test_card_without_points_has_no_buckets(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A member without points has an empty bucket list and total 0."""
    program, code = _member(loyalty_fake)
    reply = client.list_points_expiration(program, code)
    assert reply.status == 200
    assert reply.body["data"] == []
    assert reply.body["total"] == 0


def test_buckets_of_unknown_member_is_not_found(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Buckets of an unknown code are 404 voucher; of an unknown program, 404 campaign."""
    program, code = _member(loyalty_fake)
    missing_card = client.list_points_expiration(program, "NO-SUCH-CARD")
    assert (missing_card.status, missing_card.body["resource_type"]) == (404, "voucher")
    missing_program = client.list_points_expiration("camp_NoSuchProgram", code)
    assert (missing_program.status, missing_program.body["resource_type"]) == (404, "campaign")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": "x"}])
def test_bad_bucket_page_is_invalid_query_params(
    http: RequestsClient, loyalty_fake: LoyaltyFake, params: dict[str, Any]
) -> None:
    """A limit or page outside 1-100 or not an integer is 400 invalid_query_params."""
    program, code = _member(loyalty_fake)
    reply = http.list_points_expiration(program, code, params)
    assert reply.status == 400
    assert reply.error_key == "invalid_query_params"


def test_unassigned_card_has_no_holder_or_update(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A card nobody holds reads without holder_id and updated_at (the schema has no null)."""
    program = loyalty_fake.create_loyalty_program("Spare", vouchers_count=1)
    [card] = loyalty_fake.cards(program["id"])
    reply = client.get_member(card["code"])
    assert reply.status == 200
    assert "holder_id" not in reply.body
    assert "updated_at" not in reply.body
