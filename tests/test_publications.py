"""Publications: POST /v1/publications and GET /v1/publications (and a card's publish.url)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import PUBLICATIONS, Client, RequestsClient

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")

ALICE = {"source_id": "alice"}
BOB = {"source_id": "bob"}


def _club(fake: LoyaltyFake, cards: int = 2, name: str = "Coffee Club") -> list[str]:
    """A program with ``cards`` unpublished cards; returns their codes, oldest first."""
    fake.create_loyalty_program(name, vouchers_count=cards)
    return [card["code"] for card in fake.cards(name)]


def _publish(client: Client, **body: Any) -> dict[str, Any]:
    reply = client.create_publication(body)
    assert reply.status == 200, reply.body
    publication: dict[str, Any] = reply.body
    return publication


def _assert_error(reply: Any, status: int, key: str, message: str, details: str) -> None:
    assert reply.status == status, reply.body
    assert (reply.body["key"], reply.body["message"], reply.body["details"]) == (
        key,
        message,
        details,
    )


# -- POST /v1/publications: what gets published --------------------------------------------


def test_publish_a_specific_voucher(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A voucher code names the card to publish; it becomes the customer's card."""
    codes = _club(loyalty_fake)
    publication = _publish(client, voucher=codes[1], customer=ALICE)
    assert publication["voucher"]["code"] == codes[1]
    assert publication["voucher"]["holder_id"] == loyalty_fake.customer("alice")["id"]
    assert loyalty_fake.get_member(codes[1])["holder_id"] == publication["customer_id"]


def test_publish_from_a_campaign_by_name(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A campaign {name} publishes the program's next available card."""
    codes = _club(loyalty_fake)
    publication = _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE)
    assert publication["voucher"]["code"] == codes[0]
    assert publication["voucher"]["campaign"] == "Coffee Club"


