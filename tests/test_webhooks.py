"""Webhook events in-process: a subscriber hears each event of the loop once its call commits."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.ledger import Activity
from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake.webhooks import WebhookEvent
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

MONTHLY = {"period_type": "MONTH", "period_value": 1}
ONE_MONTH = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0, "expiration_rules": MONTHLY}}
PENDING = {
    "event": "order.paid",
    "loyalty": {"type": "FIXED", "points": 10},
    "pending_points": {"period_type": "DAY", "period_value": 3},
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _types(events: list[WebhookEvent]) -> list[str]:
    return [event.type for event in events]


def _join(client: Client, **program: Any) -> str:
    make_program(client, **program)
    code: str = _ok(client.add_member("Coffee Club", {"customer": {"source_id": "ada"}}))["code"]
    return code


def test_joining_and_earning_are_heard_at_once(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A join is customer.created then publication.succeeded; points are points_added."""
    events = loyalty_fake.webhooks.capture()
    code = _join(client)
    assert _types(events) == ["customer.created", "publication.succeeded"]
    _ok(client.change_balance(code, {"points": 500, "reason": "Welcome"}))
    assert _types(events)[2:] == ["voucher.loyalty_card.points_added"]


def test_a_card_event_carries_its_member_activity_payload(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The event's data is the payload GET .../members/{memberId}/activity lists for it."""
    events = loyalty_fake.webhooks.capture()
    code = _join(client)
    _ok(client.change_balance(code, {"points": 500}))
    listed = _ok(client.list_activity(code))["data"]
    assert [events[2].data, events[1].data] == [item["data"]["data"] for item in listed]
    assert events[2].data["balance"]["points"] == 500
    assert events[2].data["voucher"]["code"] == code


def test_an_event_is_voucherifys_event_object(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """id, object, webhook_id, project_id, created_at, type, data, metadata; compact JSON."""
    events = loyalty_fake.webhooks.capture()
    _join(client)
    sent = json.loads(events[0].body())
    assert list(sent) == [
        *("id", "object", "webhook_id", "project_id", "created_at", "type", "data", "metadata")
    ]
    assert sent["id"].startswith("evt_")
    assert sent["object"] == "event"
    assert sent["project_id"].startswith("proj_")
    assert sent["created_at"] == "2024-01-25T10:00:00.000Z"
    assert sent["data"]["customer"]["source_id"] == "ada"
    assert sent["metadata"] == {"source": "API"}
    assert events[0].body() == json.dumps(sent, separators=(",", ":")).encode()


def test_pending_points_are_added_then_activated(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A paid order is customer.order.paid and pending_points.added; activation follows."""
    code = _join(client)
    _ok(client.create_earning_rules("Coffee Club", [PENDING]))
    events = loyalty_fake.webhooks.capture()
    order = {"source_id": "o-1", "status": "PAID", "customer": {"source_id": "ada"}}
    _ok(client.create_order(order))
    assert _types(events) == [
        "customer.order.paid",
        "voucher.loyalty_card.pending_points.added",
    ]
    assert events[0].data["order"]["source_id"] == "o-1"
    assert events[1].data["pending_points"]["points"] == 10
    loyalty_fake.clock.advance(days=3)
    _ok(client.get_member(code))
    assert _types(events)[2:] == ["voucher.loyalty_card.pending_points.activated"]
    assert events[2].data["balance"]["points"] == 10


def test_a_reward_redemption_is_heard(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Spending points on a reward is customer.reward_redemptions.created with the reward."""
    code = _join(client)
    loyalty_fake.add_points(code, 500)
    mug = loyalty_fake.create_reward("Mug", type="MATERIAL", parameters={"product": {"id": "p"}})
    loyalty_fake.assign_reward("Coffee Club", mug["id"], 200)
    events = loyalty_fake.webhooks.capture()
    _ok(client.redeem(code, {"reward": {"id": mug["id"]}}))
    assert _types(events) == ["customer.reward_redemptions.created"]
    assert events[0].data["reward"]["id"] == mug["id"]
    assert events[0].data["balance"]["points"] == -200


def test_expiry_is_heard_from_the_fake_itself(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Points that expire are points_expired, sourced INTERNAL, at the next call after."""
    code = _join(client, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 300)
    events = loyalty_fake.webhooks.capture()
    loyalty_fake.clock.set("2024-03-01T09:00:00Z")
    _ok(client.get_member(code))
    assert _types(events) == ["voucher.loyalty_card.points_expired"]
    assert events[0].source == "INTERNAL"
    assert events[0].data["points"] == 300


def test_a_refused_request_is_heard_not_at_all(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A redemption refused for too few points sends nothing, though it got far."""
    code = _join(client)
    mug = loyalty_fake.create_reward("Mug", type="MATERIAL", parameters={"product": {"id": "p"}})
    loyalty_fake.assign_reward("Coffee Club", mug["id"], 200)
    events = loyalty_fake.webhooks.capture()
    reply = client.redeem(code, {"reward": {"id": mug["id"]}})
    assert reply.status == 400
    reply = client.change_balance(code, {"points": -1})
    assert reply.status == 400
    assert events == []


def test_a_new_activity_type_flows_through_unnamed(loyalty_fake: LoyaltyFake) -> None:
    """An activity no table names is an event of its own type and data."""
    loyalty_fake.add_member(loyalty_fake.create_loyalty_program("Club")["id"], "ada")
    [customer] = loyalty_fake.customers()
    events = loyalty_fake.webhooks.capture()
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        data = {"customer_id": customer["id"], "badge": "gold"}
        session.happened(Activity("customer.badge.earned", data))
    assert _types(events) == ["customer.badge.earned"]
    assert events[0].data["customer"]["id"] == customer["id"]


def test_a_subscriber_that_raises_fails_no_call(loyalty_fake: LoyaltyFake) -> None:
    """The call has committed: what a subscriber raises is kept in webhooks.errors."""

    def broken(_: WebhookEvent) -> None:
        raise RuntimeError("boom")

    unsubscribe = loyalty_fake.webhooks.subscribe(broken)
    program = loyalty_fake.create_loyalty_program("Club")
    assert program["name"] == "Club"
    loyalty_fake.add_member(program["id"], "ada")
    assert [str(error) for error in loyalty_fake.webhooks.errors] == ["boom", "boom"]
    unsubscribe()
    loyalty_fake.add_member(program["id"], "bob")
    assert len(loyalty_fake.webhooks.errors) == 2


def _story(fake: LoyaltyFake) -> list[bytes]:
    events = fake.webhooks.capture()
    program = fake.create_loyalty_program("Club")["id"]
    code = fake.add_member(program, "ada")["code"]
    fake.clock.advance(hours=1)
    fake.add_points(code, 120, reason="Welcome")
    fake.add_points(code, -20)
    return [event.body() for event in events]


def test_same_seed_clock_and_calls_give_the_same_bytes() -> None:
    """Two fakes with one seed and clock, called alike, send byte-identical events."""
    first = _story(LoyaltyFake(seed=7, now="2024-01-25T10:00:00Z"))
    second = _story(LoyaltyFake(seed=7, now="2024-01-25T10:00:00Z"))
    assert first == second
    assert len(first) == 4
    assert len({json.loads(body)["id"] for body in first}) == 4


def test_the_plugin_fixture_lists_the_tests_events(
    loyalty_fake: LoyaltyFake, loyalty_fake_webhooks: list[WebhookEvent]
) -> None:
    """loyalty_fake_webhooks fills as the test's calls commit."""
    program = loyalty_fake.create_loyalty_program("Club")
    loyalty_fake.add_member(program["id"], "ada")
    assert _types(loyalty_fake_webhooks) == ["customer.created", "publication.succeeded"]
