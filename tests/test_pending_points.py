"""Pending points: an order.paid rule's points wait their days, then activate at midnight."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import Request
from loyalty_fake.server import ServerApp
from loyalty_fake.server.store import Store
from tests.conftest import make_program

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Client, RequestsClient

# 10:00 UTC on 25 Jan 2024.
pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

MONTHLY = {"period_type": "MONTH", "period_value": 1}
PENDING = {
    "event": "order.paid",
    "loyalty": {"type": "FIXED", "points": 10},
    "source": {"banner": "Ten later"},
    "pending_points": {"period_type": "DAY", "period_value": 3},
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _setup(client: Client, fake: LoyaltyFake, *rules: dict[str, Any], **program: Any) -> str:
    """A program with these rules (PENDING by default) and ada as its member; her card's code."""
    make_program(client, **program)
    _ok(client.create_earning_rules("Coffee Club", list(rules or (PENDING,))))
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    return code


def _pay(client: Client, source_id: str = "order-1", **order: Any) -> dict[str, Any]:
    body = {"source_id": source_id, "status": "PAID", "customer": {"source_id": "ada"}, **order}
    paid: dict[str, Any] = _ok(client.create_order(body))
    return paid


def _card(client: Client, code: str) -> dict[str, Any]:
    card: dict[str, Any] = _ok(client.get_member(code))["loyalty_card"]
    return card


