"""A customer's activity: their cards' events, custom events and segments entered."""

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
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _types(body: dict[str, Any]) -> list[str]:
    return [event["type"] for event in body["data"]]


def _setup(client: Client, fake: LoyaltyFake) -> dict[str, Any]:
    """Ada joins, tracks a page view (3 points), then enters the Gold segment."""
    make_program(client)
    _ok(client.create_earning_rules("Coffee Club", [PAGE_VIEW]))
    fake.add_member("Coffee Club", {"source_id": "ada"})
    fake.clock.advance(seconds=1)
    _ok(
        client.track_event(
            {"event": "page_view", "customer": {"source_id": "ada"}, "metadata": {"n": 1}}
        )
    )
    segment: dict[str, Any] = _ok(
        client.create_segment(
            {
                "name": "Gold",
                "type": "auto-update",
                "filter": {"metadata.tier": {"conditions": {"$is": "gold"}}},
            }
        )
    )
    fake.clock.advance(seconds=1)
    _ok(client.update_customer("ada", {"metadata": {"tier": "gold"}}))
    return segment


def test_the_activity_holds_cards_events_and_segments(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Newest first: the segment entered, the points the event earned, the event, the join."""
    segment = _setup(client, loyalty_fake)
    body = _ok(client.list_customer_activity("ada"))
    assert _types(body) == [
        "customer.segment.entered",
        "customer.voucher.loyalty_card.points_added",
        "customer.custom_event",
        "customer.publication.succeeded",
    ]
    assert body["has_more"] is False
    entered, added, event = body["data"][0], body["data"][1], body["data"][2]
    assert entered["data"]["data"]["segment"] == {
        "id": segment["id"],
        "name": "Gold",
        "object": "segment",
    }
    assert added["data"]["data"]["balance"]["points"] == 3
    assert event["data"]["data"]["event"]["type"] == "page_view"
    assert event["data"]["data"]["event"]["metadata"] == {"n": 1}
    assert event["id"].startswith("evcus_")


def test_the_activity_is_paged_and_ordered(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """order=created_at is oldest first; limit and starting_after_id page through it."""
    _setup(client, loyalty_fake)
    first = _ok(client.list_customer_activity("ada", {"order": "created_at", "limit": 2}))
    assert _types(first) == ["customer.publication.succeeded", "customer.custom_event"]
    assert first["has_more"] is True
    after = first["more_starting_after"]
    rest = _ok(
        client.list_customer_activity("ada", {"order": "created_at", "starting_after_id": after})
    )
    assert _types(rest) == [
        "customer.voucher.loyalty_card.points_added",
        "customer.segment.entered",
    ]


@pytest.mark.parametrize(
    ("params", "types"),
    [
        ({"type": "customer.custom_event"}, ["customer.custom_event"]),
        ({"category": "ACTION"}, ["customer.custom_event"]),
        (
            {"campaign_type": "LOYALTY_PROGRAM"},
            ["customer.voucher.loyalty_card.points_added", "customer.publication.succeeded"],
        ),
        ({"campaign_type": "PROMOTION"}, []),
        ({"start_date": "2024-01-25T10:00:02Z"}, ["customer.segment.entered"]),
        ({"end_date": "2024-01-25T10:00:00Z"}, ["customer.publication.succeeded"]),
    ],
)
def test_the_activity_filters(
    client: Client, loyalty_fake: LoyaltyFake, params: dict[str, Any], types: list[str]
) -> None:
    """type, category, campaign_type and the dates keep the events they name."""
    _setup(client, loyalty_fake)
    assert _types(_ok(client.list_customer_activity("ada", params))) == types


def test_campaign_id_keeps_that_programs_events(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """campaign_id keeps the events of that program's card only."""
    _setup(client, loyalty_fake)
    program = _ok(client.get_program("Coffee Club"))
    body = _ok(client.list_customer_activity("ada", {"campaign_id": program["id"]}))
    assert _types(body) == [
        "customer.voucher.loyalty_card.points_added",
        "customer.publication.succeeded",
    ]


def test_the_deprecated_activities_has_a_total(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """/activities answers the same events with their total, and a date cursor."""
    _setup(client, loyalty_fake)
    body = _ok(client.list_customer_activities("ada", {"limit": 1}))
    assert body["total"] == 4
    assert _types(body) == ["customer.segment.entered"]
    older = _ok(client.list_customer_activities("ada", {"starting_after": "2024-01-25T10:00:01Z"}))
    assert _types(older) == ["customer.publication.succeeded"]


@pytest.mark.parametrize(
    "params",
    [
        {"order": "created_at"},
        {"starting_after_id": "first"},
        {"campaign_type": "LOYALTY_PROGRAM"},
        {"campaign_id": "Coffee Club"},
        {"start_date": "2024-01-25T10:00:01Z"},
        {"end_date": "2024-01-25T10:00:01Z"},
    ],
)
def test_the_deprecated_activities_filters_as_activity_does(
    client: Client, loyalty_fake: LoyaltyFake, params: dict[str, Any]
) -> None:
    """order, starting_after_id, campaign_type, campaign_id and the dates: as on /activity."""
    _setup(client, loyalty_fake)
    if params.get("campaign_id") == "Coffee Club":
        params = {"campaign_id": _ok(client.get_program("Coffee Club"))["id"]}
    if params.get("starting_after_id") == "first":
        newest = _ok(client.list_customer_activity("ada"))["data"][0]["id"]
        params = {"starting_after_id": newest}
    activity = _ok(client.list_customer_activity("ada", params))
    activities = _ok(client.list_customer_activities("ada", params))
    assert activities["data"] == activity["data"]


def test_product_id_keeps_no_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """No event the fake keeps names a product: product_id on /activities keeps none."""
    _setup(client, loyalty_fake)
    body = _ok(client.list_customer_activities("ada", {"product_id": "prod_1"}))
    assert (body["data"], body["total"]) == ([], 0)


def test_an_unknown_customer_is_404(client: Client) -> None:
    """A customer no one created is 404 not_found (customer)."""
    reply = client.list_customer_activity("nobody")
    assert (reply.status, reply.error_key) == (404, "not_found")
    assert reply.body["resource_type"] == "customer"


@pytest.mark.parametrize(
    "params",
    [{"order": "name"}, {"category": "BOTH"}, {"limit": 0}, {"start_date": "soon"}],
)
def test_bad_activity_queries_are_refused(http: RequestsClient, params: dict[str, Any]) -> None:
    """A query the spec would refuse is 400 invalid_query_params."""
    _ok(http.create_customer({"source_id": "ada"}))
    reply = http.list_customer_activity("ada", params)
    assert (reply.status, reply.error_key) == (400, "invalid_query_params")


def test_leaving_a_segment_is_in_the_activity(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer who no longer fits an auto-update segment leaves it: customer.segment.left."""
    segment = _setup(client, loyalty_fake)
    loyalty_fake.clock.advance(seconds=1)
    _ok(client.update_customer("ada", {"metadata": {"tier": "silver"}}))
    body = _ok(client.list_customer_activity("ada", {"limit": 2}))
    assert _types(body) == ["customer.segment.left", "customer.segment.entered"]
    left = body["data"][0]
    assert left["data"]["data"]["segment"] == {
        "id": segment["id"],
        "name": "Gold",
        "object": "segment",
    }
    assert left["created_at"] == "2024-01-25T10:00:03.000Z"
    assert left["id"] != body["data"][1]["id"]
