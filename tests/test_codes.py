"""Adding cards and codes to a program, and reading a card through the vouchers API.

POST /v1/campaigns/{campaignId}/vouchers, POST /v1/campaigns/{campaignId}/vouchers/{code},
GET /v1/vouchers/{code}.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")

_CARD = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}}


def _codes(fake: LoyaltyFake, program: str) -> list[str]:
    return [card["code"] for card in fake.cards(program)]


# -- POST /v1/campaigns/{campaignId}/vouchers ------------------------------------------------


def test_adding_one_card_answers_the_voucher(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """One new card answers 200 with the unpublished card as a Voucher object."""
    program = loyalty_fake.create_loyalty_program("Coffee Club")
    reply = client.add_vouchers("Coffee Club")
    assert reply.status == 200
    card = reply.body
    assert re.fullmatch(r"v_[0-9A-Za-z]{32}", card["id"])
    assert (card["campaign"], card["campaign_id"]) == ("Coffee Club", program["id"])
    assert (card["type"], card["object"]) == ("LOYALTY_CARD", "voucher")
    assert "holder_id" not in card
    assert card["publish"]["count"] == 0
    assert card["created_at"] == "2024-03-01T10:00:00.000Z"
    assert _codes(loyalty_fake, "Coffee Club") == [card["code"]]


def test_vouchers_count_one_answers_the_voucher(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A vouchers_count of 1 is the same as no count: 200 with the voucher."""
    program = loyalty_fake.create_loyalty_program("Coffee Club")
    reply = client.add_vouchers(program["id"], count=1)
    assert reply.status == 200
    assert reply.body["campaign_id"] == program["id"]


