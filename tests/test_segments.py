"""Customer segments: static and auto-update, a customer's segments, the rules of entering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from tests.conftest import make_program

if TYPE_CHECKING:
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

GOLD = {
    "name": "Gold members",
    "type": "auto-update",
    "filter": {"junction": "and", "metadata.tier": {"conditions": {"$is": "gold"}}},
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _customer(client: Client, source_id: str, **profile: Any) -> dict[str, Any]:
    body: dict[str, Any] = _ok(client.create_customer({"source_id": source_id, **profile}))
    return body


def _segment_ids(client: Client, ref: str) -> list[str]:
    return [segment["id"] for segment in _ok(client.list_customer_segments(ref))["data"]]


def _balance(client: Client, code: str) -> int:
    balance: int = _ok(client.get_member(code))["loyalty_card"]["balance"]
    return balance


def _rule(segment_id: str, points: int = 7) -> dict[str, Any]:
    return {
        "event": "customer.segment.entered",
        "segment": {"id": segment_id},
        "loyalty": {"type": "FIXED", "points": points},
    }


def _program_with_member(client: Client, fake: LoyaltyFake, tier: str) -> str:
    """A program, and ada, a member whose metadata tier is ``tier``; her card's code."""
    make_program(client)
    _customer(client, "ada", metadata={"tier": tier})
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    return code


def test_a_static_segment_lists_its_customers(client: Client) -> None:
    """A static segment answers as the spec shows it; its customers are in it, others not."""
    ada = _customer(client, "ada")
    _customer(client, "bob")
    segment = _ok(client.create_segment({"name": "VIP", "type": "static", "customers": ["ada"]}))
    assert segment == {
        "id": segment["id"],
        "name": "VIP",
        "created_at": "2024-01-25T10:00:00.000Z",
        "type": "static",
        "filter": None,
        "initial_sync_status": "DONE",
        "object": "segment",
    }
    assert segment["id"].startswith("seg_")
    assert _ok(client.get_segment(segment["id"])) == segment
    assert _ok(client.list_customer_segments(ada["id"])) == {
        "object": "list",
        "data_ref": "data",
        "data": [{"id": segment["id"], "name": "VIP", "object": "segment"}],
        "total": 1,
    }
    assert _segment_ids(client, "bob") == []


def test_an_auto_update_segment_takes_who_its_filter_matches(client: Client) -> None:
    """An auto-update segment holds the customers its filter matches, now and as they change."""
    _customer(client, "ada", metadata={"tier": "gold"})
    _customer(client, "bob", metadata={"tier": "silver"})
    segment = _ok(client.create_segment(GOLD))
    assert segment["filter"] == GOLD["filter"]
    assert _segment_ids(client, "ada") == [segment["id"]]
    assert _segment_ids(client, "bob") == []
    _ok(client.update_customer("bob", {"metadata": {"tier": "gold"}}))
    _ok(client.update_customer("ada", {"metadata": {"tier": "silver"}}))
    assert _segment_ids(client, "ada") == []
    assert _segment_ids(client, "bob") == [segment["id"]]


def test_the_customers_list_filters_by_segment(client: Client) -> None:
    """segment_id on the customers list keeps the customers in that segment."""
    _customer(client, "ada", metadata={"tier": "gold"})
    _customer(client, "bob", metadata={"tier": "silver"})
    segment = _ok(client.create_segment(GOLD))
    listed = _ok(client.list_customers({"segment_id": segment["id"]}))
    assert [c["source_id"] for c in listed["customers"]] == ["ada"]
    assert listed["total"] == 1


def test_an_unknown_customer_gets_the_segments_they_would_be_in(http: RequestsClient) -> None:
    """A source_id no customer has gets the auto-update segments it would match."""
    segment = _ok(
        http.create_segment(
            {
                "name": "Shop",
                "type": "auto-update",
                "filter": {"source_id": {"conditions": {"$starts_with": "shop-"}}},
            }
        )
    )
    assert _segment_ids(http, "shop-1") == [segment["id"]]
    assert _segment_ids(http, "web-1") == []


