"""A customer's redeemables (``GET /v1/customers/{customerId}/redeemables``): their wallet."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from tests.test_campaign_filters import filter_params

if TYPE_CHECKING:
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")

ALICE = {"source_id": "alice"}
TEN_OFF = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 10}}
GIFT = {"type": "GIFT_VOUCHER", "gift": {"amount": 5000}}
WALLET = "/v1/customers/alice/redeemables"
# _wallet's redeemables, newest first; the moment between the discount voucher and gift card.
EVERYTHING = ["standalone", "gift", "discount", "card"]
HALF_PAST = "2024-03-01T11:30:00.000Z"


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _made(fake: LoyaltyFake, method: str, path: str, body: Any = None) -> Any:
    response = fake.request(method, path, json_body=body)
    assert response.status < 300, response.body
    return response.json() if response.body else None


def _campaign(fake: LoyaltyFake, name: str, voucher: dict[str, Any]) -> None:
    kind = "DISCOUNT_COUPONS" if voucher["type"] == "DISCOUNT_VOUCHER" else "GIFT_VOUCHERS"
    body = {"name": name, "campaign_type": kind, "voucher": voucher, "vouchers_count": 2}
    _made(fake, "POST", "/v1/campaigns", body)


def _publish(fake: LoyaltyFake, customer: dict[str, Any] = ALICE, **body: Any) -> str:
    """Publish to ``customer``; the code given."""
    made = _made(fake, "POST", "/v1/publications", {"customer": customer, **body})
    return str(made["voucher"]["code"])


def _wallet(fake: LoyaltyFake) -> dict[str, str]:
    """Alice's card, then an hour apart a discount voucher, a gift card, a standalone voucher.

    Bob joins the program and gets a discount voucher too: none of his is Alice's.
    """
    fake.create_loyalty_program("Club", vouchers_count=2)
    card = fake.add_member("Club", ALICE)["code"]
    fake.add_member("Club", {"source_id": "bob"})
    _campaign(fake, "Ten off", TEN_OFF)
    _campaign(fake, "Gift cards", GIFT)
    _made(fake, "POST", "/v1/vouchers/WELCOME", TEN_OFF)
    codes = {"card": card}
    fake.clock.advance(hours=1)
    codes["discount"] = _publish(fake, campaign={"name": "Ten off"})
    _publish(fake, {"source_id": "bob"}, campaign={"name": "Ten off"})
    fake.clock.advance(hours=1)
    codes["gift"] = _publish(fake, campaign={"name": "Gift cards"})
    fake.clock.advance(hours=1)
    codes["standalone"] = _publish(fake, voucher="WELCOME")
    return codes


def _codes(body: dict[str, Any]) -> list[str]:
    return [item["redeemable"]["voucher"]["code"] for item in body["data"]]


def test_a_members_card_is_listed(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Joining a program puts the card in the customer's redeemables, as the OWNER."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=1)
    card = loyalty_fake.add_member("Club", ALICE)
    alice = loyalty_fake.customer("alice")["id"]
    listed = _ok(client.list_customer_redeemables("alice"))
    (item,) = listed["data"]
    assert listed == {
        "object": "list",
        "data_ref": "data",
        "data": [item],
        "total": 1,
        "has_more": False,
    }
    voucher = _ok(client.get_voucher(card["code"]))
    del voucher["validation_rules_assignments"]
    assert item == {
        "id": item["id"],
        "created_at": "2024-03-01T10:00:00.000Z",
        "redeemable_id": card["id"],
        "redeemable_object": "voucher",
        "customer_id": alice,
        "holder_role": "OWNER",
        "campaign_id": card["campaign_id"],
        "campaign_type": "LOYALTY_PROGRAM",
        "voucher_type": "LOYALTY_CARD",
        "redeemable": {"type": "voucher", "voucher": voucher, "status": "ACTIVE"},
    }
    assert re.fullmatch(r"rh_[0-9a-f]{18}", item["id"])
    assert _ok(client.list_customer_redeemables(alice)) == listed


def test_published_vouchers_are_listed(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A discount voucher, gift card and standalone voucher published join the card, newest first.

    Each holder is dated when its voucher was published to the customer.
    """
    codes = _wallet(loyalty_fake)
    listed = _ok(client.list_customer_redeemables("alice"))
    assert _codes(listed) == [codes["standalone"], codes["gift"], codes["discount"], codes["card"]]
    assert [item["created_at"] for item in listed["data"]] == [
        "2024-03-01T13:00:00.000Z",
        "2024-03-01T12:00:00.000Z",
        "2024-03-01T11:00:00.000Z",
        "2024-03-01T10:00:00.000Z",
    ]
    kinds = [(item["campaign_type"], item["voucher_type"]) for item in listed["data"]]
    assert kinds == [
        (None, "DISCOUNT_VOUCHER"),
        ("GIFT_VOUCHERS", "GIFT_VOUCHER"),
        ("DISCOUNT_COUPONS", "DISCOUNT_VOUCHER"),
        ("LOYALTY_PROGRAM", "LOYALTY_CARD"),
    ]
    standalone, gift = listed["data"][0], listed["data"][1]
    assert standalone["campaign_id"] is None
    assert gift["redeemable"]["voucher"]["gift"]["balance"] == 5000
    voucher = _ok(client.get_voucher(codes["discount"]))
    del voucher["validation_rules_assignments"]
    assert listed["data"][2]["redeemable"]["voucher"] == voucher
    assert {item["redeemable"]["status"] for item in listed["data"]} == {"ACTIVE"}