def test_new_card_inherits_program_settings(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A new card gets the program's initial points, category and code pattern."""
    loyalty_fake.create_loyalty_program(
        "Coffee Club",
        category="Gold",
        voucher={
            "type": "LOYALTY_CARD",
            "loyalty_card": {"points": 100},
            "code_config": {"pattern": "CLUB-####", "charset": "0123456789"},
        },
    )
    card = client.add_vouchers("Coffee Club").body
    assert card["loyalty_card"]["points"] == 100
    assert card["loyalty_card"]["balance"] == 100
    assert card["category"] == "Gold"
    assert re.fullmatch(r"CLUB-\d{4}", card["code"])


def test_body_overrides_the_card_fields(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The body's additional_info, metadata, redemption.quantity and dates shape the card."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    card = client.add_vouchers(
        "Coffee Club",
        body={
            "additional_info": "from the till",
            "metadata": {"store": "north"},
            "redemption": {"quantity": 5},
            "start_date": "2024-04-01T00:00:00Z",
            "expiration_date": "2024-12-31T23:59:59Z",
        },
    ).body
    assert card["additional_info"] == "from the till"
    assert card["metadata"] == {"store": "north"}
    assert card["redemption"]["quantity"] == 5
    assert card["start_date"] == "2024-04-01T00:00:00.000Z"
    assert card["expiration_date"] == "2024-12-31T23:59:59.000Z"
    assert loyalty_fake.card(card["code"])["metadata"] == {"store": "north"}


def test_many_cards_answer_202_with_an_async_action(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A vouchers_count above 1 answers 202 {async_action_id}; the cards exist at once."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    reply = client.add_vouchers("Coffee Club", count=3)
    assert reply.status == 202
    assert list(reply.body) == ["async_action_id"]
    assert re.fullmatch(r"aa_[0-9a-f]{18}", reply.body["async_action_id"])
    cards = loyalty_fake.cards("Coffee Club")
    assert len(cards) == 4
    assert all("holder_id" not in card and card["publish"]["count"] == 0 for card in cards)
    assert len({card["code"] for card in cards}) == 4


def test_added_cards_count_in_vouchers_count(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The program's vouchers_count includes the added cards."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=2)
    client.add_vouchers("Coffee Club", count=3)
    client.add_vouchers("Coffee Club")
    assert client.get_program("Coffee Club").body["vouchers_count"] == 6


def test_added_card_is_the_next_to_publish(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An added card is unpublished: a new member gets it."""
    loyalty_fake.create_loyalty_program("Coffee Club", type="STATIC")
    code = client.add_vouchers("Coffee Club").body["code"]
    member = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}})
    assert member.status == 200
    assert member.body["code"] == code


def test_body_code_config_shapes_the_codes(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A code_config in the body (prefix, pattern, charset, postfix) shapes the new codes."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    config = {"prefix": "X-", "pattern": "NEW-##", "charset": "0123456789", "postfix": "-Z"}
    assert client.add_vouchers("Coffee Club", count=3, body={"code_config": config}).status == 202
    codes = _codes(loyalty_fake, "Coffee Club")
    assert len(codes) == 3
    assert all(re.fullmatch(r"X-NEW-\d\d-Z", code) for code in codes), codes


def test_body_code_config_length_and_charset(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without a pattern, length characters of charset make the new code."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    config = {"length": 12, "charset": "AB"}
    card = client.add_vouchers("Coffee Club", body={"code_config": config}).body
    assert re.fullmatch(r"[AB]{12}", card["code"])


def test_body_code_names_the_single_new_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A code in the body names the one new card; a taken one is 409 duplicate_found."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    card = client.add_vouchers("Coffee Club", body={"code": "BODY-1"})
    assert (card.status, card.body["code"]) == (200, "BODY-1")
    again = client.add_vouchers("Coffee Club", body={"code": "BODY-1"})
    assert again.status == 409
    assert again.body["details"] == "Duplicated voucher exists with id BODY-1"
    assert _codes(loyalty_fake, "Coffee Club") == ["BODY-1"]


def test_too_small_code_space_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """More cards than the code space holds is 400 invalid_code_config and nothing is created."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    config = {"pattern": "#", "charset": "01"}
    reply = client.add_vouchers("Coffee Club", count=3, body={"code_config": config})
    assert reply.status == 400
    assert reply.error_key == "invalid_code_config"
    assert len(loyalty_fake.cards("Coffee Club")) == 1
    assert client.get_program("Coffee Club").body["vouchers_count"] == 1


def test_code_space_counts_codes_already_taken(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Codes already in the project take room: the space's last free codes are all there is."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    config = {"pattern": "#", "charset": "012"}
    assert client.add_vouchers("Coffee Club", count=2, body={"code_config": config}).status == 202
    reply = client.add_vouchers("Coffee Club", count=2, body={"code_config": config})
    assert reply.status == 400
    assert reply.error_key == "invalid_code_config"
    last = client.add_vouchers("Coffee Club", body={"code_config": config})
    assert last.status == 200
    assert sorted(_codes(loyalty_fake, "Coffee Club")) == ["0", "1", "2"]


def test_adding_cards_to_unknown_program_is_404(client: Client) -> None:
    """Adding cards to a program that does not exist is 404 not_found (campaign)."""
    reply = client.add_vouchers("Nope", count=2)
    assert reply.status == 404
    assert reply.body["key"] == "not_found"
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "Nope"


# -- POST /v1/campaigns/{campaignId}/vouchers/{code} ------------------------------------------


def test_adding_a_named_code(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A named code becomes a new unpublished card of the program."""
    loyalty_fake.create_loyalty_program(
        "Coffee Club", voucher={**_CARD, "loyalty_card": {"points": 20}}
    )
    reply = client.add_voucher_code("Coffee Club", "SUMMER-2024", {"metadata": {"batch": 7}})
    assert reply.status == 200
    card = reply.body
    assert card["code"] == "SUMMER-2024"
    assert card["campaign"] == "Coffee Club"
    assert card["metadata"] == {"batch": 7}
    assert card["loyalty_card"]["balance"] == 20
    assert "holder_id" not in card
    assert _codes(loyalty_fake, "Coffee Club") == ["SUMMER-2024"]


def test_named_code_taken_in_the_program_is_409(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A code already in the program is 409 duplicate_found, "Duplicated voucher exists"."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    client.add_voucher_code("Coffee Club", "SUMMER-2024")
    reply = client.add_voucher_code("Coffee Club", "SUMMER-2024")
    assert reply.status == 409
    assert reply.body["key"] == "duplicate_found"
    assert reply.body["message"] == "Duplicated resource found"
    assert reply.body["details"] == "Duplicated voucher exists with id SUMMER-2024"
    assert reply.body["resource_type"] == "voucher"
    assert len(loyalty_fake.cards("Coffee Club")) == 1


def test_named_code_taken_in_another_program_is_409(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Codes are unique across the project: another program's code is 409 too."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    code = _codes(loyalty_fake, "Coffee Club")[0]
    loyalty_fake.create_loyalty_program("Tea Club")
    reply = client.add_voucher_code("Tea Club", code)
    assert reply.status == 409
    assert reply.body["details"] == f"Duplicated voucher exists with id {code}"
    assert loyalty_fake.cards("Tea Club") == []


def test_named_code_with_special_characters(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A code with spaces, slashes and % travels percent-encoded and is kept verbatim."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    code = "LOY 1/x%?#"
    card = client.add_voucher_code("Coffee Club", code).body
    assert card["code"] == code
    assert (
        card["publish"]["url"] == "/v1/vouchers/LOY%201%2Fx%25%3F%23/publications?page=1&limit=10"
    )
    assert client.get_voucher(code).body["id"] == card["id"]


def test_named_code_can_be_published_as_a_member(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The new card can then be given to a customer by POST /members with voucher=code."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    client.add_voucher_code("Coffee Club", "VIP-1")
    reply = client.add_member(
        "Coffee Club", {"customer": {"source_id": "alice"}, "voucher": "VIP-1"}
    )
    assert reply.status == 200
    assert reply.body["code"] == "VIP-1"
    assert reply.body["holder_id"] == loyalty_fake.customer("alice")["id"]


def test_named_code_in_unknown_program_is_404(client: Client) -> None:
    """Adding a code to a program that does not exist is 404 not_found (campaign)."""
    reply = client.add_voucher_code("Nope", "VIP-1")
    assert reply.status == 404
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "Nope"


# -- GET /v1/vouchers/{code} ---------------------------------------------------------------


def test_get_voucher_is_the_voucher_object(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A card reads as a Voucher: no discount or gift keys, validation_rules_assignments present."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    code = _codes(loyalty_fake, "Coffee Club")[0]
    reply = client.get_voucher(code)
    assert reply.status == 200
    voucher = reply.body
    assert voucher["code"] == code
    assert "discount" not in voucher
    assert "gift" not in voucher
    assert voucher["validation_rules_assignments"] == {
        "object": "list",
        "data_ref": "data",
        "data": [],
        "total": 0,
    }
    assert voucher["categories"] == []
    assert voucher["object"] == "voucher"


def test_get_voucher_matches_the_added_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Reading a card back gives exactly what adding it answered."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    added = client.add_voucher_code("Coffee Club", "VIP-1", {"additional_info": "x"}).body
    assert client.get_voucher("VIP-1").body == added


def test_get_voucher_of_a_member(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A member's card shows its holder, publish.count 1 and its balance."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    code = loyalty_fake.add_member("Coffee Club", {"source_id": "alice"})["code"]
    loyalty_fake.add_points(code, 40)
    voucher = client.get_voucher(code).body
    assert voucher["holder_id"] == loyalty_fake.customer("alice")["id"]
    assert voucher["publish"]["count"] == 1
    assert voucher["loyalty_card"]["balance"] == 40


def test_get_voucher_by_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A card is found by its v_ ID as well as by its code, as the spec says."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    card = loyalty_fake.cards("Coffee Club")[0]
    reply = client.get_voucher(card["id"])
    assert reply.status == 200
    assert reply.body["code"] == card["code"]


def test_get_unknown_voucher_is_404(client: Client) -> None:
    """An unknown code is 404 not_found (voucher)."""
    reply = client.get_voucher("NOPE-1")
    assert reply.status == 404
    assert reply.body["key"] == "not_found"
    assert reply.body["details"] == "Cannot find voucher with id NOPE-1"
    assert reply.body["resource_type"] == "voucher"
    assert reply.body["resource_id"] == "NOPE-1"