def test_publish_from_a_campaign_by_id_with_count_one(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A campaign {name: <campaign ID>, count: 1} publishes one card of that program."""
    codes = _club(loyalty_fake)
    program_id = loyalty_fake.get_loyalty_program("Coffee Club")["id"]
    publication = _publish(client, campaign={"name": program_id, "count": 1}, customer=ALICE)
    assert publication["voucher"]["code"] == codes[0]
    assert publication["voucher"]["campaign_id"] == program_id


def test_publish_grows_an_auto_update_program(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An AUTO_UPDATE program without free cards makes a new one for the publication."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    publication = _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE)
    assert [card["code"] for card in loyalty_fake.cards("Coffee Club")] == [
        publication["voucher"]["code"]
    ]


def test_voucher_wins_over_campaign(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Given both voucher and campaign, the named voucher is published."""
    tea = _club(loyalty_fake, 1, "Tea Club")
    _club(loyalty_fake)
    publication = _publish(client, voucher=tea[0], campaign={"name": "Coffee Club"}, customer=ALICE)
    assert publication["voucher"]["code"] == tea[0]
    assert publication["voucher"]["campaign"] == "Tea Club"


def test_campaign_as_a_string(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A campaign given as a plain name works (requests: the SDK refuses a string)."""
    codes = _club(loyalty_fake)
    publication = _publish(http, campaign="Coffee Club", customer=ALICE)
    assert publication["voucher"]["code"] == codes[0]


def test_customer_as_a_string(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A customer given as a string is a source_id (requests: the SDK refuses it)."""
    _club(loyalty_fake)
    publication = _publish(http, campaign={"name": "Coffee Club"}, customer="alice")
    assert publication["tracking_id"] == "alice"
    assert publication["customer_id"] == loyalty_fake.customer("alice")["id"]


def test_unknown_customer_source_id_creates_the_customer(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """An unknown customer source_id creates the customer with the profile given."""
    _club(loyalty_fake)
    customer = {"source_id": "alice", "name": "Alice", "email": "alice@example.com"}
    publication = _publish(client, campaign={"name": "Coffee Club"}, customer=customer)
    assert re.fullmatch(r"cust_[0-9A-Za-z]{24}", publication["customer_id"])
    created = loyalty_fake.customer("alice")
    assert (created["id"], created["name"], created["email"]) == (
        publication["customer_id"],
        "Alice",
        "alice@example.com",
    )


# -- POST /v1/publications: the response ---------------------------------------------------


def test_response_is_the_publication(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The publication carries its ID, tracking_id, customer, voucher and vouchers_id."""
    _club(loyalty_fake)
    publication = _publish(
        client, campaign={"name": "Coffee Club"}, customer=ALICE, metadata={"year": 2024}
    )
    customer = loyalty_fake.customer("alice")
    assert re.fullmatch(r"pub_[0-9A-Za-z]{32}", publication["id"])
    assert publication["object"] == "publication"
    assert publication["created_at"] == "2024-03-01T10:00:00.000Z"
    assert publication["customer_id"] == customer["id"]
    assert publication["tracking_id"] == "alice"
    assert publication["metadata"] == {"year": 2024}
    assert publication["channel"] == "API"
    assert publication["source_id"] is None
    assert publication["result"] == "SUCCESS"
    assert publication["vouchers_id"] == [publication["voucher"]["id"]]
    assert "vouchers" not in publication


def test_response_customer_has_loyalty_and_summary(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The response's customer is the full customer, loyalty and summary included."""
    _club(loyalty_fake)
    publication = _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE)
    customer = publication["customer"]
    assert customer == loyalty_fake.customer("alice")
    assert customer["loyalty"]["campaigns"] == {
        "Coffee Club": {"points": 0, "referred_customers": 0}
    }
    assert customer["summary"]["redemptions"]["loyalty_card"] == {
        "redeemed_points": 0,
        "points_to_go": 0,
    }
    assert customer["referrals"] == {"total": 0, "campaigns": []}


def test_response_voucher_is_the_published_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The response's voucher is the card as GET /v1/vouchers/{code} now shows it."""
    codes = _club(loyalty_fake)
    loyalty_fake.clock.advance(hours=1)
    voucher = _publish(client, voucher=codes[0], customer=ALICE)["voucher"]
    assert voucher == client.get_voucher(codes[0]).body
    assert voucher["publish"]["count"] == 1
    assert voucher["updated_at"] == "2024-03-01T11:00:00.000Z"
    assert "discount" not in voucher


def test_publication_increments_publish_count(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A publication increments the card's publish.count, once."""
    codes = _club(loyalty_fake)
    assert client.get_voucher(codes[0]).body["publish"]["count"] == 0
    _publish(client, voucher=codes[0], customer=ALICE)
    assert client.get_voucher(codes[0]).body["publish"]["count"] == 1
    assert client.get_voucher(codes[1]).body["publish"]["count"] == 0


def test_custom_channel_is_echoed(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A custom channel comes back as sent.

    Plain requests without schema validation: the SDK's response model and the newest
    spec only accept channel "API" there.
    """
    _club(loyalty_fake)
    response = http.session.post(
        f"{http.base_url}{PUBLICATIONS}",
        headers=http.headers,
        json={"campaign": {"name": "Coffee Club"}, "customer": ALICE, "channel": "myown"},
    )
    assert response.status_code == 200
    assert response.json()["channel"] == "myown"


# -- POST /v1/publications: join once and source_id ----------------------------------------


@pytest.mark.parametrize("join_once", [None, True, False])
def test_loyalty_programs_always_join_once(
    client: Client, loyalty_fake: LoyaltyFake, join_once: bool | None
) -> None:
    """A second publication for the same customer returns their card and publishes nothing."""
    _club(loyalty_fake)
    body = {"campaign": {"name": "Coffee Club"}, "customer": ALICE}
    first = client.create_publication(body).body
    again = client.create_publication(body, join_once=join_once)
    assert again.status == 200
    assert again.body["id"] == first["id"]
    assert again.body["voucher"]["code"] == first["voucher"]["code"]
    assert again.body["voucher"]["publish"]["count"] == 1
    assert len(loyalty_fake.publications()) == 1


@pytest.mark.loyalty_fake(strict_joins=True)
def test_strict_joins_refuse_a_second_publication(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """With strict_joins, a second publication is 400 voucher_cannot_be_published."""
    _club(loyalty_fake)
    body = {"campaign": {"name": "Coffee Club"}, "customer": ALICE}
    _publish(client, **body)
    reply = client.create_publication(body)
    _assert_error(
        reply,
        400,
        "voucher_cannot_be_published",
        "Voucher cannot be published",
        "Voucher cannot be published. Customer already joined program.",
    )


def test_repeated_source_id_returns_the_same_card(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The same source_id, customer and program give the same card and publish nothing."""
    _club(loyalty_fake)
    body = {"campaign": {"name": "Coffee Club"}, "customer": ALICE, "source_id": "order-1"}
    first = _publish(client, **body)
    again = _publish(client, **body)
    assert again["voucher"]["code"] == first["voucher"]["code"]
    assert again["source_id"] == "order-1"
    assert len(loyalty_fake.publications()) == 1


def test_source_id_of_another_customer_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A source_id already used for another customer is 400 duplicate_source_id."""
    _club(loyalty_fake)
    _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE, source_id="order-1")
    reply = client.create_publication(
        {"campaign": {"name": "Coffee Club"}, "customer": BOB, "source_id": "order-1"}
    )
    _assert_error(
        reply,
        400,
        "duplicate_source_id",
        "Duplicate source_id",
        "Publication with source_id: 'order-1' already exists",
    )
    assert loyalty_fake.customers()[1:] == []


def test_source_id_of_another_program_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A source_id already used in another program is 400 duplicate_source_id."""
    _club(loyalty_fake)
    _club(loyalty_fake, 1, "Tea Club")
    _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE, source_id="order-1")
    reply = client.create_publication(
        {"campaign": {"name": "Tea Club"}, "customer": ALICE, "source_id": "order-1"}
    )
    assert reply.status == 400
    assert reply.error_key == "duplicate_source_id"


def test_source_id_is_shared_with_the_members_endpoint(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A source_id used by POST /members follows the same rules on POST /v1/publications."""
    _club(loyalty_fake)
    member = client.add_member("Coffee Club", {"customer": ALICE, "source_id": "order-1"}).body
    same = _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE, source_id="order-1")
    assert same["voucher"]["code"] == member["code"]
    other = client.create_publication(
        {"campaign": {"name": "Coffee Club"}, "customer": BOB, "source_id": "order-1"}
    )
    assert other.error_key == "duplicate_source_id"


def test_published_voucher_cannot_be_published_again(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A code another customer holds is 400 voucher_already_published, naming its v_ ID."""
    codes = _club(loyalty_fake)
    card = _publish(client, voucher=codes[0], customer=ALICE)["voucher"]
    reply = client.create_publication({"voucher": codes[0], "customer": BOB})
    _assert_error(
        reply,
        400,
        "voucher_already_published",
        "Voucher already published",
        f"Voucher '{card['id']}' has already been published",
    )
    assert len(loyalty_fake.publications()) == 1


# -- POST /v1/publications: errors ---------------------------------------------------------


def test_neither_voucher_nor_campaign_is_missing_vouchers(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Without voucher and campaign the answer is 400 missing_vouchers."""
    _club(loyalty_fake)
    reply = client.create_publication({"customer": ALICE})
    _assert_error(
        reply, 400, "missing_vouchers", "Missing vouchers", "Either Campaign or Voucher is required"
    )
    assert loyalty_fake.customers() == []


def test_customer_is_required(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A publication without a customer is 400 invalid_payload."""
    _club(loyalty_fake)
    reply = client.create_publication({"campaign": {"name": "Coffee Club"}})
    _assert_error(
        reply,
        400,
        "invalid_payload",
        "Invalid payload",
        "Payload must have required property 'customer'",
    )
    assert loyalty_fake.publications() == []


def test_count_over_one_is_too_many(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """campaign.count above 1 is 400 too_many_vouchers_requested: one card per customer."""
    _club(loyalty_fake, 3)
    reply = client.create_publication(
        {"campaign": {"name": "Coffee Club", "count": 2}, "customer": ALICE}
    )
    assert reply.status == 400
    assert reply.error_key == "too_many_vouchers_requested"
    assert reply.body["message"] == "Too many vouchers requested"
    assert reply.body["details"].startswith("Only up to 1 can be published")
    assert loyalty_fake.publications() == []


def test_count_over_one_with_source_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With a source_id, count above 1 is "Only up to 1 can be published"."""
    _club(loyalty_fake, 3)
    reply = client.create_publication(
        {"campaign": {"name": "Coffee Club", "count": 2}, "customer": ALICE, "source_id": "s1"}
    )
    _assert_error(
        reply,
        400,
        "too_many_vouchers_requested",
        "Too many vouchers requested",
        "Only up to 1 can be published",
    )


@pytest.mark.parametrize("count", [0, 51, "2"])
def test_count_outside_the_schema_is_400(
    http: RequestsClient, loyalty_fake: LoyaltyFake, count: Any
) -> None:
    """campaign.count outside 1..50 is 400 invalid_payload (requests: the SDK checks it first)."""
    _club(loyalty_fake)
    reply = http.create_publication(
        {"campaign": {"name": "Coffee Club", "count": count}, "customer": ALICE}
    )
    assert reply.status == 400
    assert reply.error_key == "invalid_payload"


def test_unknown_campaign_is_404(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An unknown campaign is 404 not_found (campaign) and creates no customer."""
    reply = client.create_publication({"campaign": {"name": "Nope"}, "customer": ALICE})
    _assert_error(
        reply, 404, "not_found", "Resource not found", "Cannot find campaign with id Nope"
    )
    assert (reply.body["resource_type"], reply.body["resource_id"]) == ("campaign", "Nope")
    assert loyalty_fake.customers() == []


def test_unknown_voucher_is_404(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An unknown voucher code is 404 not_found (voucher)."""
    _club(loyalty_fake)
    reply = client.create_publication({"voucher": "NOPE-1", "customer": ALICE})
    _assert_error(
        reply, 404, "not_found", "Resource not found", "Cannot find voucher with id NOPE-1"
    )
    assert (reply.body["resource_type"], reply.body["resource_id"]) == ("voucher", "NOPE-1")


def test_unknown_customer_id_is_404(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An unknown customer ID is 404 not_found (customer)."""
    _club(loyalty_fake)
    reply = client.create_publication(
        {"campaign": {"name": "Coffee Club"}, "customer": {"id": "cust_nope"}}
    )
    _assert_error(
        reply, 404, "not_found", "Resource not found", "Cannot find customer with id cust_nope"
    )
    assert (reply.body["resource_type"], reply.body["resource_id"]) == ("customer", "cust_nope")
    assert loyalty_fake.publications() == []


def test_binned_program_cannot_publish(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A program deleted without force is 404, by campaign and by one of its codes."""
    codes = _club(loyalty_fake)
    loyalty_fake.request("DELETE", "/v1/loyalties/Coffee%20Club")
    by_campaign = client.create_publication(
        {"campaign": {"name": "Coffee Club"}, "customer": ALICE}
    )
    by_voucher = client.create_publication({"voucher": codes[0], "customer": ALICE})
    assert (by_campaign.status, by_campaign.body["resource_type"]) == (404, "campaign")
    assert (by_voucher.status, by_voucher.body["resource_type"]) == (404, "voucher")


# -- GET /v1/publications ------------------------------------------------------------------


def test_list_has_the_publications_wrapper(client: Client) -> None:
    """The list is {object: list, data_ref: publications, publications, total}."""
    reply = client.list_publications()
    assert reply.status == 200
    assert reply.body == {
        "object": "list",
        "data_ref": "publications",
        "publications": [],
        "total": 0,
    }


def test_list_shows_publications_of_both_endpoints(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Cards given by POST /members and by POST /v1/publications are all listed, newest first."""
    _club(loyalty_fake)
    member = client.add_member("Coffee Club", {"customer": ALICE}).body
    loyalty_fake.clock.advance(minutes=5)
    published = _publish(client, campaign={"name": "Coffee Club"}, customer=BOB)
    body = client.list_publications().body
    assert body["total"] == 2
    listed = body["publications"]
    assert [item["voucher"]["code"] for item in listed] == [
        published["voucher"]["code"],
        member["code"],
    ]
    assert listed[0]["id"] == published["id"]
    assert [item["tracking_id"] for item in listed] == ["bob", "alice"]
    assert [item["created_at"] for item in listed] == [
        "2024-03-01T10:05:00.000Z",
        "2024-03-01T10:00:00.000Z",
    ]


def test_list_item_shape(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An item carries the customer, the short voucher and vouchers_id."""
    codes = _club(loyalty_fake)
    published = _publish(client, voucher=codes[0], customer=ALICE, source_id="s1")
    [item] = client.list_publications().body["publications"]
    assert item["voucher"] == {
        "code": codes[0],
        "object": "voucher",
        "campaign": "Coffee Club",
        "loyalty_card": {"points": 0, "balance": 0},
        "is_referral_code": False,
    }
    assert item["customer"] == loyalty_fake.customer("alice")
    assert item["vouchers_id"] == published["vouchers_id"]
    assert (item["source_id"], item["result"], item["object"]) == ("s1", "SUCCESS", "publication")
    assert item["customer_id"] == published["customer_id"]


def test_list_shows_the_channel(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Each item shows its channel: the one POST /members was given, else API."""
    _club(loyalty_fake)
    client.add_member("Coffee Club", {"customer": ALICE, "channel": "web"})
    _publish(client, campaign={"name": "Coffee Club"}, customer=BOB)
    channels = [item["channel"] for item in client.list_publications().body["publications"]]
    assert channels == ["API", "web"]


def test_list_shows_a_custom_publication_channel(
    client: Client, http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """A custom channel sent to POST /v1/publications (over requests) is listed as sent."""
    _club(loyalty_fake)
    http.session.post(
        f"{http.base_url}{PUBLICATIONS}",
        headers=http.headers,
        json={"campaign": {"name": "Coffee Club"}, "customer": ALICE, "channel": "myown"},
    )
    [item] = client.list_publications().body["publications"]
    assert item["channel"] == "myown"


def test_list_shows_the_metadata(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """Each item shows the metadata it was published with (requests: the SDK drops those keys)."""
    _club(loyalty_fake)
    http.add_member("Coffee Club", {"customer": ALICE, "metadata": {"shop": "north"}})
    _publish(http, campaign={"name": "Coffee Club"}, customer=BOB, metadata={"year": 2024})
    metadata = [item["metadata"] for item in http.list_publications().body["publications"]]
    assert metadata == [{"year": 2024}, {"shop": "north"}]


def _three_publications(fake: LoyaltyFake) -> dict[str, str]:
    """Alice and Bob join Coffee Club, Alice joins Tea Club; returns names to card codes."""
    _club(fake)
    _club(fake, 1, "Tea Club")
    return {
        "alice-coffee": fake.add_member("Coffee Club", ALICE, source_id="s1")["code"],
        "bob-coffee": fake.add_member("Coffee Club", BOB)["code"],
        "alice-tea": fake.add_member("Tea Club", ALICE)["code"],
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"campaign": "Coffee Club"}, ["bob-coffee", "alice-coffee"]),
        ({"campaign": "Tea Club"}, ["alice-tea"]),
        ({"customer": "<alice>"}, ["alice-tea", "alice-coffee"]),
        ({"voucher": "<bob-coffee>"}, ["bob-coffee"]),
        ({"source_id": "s1"}, ["alice-coffee"]),
        ({"result": "SUCCESS"}, ["alice-tea", "bob-coffee", "alice-coffee"]),
        ({"result": "FAILURE"}, []),
        ({"campaign": "Coffee Club", "customer": "<alice>"}, ["alice-coffee"]),
    ],
    ids=[
        "campaign",
        "other-campaign",
        "customer",
        "voucher",
        "source_id",
        "success",
        "failure",
        "and",
    ],
)
def test_list_filters(
    client: Client, loyalty_fake: LoyaltyFake, params: dict[str, str], expected: list[str]
) -> None:
    """Filters: campaign (name), customer (ID), voucher (code), source_id and result."""
    cards = _three_publications(loyalty_fake)
    alice = loyalty_fake.customer("alice")["id"]
    # "<alice>" stands for Alice's customer ID, "<name>" for that card's code.
    concrete = {
        key: alice if value == "<alice>" else cards[value[1:-1]] if value[0] == "<" else value
        for key, value in params.items()
    }
    body = client.list_publications(concrete).body
    assert [item["voucher"]["code"] for item in body["publications"]] == [
        cards[name] for name in expected
    ]
    assert body["total"] == len(expected)


def test_list_is_page_based(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Pages are cut by limit and page; total counts every match."""
    cards = _three_publications(loyalty_fake)
    first = client.list_publications({"limit": 2}).body
    second = client.list_publications({"limit": 2, "page": 2}).body
    assert [p["voucher"]["code"] for p in first["publications"]] == [
        cards["alice-tea"],
        cards["bob-coffee"],
    ]
    assert [p["voucher"]["code"] for p in second["publications"]] == [cards["alice-coffee"]]
    assert first["total"] == second["total"] == 3


def test_list_order_oldest_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """order=created_at lists the oldest publication first."""
    cards = _three_publications(loyalty_fake)
    body = client.list_publications({"order": "created_at"}).body
    assert [p["voucher"]["code"] for p in body["publications"]] == [
        cards["alice-coffee"],
        cards["bob-coffee"],
        cards["alice-tea"],
    ]


def test_page_over_1000_is_page_over_limit(http: RequestsClient) -> None:
    """A page above 1000 is 400 page_over_limit (requests: the SDK caps page at 100)."""
    reply = http.list_publications({"page": 1001})
    _assert_error(
        reply,
        400,
        "page_over_limit",
        "Listing resource above 1000 page is not supported",
        "Property .page cannot be higher than 1000",
    )


def test_page_1000_is_an_empty_page(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """Page 1000 is still allowed: an empty page and the total (requests: SDK caps at 100)."""
    _three_publications(loyalty_fake)
    body = http.list_publications({"page": 1000}).body
    assert (body["publications"], body["total"]) == ([], 3)


def test_card_publish_url_lists_its_publications(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """A card's publish.url lists that card's publications.

    requests: GET /v1/vouchers/{code}/publications is in no spec file and the SDK has no
    method for it; the body is checked against the GET /v1/publications schema.
    """
    cards = _three_publications(loyalty_fake)
    url = http.get_voucher(cards["bob-coffee"]).body["publish"]["url"]
    body = http.call("GET", url, PUBLICATIONS).body
    assert [p["voucher"]["code"] for p in body["publications"]] == [cards["bob-coffee"]]
    assert body["total"] == 1


def test_publications_of_an_unknown_card_are_404(http: RequestsClient) -> None:
    """GET /v1/vouchers/{code}/publications for no such card is 404, as the card itself is.

    requests: the path is in no spec file and the SDK has no method for it.
    """
    reply = http.call("GET", "/v1/vouchers/NOPE-1/publications", PUBLICATIONS)
    assert reply.status == 404
    assert (reply.body["resource_type"], reply.body["resource_id"]) == ("voucher", "NOPE-1")


def test_card_redemption_url_is_served(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A card's redemption.url answers a list, like every URL inside a card.

    requests: the path is in no spec file and the SDK has no method for it.
    """
    codes = _club(loyalty_fake)
    url = http.get_voucher(codes[0]).body["redemption"]["url"]
    response = http.session.get(f"{http.base_url}{url}", headers=http.headers)
    assert response.status_code == 200, response.json()
    assert response.json()["object"] == "list"


def test_a_deleted_customers_publications_stay_listed(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Deleting a customer keeps their publications in the list (it answered 404)."""
    codes = _club(loyalty_fake)
    publication = _publish(client, voucher=codes[0], customer=ALICE)
    assert client.delete_customer("alice").status == 204
    reply = client.list_publications()
    assert reply.status == 200, reply.body
    [listed] = reply.body["publications"]
    assert (listed["id"], listed["customer_id"]) == (publication["id"], publication["customer_id"])