def test_a_deleted_segment_is_gone(client: Client) -> None:
    """Deleting a segment answers 204; reading or deleting it again is 404 (segment)."""
    segment = _ok(client.create_segment({"name": "VIP", "type": "static", "customers": []}))
    assert client.delete_segment(segment["id"]).status == 204
    for reply in (client.get_segment(segment["id"]), client.delete_segment(segment["id"])):
        assert (reply.status, reply.error_key) == (404, "not_found")
        assert reply.body["details"] == f"Cannot find segment with id {segment['id']}"
        assert reply.body["resource_type"] == "segment"


@pytest.mark.parametrize(
    ("body", "key", "details"),
    [
        ({"type": "static", "customers": []}, "invalid_payload", None),
        ({"name": "x", "type": "dynamic"}, "invalid_payload", None),
        ({"name": "x", "type": "auto-update"}, "invalid_payload", None),
        ({"name": "x", "type": "static"}, "invalid_payload", None),
        (
            {"name": "x", "type": "auto-update", "filter": {"tier": {"conditions": {"$is": "a"}}}},
            "invalid_payload",
            None,
        ),
        (
            {
                "name": "x",
                "type": "auto-update",
                "filter": {"created_at": {"conditions": {"$after": ["yesterday"]}}},
            },
            "invalid_payload",
            (
                "Property .filter.created_at.conditions.$after cannot be recognized as a "
                "ISO-8601 compliant date"
            ),
        ),
        (
            {
                "name": "x",
                "type": "auto-update",
                "filter": {"email": {"conditions": {"$more_than": 3}}},
            },
            "invalid_payload",
            None,
        ),
        ({"name": "x", "type": "static", "customers": ["nobody"]}, "not_found", None),
    ],
)
def test_bad_segments_are_refused(
    http: RequestsClient, body: dict[str, Any], key: str, details: str | None
) -> None:
    """A segment the spec would refuse is 400 (a missing customer 404), and none is made."""
    _customer(http, "ada", metadata={"tier": "gold"})
    reply = http.create_segment(body)
    assert reply.error_key == key, reply.body
    if details is not None:
        assert reply.body["details"] == details
    assert _segment_ids(http, "ada") == []


