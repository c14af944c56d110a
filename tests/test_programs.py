"""Creating and reading loyalty programs: POST /v1/loyalties, GET /v1/loyalties/{campaignId}."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.conftest import Client, RequestsClient, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")


def test_create_program_returns_campaign_object(client: Client) -> None:
    """Creating a program answers 200 with the campaign object of the spec."""
    reply = client.create_program(
        {"name": "Coffee Club", "type": "STATIC", "vouchers_count": 3, "metadata": {"tier": "gold"}}
    )
    assert reply.status == 200
    program = reply.body
    assert re.fullmatch(r"camp_[0-9A-Za-z]{24}", program["id"])
    assert program["name"] == "Coffee Club"
    assert program["type"] == "STATIC"
    assert program["campaign_type"] == "LOYALTY_PROGRAM"
    assert program["vouchers_count"] == 3
    assert program["metadata"] == {"tier": "gold"}
    assert program["join_once"] is True
    assert program["created_at"] == "2024-03-01T10:00:00.000Z"
    assert program["object"] == "campaign"


def test_create_program_generates_cards(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """vouchers_count unpublished cards exist after creation, with 8-character default codes."""
    program = make_program(client, vouchers_count=4)
    cards = loyalty_fake.cards(program["id"])
    assert len(cards) == 4
    assert all(re.fullmatch(r"[0-9A-Za-z]{8}", card["code"]) for card in cards)
    assert all("holder_id" not in card and card["publish"]["count"] == 0 for card in cards)
    assert all(re.fullmatch(r"v_[0-9A-Za-z]{32}", card["id"]) for card in cards)


def test_initial_points_are_on_every_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """voucher.loyalty_card.points is every new card's starting balance."""
    program = make_program(
        client, vouchers_count=2, voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 150}}
    )
    assert program["voucher"]["loyalty_card"]["points"] == 150
    for card in loyalty_fake.cards(program["id"]):
        assert card["loyalty_card"] == {"points": 150, "balance": 150}


def test_code_config_pattern_shapes_codes(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A pattern's # become charset characters between prefix and postfix."""
    config = {"pattern": "CLUB-####", "charset": "0123456789", "prefix": "X", "postfix": "-Z"}
    program = make_program(
        client,
        vouchers_count=5,
        voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}, "code_config": config},
    )
    codes = [card["code"] for card in loyalty_fake.cards(program["id"])]
    assert all(re.fullmatch(r"XCLUB-\d{4}-Z", code) for code in codes), codes
    assert len(set(codes)) == 5
    assert program["voucher"]["code_config"]["pattern"] == "CLUB-####"


def test_code_config_length_and_charset(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without a pattern, length characters of charset make the code."""
    config = {"length": 12, "charset": "ABC"}
    program = make_program(
        client,
        vouchers_count=3,
        voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}, "code_config": config},
    )
    for card in loyalty_fake.cards(program["id"]):
        assert re.fullmatch(r"[ABC]{12}", card["code"])


def test_too_small_code_space_is_rejected(client: Client) -> None:
    """Asking for more cards than the pattern can produce is a 400, and nothing is created."""
    config = {"pattern": "#", "charset": "01"}
    reply = client.create_program(
        {
            "name": "Tiny",
            "vouchers_count": 3,
            "voucher": {
                "type": "LOYALTY_CARD",
                "loyalty_card": {"points": 0},
                "code_config": config,
            },
        }
    )
    assert reply.status == 400
    assert reply.error_key == "invalid_code_config"
    assert client.get_program("Tiny").status == 404


def test_duplicate_name_is_409(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A second program with a taken name is 409 duplicate_found and creates nothing."""
    make_program(client, "Coffee Club", vouchers_count=1)
    reply = client.create_program({"name": "Coffee Club", "vouchers_count": 5})
    assert reply.status == 409
    assert reply.body["key"] == "duplicate_found"
    assert reply.body["message"] == "Duplicated resource found"
    assert reply.body["details"] == "Duplicated campaign exists with name Coffee Club"
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "Coffee Club"
    assert len(loyalty_fake.cards("Coffee Club")) == 1


def test_get_program_by_id(client: Client) -> None:
    """A program is found by its ID."""
    program = make_program(client, vouchers_count=1)
    reply = client.get_program(program["id"])
    assert reply.status == 200
    assert reply.body == program


def test_get_program_by_name_with_special_characters(client: Client) -> None:
    """A program is found by its name, percent-encoded in the path, slashes included."""
    program = make_program(client, "Summer / Fall Perks ü")
    reply = client.get_program("Summer / Fall Perks ü")
    assert reply.status == 200
    assert reply.body["id"] == program["id"]


def test_unknown_program_is_404(client: Client) -> None:
    """An unknown campaign is 404 not_found with resource_type campaign."""
    reply = client.get_program("camp_doesnotexist000000000")
    assert reply.status == 404
    assert reply.body["key"] == "not_found"
    assert reply.body["message"] == "Resource not found"
    assert reply.body["details"] == "Cannot find campaign with id camp_doesnotexist000000000"
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "camp_doesnotexist000000000"
    assert re.fullmatch(r"v-[0-9a-f]{18}", reply.body["request_id"])


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, "Payload must have required property 'name'"),
        ({"name": 5}, "Property .name must be string"),
        ({"name": "  "}, "Property .name must NOT have fewer than 1 characters"),
        ({"name": "P", "type": "STANDALONE"}, "Property .type must be equal to one of the allowed"),
        ({"name": "P", "vouchers_count": -1}, "Property .vouchers_count must be >= 0"),
        ({"name": "P", "vouchers_count": "3"}, "Property .vouchers_count must be integer"),
        ({"name": "P", "vouchers_count": 1.5}, "Property .vouchers_count must be integer"),
        ({"name": "P", "metadata": []}, "Property .metadata must be object"),
        (
            {"name": "P", "voucher": {"loyalty_card": {"points": True}}},
            "Property .voucher.loyalty_card.points must be integer",
        ),
        ({"name": "P", "start_date": "yesterday"}, "Property .start_date cannot be recognized"),
    ],
)
def test_invalid_program_payload_is_400(
    http: RequestsClient, body: dict[str, object], details: str
) -> None:
    """Wrong types and values are 400 invalid_payload naming the property; nothing is created."""
    reply = http.create_program(body)
    assert reply.status == 400
    assert reply.body["key"] == "invalid_payload"
    assert reply.body["message"] == "Invalid payload"
    assert reply.body["details"].startswith(details)
    assert http.get_program("P").status == 404


