"""Custom events (POST /v1/events): a missing customer is made, and the event's rules earn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

PAGE_VIEW = {
    "event": "page_view",
    "custom_event": {"schema_id": "ms_page_view"},
    "loyalty": {"type": "FIXED", "points": 3},
    "source": {"banner": "Custom Event"},
}
VOLUME = {
    "event": "cart_abandoned",
    "custom_event": {"schema_id": "ms_cart"},
    "loyalty": {
        "type": "PROPORTIONAL",
        "calculation_type": "CUSTOM_EVENT_METADATA",
        "custom_event": {"metadata": {"every": 2, "points": 5, "property": "number"}},
    },
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _balance(client: Client, code: str) -> int:
    balance: int = _ok(client.get_member(code))["loyalty_card"]["balance"]
    return balance


def _setup(client: Client, fake: LoyaltyFake, *rules: dict[str, Any], **program: Any) -> str:
    make_program(client, **program)
    _ok(client.create_earning_rules("Coffee Club", list(rules)))
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    return code


def test_tracking_answers_the_event(client: Client) -> None:
    """The answer is the event, its customer (made now) and its metadata; referral, loyalty null."""
    event = _ok(
        client.track_event(
            {
                "event": "cart_abandoned",
                "customer": {"source_id": "ada", "name": "Ada"},
                "metadata": {"number": 1},
            }
        )
    )
    customer = _ok(client.get_customer("ada"))
    assert event == {
        "object": "event",
        "type": "cart_abandoned",
        "customer": {
            "id": customer["id"],
            "source_id": "ada",
            "name": "Ada",
            "metadata": {},
            "object": "customer",
        },
        "referral": None,
        "loyalty": None,
        "metadata": {"number": 1},
    }


def test_a_custom_event_earns(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A custom event rule awards its points, naming the event, its schema and the rule."""
    code = _setup(client, loyalty_fake, PAGE_VIEW)
    _ok(client.track_event({"event": "page_view", "customer": {"source_id": "ada"}}))
    assert _balance(client, code) == 3
    (accrual,) = [
        t for t in _ok(client.list_transactions(code))["data"] if t["type"] == "POINTS_ACCRUAL"
    ]
    details = accrual["details"]
    assert details["event"]["type"] == "customer.custom_event"
    assert details["custom_event"] == {"id": details["event"]["id"], "type": "page_view"}
    assert details["event_schema"] == {"id": "ms_page_view", "name": "page_view"}
    assert details["earning_rule"]["source"] == {"banner": "Custom Event"}
    assert "order" not in details


def test_each_event_earns_again(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Every event tracked earns: three page views, three awards."""
    code = _setup(client, loyalty_fake, PAGE_VIEW)
    for _ in range(3):
        _ok(client.track_event({"event": "page_view", "customer": {"source_id": "ada"}}))
    assert _balance(client, code) == 9


def test_event_metadata_proportion(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """CUSTOM_EVENT_METADATA counts the event's metadata property: 5 points every 2."""
    code = _setup(client, loyalty_fake, VOLUME)
    body = {"event": "cart_abandoned", "customer": {"source_id": "ada"}, "metadata": {"number": 5}}
    _ok(client.track_event(body))
    assert _balance(client, code) == 10


def test_another_event_earns_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An event no rule names is tracked and awards nothing."""
    code = _setup(client, loyalty_fake, PAGE_VIEW)
    _ok(client.track_event({"event": "signed_up", "customer": {"source_id": "ada"}}))
    assert _balance(client, code) == 0


def test_loyalty_code_attributes_the_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """loyalty.code sends the event to that card's program only."""
    code = _setup(client, loyalty_fake, PAGE_VIEW)
    make_program(client, "Tea Club")
    _ok(client.create_earning_rules("Tea Club", [PAGE_VIEW]))
    tea = loyalty_fake.add_member("Tea Club", {"source_id": "ada"})["code"]
    body = {"event": "page_view", "customer": {"source_id": "ada"}, "loyalty": {"code": tea}}
    _ok(client.track_event(body))
    assert (_balance(client, code), _balance(client, tea)) == (0, 3)


def test_an_unknown_card_is_404(client: Client) -> None:
    """A loyalty.code no card has is 404, and no customer is made."""
    body = {"event": "page_view", "customer": {"source_id": "zed"}, "loyalty": {"code": "NOPE"}}
    reply = client.track_event(body)
    assert (reply.status, reply.body["resource_type"]) == (404, "voucher")
    assert client.get_customer("zed").status == 404


def test_auto_join_on_a_custom_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A program that auto-joins makes the customer a member on an event its rule awards."""
    _setup(client, loyalty_fake, PAGE_VIEW, auto_join=True)
    _ok(client.track_event({"event": "page_view", "customer": {"source_id": "bob"}}))
    assert _ok(client.get_customer("bob"))["loyalty"]["points"] == 3


def test_referral_is_accepted(client: Client) -> None:
    """A referral is taken (the fake has no referral programs) and answered null."""
    body = {
        "event": "user_subscribed",
        "customer": {"source_id": "ada"},
        "referral": {"code": "46jL0kYI", "referrer_id": "cust_Vzck5i8U3OhcEUFY6MKhN9Rv"},
    }
    assert _ok(client.track_event(body))["referral"] is None


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"customer": {"source_id": "ada"}}, "Payload must have required property 'event'"),
        ({"event": "x"}, "Payload must have required property 'customer'"),
        (
            {"event": "", "customer": {"source_id": "ada"}},
            "Property .event must NOT have fewer than 1 characters",
        ),
        (
            {"event": "x", "customer": {"name": "A"}},
            "Property .customer must have required property 'id' or 'source_id'",
        ),
        (
            {"event": "x", "customer": {"source_id": "ada"}, "loyalty": {}},
            "Property .loyalty must have required property 'code'",
        ),
        (
            {"event": "x", "customer": {"source_id": "ada"}, "metadata": [1]},
            "Property .metadata must be object",
        ),
    ],
)
def test_bad_events_are_refused(http: RequestsClient, body: dict[str, Any], details: str) -> None:
    """An event the spec would refuse is 400 invalid_payload, and makes no customer."""
    reply = http.track_event(body)
    assert (reply.status, reply.error_key, reply.body["details"]) == (
        400,
        "invalid_payload",
        details,
    )
    assert _ok(http.list_customers())["total"] == 0


@pytest.mark.parametrize("name", ["order.paid", "customer.segment.entered", "customer.order.paid"])
def test_a_built_in_event_name_is_refused(
    client: Client, loyalty_fake: LoyaltyFake, name: str
) -> None:
    """A custom event named like Voucherify's own is 400 and pays no order.paid rule."""
    code = _setup(
        client,
        loyalty_fake,
        {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 10}},
    )
    reply = client.track_event({"event": name, "customer": {"source_id": "ada"}})
    assert (reply.status, reply.error_key) == (400, "invalid_payload")
    assert reply.body["details"] == (
        f"Property .event {name} is the name of a Voucherify event; "
        "a custom event needs a name of its own"
    )
    assert _balance(client, code) == 0
