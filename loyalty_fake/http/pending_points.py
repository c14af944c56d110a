"""Pending points: list them per program and per member; activate, cancel, adjust by hand.

``GET /v1/loyalties/{campaignId}/pending-points``, ``GET .../members/{memberId}/pending-points``
(with and without the program), and ``POST /v1/loyalties/members/{memberId}/pending-points/
{pendingPointsId}/activate|cancel|balance``. Lists are cursor-paged by entry ID, newest first
unless ``order=id`` (the spec's example lists the newest first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import Schema, const, cursor_list_json, enum
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.members import MEMBER, MEMBER_BY_CODE
from loyalty_fake.http.paging import LIMIT, STARTING_AFTER
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.pending_points_json import pending_adjustment_json, pending_points_json
from loyalty_fake.http.points_json import balance_json

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.pending_points import PendingPoints

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {"pendingPointsId": "A pending points entry's ID (lopp_)."}

_ORDERS = ("id", "-id")
_LIST_QUERY = [
    LIMIT,
    query("order", enum(*_ORDERS), "By entry ID; default -id, the newest first."),
    STARTING_AFTER,
]
_ENTRY = f"{MEMBER_BY_CODE}/pending-points/{{pendingPointsId}}"
_ADJUST: Schema = {
    "type": "object",
    "required": ["points"],
    "properties": {
        "points": {
            "type": "integer",
            "minimum": -MAX_INTEGER,
            "maximum": MAX_INTEGER,
            "not": const(0),
        },
    },
}


def _listed(call: Call, entries: list[PendingPoints]) -> tuple[int, Any]:
    query = Query(call.request.query)
    cursor = paging.cursor(query)
    if query.choice("order", _ORDERS, "-id") == "-id":
        entries.reverse()
    page, has_more = cursor.of(entries, [entry.id for entry in entries])
    return 200, cursor_list_json([pending_points_json(entry) for entry in page], has_more)


def list_campaign_pending_points(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/pending-points``: the program's entries still pending."""
    return _listed(call, call.session.pending_points.of_campaign(call.params["campaignId"]))


def list_member_pending_points(call: Call) -> tuple[int, Any]:
    """``GET .../members/{memberId}/pending-points``: the card's entries still pending."""
    entries = call.session.pending_points.of_member(
        call.params["memberId"], call.params.get("campaignId")
    )
    return _listed(call, entries)


def activate_pending_points(call: Call) -> tuple[int, Any]:
    """``POST …/pending-points/{pendingPointsId}/activate``: the points reach the card now."""
    card, transaction = call.session.pending_points.activate(
        call.params["memberId"], call.params["pendingPointsId"]
    )
    return 200, balance_json(transaction, card)


def cancel_pending_points(call: Call) -> tuple[int, Any]:
    """``POST …/pending-points/{pendingPointsId}/cancel``: 204; the points never come."""
    call.session.pending_points.cancel(call.params["memberId"], call.params["pendingPointsId"])
    return 204, None


def adjust_pending_points(call: Call) -> tuple[int, Any]:
    """``POST …/pending-points/{pendingPointsId}/balance``: add or take away pending points."""
    body = Body(parse_json_body(call.request))
    body.require("points")
    points = body.integer("points")
    if not points:
        body.fail("points", "must not be equal to 0")
    assert points is not None  # noqa: S101 - require() and integer() leave nothing else
    card, _ = call.session.pending_points.adjust(
        call.params["memberId"], call.params["pendingPointsId"], points
    )
    return 200, pending_adjustment_json(points, card)


_STATE_ERRORS = " 400 invalid_pending_points_state: the entry was activated or cancelled."

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/loyalties/{campaignId}/pending-points",
        list_campaign_pending_points,
        Operation(
            "list_campaign_pending_points",
            "A program's pending points, newest first, cursor-paged",
            "PendingPointsList",
            query=_LIST_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER}/pending-points",
        list_member_pending_points,
        Operation(
            "list_member_pending_points_in_program",
            "A member's pending points, newest first, cursor-paged",
            "PendingPointsList",
            query=_LIST_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER_BY_CODE}/pending-points",
        list_member_pending_points,
        Operation(
            "list_member_pending_points",
            "A member's pending points by code, newest first, cursor-paged",
            "PendingPointsList",
            query=_LIST_QUERY,
        ),
    ),
    Route(
        "POST",
        f"{_ENTRY}/activate",
        activate_pending_points,
        Operation(
            "activate_member_pending_points",
            "Activate pending points now",
            "Balance",
            errors=_STATE_ERRORS,
        ),
    ),
    Route(
        "POST",
        f"{_ENTRY}/cancel",
        cancel_pending_points,
        Operation(
            "cancel_member_pending_points",
            "Cancel pending points",
            None,
            errors=_STATE_ERRORS,
        ),
    ),
    Route(
        "POST",
        f"{_ENTRY}/balance",
        adjust_pending_points,
        Operation(
            "adjust_member_pending_points",
            "Add or take away pending points",
            "PendingPointsBalance",
            body=_ADJUST,
            errors=_STATE_ERRORS + " 400 invalid_amount: the entry would have no points left.",
        ),
    ),
)