def _pending(client: Client, code: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = _ok(client.list_member_pending(code))["data"]
    return data


def _types(client: Client, code: str) -> list[str]:
    return [t["type"] for t in _ok(client.list_transactions(code, {"order": "id"}))["data"]]


def test_a_paid_order_makes_pending_points(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A rule with pending_points makes an entry, not an accrual; the card shows them apart."""
    code = _setup(client, loyalty_fake)
    order = _pay(client)
    assert _card(client, code) == {"points": 0, "balance": 0, "pending_points": 10}
    assert _types(client, code) == []
    (entry,) = _pending(client, code)
    rule = _ok(client.list_earning_rules("Coffee Club"))["data"][0]
    member = _ok(client.get_member(code))
    assert entry["id"].startswith("lopp_")
    assert (entry["voucher_id"], entry["campaign_id"]) == (member["id"], member["campaign_id"])
    assert (entry["customer_id"], entry["order_id"]) == (member["holder_id"], order["id"])
    assert (entry["points"], entry["activates_at"]) == (10, "2024-01-28")
    details = entry["details"]
    assert details["event"]["type"] == "customer.order.paid"
    assert details["earning_rule"] == {"id": rule["id"], "source": {"banner": "Ten later"}}
    assert details["order"] == {"id": order["id"], "source_id": "order-1"}
    assert rule["pending_points"] == {"period_type": "DAY", "period_value": 3}


def test_every_list_shows_the_entry(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The program's list and both member lists show the same entry."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    (entry,) = _pending(client, code)
    program = _ok(client.list_campaign_pending("Coffee Club"))
    in_program = _ok(client.list_member_pending(code, campaign="Coffee Club"))
    assert program["data"] == in_program["data"] == [entry]
    assert (program["object"], program["data_ref"], program["has_more"]) == ("list", "data", False)


def test_they_activate_at_midnight(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """At 00:00 UTC of activates_at the points reach the card: PENDING_POINTS_ACTIVATION."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    (entry,) = _pending(client, code)
    loyalty_fake.clock.set("2024-01-27T23:59:59.999Z")
    assert _card(client, code)["balance"] == 0
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    assert _card(client, code) == {"points": 10, "balance": 10}
    assert _pending(client, code) == []
    (activation,) = _ok(client.list_transactions(code))["data"]
    assert activation["type"] == "PENDING_POINTS_ACTIVATION"
    assert activation["created_at"] == "2024-01-28T00:00:00.000Z"
    assert activation["source"] == "Automation"
    balance = activation["details"]["balance"]
    assert (balance["points"], balance["balance"], balance["operation_type"]) == (
        10,
        10,
        "AUTOMATIC",
    )
    assert activation["details"]["pending_points"]["id"] == entry["id"]


def test_expiry_counts_from_activation(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Activated points expire by the program's rules counted from the activation day."""
    code = _setup(
        client,
        loyalty_fake,
        voucher={
            "type": "LOYALTY_CARD",
            "loyalty_card": {"points": 0, "expiration_rules": MONTHLY},
        },
    )
    _pay(client)
    loyalty_fake.clock.set("2024-01-30T12:00:00Z")
    card = _card(client, code)
    assert (card["next_expiration_date"], card["next_expiration_points"]) == ("2024-02-28", 10)


def test_activation_comes_before_expiry_night_by_night(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Past several midnights, each night replays in order: activation first, then expiry."""
    code = _setup(client, loyalty_fake)
    _ok(client.change_balance(code, {"points": 5, "expiration_date": "2024-01-26"}))
    _pay(client)
    loyalty_fake.clock.set("2024-03-01T00:00:00Z")
    transactions = _ok(client.list_transactions(code, {"order": "id"}))["data"]
    assert [(t["type"], t["created_at"][:10]) for t in transactions] == [
        ("POINTS_ADDITION", "2024-01-25"),
        ("POINTS_EXPIRATION", "2024-01-27"),
        ("PENDING_POINTS_ACTIVATION", "2024-01-28"),
    ]
    assert _card(client, code) == {"points": 15, "balance": 10, "expired_points": 5}


def test_on_one_night_activation_comes_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Points activating and points expiring at the same midnight: activation is recorded first."""
    code = _setup(client, loyalty_fake)
    _ok(client.change_balance(code, {"points": 5, "expiration_date": "2024-01-27"}))
    _pay(client)
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    transactions = _ok(client.list_transactions(code, {"order": "id"}))["data"]
    assert [(t["type"], t["created_at"]) for t in transactions[1:]] == [
        ("PENDING_POINTS_ACTIVATION", "2024-01-28T00:00:00.000Z"),
        ("POINTS_EXPIRATION", "2024-01-28T00:00:00.000Z"),
    ]


def test_activating_by_hand(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Activating by hand adds the points now (MANUAL); a second time is 400."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    (entry,) = _pending(client, code)
    member = _ok(client.get_member(code))
    balance = _ok(client.pending_action(code, entry["id"], "activate"))
    assert balance == {
        "points": 10,
        "total": 10,
        "balance": 10,
        "type": "loyalty_card",
        "object": "balance",
        "operation_type": "MANUAL",
        "related_object": {"type": "voucher", "id": member["id"]},
    }
    assert _pending(client, code) == []
    again = client.pending_action(code, entry["id"], "activate")
    assert (again.status, again.error_key) == (400, "invalid_pending_points_state")
    assert "Current status: 'ACTIVATED'" in again.body["details"]
    loyalty_fake.clock.set("2024-02-01T00:00:00Z")
    assert _types(client, code) == ["PENDING_POINTS_ACTIVATION"]


def test_cancelling(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Cancelling is 204; the points never come, and the entry cannot be activated."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    (entry,) = _pending(client, code)
    reply = client.pending_action(code, entry["id"], "cancel")
    assert (reply.status, reply.body) == (204, None)
    assert _pending(client, code) == []
    assert _ok(client.list_campaign_pending("Coffee Club"))["data"] == []
    loyalty_fake.clock.set("2024-02-01T00:00:00Z")
    assert _card(client, code) == {"points": 0, "balance": 0}
    for action in ("activate", "cancel"):
        again = client.pending_action(code, entry["id"], action)
        assert (again.status, again.error_key) == (400, "invalid_pending_points_state")
        assert "Current status: 'CANCELED'" in again.body["details"]


def test_adjusting(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Adjusting adds or takes pending points; leaving none or fewer is 400 invalid_amount."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    (entry,) = _pending(client, code)
    member = _ok(client.get_member(code))
    reply = _ok(client.adjust_pending(code, entry["id"], {"points": 5}))
    assert reply == {
        "points": 5,
        "total": 15,
        "object": "balance",
        "related_object": {"type": "voucher", "id": member["id"]},
        "operation_type": "MANUAL",
    }
    assert _ok(client.adjust_pending(code, entry["id"], {"points": -3}))["total"] == 12
    too_much = client.adjust_pending(code, entry["id"], {"points": -12})
    assert (too_much.status, too_much.error_key) == (400, "invalid_amount")
    assert _card(client, code) == {"points": 0, "balance": 0, "pending_points": 12}
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    assert _card(client, code) == {"points": 12, "balance": 12}


def test_unknown_entries_and_members(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An unknown entry is 404 pending_points; an unknown member 404 voucher."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    (entry,) = _pending(client, code)
    missing = client.pending_action(code, "lopp_0000000000000000ff", "activate")
    assert (missing.status, missing.body["resource_type"]) == (404, "pending_points")
    stranger = client.pending_action("NO-SUCH-CARD", entry["id"], "cancel")
    assert (stranger.status, stranger.body["resource_type"]) == (404, "voucher")
    listed = client.list_member_pending("NO-SUCH-CARD")
    assert (listed.status, listed.body["resource_type"]) == (404, "voucher")
    assert _card(client, code)["pending_points"] == 10


def test_lists_are_newest_first_and_cursor_paged(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Newest first unless order=id; limit and starting_after_id page through them."""
    code = _setup(client, loyalty_fake)
    for number in range(3):
        _pay(client, f"order-{number}")
    newest = [e["details"]["order"]["source_id"] for e in _pending(client, code)]
    assert newest == ["order-2", "order-1", "order-0"]
    oldest = _ok(client.list_member_pending(code, {"order": "id"}))["data"]
    assert [e["details"]["order"]["source_id"] for e in oldest] == newest[::-1]
    first = _ok(client.list_campaign_pending("Coffee Club", {"limit": 2}))
    assert (len(first["data"]), first["has_more"]) == (2, True)
    rest = _ok(
        client.list_campaign_pending(
            "Coffee Club", {"limit": 2, "starting_after_id": first["more_starting_after"]}
        )
    )
    assert [e["details"]["order"]["source_id"] for e in rest["data"]] == ["order-0"]
    assert rest["has_more"] is False


def test_cancelling_the_order_keeps_them(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A cancelled order's pending points stay, and activate as planned (docs/choices.md)."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    _ok(client.update_order("order-1", {"status": "CANCELED"}))
    assert len(_pending(client, code)) == 1
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    assert _card(client, code)["balance"] == 10


@pytest.mark.loyalty_fake(cancel_pending_points_with_order=True)
def test_cancelling_the_order_can_cancel_them(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With cancel_pending_points_with_order, a cancelled order's entries are cancelled too."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    _pay(client, "order-2")
    _ok(client.update_order("order-1", {"status": "CANCELED"}))
    assert [e["details"]["order"]["source_id"] for e in _pending(client, code)] == ["order-2"]
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    assert _card(client, code) == {"points": 10, "balance": 10}


def test_rules_without_pending_points_still_accrue(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A rule without pending_points accrues at once, beside one that pends."""
    now = {**PENDING, "pending_points": None, "loyalty": {"type": "FIXED", "points": 1}}
    code = _setup(client, loyalty_fake, PENDING, now)
    _pay(client)
    assert _card(client, code) == {"points": 1, "balance": 1, "pending_points": 10}


@pytest.mark.parametrize(
    ("pending", "detail"),
    [
        ({"period_type": "DAY", "period_value": 0}, ".pending_points.period_value"),
        ({"period_type": "DAY", "period_value": 91}, ".pending_points.period_value"),
        ({"period_type": "DAY", "period_value": 1.5}, ".pending_points.period_value"),
        ({"period_type": "MONTH", "period_value": 1}, ".pending_points.period_type"),
        ({"period_type": "DAY"}, "required property 'period_value'"),
        ("3", ".pending_points"),
    ],
)
def test_bad_pending_points_are_refused(http: RequestsClient, pending: Any, detail: str) -> None:
    """pending_points is a whole number of days from 1 to 90; else 400 invalid_payload.

    Over plain HTTP: the official SDK refuses such bodies before sending them.
    """
    make_program(http)
    reply = http.create_earning_rules("Coffee Club", [{**PENDING, "pending_points": pending}])
    assert (reply.status, reply.error_key) == (400, "invalid_payload")
    assert detail in reply.body["details"]
    assert _ok(http.list_earning_rules("Coffee Club"))["data"] == []


def test_pending_points_need_order_paid(client: Client) -> None:
    """Pending points "can be used only with the order.paid event"."""
    make_program(client)
    rule = {
        "event": "signed_up",
        "custom_event": {"schema_id": "ms_signed_up"},
        "loyalty": {"type": "FIXED", "points": 1},
        "pending_points": {"period_type": "DAY", "period_value": 2},
    }
    reply = client.create_earning_rules("Coffee Club", [rule])
    assert (reply.status, reply.error_key) == (400, "invalid_payload")


def test_an_update_sets_and_removes_them(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An update can set pending_points, and null removes them: points accrue at once again."""
    code = _setup(client, loyalty_fake, {**PENDING, "pending_points": None})
    rule = _ok(client.list_earning_rules("Coffee Club"))["data"][0]
    assert "pending_points" not in rule
    days = {"period_type": "DAY", "period_value": 7}
    updated = _ok(client.update_earning_rule("Coffee Club", rule["id"], {"pending_points": days}))
    assert updated["pending_points"] == days
    _pay(client)
    assert _pending(client, code)[0]["activates_at"] == "2024-02-01"
    removed = client.update_earning_rule("Coffee Club", rule["id"], {"pending_points": None})
    assert "pending_points" not in _ok(removed)
    _pay(client, "order-2")
    assert _card(client, code) == {"points": 10, "balance": 10, "pending_points": 10}


def test_member_activity_records_them(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The member's activity has the entry added, cancelled, another adjusted and activated."""
    code = _setup(client, loyalty_fake)
    _pay(client)
    _pay(client, "order-2")
    first, second = _pending(client, code)
    client.pending_action(code, first["id"], "cancel")
    _ok(client.adjust_pending(code, second["id"], {"points": 2}))
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    events = _ok(client.list_activity(code, {"order": "created_at"}))["data"]
    pending_types = [e["type"] for e in events if "pending_points" in e["type"]]
    assert pending_types == [
        "customer.voucher.loyalty_card.pending_points.added",
        "customer.voucher.loyalty_card.pending_points.added",
        "customer.voucher.loyalty_card.pending_points.canceled",
        "customer.voucher.loyalty_card.pending_points.updated",
        "customer.voucher.loyalty_card.pending_points.activated",
    ]
    updated = events[-2]["data"]["data"]
    assert (updated["pending_points"]["id"], updated["pending_points"]["points"]) == (
        second["id"],
        12,
    )
    activated = events[-1]["data"]["data"]
    assert activated["pending_points"]["id"] == second["id"]
    assert activated["balance"]["balance"] == 12


@pytest.mark.parametrize("compact", [False, True], ids=["journal", "snapshot"])
def test_a_durable_server_keeps_them_across_a_restart(tmp_path: Path, *, compact: bool) -> None:
    """Pending entries, cancelled or adjusted, come back after a restart and activate on time."""

    def open_app(fake: LoyaltyFake) -> tuple[ServerApp, Store]:
        store = Store(tmp_path / "state")
        app = ServerApp(fake, store=store)
        app.recover()
        return app, store

    def send(app: ServerApp, method: str, path: str, body: Any = None) -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        headers = {**fake.headers, "Content-Type": "application/json"}
        response = app.handle(Request.from_url(method, path, headers, raw))
        return json.loads(response.body) if response.body else None

    fake = LoyaltyFake(seed=3, now="2024-01-25T10:00:00Z")
    app, store = open_app(fake)
    send(app, "POST", "/v1/loyalties", {"name": "Coffee Club"})
    code = send(app, "POST", "/v1/loyalties/Coffee Club/members", {"customer": "ada"})["code"]
    send(app, "POST", "/v1/loyalties/Coffee Club/earning-rules", [PENDING])
    for number in range(3):
        order = {"source_id": f"o{number}", "status": "PAID", "customer": {"source_id": "ada"}}
        send(app, "POST", "/v1/orders", order)
    member = f"/v1/loyalties/members/{code}/pending-points"
    kept, adjusted, cancelled = send(app, "GET", member)["data"]
    send(app, "POST", f"{member}/{cancelled['id']}/cancel")
    send(app, "POST", f"{member}/{adjusted['id']}/balance", {"points": 4})
    if compact:
        app.compact()
    before = (send(app, "GET", member), send(app, "GET", f"/v1/loyalties/members/{code}"))
    store.close()
    restarted = LoyaltyFake(seed=3, now="2024-01-25T10:00:00Z")
    app, store = open_app(restarted)
    try:
        assert (send(app, "GET", member), send(app, "GET", f"/v1/loyalties/members/{code}")) == (
            before
        )
        restarted.clock.set("2024-01-28T00:00:00Z")
        card = send(app, "GET", f"/v1/loyalties/members/{code}")["loyalty_card"]
        assert card == {"points": 24, "balance": 24}
        assert send(app, "GET", member)["data"] == []
        assert {kept["id"], adjusted["id"]} == {
            t["details"]["pending_points"]["id"]
            for t in send(app, "GET", f"/v1/loyalties/members/{code}/transactions")["data"]
        }
    finally:
        store.close()
