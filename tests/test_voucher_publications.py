"""Publishing discount vouchers and gift cards (``POST /v1/publications`` and its query form).

A published voucher gets its holder: it is in the customer's wallet from then on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import PUBLICATIONS

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")

ALICE = {"source_id": "alice"}
BOB = {"source_id": "bob"}
TEN_OFF = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 10}}
GIFT = {"type": "GIFT_VOUCHER", "gift": {"amount": 5000}}


def _made(fake: LoyaltyFake, method: str, path: str, body: Any = None) -> Any:
    response = fake.request(method, path, json_body=body)
    assert response.status < 300, response.body
    return response.json() if response.body else None


def _campaign(
    fake: LoyaltyFake,
    name: str = "Ten off",
    vouchers: int = 2,
    voucher: dict[str, Any] | None = None,
    **fields: Any,
) -> list[str]:
    """A discount (or gift) campaign with ``vouchers`` codes; returns them, oldest first."""
    voucher = voucher or TEN_OFF
    kind = "DISCOUNT_COUPONS" if voucher["type"] == "DISCOUNT_VOUCHER" else "GIFT_VOUCHERS"
    body = {"name": name, "campaign_type": kind, "voucher": voucher, **fields}
    _made(fake, "POST", "/v1/campaigns", {**body, "vouchers_count": vouchers})
    return _codes(fake, name)


def _codes(fake: LoyaltyFake, campaign: str) -> list[str]:
    response = fake.request(
        "GET", "/v1/vouchers", params={"campaign": campaign, "order": "created_at", "limit": 100}
    )
    return [voucher["code"] for voucher in response.json()["vouchers"]]


def _publish(client: Client, join_once: bool | None = None, **body: Any) -> dict[str, Any]:
    reply = client.create_publication(body, join_once=join_once)
    assert reply.status == 200, reply.body
    publication: dict[str, Any] = reply.body
    return publication


def _voucher(fake: LoyaltyFake, code: str) -> dict[str, Any]:
    found: dict[str, Any] = _made(fake, "GET", f"/v1/vouchers/{code}")
    return found


# -- what gets published -------------------------------------------------------------------


def test_publish_a_discount_voucher_by_code(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A discount voucher's code publishes it: the customer becomes its holder."""
    codes = _campaign(loyalty_fake)
    loyalty_fake.clock.advance(hours=1)
    publication = _publish(client, voucher=codes[1], customer=ALICE)
    voucher = publication["voucher"]
    alice = loyalty_fake.customer("alice")["id"]
    assert (voucher["code"], voucher["type"], voucher["holder_id"]) == (
        codes[1],
        "DISCOUNT_VOUCHER",
        alice,
    )
    assert voucher["discount"] == {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ORDER"}
    assert voucher["publish"]["count"] == 1
    assert voucher["updated_at"] == "2024-03-01T11:00:00.000Z"
    assert voucher == client.get_voucher(codes[1]).body
    assert publication["vouchers_id"] == [voucher["id"]]
    assert publication["customer_id"] == alice


def test_publish_from_a_discount_campaign(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A campaign publishes its oldest free voucher; the next customer gets the next one."""
    codes = _campaign(loyalty_fake)
    first = _publish(client, campaign={"name": "Ten off"}, customer=ALICE)
    second = _publish(client, campaign={"name": "Ten off"}, customer=BOB)
    assert [first["voucher"]["code"], second["voucher"]["code"]] == codes
    assert first["voucher"]["campaign"] == "Ten off"


def test_publish_a_gift_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A gift card campaign publishes a gift card with its credits."""
    _campaign(loyalty_fake, "Gift cards", voucher=GIFT)
    voucher = _publish(client, campaign={"name": "Gift cards"}, customer=ALICE)["voucher"]
    assert voucher["type"] == "GIFT_VOUCHER"
    assert voucher["gift"]["balance"] == 5000
    assert voucher["holder_id"] == loyalty_fake.customer("alice")["id"]


def test_publish_a_standalone_voucher(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A voucher of no campaign is published by its code."""
    _made(loyalty_fake, "POST", "/v1/vouchers/WELCOME", TEN_OFF)
    publication = _publish(client, voucher="WELCOME", customer=ALICE)
    assert publication["voucher"]["code"] == "WELCOME"
    assert "campaign" not in publication["voucher"]
    assert _voucher(loyalty_fake, "WELCOME")["holder_id"] == publication["customer_id"]


def test_publish_several_vouchers(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """campaign.count publishes that many vouchers in one publication, named by code."""
    codes = _campaign(loyalty_fake, vouchers=4)
    publication = _publish(client, campaign={"name": "Ten off", "count": 3}, customer=ALICE)
    assert publication["vouchers"] == codes[:3]
    assert "voucher" not in publication
    assert publication["vouchers_id"] == [_voucher(loyalty_fake, c)["id"] for c in codes[:3]]
    holders = [_voucher(loyalty_fake, code).get("holder_id") for code in codes]
    assert holders == [publication["customer_id"]] * 3 + [None]


def test_auto_update_campaign_makes_a_voucher(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An AUTO_UPDATE campaign without free vouchers makes new ones for the publication."""
    _campaign(loyalty_fake, vouchers=0)
    publication = _publish(client, campaign={"name": "Ten off", "count": 2}, customer=ALICE)
    assert _codes(loyalty_fake, "Ten off") == publication["vouchers"]
    campaign = _made(loyalty_fake, "GET", "/v1/campaigns/Ten%20off")
    assert campaign["vouchers_count"] == 2


def test_static_campaign_out_of_vouchers(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A STATIC campaign without enough free vouchers is 400 and publishes nothing."""
    _campaign(loyalty_fake, vouchers=1, type="STATIC")
    reply = client.create_publication(
        {"campaign": {"name": "Ten off", "count": 2}, "customer": ALICE}
    )
    assert reply.status == 400
    assert reply.error_key == "no_voucher_suitable_for_publication"
    assert loyalty_fake.customers() == []
    assert loyalty_fake.publications() == []


def test_disabled_vouchers_are_skipped(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Only an active voucher is suitable for publication."""
    codes = _campaign(loyalty_fake)
    _made(loyalty_fake, "POST", f"/v1/vouchers/{codes[0]}/disable")
    publication = _publish(client, campaign={"name": "Ten off"}, customer=ALICE)
    assert publication["voucher"]["code"] == codes[1]


def test_published_voucher_cannot_be_published_again(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A voucher someone holds is 400 voucher_already_published."""
    codes = _campaign(loyalty_fake)
    voucher = _publish(client, voucher=codes[0], customer=ALICE)["voucher"]
    reply = client.create_publication({"voucher": codes[0], "customer": BOB})
    assert reply.status == 400
    assert reply.body["details"] == f"Voucher '{voucher['id']}' has already been published"
    assert len(loyalty_fake.publications()) == 1


# -- join once and source_id ---------------------------------------------------------------


def test_without_join_once_a_customer_gets_another(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Without join_once, a second publication gives the customer another voucher."""
    codes = _campaign(loyalty_fake)
    body: dict[str, Any] = {"campaign": {"name": "Ten off"}, "customer": ALICE}
    assert [_publish(client, **body)["voucher"]["code"] for _ in codes] == codes


@pytest.mark.parametrize("where", ["query", "campaign"])
def test_join_once_keeps_the_same_code(
    client: Client, loyalty_fake: LoyaltyFake, where: str
) -> None:
    """join_once (the query's or the campaign's) answers the customer's earlier publication."""
    _campaign(loyalty_fake, join_once=where == "campaign")
    body = {"campaign": {"name": "Ten off"}, "customer": ALICE}
    join_once = True if where == "query" else None
    first = _publish(client, join_once=join_once, **body)
    again = _publish(client, join_once=join_once, **body)
    assert (again["id"], again["voucher"]["code"]) == (first["id"], first["voucher"]["code"])
    assert again["voucher"]["publish"]["count"] == 1
    assert len(loyalty_fake.publications()) == 1


@pytest.mark.loyalty_fake(strict_joins=True)
def test_strict_join_once_is_400(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With strict_joins, a join_once publication to a customer who holds one is 400."""
    _campaign(loyalty_fake, join_once=True)
    body: dict[str, Any] = {"campaign": {"name": "Ten off"}, "customer": ALICE}
    _publish(client, **body)
    reply = client.create_publication(body)
    assert reply.status == 400
    assert reply.error_key == "voucher_cannot_be_published"


def test_repeated_source_id_is_the_same_publication(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The same source_id, customer and campaign answer the same publication."""
    _campaign(loyalty_fake)
    body: dict[str, Any] = {
        "campaign": {"name": "Ten off"},
        "customer": ALICE,
        "source_id": "mail-1",
    }
    first = _publish(client, **body)
    again = _publish(client, **body)
    assert (again["id"], again["voucher"]["code"]) == (first["id"], first["voucher"]["code"])
    other = client.create_publication({**body, "customer": BOB})
    assert other.status == 400
    assert other.error_key == "duplicate_source_id"


def test_source_id_publishes_one_voucher(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With a source_id, count above 1 is 400 too_many_vouchers_requested."""
    _campaign(loyalty_fake, vouchers=3)
    reply = client.create_publication(
        {"campaign": {"name": "Ten off", "count": 2}, "customer": ALICE, "source_id": "s1"}
    )
    assert reply.status == 400
    assert (reply.error_key, reply.body["details"]) == (
        "too_many_vouchers_requested",
        "Only up to 1 can be published",
    )


# -- the wallet ----------------------------------------------------------------------------


def test_published_voucher_is_in_the_wallet(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """CUSTOMER_WALLET qualifications show what was published to the customer, and only that."""
    codes = _campaign(loyalty_fake)
    _made(loyalty_fake, "POST", "/v1/vouchers/GIFT-5", GIFT)
    _publish(client, voucher=codes[1], customer=ALICE)
    _publish(client, voucher="GIFT-5", customer=ALICE)
    _publish(client, voucher=codes[0], customer=BOB)
    reply = client.qualify({"customer": ALICE, "scenario": "CUSTOMER_WALLET"})
    assert reply.status == 200, reply.body
    found = [item["id"] for item in reply.body["redeemables"]["data"]]
    assert sorted(found) == sorted([codes[1], "GIFT-5"])


def test_vouchers_list_by_customer(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """GET /v1/vouchers?customer= lists the vouchers published to the customer."""
    codes = _campaign(loyalty_fake, vouchers=3)
    _publish(client, campaign={"name": "Ten off", "count": 2}, customer=ALICE)
    body = client.list_vouchers({"customer": "alice"}).body
    assert sorted(voucher["code"] for voucher in body["vouchers"]) == sorted(codes[:2])


# -- GET /v1/publications ------------------------------------------------------------------


def test_list_shows_every_kind(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The list shows each publication's short voucher: discount, gift or card."""
    codes = _campaign(loyalty_fake)
    _campaign(loyalty_fake, "Gift cards", voucher=GIFT)
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    _publish(client, voucher=codes[0], customer=ALICE)
    _publish(client, campaign={"name": "Gift cards"}, customer=ALICE)
    _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE)
    listed = [item["voucher"] for item in client.list_publications().body["publications"]]
    assert [
        sorted(set(v) - {"code", "object", "campaign", "is_referral_code"}) for v in listed
    ] == [
        ["loyalty_card"],
        ["gift"],
        ["discount"],
    ]
    assert listed[2] == {
        "code": codes[0],
        "object": "voucher",
        "campaign": "Ten off",
        "discount": {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ORDER"},
        "is_referral_code": False,
    }
    assert listed[1]["gift"] == {"amount": 5000, "subtracted_amount": 0, "balance": 5000}


def test_list_filters_by_voucher_type(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """voucher_type=discount lists discount vouchers' publications, loyalty the cards'."""
    codes = _campaign(loyalty_fake)
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    _publish(client, voucher=codes[0], customer=ALICE)
    card = _publish(client, campaign={"name": "Coffee Club"}, customer=ALICE)["voucher"]["code"]
    for kind, code in (("discount", codes[0]), ("loyalty", card)):
        body = client.list_publications({"voucher_type": kind}).body
        assert [item["voucher"]["code"] for item in body["publications"]] == [code]


def test_list_of_several_vouchers(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A publication of several vouchers is listed with their codes; any of them finds it."""
    codes = _campaign(loyalty_fake, vouchers=2)
    published = _publish(client, campaign={"name": "Ten off", "count": 2}, customer=ALICE)
    [item] = client.list_publications({"voucher": codes[1]}).body["publications"]
    assert (item["id"], item["vouchers"]) == (published["id"], codes)
    assert "voucher" not in item


def test_standalone_voucher_listed_without_campaign(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """A standalone voucher's listed campaign is null, as in the spec's own example.

    requests: the schema types that campaign as a string; validated without that null.
    """
    _made(loyalty_fake, "POST", "/v1/vouchers/WELCOME", TEN_OFF)
    _publish(http, voucher="WELCOME", customer=ALICE)
    [item] = http.list_publications().body["publications"]
    assert (item["voucher"]["code"], item["voucher"]["campaign"]) == ("WELCOME", None)


def test_deleted_voucher_leaves_the_list(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A deleted voucher's publication is gone from the list."""
    codes = _campaign(loyalty_fake)
    _publish(client, voucher=codes[0], customer=ALICE)
    _publish(client, voucher=codes[1], customer=BOB)
    _made(loyalty_fake, "DELETE", f"/v1/vouchers/{codes[0]}")
    body = client.list_publications().body
    assert [item["voucher"]["code"] for item in body["publications"]] == [codes[1]]


def test_voucher_publish_url_lists_it(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A discount voucher's publish.url lists its publication (requests: no spec path)."""
    codes = _campaign(loyalty_fake)
    published = _publish(http, voucher=codes[0], customer=ALICE)
    url = http.get_voucher(codes[0]).body["publish"]["url"]
    body = http.call("GET", url, PUBLICATIONS).body
    assert [item["id"] for item in body["publications"]] == [published["id"]]


# -- GET /v1/publications/create -----------------------------------------------------------


def test_publish_by_query(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The query form publishes as the body does: campaign[name], customer[source_id]."""
    codes = _campaign(loyalty_fake)
    reply = client.publish_by_query(
        {"campaign": {"name": "Ten off"}, "customer": {"source_id": "alice", "name": "Alice"}}
    )
    assert reply.status == 200, reply.body
    assert reply.body["voucher"]["code"] == codes[0]
    assert loyalty_fake.customer("alice")["name"] == "Alice"
    assert _voucher(loyalty_fake, codes[0])["holder_id"] == reply.body["customer_id"]


def test_publish_by_query_voucher_and_metadata(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """The voucher and metadata[key] (text) in the query (requests: SDK metadata is nested)."""
    codes = _campaign(loyalty_fake)
    reply = http.publish_by_query(
        {"voucher": codes[1], "customer": ALICE, "metadata": {"shop": "north"}, "source_id": "q1"}
    )
    assert reply.status == 200, reply.body
    assert (reply.body["voucher"]["code"], reply.body["metadata"]) == (codes[1], {"shop": "north"})
    assert reply.body["source_id"] == "q1"


def test_publish_by_query_needs_a_customer(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """Without customer the query form is 400 invalid_query_params (requests: SDK requires it)."""
    _campaign(loyalty_fake)
    reply = http.publish_by_query({"campaign": {"name": "Ten off"}})
    assert reply.status == 400
    assert (reply.error_key, reply.body["details"]) == (
        "invalid_query_params",
        "Query should have required property 'customer'",
    )


def test_publish_by_query_one_voucher(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The query form publishes one voucher: campaign[count] above 1 is 400."""
    _campaign(loyalty_fake)
    reply = client.publish_by_query(
        {"campaign": {"name": "Ten off", "count": 2}, "customer": ALICE}
    )
    assert reply.status == 400
    assert reply.error_key == "too_many_vouchers_requested"
    assert loyalty_fake.publications() == []


def test_publish_by_query_without_a_source(client: Client) -> None:
    """Neither voucher nor campaign is 400 missing_vouchers."""
    reply = client.publish_by_query({"customer": ALICE})
    assert reply.status == 400
    assert reply.error_key == "missing_vouchers"


# -- client-side ---------------------------------------------------------------------------


def test_client_side_publish_of_a_discount_voucher(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """POST /client/v1/publish publishes a discount voucher, as the server-side operation."""
    codes = _campaign(loyalty_fake)
    body = {"campaign": {"name": "Ten off"}, "customer": ALICE}
    reply = client.client_side(loyalty_fake.client_headers).client_publish(body)
    assert reply.status == 200, reply.body
    assert reply.body["voucher"]["code"] == codes[0]
    assert _voucher(loyalty_fake, codes[0])["holder_id"] == reply.body["customer_id"]
