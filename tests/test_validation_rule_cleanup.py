"""Deleting what a validation rule is assigned to drops the assignment, over every client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

RULE: dict[str, Any] = {
    "name": "Order over $100",
    "rules": {
        "1": {"name": "order.amount", "conditions": {"$more_than": [10000]}, "rules": {}},
        "logic": "1",
    },
}
TEN_OFF = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1000}}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _assign(client: Client, rule_id: str, kind: str, related_id: str) -> str:
    body = {"related_object_type": kind, "related_object_id": related_id}
    assignment_id: str = _ok(client.assign_validation_rule(rule_id, body))["id"]
    return assignment_id


def _assigned(client: Client, rule_id: str) -> list[str]:
    return [a["id"] for a in _ok(client.list_rule_assignments(rule_id))["data"]]


def test_a_voucher_deleted_for_good_drops_its_assignments(client: Client) -> None:
    """In the bin a voucher keeps them; deleted for good (force) it takes them along."""
    rule = _ok(client.create_validation_rule(RULE))["id"]
    _ok(client.create_voucher("TEN-OFF", TEN_OFF))
    _ok(client.create_voucher("KEPT", TEN_OFF))
    kept = _assign(client, rule, "voucher", "KEPT")
    _assign(client, rule, "voucher", "TEN-OFF")
    assert client.delete_voucher("TEN-OFF", force=True).status == 204
    assert _assigned(client, rule) == [kept]
    assert _ok(client.get_validation_rule(rule))["assignments_count"] == 1
    assert client.delete_voucher("KEPT").status == 204
    assert _assigned(client, rule) == [kept]


def test_a_reward_assignment_deleted_drops_its_rules(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A reward no longer offered leaves no rule assigned to its offer."""
    make_program(client)
    mug = loyalty_fake.create_reward("Mug", parameters={"product": {"id": "prod_mug"}})
    offer = loyalty_fake.assign_reward("Coffee Club", mug["id"], points=100)
    rule = _ok(client.create_validation_rule(RULE))["id"]
    _assign(client, rule, "reward_assignment", offer["id"])
    assert client.delete_assignment("Coffee Club", offer["id"]).status == 204
    assert _assigned(client, rule) == []


def test_a_program_deleted_for_good_drops_every_assignment_of_it(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The program's own, its cards', earning rules' and reward offers' assignments go."""
    program = make_program(client, vouchers_count=1)
    card = loyalty_fake.cards(program["id"])[0]
    earning = {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 10}}
    earning_id = _ok(client.create_earning_rules("Coffee Club", [earning]))[0]["id"]
    mug = loyalty_fake.create_reward("Mug", parameters={"product": {"id": "prod_mug"}})
    offer = loyalty_fake.assign_reward("Coffee Club", mug["id"], points=100)
    rule = _ok(client.create_validation_rule(RULE))["id"]
    _assign(client, rule, "campaign", program["id"])
    _assign(client, rule, "voucher", card["code"])
    _assign(client, rule, "earning_rule", earning_id)
    _assign(client, rule, "reward_assignment", offer["id"])
    assert len(_assigned(client, rule)) == 4
    assert client.delete_program("Coffee Club", force=True).status == 200
    assert _assigned(client, rule) == []