def test_malformed_json_is_400(http: RequestsClient) -> None:
    """A body that is not JSON is 400 invalid_payload, not a traceback."""
    reply = http.call("POST", "/v1/loyalties", "/v1/loyalties", data=b"{not json")
    assert reply.status == 400
    assert reply.body["key"] == "invalid_payload"


def test_start_and_expiration_dates_are_kept(client: Client) -> None:
    """start_date and expiration_date come back in Voucherify's timestamp format."""
    program = make_program(
        client, start_date="2024-04-01T00:00:00+00:00", expiration_date="2025-04-01"
    )
    assert program["start_date"] == "2024-04-01T00:00:00.000Z"
    assert program["expiration_date"] == "2025-04-01T00:00:00.000Z"


def test_category_is_created_and_reused(client: Client) -> None:
    """A category name creates a cat_ category once; a second program reuses it."""
    first = make_program(client, "A", category="New Customers")
    second = make_program(client, "B", category="New Customers")
    assert re.fullmatch(r"cat_[0-9a-f]{18}", first["category_id"])
    assert first["category_id"] == second["category_id"]
    assert first["categories"][0]["name"] == "New Customers"


def test_unknown_category_id_is_404(client: Client) -> None:
    """A category_id that does not exist is 404 with resource_type category."""
    reply = client.create_program({"name": "P", "category_id": "cat_000000000000000000"})
    assert reply.status == 404
    assert reply.body["resource_type"] == "category"


def test_validity_settings_are_echoed(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Validity settings and the per-card redemption quantity come back as given, on cards too."""
    program = make_program(
        client,
        vouchers_count=1,
        validity_timeframe={"interval": "P1D", "duration": "PT1H"},
        validity_day_of_week=[0, 1, 2],
        activity_duration_after_publishing="P24D",
        use_voucher_metadata_schema=True,
        voucher={
            "type": "LOYALTY_CARD",
            "loyalty_card": {"points": 0},
            "redemption": {"quantity": 2},
        },
    )
    assert program["validity_timeframe"] == {"interval": "P1D", "duration": "PT1H"}
    assert program["validity_day_of_week"] == [0, 1, 2]
    assert program["activity_duration_after_publishing"] == "P24D"
    assert program["use_voucher_metadata_schema"] is True
    assert program["voucher"]["redemption"] == {"quantity": 2}
    [card] = loyalty_fake.cards(program["id"])
    assert card["validity_day_of_week"] == [0, 1, 2]
    assert card["redemption"]["quantity"] == 2


def test_invalid_day_of_week_is_400(http: RequestsClient) -> None:
    """A day of week outside 0-6 is 400 invalid_payload."""
    reply = http.create_program({"name": "P", "validity_day_of_week": [7]})
    assert reply.status == 400
    assert (
        reply.body["details"]
        == "Property .validity_day_of_week must be array of integers from 0 to 6"
    )


def test_other_programs_codes_do_not_take_room(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Only codes a pattern could produce count against its code space."""
    make_program(client, "Default codes", vouchers_count=3)
    config = {"pattern": "#", "charset": "AB"}
    voucher = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}, "code_config": config}
    program = make_program(client, "Two codes", vouchers_count=2, voucher=voucher)
    assert sorted(card["code"] for card in loyalty_fake.cards(program["id"])) == ["A", "B"]
