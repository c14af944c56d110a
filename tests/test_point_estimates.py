"""Estimating loyalty points: the order.paid rules applied to an order, nothing written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

RULES = [
    {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 5}},
    {
        "event": "order.paid",
        "loyalty": {
            "type": "PROPORTIONAL",
            "calculation_type": "ORDER_AMOUNT",
            "order": {"amount": {"every": 1000, "points": 2}},
        },
    },
    # Another event's rule earns nothing here.
    {
        "event": "signed_up",
        "loyalty": {"type": "FIXED", "points": 100},
        "custom_event": {"schema_id": "ms_signed_up"},
    },
]


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _refused(reply: Any, status: int, key: str) -> dict[str, Any]:
    assert (reply.status, reply.body["key"]) == (status, key), reply.body
    body: dict[str, Any] = reply.body
    return body


def _program(client: Client, **fields: Any) -> tuple[dict[str, Any], str]:
    program = make_program(client, **fields)
    _ok(client.create_earning_rules(program["id"], RULES[:2]))
    code = _ok(client.add_member(program["id"], {"customer": {"source_id": "alice"}}))["code"]
    return program, code


def test_a_members_estimate_sums_the_order_paid_rules(client: Client) -> None:
    """5 fixed and 2 every 1000 cents of 5500: 15 points; the card, orders, customers unchanged."""
    program, code = _program(client)
    body = {"customer": {"source_id": "alice"}, "order": {"amount": 5500}}
    estimate = _ok(client.estimate_points(program["id"], body))
    assert estimate == {
        "campaign": {"id": program["id"], "name": "Coffee Club", "object": "campaign"},
        "points_estimation": 15,
    }
    assert _ok(client.get_member(code, program["id"]))["loyalty_card"]["balance"] == 0
    assert _ok(client.list_orders())["orders"] == []
    assert _ok(client.estimate_points("Coffee Club", body))["points_estimation"] == 15


def test_an_existing_order_is_estimated_and_inline_fields_take_precedence(client: Client) -> None:
    """An order named by source_id is read (even paid); a given amount wins over its own."""
    program, _ = _program(client)
    _ok(client.create_order({"source_id": "o-1", "amount": 3000, "status": "PAID"}))
    named = {"customer": {"source_id": "alice"}, "order": {"source_id": "o-1"}}
    assert _ok(client.estimate_points(program["id"], named))["points_estimation"] == 11
    inline = {"customer": {"id": "alice"}, "order": {"source_id": "o-1", "amount": 10000}}
    assert _ok(client.estimate_points(program["id"], inline))["points_estimation"] == 25


def test_a_newcomer_is_estimated_only_where_the_program_auto_joins(client: Client) -> None:
    """Without auto_join: 400 campaign_not_allow_auto_join; with it the estimate, no one joining."""
    program, _ = _program(client)
    newcomer = {"customer": {"source_id": "bob"}, "order": {"amount": 1000}}
    refused = _refused(
        client.estimate_points(program["id"], newcomer), 400, "campaign_not_allow_auto_join"
    )
    assert refused["message"] == (
        f"Loyalty campaign '{program['id']}' does not allow auto-join for non-members"
    )
    joining, _ = _program(client, name="Open Club", auto_join=True)
    assert _ok(client.estimate_points(joining["id"], newcomer))["points_estimation"] == 7
    members = _ok(client.list_members(joining["id"]))["vouchers"]
    assert len(members) == 1


def test_an_inactive_program_or_card_is_refused(client: Client) -> None:
    """A disabled card: loyalty_card_not_active; a disabled program: campaign_not_active."""
    program, code = _program(client)
    body = {"customer": {"source_id": "alice"}, "order": {"amount": 1000}}
    _ok(client.disable_voucher(code))
    refused = _refused(client.estimate_points(program["id"], body), 400, "loyalty_card_not_active")
    assert refused["message"] == f"Customer's loyalty card '{code}' is not active"
    _ok(client.disable_campaign(program["id"]))
    refused = _refused(client.estimate_points(program["id"], body), 400, "campaign_not_active")
    assert refused["details"] == "Given campaign is not active"


def test_bad_input_is_refused(client: Client) -> None:
    """No customer or order object: 400 invalid_payload; an unknown program: 404 not_found."""
    program, _ = _program(client)
    path = f"/v1/loyalties/{program['id']}/qualifications"
    missing = _refused(
        client.request("POST", path, {"order": {"amount": 1}}), 400, "invalid_payload"
    )
    assert missing["details"] == "Property .customer must be object"
    missing = _refused(
        client.request("POST", path, {"customer": {"source_id": "alice"}}), 400, "invalid_payload"
    )
    assert missing["details"] == "Property .order must be object"
    body = {"customer": {"source_id": "alice"}, "order": {"amount": 1}}
    _refused(client.estimate_points("camp_nope", body), 404, "not_found")
