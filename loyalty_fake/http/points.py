"""A member's points: balance changes, transactions, points expiration and activity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.activity_json import activity_json
from loyalty_fake.http.common_json import (
    DATE,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    cursor_list_json,
    enum,
)
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.members import MEMBER, MEMBER_BY_CODE, member_of
from loyalty_fake.http.paging import LIMIT, PAGE, STARTING_AFTER
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.points_json import balance_json, bucket_json, transaction_json
from loyalty_fake.ledger import TRANSACTION_FILTERS

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_CHANGE_BALANCE: Schema = {
    "type": "object",
    "required": ["points"],
    "properties": {
        "points": {
            "type": "integer",
            "minimum": -MAX_INTEGER,
            "maximum": MAX_INTEGER,
            "not": const(0),
        },
        "expiration_type": enum("PROGRAM_RULES", "CUSTOM_DATE", "NON_EXPIRING"),
        "expiration_date": {"anyOf": [DATE, TIMESTAMP]},
        "reason": STRING,
        "source_id": STRING,
    },
}

_TRANSACTION_QUERY = [
    LIMIT,
    query("order", enum("id", "-id"), "Default -id."),
    STARTING_AFTER,
    filters_parameter(TRANSACTION_FILTERS),
]

_ACTIVITY_QUERY = [
    LIMIT,
    query("order", enum("created_at", "-created_at"), "Default -created_at."),
    STARTING_AFTER,
]


_EXPIRATION_TYPES = ("PROGRAM_RULES", "CUSTOM_DATE", "NON_EXPIRING")


def change_balance(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties/[{campaignId}/]members/{memberId}/balance``: add or remove points."""
    body = Body(parse_json_body(call.request))
    body.require("points")
    points = body.integer("points")
    if points == 0:
        body.fail("points", "must not be equal to 0")
    # The usual change is points alone: no option to read, each its defaults.
    options = _balance_options(body) if len(body.data) > 1 else {}
    transaction = call.session.points.change_balance(
        call.params["memberId"],
        points or 0,
        campaign_ref=call.params.get("campaignId"),
        **options,
    )
    # The card the change was made on (memberId may be its v_ ID): found, not looked up again.
    card = call.session.project.cards[transaction.card_code]
    return 200, balance_json(transaction, card)


def _balance_options(body: Body) -> dict[str, Any]:
    """A balance change's options: how its points expire, why, and its ``source_id``."""
    return {
        "expiration_type": body.choice("expiration_type", _EXPIRATION_TYPES),
        "expiration_date": body.timestamp("expiration_date"),
        "reason": body.string("reason"),
        "source_id": body.string("source_id"),
    }


def list_transactions(call: Call) -> tuple[int, Any]:
    """``GET .../members/{memberId}/transactions``: the card's point movements, cursor-paged."""
    query = Query(call.request.query)
    cursor = paging.cursor(query)
    order = query.choice("order", ("id", "-id"), "-id")
    filters = parse_filters(query.pairs, TRANSACTION_FILTERS)
    card, ordered = call.session.points.transactions(
        call.params["memberId"], call.params.get("campaignId"), filters
    )
    if order == "-id":
        ordered.reverse()
    page, has_more = cursor.of(ordered, [t.id for t in ordered])
    return 200, cursor_list_json([transaction_json(t, card) for t in page], has_more)


def list_points_expiration(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/members/{memberId}/points-expiration``: active buckets."""
    query = Query(call.request.query)
    page = paging.page(query)
    card = member_of(call)
    data = [bucket_json(b, card) for b in page.of(card.buckets)]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(card.buckets)}


def list_activity(call: Call) -> tuple[int, Any]:
    """``GET .../members/{memberId}/activity``: the member's events, cursor-paged."""
    query = Query(call.request.query)
    cursor = paging.cursor(query)
    order = query.choice("order", ("created_at", "-created_at"), "-created_at")
    card = member_of(call)
    campaign = call.session.campaigns.get(card.campaign_id)
    holder = call.session.customers.get(card.holder_id) if card.holder_id else None
    pending = call.session.pending_points.of_card(card)
    events = [event for _, event in activity_json(card, campaign, holder, pending)]
    if order == "-created_at":
        events.reverse()
    page, has_more = cursor.of(events, [event["id"] for event in events])
    return 200, cursor_list_json(page, has_more)


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        f"{MEMBER}/balance",
        change_balance,
        Operation(
            "change_balance_in_program", "Add or remove points", "Balance", body=_CHANGE_BALANCE
        ),
    ),
    Route(
        "POST",
        f"{MEMBER_BY_CODE}/balance",
        change_balance,
        Operation(
            "change_balance", "Add or remove points by code", "Balance", body=_CHANGE_BALANCE
        ),
    ),
    Route(
        "GET",
        f"{MEMBER}/transactions",
        list_transactions,
        Operation(
            "list_transactions_in_program",
            "A card's point movements, cursor-paged",
            "TransactionsList",
            query=_TRANSACTION_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER_BY_CODE}/transactions",
        list_transactions,
        Operation(
            "list_transactions",
            "A card's point movements by code, cursor-paged",
            "TransactionsList",
            query=_TRANSACTION_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER}/points-expiration",
        list_points_expiration,
        Operation(
            "list_points_expiration",
            "A card's active points buckets",
            "PointsBucketsList",
            query=[LIMIT, PAGE],
        ),
    ),
    Route(
        "GET",
        f"{MEMBER}/activity",
        list_activity,
        Operation(
            "list_member_activity_in_program",
            "A member's events, cursor-paged",
            "MemberActivityList",
            query=_ACTIVITY_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER_BY_CODE}/activity",
        list_activity,
        Operation(
            "list_member_activity",
            "A member's events by code, cursor-paged",
            "MemberActivityList",
            query=_ACTIVITY_QUERY,
        ),
    ),
)
