"""A member's activity (GET .../members/{memberId}/activity): the events of its card."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, Reply, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

# Points earned on 25 January with a one-month rule can be spent through 25 February.
ONE_MONTH = {
    "type": "LOYALTY_CARD",
    "loyalty_card": {"points": 0, "expiration_rules": {"period_type": "MONTH", "period_value": 1}},
}
PUBLISHED = "customer.publication.succeeded"
POINTS_ADDED = "customer.voucher.loyalty_card.points_added"
POINTS_EXPIRED = "customer.voucher.loyalty_card.points_expired"

by_either_path = pytest.mark.parametrize(
    "under_campaign", [True, False], ids=["campaign-path", "code-path"]
)


def _member(fake: LoyaltyFake, program: str = "Coffee Club", **fields: Any) -> tuple[str, str]:
    """A new program with one member; returns the program's ID and the card's code."""
    program_id: str = fake.create_loyalty_program(program, **fields)["id"]
    code: str = fake.add_member(program_id, {"source_id": "alice"})["code"]
    return program_id, code


def _history(fake: LoyaltyFake) -> tuple[str, str]:
    """A member who joined, got 500 points, lost 200, and saw the other 300 expire."""
    program, code = _member(fake, voucher=ONE_MONTH)
    fake.clock.advance(hours=1)
    fake.add_points(code, 500, reason="Welcome")
    fake.clock.advance(days=1)
    fake.add_points(code, -200)
    fake.clock.set("2024-03-01T09:00:00Z")
    return program, code


def _events(reply: Reply) -> list[dict[str, Any]]:
    assert reply.status == 200, reply.body
    data: list[dict[str, Any]] = reply.body["data"]
    return data


def _of_type(client: Client, code: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in _events(client.list_activity(code, {"limit": 100})) if e["type"] == kind]


def _many(fake: LoyaltyFake, count: int) -> tuple[str, str]:
    """A member with a publication and ``count`` additions, an hour apart: count + 1 events."""
    program, code = _member(fake)
    for points in range(1, count + 1):
        fake.clock.advance(hours=1)
        fake.add_points(code, points)
    return program, code


def _all_pages(client: Client, code: str, order: str, limit: int) -> list[Reply]:
    pages = [client.list_activity(code, {"limit": limit, "order": order})]
    while pages[-1].body["has_more"]:
        cursor = pages[-1].body["more_starting_after"]
        params = {"limit": limit, "order": order, "starting_after_id": cursor}
        pages.append(client.list_activity(code, params))
    return pages


@by_either_path
def test_activity_lists_every_event_newest_first(
    client: Client, loyalty_fake: LoyaltyFake, under_campaign: bool
) -> None:
    """Publication, addition, removal and expiry are listed, newest first, with spec type names."""
    program, code = _history(loyalty_fake)
    events = _events(client.list_activity(code, campaign=program if under_campaign else None))
    assert [e["type"] for e in events] == [POINTS_EXPIRED, POINTS_ADDED, POINTS_ADDED, PUBLISHED]
    assert [e["created_at"] for e in events] == [
        "2024-02-26T00:00:00.000Z",
        "2024-01-26T11:00:00.000Z",
        "2024-01-25T11:00:00.000Z",
        "2024-01-25T10:00:00.000Z",
    ]


def test_event_ids_are_evcus(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Event IDs are evcus_ and 18 lowercase hex digits, each different."""
    _, code = _history(loyalty_fake)
    ids = [e["id"] for e in _events(client.list_activity(code))]
    assert all(re.fullmatch(r"evcus_[0-9a-f]{18}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_publication_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Joining writes customer.publication.succeeded with the publication, from the API."""
    program, code = _member(loyalty_fake)
    member = loyalty_fake.get_member(code)
    [event] = _events(client.list_activity(code))
    assert event["type"] == PUBLISHED
    assert event["created_at"] == "2024-01-25T10:00:00.000Z"
    assert event["data"]["event_source"] == {"channel": "API"}
    payload = event["data"]["data"]
    assert payload["customer"]["id"] == member["holder_id"]
    assert payload["customer"]["source_id"] == "alice"
    assert payload["campaign"]["id"] == program
    assert payload["campaign"]["name"] == "Coffee Club"
    publication = payload["publication"]
    assert publication["result"] == "SUCCESS"
    assert publication["voucher_code"] == code
    assert publication["customer_id"] == member["holder_id"]
    assert publication["voucher"]["id"] == member["id"]


def test_addition_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Adding points writes points_added with the balance change and its transaction."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 500, reason="Welcome")
    [transaction] = loyalty_fake.transactions(code)["data"]
    [event] = _of_type(client, code, POINTS_ADDED)
    assert event["data"]["event_source"] == {"channel": "API"}
    payload = event["data"]["data"]
    assert payload["balance"]["points"] == 500
    assert payload["balance"]["balance"] == 500
    assert payload["balance"]["operation_type"] == "MANUAL"
    assert payload["transaction"] == transaction
    assert payload["voucher"]["code"] == code


def test_removal_is_points_added_with_negative_points(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Removing points writes points_added (the spec has no removal type) with negative points."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, -200)
    newest = _events(client.list_activity(code))[0]
    assert newest["type"] == POINTS_ADDED
    payload = newest["data"]["data"]
    assert payload["balance"]["points"] == -200
    assert payload["balance"]["balance"] == 300
    assert payload["transaction"]["type"] == "POINTS_REMOVAL"


def test_expiry_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Expiry writes points_expired with the points and the expired bucket, from INTERNAL."""
    program, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, -200)
    [bucket] = client.list_points_expiration(program, code).body["data"]
    loyalty_fake.clock.set("2024-03-01T09:00:00Z")
    [event] = _of_type(client, code, POINTS_EXPIRED)
    assert event["created_at"] == "2024-02-26T00:00:00.000Z"
    assert event["data"]["event_source"] == {"channel": "INTERNAL"}
    payload = event["data"]["data"]
    assert payload["points"] == 300
    [expired] = payload["buckets"]
    assert expired["id"] == bucket["id"]
    assert expired["expires_at"] == "2024-02-25"
    assert expired["bucket"] == {"total_points": 300}
    assert payload["transaction"]["type"] == "POINTS_EXPIRATION"
    assert payload["transaction"]["details"]["balance"]["points"] == -300


def test_event_voucher_shows_the_card_at_that_moment(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """An event's voucher shows the card's balance right after that event, not today's."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, 40)
    older_addition = _events(client.list_activity(code))[1]
    payload = older_addition["data"]["data"]
    assert payload["balance"]["balance"] == 500
    assert payload["voucher"]["loyalty_card"]["balance"] == payload["balance"]["balance"]


def test_order_created_at_is_oldest_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """order=created_at lists the same events oldest first; -created_at is the default."""
    _, code = _history(loyalty_fake)
    newest_first = _events(client.list_activity(code))
    oldest_first = _events(client.list_activity(code, {"order": "created_at"}))
    explicit = _events(client.list_activity(code, {"order": "-created_at"}))
    assert oldest_first == newest_first[::-1]
    assert explicit == newest_first
    assert [e["type"] for e in oldest_first] == [
        PUBLISHED,
        POINTS_ADDED,
        POINTS_ADDED,
        POINTS_EXPIRED,
    ]


def test_events_of_one_moment_keep_their_order(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Events written at the same instant are listed in the order they happened."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 1)
    loyalty_fake.add_points(code, 2)
    events = _events(client.list_activity(code, {"order": "created_at"}))
    assert [e["type"] for e in events] == [PUBLISHED, POINTS_ADDED, POINTS_ADDED]
    assert [e["data"]["data"]["balance"]["points"] for e in events[1:]] == [1, 2]


def test_default_limit_is_ten(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without limit, a page holds ten events and says there is more."""
    _, code = _many(loyalty_fake, 11)
    reply = client.list_activity(code)
    assert len(_events(reply)) == 10
    assert reply.body["has_more"] is True


def test_has_more_points_at_the_last_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A page with more behind it has has_more true and more_starting_after its last event ID."""
    _, code = _many(loyalty_fake, 4)
    reply = client.list_activity(code, {"limit": 2})
    events = _events(reply)
    assert reply.body["has_more"] is True
    assert reply.body["more_starting_after"] == events[-1]["id"]


def test_starting_after_id_continues_the_list(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """starting_after_id gives the events after that one, in the requested order."""
    _, code = _many(loyalty_fake, 4)
    everything = _events(client.list_activity(code))
    rest = _events(client.list_activity(code, {"starting_after_id": everything[1]["id"]}))
    assert rest == everything[2:]


@pytest.mark.parametrize("order", ["created_at", "-created_at"])
@pytest.mark.parametrize("limit", [1, 2, 3, 6])
def test_pages_partition_the_list(
    client: Client, loyalty_fake: LoyaltyFake, order: str, limit: int
) -> None:
    """Following more_starting_after visits every event once, in order, then stops."""
    _, code = _many(loyalty_fake, 5)
    everything = _events(client.list_activity(code, {"order": order, "limit": 100}))
    pages = _all_pages(client, code, order, limit)
    assert [e for page in pages for e in _events(page)] == everything
    assert all(len(_events(page)) == limit for page in pages[:-1])
    assert pages[-1].body["has_more"] is False
    assert "more_starting_after" not in pages[-1].body


def test_unknown_starting_after_id_is_invalid_query_params(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A starting_after_id that is no event of this member is 400 invalid_query_params."""
    _, code = _many(loyalty_fake, 2)
    reply = client.list_activity(code, {"starting_after_id": "evcus_0000000000deadbeef"})
    assert reply.status == 400
    assert reply.error_key == "invalid_query_params"


def test_another_members_event_is_no_cursor(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An event ID of another member's activity is not a cursor here: 400 invalid_query_params."""
    program, alice = _member(loyalty_fake)
    bob = loyalty_fake.add_member(program, {"source_id": "bob"})["code"]
    bobs_event = _events(client.list_activity(bob))[0]["id"]
    reply = client.list_activity(alice, {"starting_after_id": bobs_event})
    assert reply.status == 400
    assert reply.error_key == "invalid_query_params"


def test_activity_is_per_member(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """One member's points never show in another member's activity."""
    program, alice = _member(loyalty_fake)
    bob = loyalty_fake.add_member(program, {"source_id": "bob"})["code"]
    loyalty_fake.add_points(alice, 500)
    events = _events(client.list_activity(bob))
    assert [e["type"] for e in events] == [PUBLISHED]
    assert events[0]["data"]["data"]["customer"]["source_id"] == "bob"


def test_both_paths_list_the_same_events(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The campaign path (by ID or name) and the code-only path list the same events."""
    program, code = _history(loyalty_fake)
    by_code = client.list_activity(code).body
    assert client.list_activity(code, None, program).body == by_code
    assert client.list_activity(code, None, "Coffee Club").body == by_code


@by_either_path
def test_activity_of_unknown_code_is_not_found(
    client: Client, loyalty_fake: LoyaltyFake, under_campaign: bool
) -> None:
    """The activity of an unknown code is 404 not_found, voucher."""
    program, _ = _member(loyalty_fake)
    reply = client.list_activity("NO-SUCH-CARD", None, program if under_campaign else None)
    assert reply.status == 404
    assert reply.body["resource_type"] == "voucher"


def test_activity_under_unknown_program_is_not_found(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The activity of a code under an unknown program is 404 not_found, campaign."""
    _, code = _member(loyalty_fake)
    reply = client.list_activity(code, None, "camp_NoSuchProgram")
    assert reply.status == 404
    assert reply.body["resource_type"] == "campaign"


@pytest.mark.parametrize(
    "params", [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"order": "id"}]
)
def test_bad_query_is_invalid_query_params(
    http: RequestsClient, loyalty_fake: LoyaltyFake, params: dict[str, Any]
) -> None:
    """A limit outside 1-100 or an order but (-)created_at is 400 (the SDK checks first)."""
    _, code = _member(loyalty_fake)
    reply = http.list_activity(code, params)
    assert reply.status == 400
    assert reply.error_key == "invalid_query_params"
