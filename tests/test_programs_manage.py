"""Managing programs: GET /v1/loyalties, PUT and DELETE /v1/loyalties/{campaignId}."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")


def _names(reply_body: dict[str, Any]) -> list[str]:
    return [program["name"] for program in reply_body["campaigns"]]


def _three_programs(fake: LoyaltyFake) -> None:
    """Programs A, B and C, created an hour apart (C newest)."""
    for name in ("A", "B", "C"):
        fake.create_loyalty_program(name)
        fake.clock.advance(hours=1)


# -- GET /v1/loyalties ----------------------------------------------------------------------


def test_list_has_the_campaigns_wrapper(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The list is {object: list, data_ref: campaigns, campaigns, total}."""
    program = loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    reply = client.list_programs()
    assert reply.status == 200
    assert reply.body == {
        "object": "list",
        "data_ref": "campaigns",
        "campaigns": [program],
        "total": 1,
    }


def test_list_is_newest_first_by_default(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without an order, the most recently created program comes first."""
    _three_programs(loyalty_fake)
    assert _names(client.list_programs().body) == ["C", "B", "A"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("created_at", ["A", "B", "C"]),
        ("-created_at", ["C", "B", "A"]),
        ("updated_at", ["B", "C", "A"]),
        ("-updated_at", ["A", "C", "B"]),
    ],
)
def test_list_order(
    client: Client, loyalty_fake: LoyaltyFake, order: str, expected: list[str]
) -> None:
    """Sorting by created_at or updated_at, either way (never updated: its creation counts)."""
    _three_programs(loyalty_fake)
    loyalty_fake.request("PUT", "/v1/loyalties/A", json_body={"description": "touched"})
    assert _names(client.list_programs({"order": order}).body) == expected


def test_list_is_page_based(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Pages are cut by limit and page; total counts every program."""
    _three_programs(loyalty_fake)
    first = client.list_programs({"limit": 2, "page": 1}).body
    second = client.list_programs({"limit": 2, "page": 2}).body
    assert (_names(first), first["total"]) == (["C", "B"], 3)
    assert (_names(second), second["total"]) == (["A"], 3)


def test_list_returns_ten_by_default(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without a limit, a page holds 10 programs."""
    for number in range(12):
        loyalty_fake.create_loyalty_program(f"P{number}")
    body = client.list_programs().body
    assert len(body["campaigns"]) == 10
    assert body["total"] == 12


def test_list_leaves_out_binned_programs(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A program deleted without force is absent from the list and from total."""
    _three_programs(loyalty_fake)
    loyalty_fake.request("DELETE", "/v1/loyalties/B")
    body = client.list_programs().body
    assert (_names(body), body["total"]) == (["C", "A"], 2)


# -- PUT /v1/loyalties/{campaignId} --------------------------------------------------------


def test_update_changes_the_updatable_fields(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """description, dates, auto_join, category and validity settings take the new values."""
    loyalty_fake.create_loyalty_program("Coffee Club", description="old")
    reply = client.update_program(
        "Coffee Club",
        {
            "description": "new",
            "start_date": "2024-04-01T00:00:00Z",
            "expiration_date": "2024-12-31T23:59:59Z",
            "auto_join": True,
            "category": "Gold",
            "validity_timeframe": {"duration": "PT1H", "interval": "P1D"},
            "validity_day_of_week": [1, 2, 3],
            "validity_hours": {
                "daily": [{"start_time": "10:00", "expiration_time": "12:00", "days_of_week": [1]}]
            },
            "activity_duration_after_publishing": "P30D",
        },
    )
    assert reply.status == 200
    program = reply.body
    assert program["description"] == "new"
    assert program["start_date"] == "2024-04-01T00:00:00.000Z"
    assert program["expiration_date"] == "2024-12-31T23:59:59.000Z"
    assert program["auto_join"] is True
    assert program["category"] == "Gold"
    assert re.fullmatch(r"cat_[0-9a-f]+", program["category_id"])
    assert program["validity_timeframe"] == {"duration": "PT1H", "interval": "P1D"}
    assert program["validity_day_of_week"] == [1, 2, 3]
    assert program["validity_hours"] == {
        "daily": [{"start_time": "10:00", "expiration_time": "12:00", "days_of_week": [1]}]
    }
    assert program["activity_duration_after_publishing"] == "P30D"
    assert client.get_program("Coffee Club").body == program


def test_update_by_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A program is updated by its ID as well as by its name."""
    program = loyalty_fake.create_loyalty_program("Coffee Club")
    reply = client.update_program(program["id"], {"description": "by id"})
    assert reply.status == 200
    assert reply.body["id"] == program["id"]
    assert reply.body["description"] == "by id"


@pytest.mark.parametrize(
    ("before", "after"), [("AUTO_UPDATE", "STATIC"), ("STATIC", "AUTO_UPDATE")]
)
def test_update_switches_type(
    client: Client, loyalty_fake: LoyaltyFake, before: str, after: str
) -> None:
    """The type switches between AUTO_UPDATE and STATIC."""
    loyalty_fake.create_loyalty_program("Coffee Club", type=before)
    assert client.update_program("Coffee Club", {"type": after}).body["type"] == after


def test_update_merges_metadata(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """New metadata is merged key by key into the program's metadata."""
    loyalty_fake.create_loyalty_program("Coffee Club", metadata={"a": 1, "b": 2})
    reply = client.update_program("Coffee Club", {"metadata": {"b": 3, "c": 4}})
    assert reply.body["metadata"] == {"a": 1, "b": 3, "c": 4}


def test_update_unsets_metadata_fields(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The keys in unset_metadata_fields are removed (unknown ones are no error)."""
    loyalty_fake.create_loyalty_program("Coffee Club", metadata={"a": 1, "b": 2, "c": 3})
    reply = client.update_program("Coffee Club", {"unset_metadata_fields": ["a", "c", "zzz"]})
    assert reply.body["metadata"] == {"b": 2}


def test_update_keeps_join_once_true(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """join_once stays true: it "cannot be changed" for loyalty programs."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    reply = client.update_program("Coffee Club", {"join_once": False})
    assert reply.status == 200
    assert reply.body["join_once"] is True


def test_update_moves_updated_at_to_now(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """updated_at becomes the fake clock's now; created_at stays."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    loyalty_fake.clock.advance(hours=2)
    program = client.update_program("Coffee Club", {"description": "later"}).body
    assert program["created_at"] == "2024-03-01T10:00:00.000Z"
    assert program["updated_at"] == "2024-03-01T12:00:00.000Z"


def test_update_with_an_empty_body_changes_no_field(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """An empty body is accepted and leaves every field as it was."""
    before = loyalty_fake.create_loyalty_program("Coffee Club", description="d", metadata={"a": 1})
    after = client.update_program("Coffee Club", {}).body
    after.pop("updated_at", None)
    assert after == before


def test_update_recategorizes_only_unpublished_cards(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A new category reaches the cards not yet published; members keep theirs."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=2, category="Silver")
    member = loyalty_fake.add_member("Coffee Club", {"source_id": "alice"})
    client.update_program("Coffee Club", {"category": "Gold"})
    categories = {card["code"]: card["category"] for card in loyalty_fake.cards("Coffee Club")}
    assert categories.pop(member["code"]) == "Silver"
    assert list(categories.values()) == ["Gold"]


def test_update_by_category_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A category_id names an existing category; the program takes it."""
    gold = loyalty_fake.create_loyalty_program("Tea Club", category="Gold")["category_id"]
    loyalty_fake.create_loyalty_program("Coffee Club")
    program = client.update_program("Coffee Club", {"category_id": gold}).body
    assert (program["category"], program["category_id"]) == ("Gold", gold)


def test_update_with_unknown_category_id_is_404(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An unknown category_id is 404 not_found (category) and changes nothing."""
    before = loyalty_fake.create_loyalty_program("Coffee Club")
    reply = client.update_program("Coffee Club", {"category_id": "cat_nope", "description": "x"})
    assert reply.status == 404
    assert (reply.body["resource_type"], reply.body["resource_id"]) == ("category", "cat_nope")
    assert loyalty_fake.get_loyalty_program("Coffee Club") == before


def test_update_dates_reach_only_unpublished_cards(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """New dates and validity reach the cards not yet published; members keep theirs.

    PUT's description: "This method will update the loyalty cards which have not been
    published or redeemed yet."
    """
    loyalty_fake.create_loyalty_program(
        "Coffee Club",
        vouchers_count=2,
        expiration_date="2024-12-31T00:00:00Z",
        validity_day_of_week=[1],
    )
    member = loyalty_fake.add_member("Coffee Club", {"source_id": "alice"})["code"]
    client.update_program(
        "Coffee Club", {"expiration_date": "2025-06-30T00:00:00Z", "validity_day_of_week": [2]}
    )
    cards = {card["code"]: card for card in loyalty_fake.cards("Coffee Club")}
    kept = cards.pop(member)
    [spare] = cards.values()
    assert (spare["expiration_date"], spare["validity_day_of_week"]) == (
        "2025-06-30T00:00:00.000Z",
        [2],
    )
    assert (kept["expiration_date"], kept["validity_day_of_week"]) == (
        "2024-12-31T00:00:00.000Z",
        [1],
    )


def test_update_ignores_fields_outside_the_schema(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """name, vouchers_count and voucher are silently ignored (requests: the SDK strips them)."""
    before = loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=2)
    reply = http.update_program(
        "Coffee Club",
        {
            "name": "Tea Club",
            "vouchers_count": 50,
            "voucher": {
                "type": "LOYALTY_CARD",
                "loyalty_card": {"points": 500},
                "code_config": {"pattern": "TEA-####"},
            },
        },
    )
    assert reply.status == 200
    assert reply.body["name"] == "Coffee Club"
    assert reply.body["vouchers_count"] == 2
    assert reply.body["voucher"] == before["voucher"]
    assert http.get_program("Tea Club").status == 404
    assert len(loyalty_fake.cards("Coffee Club")) == 2


def test_update_unknown_program_is_404(client: Client) -> None:
    """Updating a program that does not exist is 404 not_found (campaign)."""
    reply = client.update_program("Nope", {"description": "x"})
    assert reply.status == 404
    assert reply.body["key"] == "not_found"
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "Nope"
    assert reply.body["details"] == "Cannot find campaign with id Nope"


@pytest.mark.parametrize(
    "body",
    [
        {"description": 5},
        {"auto_join": "yes"},
        {"metadata": "gold"},
        {"start_date": "next week"},
        {"type": "WEEKLY"},
        {"unset_metadata_fields": "a"},
        {"validity_day_of_week": [7]},
    ],
    ids=["description", "auto_join", "metadata", "start_date", "type", "unset", "day_of_week"],
)
def test_update_with_bad_types_is_400(
    http: RequestsClient, loyalty_fake: LoyaltyFake, body: dict[str, Any]
) -> None:
    """A field of the wrong type is 400 invalid_payload (requests: the SDK refuses to send it)."""
    before = loyalty_fake.create_loyalty_program("Coffee Club", description="d")
    reply = http.update_program("Coffee Club", body)
    assert reply.status == 400
    assert reply.error_key == "invalid_payload"
    assert loyalty_fake.get_loyalty_program("Coffee Club") == before


def test_update_to_standalone_is_400(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """Type STANDALONE is refused with 400 (requests: the SDK's enum has no STANDALONE)."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    reply = http.update_program("Coffee Club", {"type": "STANDALONE"})
    assert reply.status == 400
    assert reply.error_key == "invalid_payload"
    assert loyalty_fake.get_loyalty_program("Coffee Club")["type"] == "AUTO_UPDATE"


# -- DELETE /v1/loyalties/{campaignId} -----------------------------------------------------


def test_delete_answers_an_async_action_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Deleting answers 200 {async_action_id: aa_ + 18 hex digits}."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    reply = client.delete_program("Coffee Club")
    assert reply.status == 200
    assert list(reply.body) == ["async_action_id"]
    assert re.fullmatch(r"aa_[0-9a-f]{18}", reply.body["async_action_id"])


@pytest.mark.parametrize("force", [None, False])
def test_deleted_program_is_gone_from_reads(
    client: Client, loyalty_fake: LoyaltyFake, force: bool | None
) -> None:
    """Without force (or with force=false) the program is 404 by ID and by name."""
    program = loyalty_fake.create_loyalty_program("Coffee Club")
    assert client.delete_program(program["id"], force=force).status == 200
    for ref in (program["id"], "Coffee Club"):
        reply = client.get_program(ref)
        assert (reply.status, reply.error_key) == (404, "not_found")


def test_deleted_program_cards_are_gone(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A binned program's members, member list and cards all answer 404."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=2)
    member = loyalty_fake.add_member("Coffee Club", {"source_id": "alice"})["code"]
    spare = next(c["code"] for c in loyalty_fake.cards("Coffee Club") if c["code"] != member)
    client.delete_program("Coffee Club")
    assert client.get_member(member).status == 404
    assert client.get_member(member, campaign="Coffee Club").status == 404
    assert client.list_members("Coffee Club").status == 404
    assert client.get_voucher(member).status == 404
    assert client.get_voucher(spare).status == 404


def test_binned_program_keeps_its_name_taken(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without force, creating a program with the same name is still 409 duplicate_found."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    client.delete_program("Coffee Club")
    reply = client.create_program({"name": "Coffee Club"})
    assert reply.status == 409
    assert reply.body["key"] == "duplicate_found"
    assert reply.body["details"] == "Duplicated campaign exists with name Coffee Club"


def test_binned_program_keeps_its_codes_taken(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without force, a binned program's codes cannot be added to another program."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    code = loyalty_fake.cards("Coffee Club")[0]["code"]
    loyalty_fake.create_loyalty_program("Tea Club")
    client.delete_program("Coffee Club")
    reply = client.add_voucher_code("Tea Club", code)
    assert reply.status == 409
    assert reply.body["key"] == "duplicate_found"


def test_forced_delete_frees_the_name(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With force=true the name is free again: a new program of that name is created."""
    old = loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    assert client.delete_program("Coffee Club", force=True).status == 200
    reply = client.create_program({"name": "Coffee Club"})
    assert reply.status == 200
    assert reply.body["id"] != old["id"]
    assert reply.body["vouchers_count"] == 0


def test_forced_delete_frees_the_codes(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With force=true the program's codes are free: another program can add them."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    code = loyalty_fake.cards("Coffee Club")[0]["code"]
    loyalty_fake.create_loyalty_program("Tea Club")
    client.delete_program("Coffee Club", force=True)
    reply = client.add_voucher_code("Tea Club", code)
    assert reply.status == 200
    assert reply.body["code"] == code
    assert reply.body["campaign"] == "Tea Club"


def test_delete_unknown_program_is_404(client: Client) -> None:
    """Deleting a program that does not exist is 404 not_found (campaign)."""
    reply = client.delete_program("Nope", force=True)
    assert reply.status == 404
    assert reply.body["key"] == "not_found"
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "Nope"


def test_forced_delete_survives_due_point_expiry(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Points of a force-deleted program that fall due later break no request."""
    loyalty_fake.create_loyalty_program(
        "Coffee Club",
        vouchers_count=1,
        voucher={
            "type": "LOYALTY_CARD",
            "loyalty_card": {
                "points": 0,
                "expiration_rules": {"period_type": "MONTH", "period_value": 1},
            },
        },
    )
    code = loyalty_fake.add_member("Coffee Club", {"source_id": "alice"})["code"]
    loyalty_fake.add_points(code, 50)
    assert client.delete_program("Coffee Club", force=True).status == 200
    loyalty_fake.clock.advance(days=90)
    reply = client.list_programs()
    assert reply.status == 200, reply.body
    assert reply.body["total"] == 0
