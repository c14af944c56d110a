"""Adding members (POST /v1/loyalties/{campaignId}/members): the seed's and the spec's rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import Client, RequestsClient, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")

SEED_PAGE = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_60915dba5d911c57.txt"
SEED_PAGE_URL = "https://docs.voucherify.io/api-reference/loyalties/add-member"


def _seed_example_keys() -> list[str]:
    """The top-level keys of the seed page's response example, in order."""
    if not SEED_PAGE.exists():
        pytest.skip(
            f"Voucherify's reference page for adding a member ({SEED_PAGE_URL}), saved as "
            f"text, is not at {SEED_PAGE}: this test compares the reply's keys with the "
            "page's response example; save the page's text there to run it"
        )
    text = SEED_PAGE.read_text(encoding="utf-8")
    start = text.index('{\n"id": "v_')
    example, _ = json.JSONDecoder().raw_decode(text[start:])
    return list(example)


def _snapshot(fake: LoyaltyFake, program: str) -> tuple[Any, ...]:
    return (fake.cards(program), fake.publications(), fake.customers())


def test_response_has_exactly_the_seed_keys(client: Client) -> None:
    """The member is the voucher object with exactly the keys, in order, of the seed's example."""
    program = make_program(client, vouchers_count=2)
    reply = client.add_member(program["id"], {"customer": {"source_id": "alice"}})
    assert reply.status == 200
    assert list(reply.body) == _seed_example_keys()