def test_entering_a_segment_earns_once(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer updated into a segment earns its rule once; leaving and coming back, nothing."""
    code = _program_with_member(client, loyalty_fake, "silver")
    segment = _ok(client.create_segment(GOLD))
    _ok(client.create_earning_rules("Coffee Club", [_rule(segment["id"])]))
    assert _balance(client, code) == 0
    _ok(client.update_customer("ada", {"metadata": {"tier": "gold"}}))
    assert _balance(client, code) == 7
    _ok(client.update_customer("ada", {"metadata": {"tier": "silver"}}))
    _ok(client.update_customer("ada", {"metadata": {"tier": "gold"}}))
    assert _balance(client, code) == 7
    transactions = _ok(client.list_transactions(code))["data"]
    details = transactions[0]["details"]
    assert details["event"]["type"] == "customer.segment.entered"
    assert details["earning_rule"]["source"]["banner"] == "Customer entered segment"


@pytest.mark.loyalty_fake(segment_reentry_earns=True)
def test_reentry_earning_is_a_switch(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With segment_reentry_earns, each entry after a leave earns again."""
    code = _program_with_member(client, loyalty_fake, "silver")
    segment = _ok(client.create_segment(GOLD))
    _ok(client.create_earning_rules("Coffee Club", [_rule(segment["id"])]))
    for tier in ("gold", "silver", "gold"):
        _ok(client.update_customer("ada", {"metadata": {"tier": tier}}))
    assert _balance(client, code) == 14


def test_members_at_rule_creation_get_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Customers already in the segment when its rule is created earn nothing (the docs)."""
    code = _program_with_member(client, loyalty_fake, "gold")
    segment = _ok(client.create_segment(GOLD))
    _ok(client.create_earning_rules("Coffee Club", [_rule(segment["id"])]))
    _ok(client.update_customer("ada", {"name": "Ada"}))
    assert _balance(client, code) == 0


@pytest.mark.loyalty_fake(segment_members_earn_at_rule_creation=True)
def test_members_earning_at_rule_creation_is_a_switch(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """With segment_members_earn_at_rule_creation, the new rule (only it) awards current members."""
    code = _program_with_member(client, loyalty_fake, "gold")
    segment = _ok(client.create_segment(GOLD))
    _ok(client.create_earning_rules("Coffee Club", [_rule(segment["id"])]))
    assert _balance(client, code) == 7
    _ok(client.create_earning_rules("Coffee Club", [_rule(segment["id"], points=3)]))
    assert _balance(client, code) == 10


def test_a_static_segment_entry_earns_nothing_before_its_rule(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A static segment's customers enter at its creation, before any rule can name it."""
    code = _program_with_member(client, loyalty_fake, "gold")
    segment = _ok(client.create_segment({"name": "VIP", "type": "static", "customers": ["ada"]}))
    _ok(client.create_earning_rules("Coffee Club", [_rule(segment["id"])]))
    assert _balance(client, code) == 0


def test_auto_join_on_entering_a_segment(client: Client) -> None:
    """An auto-join program's segment rule makes a customer entering the segment a member."""
    make_program(client, auto_join=True)
    segment = _ok(client.create_segment(GOLD))
    _ok(client.create_earning_rules("Coffee Club", [_rule(segment["id"])]))
    customer = _customer(client, "ada", metadata={"tier": "gold"})
    loyalty = _ok(client.get_customer(customer["id"]))["loyalty"]
    assert loyalty["campaigns"]["Coffee Club"]["points"] == 7


@pytest.mark.parametrize(
    ("rule", "status", "key"),
    [
        (
            {"event": "customer.segment.entered", "loyalty": {"type": "FIXED", "points": 1}},
            400,
            "invalid_payload",
        ),
        (_rule("seg_nope"), 404, "not_found"),
        (
            {
                "event": "customer.created",
                "custom_event": {"schema_id": "ms_1"},
                "loyalty": {"type": "FIXED", "points": 1},
            },
            400,
            "invalid_payload",
        ),
    ],
)
def test_bad_segment_rules_are_refused(
    http: RequestsClient, rule: dict[str, Any], status: int, key: str
) -> None:
    """A segment rule without an existing segment, or a custom rule named like a built-in event."""
    make_program(http)
    reply = http.create_earning_rules("Coffee Club", [rule])
    assert (reply.status, reply.error_key) == (status, key), reply.body
    assert _ok(http.list_earning_rules("Coffee Club"))["total"] == 0


def test_a_proportional_segment_rule_needs_customer_metadata(http: RequestsClient) -> None:
    """A segment rule awards FIXED or CUSTOMER_METADATA points; a custom event's ratio is 400."""
    make_program(http)
    segment = _ok(http.create_segment(GOLD))
    rule = {
        **_rule(segment["id"]),
        "loyalty": {
            "type": "PROPORTIONAL",
            "calculation_type": "CUSTOM_EVENT_METADATA",
            "custom_event": {"metadata": {"every": 1, "points": 1, "property": "n"}},
        },
    }
    reply = http.create_earning_rules("Coffee Club", [rule])
    assert (reply.status, reply.error_key) == (400, "invalid_payload")


def test_segments_survive_a_snapshot(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A restart keeps segments, their filters and who entered: a re-entry still earns nothing."""
    code = _program_with_member(http, loyalty_fake, "gold")
    segment = _ok(http.create_segment(GOLD))
    _ok(http.create_earning_rules("Coffee Club", [_rule(segment["id"])]))
    _ok(http.update_customer("ada", {"metadata": {"tier": "silver"}}))
    restored = LoyaltyFake(now="2024-01-25T10:00:00Z")
    restored.ledger.restore(loyalty_fake.ledger.snapshot())
    assert restored.request("GET", f"/v1/segments/{segment['id']}").json() == segment
    body = {"metadata": {"tier": "gold"}}
    restored.request("PUT", "/v1/customers/ada", json_body=body)
    listed = restored.request("GET", "/v1/customers/ada/segments").json()
    assert [s["id"] for s in listed["data"]] == [segment["id"]]
    assert restored.get_member(code)["loyalty_card"]["balance"] == 0