def test_ids_are_derived_and_follow_the_order(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """rh_ IDs sort in the order the vouchers were given, and a second fake derives the same."""
    _wallet(loyalty_fake)
    ids = [item["id"] for item in _ok(client.list_customer_redeemables("alice"))["data"]]
    assert ids == sorted(ids, reverse=True)
    again = LoyaltyFake(seed=loyalty_fake.seed, now="2024-03-01T10:00:00Z")
    _wallet(again)
    assert [item["id"] for item in again.request("GET", WALLET).json()["data"]] == ids


def test_order_limit_and_starting_after_id_page(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """order=-id (the default) or id; limit and starting_after_id page with has_more."""
    codes = _wallet(loyalty_fake)
    newest = _ok(client.list_customer_redeemables("alice"))["data"]
    oldest = _ok(client.list_customer_redeemables("alice", {"order": "id"}))
    assert _codes(oldest) == [codes["card"], codes["discount"], codes["gift"], codes["standalone"]]
    assert oldest["data"] == newest[::-1]
    assert _ok(client.list_customer_redeemables("alice", {"order": "-id"}))["data"] == newest
    first = _ok(client.list_customer_redeemables("alice", {"limit": 3}))
    assert (first["data"], first["total"], first["has_more"]) == (newest[:3], 3, True)
    assert first["more_starting_after"] == newest[2]["id"]
    params = {"limit": 3, "starting_after_id": first["more_starting_after"]}
    rest = _ok(client.list_customer_redeemables("alice", params))
    assert (rest["data"], rest["total"], rest["has_more"]) == (newest[3:], 1, False)
    assert "more_starting_after" not in rest
    params = {"order": "id", "limit": 2, "starting_after_id": oldest["data"][0]["id"]}
    after_card = _ok(client.list_customer_redeemables("alice", params))
    assert _codes(after_card) == [codes["discount"], codes["gift"]]


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ({"voucher_type": {"conditions": {"$is": "LOYALTY_CARD"}}}, ["card"]),
        ({"voucher_type": {"conditions": {"$is_not": "DISCOUNT_VOUCHER"}}}, ["gift", "card"]),
        ({"campaign_type": {"conditions": {"$is": "GIFT_VOUCHERS"}}}, ["gift"]),
        ({"campaign_type": {"conditions": {"$is_unknown": ""}}}, ["standalone"]),
        ({"campaign_type": {"conditions": {"$starts_with": "LOYALTY"}}}, ["card"]),
        ({"holder_role": {"conditions": {"$is": "OWNER"}}}, EVERYTHING),
        ({"holder_role": {"conditions": {"$is": "REFERRER"}}}, []),
        ({"redeemable_object": {"conditions": {"$is": "voucher"}}}, EVERYTHING),
        ({"created_at": {"conditions": {"$after": HALF_PAST}}}, ["standalone", "gift"]),
        ({"created_at": {"conditions": {"$before": HALF_PAST}}}, ["discount", "card"]),
        (
            {
                "junction": "or",
                "voucher_type": {"conditions": {"$is": "LOYALTY_CARD"}},
                "campaign_type": {"conditions": {"$is": "GIFT_VOUCHERS"}},
            },
            ["gift", "card"],
        ),
        (
            {
                "junction": "and",
                "voucher_type": {"conditions": {"$is": "DISCOUNT_VOUCHER"}},
                "campaign_type": {"conditions": {"$has_value": ""}},
            },
            ["discount"],
        ),
    ],
)
def test_filters_narrow_the_list(
    client: Client, loyalty_fake: LoyaltyFake, filters: dict[str, Any], kept: list[str]
) -> None:
    """Each field of the spec's filters, its conditions and the junction."""
    codes = _wallet(loyalty_fake)
    listed = _ok(client.list_customer_redeemables("alice", filter_params(client, filters)))
    assert _codes(listed) == [codes[name] for name in kept]