def test_next_available_card_is_oldest_unpublished(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Without a voucher, members get the unpublished cards in creation order."""
    program = make_program(client, vouchers_count=3)
    codes = [card["code"] for card in loyalty_fake.cards(program["id"])]
    got = [
        client.add_member(program["id"], {"customer": {"source_id": name}}).body["code"]
        for name in ("alice", "bob", "carol")
    ]
    assert got == codes


def test_publication_updates_the_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Publishing sets holder_id, publish.count 1 and updated_at to the fake's now."""
    program = make_program(client, vouchers_count=1)
    loyalty_fake.clock.advance(hours=2)
    member = client.add_member(program["id"], {"customer": {"source_id": "alice"}}).body
    customer = loyalty_fake.customers()[0]
    assert member["holder_id"] == customer["id"]
    assert re.fullmatch(r"cust_[0-9A-Za-z]{24}", customer["id"])
    assert member["publish"]["count"] == 1
    assert member["publish"]["url"] == f"/v1/vouchers/{member['code']}/publications?page=1&limit=10"
    assert member["created_at"] == "2024-03-01T10:00:00.000Z"
    assert member["updated_at"] == "2024-03-01T12:00:00.000Z"
    assert member["campaign"] == "Coffee Club"
    assert member["campaign_id"] == program["id"]
    assert member["type"] == "LOYALTY_CARD"
    assert member["is_referral_code"] is False


def test_unknown_source_id_creates_customer_with_profile(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """An unknown source_id creates the customer from the profile fields given."""
    program = make_program(client, vouchers_count=1)
    customer = {
        "source_id": "alice",
        "name": "Alice",
        "email": "alice@example.com",
        "metadata": {"vip": True},
    }
    client.add_member(program["id"], {"customer": customer})
    [stored] = loyalty_fake.customers()
    assert stored["source_id"] == "alice"
    assert stored["name"] == "Alice"
    assert stored["email"] == "alice@example.com"
    assert stored["metadata"] == {"vip": True}


def test_known_source_id_upserts_profile(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A known source_id updates the profile fields given and keeps the others."""
    first = make_program(client, "A", vouchers_count=1)
    second = make_program(client, "B", vouchers_count=1)
    client.add_member(
        first["id"], {"customer": {"source_id": "alice", "name": "Alice", "phone": "1"}}
    )
    client.add_member(second["id"], {"customer": {"source_id": "alice", "name": "Alice Smith"}})
    [stored] = loyalty_fake.customers()
    assert stored["name"] == "Alice Smith"
    assert stored["phone"] == "1"


def test_customer_as_string_source_id(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A string customer that is no known ID is a source_id (the seed page's own example)."""
    program = make_program(http, vouchers_count=1)
    reply = http.add_member(program["id"], {"customer": "source_customer_1"})
    assert reply.status == 200
    assert loyalty_fake.customers()[0]["source_id"] == "source_customer_1"


def test_customer_as_string_id(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A string customer that is a known cust_ ID names that customer."""
    first = make_program(http, "A", vouchers_count=1)
    second = make_program(http, "B", vouchers_count=1)
    holder = http.add_member(first["id"], {"customer": {"source_id": "alice"}}).body["holder_id"]
    reply = http.add_member(second["id"], {"customer": holder})
    assert reply.body["holder_id"] == holder
    assert len(loyalty_fake.customers()) == 1


def test_unknown_customer_id_is_404(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An unknown cust_ ID is 404 with resource_type customer, and nothing changes."""
    program = make_program(client, vouchers_count=1)
    before = _snapshot(loyalty_fake, program["id"])
    reply = client.add_member(program["id"], {"customer": {"id": "cust_000000000000000000000000"}})
    assert reply.status == 404
    assert reply.body["resource_type"] == "customer"
    assert reply.body["details"] == "Cannot find customer with id cust_000000000000000000000000"
    assert _snapshot(loyalty_fake, program["id"]) == before


def test_unknown_customer_id_string_is_404(http: RequestsClient) -> None:
    """An unknown cust_ ID given as a string is 404 too, not a new source_id."""
    program = make_program(http, vouchers_count=1)
    reply = http.add_member(program["id"], {"customer": "cust_000000000000000000000000"})
    assert reply.status == 404
    assert reply.body["resource_type"] == "customer"


def test_customer_id_wins_over_source_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With both id and source_id, the id names the customer."""
    first = make_program(client, "A", vouchers_count=1)
    second = make_program(client, "B", vouchers_count=1)
    holder = client.add_member(first["id"], {"customer": {"source_id": "alice"}}).body["holder_id"]
    reply = client.add_member(
        second["id"], {"customer": {"id": holder, "source_id": "someone-else"}}
    )
    assert reply.body["holder_id"] == holder
    assert [c["source_id"] for c in loyalty_fake.customers()] == ["alice"]


def test_named_voucher_is_published(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With voucher, exactly that unpublished card of the campaign is published."""
    program = make_program(client, vouchers_count=3)
    code = loyalty_fake.cards(program["id"])[2]["code"]
    reply = client.add_member(program["id"], {"customer": {"source_id": "alice"}, "voucher": code})
    assert reply.status == 200
    assert reply.body["code"] == code


def test_voucher_of_another_campaign_is_404(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A code that belongs to another campaign is 404 not_found, resource_type voucher."""
    program = make_program(client, "A", vouchers_count=1)
    other = make_program(client, "B", vouchers_count=1)
    code = loyalty_fake.cards(other["id"])[0]["code"]
    before = _snapshot(loyalty_fake, program["id"])
    reply = client.add_member(program["id"], {"customer": {"source_id": "alice"}, "voucher": code})
    assert reply.status == 404
    assert reply.body["resource_type"] == "voucher"
    assert reply.body["resource_id"] == code
    assert reply.body["details"] == f"Cannot find voucher with id {code}"
    assert _snapshot(loyalty_fake, program["id"]) == before


def test_unknown_voucher_is_404(client: Client) -> None:
    """A code that exists nowhere is 404 not_found, resource_type voucher."""
    program = make_program(client, vouchers_count=1)
    reply = client.add_member(
        program["id"], {"customer": {"source_id": "a"}, "voucher": "Loyalty_Card"}
    )
    assert reply.status == 404
    assert reply.body["resource_id"] == "Loyalty_Card"


def test_published_voucher_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A code already held by a customer is 400 voucher_already_published; nothing changes."""
    program = make_program(client, vouchers_count=2)
    member = client.add_member(program["id"], {"customer": {"source_id": "alice"}}).body
    before = _snapshot(loyalty_fake, program["id"])
    reply = client.add_member(
        program["id"], {"customer": {"source_id": "bob"}, "voucher": member["code"]}
    )
    assert reply.status == 400
    assert reply.body["key"] == "voucher_already_published"
    assert reply.body["details"] == f"Voucher '{member['id']}' has already been published"
    assert _snapshot(loyalty_fake, program["id"]) == before


def test_static_program_without_free_cards_is_400(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A STATIC program with every card published is 400 no_voucher_suitable_for_publication."""
    program = make_program(client, type="STATIC", vouchers_count=1)
    client.add_member(program["id"], {"customer": {"source_id": "alice"}})
    before = _snapshot(loyalty_fake, program["id"])
    reply = client.add_member(program["id"], {"customer": {"source_id": "bob"}})
    assert reply.status == 400
    assert reply.body["key"] == "no_voucher_suitable_for_publication"
    assert _snapshot(loyalty_fake, program["id"]) == before


def test_auto_update_program_grows_a_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An AUTO_UPDATE program with no free card generates one for the new member."""
    program = make_program(client, type="AUTO_UPDATE", vouchers_count=0)
    loyalty_fake.clock.advance(minutes=1)
    reply = client.add_member(program["id"], {"customer": {"source_id": "alice"}})
    assert reply.status == 200
    assert reply.body["created_at"] == "2024-03-01T10:01:00.000Z"
    assert client.get_program(program["id"]).body["vouchers_count"] == 1


def test_repeated_join_returns_existing_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer joining twice gets their card back; nothing is published again."""
    program = make_program(client, vouchers_count=3)
    first = client.add_member(program["id"], {"customer": {"source_id": "alice"}}).body
    before = _snapshot(loyalty_fake, program["id"])
    again = client.add_member(program["id"], {"customer": {"source_id": "alice"}})
    assert again.status == 200
    assert again.body == first
    assert _snapshot(loyalty_fake, program["id"]) == before


@pytest.mark.loyalty_fake(strict_joins=True)
def test_strict_repeated_join_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With strict_joins, a repeated join is 400 voucher_cannot_be_published."""
    program = make_program(client, vouchers_count=3)
    client.add_member(program["id"], {"customer": {"source_id": "alice"}})
    before = _snapshot(loyalty_fake, program["id"])
    reply = client.add_member(program["id"], {"customer": {"source_id": "alice"}})
    assert reply.status == 400
    assert reply.body["key"] == "voucher_cannot_be_published"
    assert reply.body["details"] == "Voucher cannot be published. Customer already joined program."
    assert _snapshot(loyalty_fake, program["id"]) == before


def test_repeated_source_id_returns_same_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The same source_id, customer and campaign returns the same card and publishes nothing."""
    program = make_program(client, vouchers_count=3)
    body = {"customer": {"source_id": "alice"}, "source_id": "crm-1"}
    first = client.add_member(program["id"], body).body
    again = client.add_member(program["id"], body)
    assert again.body["code"] == first["code"]
    assert len(loyalty_fake.publications()) == 1


def test_source_id_for_another_customer_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Reusing a publication source_id for another customer is 400 duplicate_source_id."""
    program = make_program(client, vouchers_count=3)
    client.add_member(program["id"], {"customer": {"source_id": "alice"}, "source_id": "crm-1"})
    before = _snapshot(loyalty_fake, program["id"])
    reply = client.add_member(
        program["id"], {"customer": {"source_id": "bob"}, "source_id": "crm-1"}
    )
    assert reply.status == 400
    assert reply.body["key"] == "duplicate_source_id"
    assert reply.body["message"] == "Duplicate source_id"
    assert reply.body["details"] == "Publication with source_id: 'crm-1' already exists"
    assert _snapshot(loyalty_fake, program["id"]) == before


def test_source_id_for_another_campaign_is_400(client: Client) -> None:
    """Reusing a publication source_id in another campaign is 400 duplicate_source_id."""
    first = make_program(client, "A", vouchers_count=1)
    second = make_program(client, "B", vouchers_count=1)
    client.add_member(first["id"], {"customer": {"source_id": "alice"}, "source_id": "crm-1"})
    reply = client.add_member(
        second["id"], {"customer": {"source_id": "alice"}, "source_id": "crm-1"}
    )
    assert reply.status == 400
    assert reply.body["key"] == "duplicate_source_id"


def test_metadata_and_channel_go_to_the_publication(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Metadata and channel are stored on the publication and not returned with the card."""
    program = make_program(client, vouchers_count=1)
    body = {"customer": {"source_id": "alice"}, "metadata": {"year": 2022}, "channel": "postman"}
    member = client.add_member(program["id"], body).body
    assert member["metadata"] == {}
    [publication] = loyalty_fake.publications()
    assert publication["metadata"] == {"year": 2022}
    assert publication["channel"] == "postman"
    assert publication["voucher_code"] == member["code"]
    assert re.fullmatch(r"pub_[0-9A-Za-z]{32}", publication["id"])


def test_unknown_campaign_is_404(client: Client) -> None:
    """Adding to an unknown campaign is 404 with resource_type campaign."""
    reply = client.add_member("camp_missing", {"customer": {"source_id": "alice"}})
    assert reply.status == 404
    assert reply.body["resource_type"] == "campaign"


def test_program_addressed_by_name(client: Client) -> None:
    """The campaignId path parameter also takes the program's name."""
    make_program(client, "Coffee Club", vouchers_count=1)
    reply = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}})
    assert reply.status == 200


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, "Payload must have required property 'customer'"),
        ({"customer": None}, "Payload must have required property 'customer'"),
        ({"customer": 42}, "Property .customer must be object"),
        ({"customer": ""}, "Property .customer must NOT have fewer than 1 characters"),
        ({"customer": {"source_id": 7}}, "Property .customer.source_id must be string"),
        (
            {"customer": {"name": "Nobody"}},
            "Property .customer must have required property 'id' or 'source_id'",
        ),
        ({"customer": {"source_id": "a"}, "voucher": 5}, "Property .voucher must be string"),
        ({"customer": {"source_id": "a"}, "metadata": "x"}, "Property .metadata must be object"),
        (
            {"customer": {"source_id": "a"}, "source_id": ["x"]},
            "Property .source_id must be string",
        ),
    ],
)
def test_invalid_member_payload_is_400(
    http: RequestsClient, loyalty_fake: LoyaltyFake, body: dict[str, Any], details: str
) -> None:
    """Bad payloads are 400 invalid_payload naming the property, and change nothing."""
    program = make_program(http, vouchers_count=1)
    before = _snapshot(loyalty_fake, program["id"])
    reply = http.add_member(program["id"], body)
    assert reply.status == 400
    assert reply.body["key"] == "invalid_payload"
    assert reply.body["details"] == details
    assert _snapshot(loyalty_fake, program["id"]) == before


def test_empty_body_is_400(http: RequestsClient) -> None:
    """An empty POST (what the SDK sends with no body) is 400 for the missing customer."""
    program = make_program(http, vouchers_count=1)
    reply = http.call(
        "POST", f"/v1/loyalties/{program['id']}/members", "/v1/loyalties/{campaignId}/members"
    )
    assert reply.status == 400
    assert reply.body["key"] == "invalid_payload"


def test_codes_are_unique_across_the_project(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Cards of different programs never share a code, even in a small code space."""
    config = {"pattern": "##", "charset": "0123456789"}
    voucher = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}, "code_config": config}
    make_program(client, "A", vouchers_count=40, voucher=voucher)
    make_program(client, "B", vouchers_count=40, voucher=voucher)
    codes = [c["code"] for c in loyalty_fake.cards("A") + loyalty_fake.cards("B")]
    assert len(set(codes)) == 80