def test_filters_by_id_redeemable_id_and_campaign_id(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The holder's id (rh_), redeemable_id (the voucher's v_) and campaign_id, as text."""
    codes = _wallet(loyalty_fake)
    everything = _ok(client.list_customer_redeemables("alice"))["data"]
    gift, card = everything[1], everything[3]

    def kept(filters: dict[str, Any]) -> list[str]:
        params = filter_params(client, filters)
        return _codes(_ok(client.list_customer_redeemables("alice", params)))

    assert kept({"id": {"conditions": {"$is": gift["id"]}}}) == [codes["gift"]]
    assert kept({"redeemable_id": {"conditions": {"$is": card["redeemable_id"]}}}) == [
        codes["card"]
    ]
    assert kept({"campaign_id": {"conditions": {"$is": card["campaign_id"]}}}) == [codes["card"]]
    assert kept({"id": {"conditions": {"$starts_with": "rh_"}}}) == _codes({"data": everything})


def test_filters_take_lists(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """$in takes several values (the official SDK sends a list as Python's repr)."""
    codes = _wallet(loyalty_fake)
    key = "filters[voucher_type][conditions][$in]"
    params = {f"{key}[0]": "GIFT_VOUCHER", f"{key}[1]": "LOYALTY_CARD"}
    assert _codes(_ok(http.list_customer_redeemables("alice", params))) == [
        codes["gift"],
        codes["card"],
    ]
    key = "filters[campaign_type][conditions][$not_in]"
    params = {f"{key}[0]": "GIFT_VOUCHERS", f"{key}[1]": "LOYALTY_PROGRAM"}
    assert _codes(_ok(http.list_customer_redeemables("alice", params))) == [
        codes["standalone"],
        codes["discount"],
    ]


def test_statuses(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """DISABLED, NOT_ACTIVE_YET, EXPIRED, USED and NO_BALANCE, as a redemption would refuse it."""
    fake = loyalty_fake
    fake.create_loyalty_program("Club", vouchers_count=1)
    card = fake.add_member("Club", ALICE)["code"]
    _made(fake, "POST", f"/v1/vouchers/{card}/disable")
    later = {**TEN_OFF, "start_date": "2024-04-01T00:00:00Z"}
    over = {**TEN_OFF, "expiration_date": "2024-02-01T00:00:00Z"}
    once = {**TEN_OFF, "redemption": {"quantity": 1}}
    for code, body in (("LATER", later), ("OVER", over), ("ONCE", once), ("GIFT", GIFT)):
        _made(fake, "POST", f"/v1/vouchers/{code}", body)
        _publish(fake, voucher=code)
    redeem = {"customer": ALICE, "order": {"amount": 10000}}
    redeem["redeemables"] = [
        {"object": "voucher", "id": "ONCE"},
        {"object": "voucher", "id": "GIFT", "gift": {"credits": 5000}},
    ]
    _made(fake, "POST", "/v1/redemptions", redeem)
    listed = _ok(client.list_customer_redeemables("alice", {"order": "id"}))
    statuses = {
        item["redeemable"]["voucher"]["code"]: item["redeemable"]["status"]
        for item in listed["data"]
    }
    assert statuses == {
        card: "DISABLED",
        "LATER": "NOT_ACTIVE_YET",
        "OVER": "EXPIRED",
        "ONCE": "USED",
        "GIFT": "NO_BALANCE",
    }


def test_deleted_vouchers_and_programs_leave_the_list(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A voucher deleted (to the bin or for good), or its program deleted, is not held any more."""
    codes = _wallet(loyalty_fake)
    assert loyalty_fake.request("DELETE", f"/v1/vouchers/{codes['gift']}").status == 204
    assert loyalty_fake.request("DELETE", "/v1/vouchers/WELCOME?force=true").status == 204
    assert _codes(_ok(client.list_customer_redeemables("alice"))) == [
        codes["discount"],
        codes["card"],
    ]
    assert loyalty_fake.request("DELETE", "/v1/loyalties/Club").status == 200
    assert loyalty_fake.request("DELETE", "/v1/campaigns/Ten%20off?force=true").status == 202
    assert _ok(client.list_customer_redeemables("alice"))["data"] == []


def test_a_customer_holding_nothing_has_an_empty_list(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A customer without cards or vouchers: an empty list."""
    loyalty_fake.request("POST", "/v1/customers", json_body={"source_id": "carol"})
    assert _ok(client.list_customer_redeemables("carol")) == {
        "object": "list",
        "data_ref": "data",
        "data": [],
        "total": 0,
        "has_more": False,
    }


def test_an_unknown_customer_is_404(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An unknown (or deleted) customer: 404 not_found, as the other customer endpoints."""
    _wallet(loyalty_fake)
    for ref in ("nobody", "cust_nope"):
        reply = client.list_customer_redeemables(ref)
        assert reply.status == 404
        assert reply.body["key"] == "not_found"
        assert (reply.body["resource_type"], reply.body["resource_id"]) == ("customer", ref)
        same = client.get_customer(ref).body
        assert reply.body == {**same, "request_id": reply.body["request_id"]}
    assert loyalty_fake.request("DELETE", "/v1/customers/alice").status == 204
    assert client.list_customer_redeemables("alice").status == 404


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=ten",
        "order=created_at",
        "starting_after_id=rh_000000000000000000",
        "filters[colour][conditions][$is]=red",
        "filters[voucher_type][conditions][$contains]=CARD",
        "filters[created_at][conditions][$after]=yesterday",
        "filters[junction]=xor",
        "filters[voucher_type][$is]=LOYALTY_CARD",
    ],
)
def test_bad_queries_are_refused(client: Client, loyalty_fake: LoyaltyFake, query: str) -> None:
    """Each is 400 invalid_query_params, Voucherify's envelope; nothing is listed."""
    _wallet(loyalty_fake)
    reply = client.request("GET", f"{WALLET}?{query}")
    assert (reply.status, reply.body["key"]) == (400, "invalid_query_params")
    assert set(reply.body) >= {"code", "key", "message", "details", "request_id"}


def test_the_list_survives_a_snapshot() -> None:
    """A restored fake lists the same holders, IDs and moments: nothing is stored to lose."""
    fake = LoyaltyFake(seed=3, now="2024-03-01T10:00:00Z")
    _wallet(fake)
    before = fake.request("GET", WALLET).json()
    restored = LoyaltyFake(seed=3)
    assert restored.ledger.restore(fake.ledger.snapshot())
    assert restored.request("GET", WALLET).json() == before
