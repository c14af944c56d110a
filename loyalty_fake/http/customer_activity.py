"""``GET /v1/customers/{customerId}/activity`` (and the deprecated ``/activities``).

A customer's events: their loyalty cards' (publications, points added, expired, spent)
and their own (custom events tracked, segments entered), filtered and paged as the spec
documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import STRING, TIMESTAMP, cursor_list_json, enum
from loyalty_fake.http.customer_activity_json import customer_activity_json
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.params import Query
from loyalty_fake.ledger.earning import CUSTOM_EVENT

if TYPE_CHECKING:
    from loyalty_fake.http.customer_activity_json import CustomerActivityEvent
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_ORDERS = ("created_at", "-created_at")
_CAMPAIGN_TYPES = (
    "PROMOTION",
    "GIFT_VOUCHERS",
    "REFERRAL_PROGRAM",
    "DISCOUNT_COUPONS",
    "LOYALTY_PROGRAM",
)
_CATEGORIES = ("ACTION", "EFFECT")
# What the customer did, as opposed to what it caused: the fake's reading of the spec's
# ACTION and EFFECT categories (docs/choices.md).
_ACTIONS = frozenset({CUSTOM_EVENT, "customer.reward_redemptions.created"})

_FILTERS = [
    query("start_date", TIMESTAMP, "Events created at or after it."),
    query("end_date", TIMESTAMP, "Events created at or before it."),
    query("campaign_id", STRING, "Only the events of this program's card."),
    query("campaign_type", enum(*_CAMPAIGN_TYPES), "LOYALTY_PROGRAM: the cards' events."),
]
_ACTIVITY_QUERY = [
    paging.LIMIT,
    query("order", enum(*_ORDERS), "Default -created_at."),
    query("starting_after_id", STRING, "The events after the one with this ID."),
    *_FILTERS,
    query("category", enum(*_CATEGORIES), "ACTION: what the customer did; EFFECT: the rest."),
    query("type", STRING, "Only events of this type."),
]
_ACTIVITIES_QUERY = [
    paging.LIMIT,
    query("order", enum(*_ORDERS), "Default -created_at."),
    query("starting_after", TIMESTAMP, "Events after it (before it, newest first)."),
    query("starting_after_id", STRING, "The events after the one with this ID."),
    *_FILTERS,
    query("product_id", STRING, "Events of this product: none (no event names a product)."),
]


def _events(call: Call, params: Query) -> list[CustomerActivityEvent]:
    """The customer's events the filters keep, in the ``order`` asked for."""
    session = call.session
    customer = session.customers.get(call.params["customerId"])
    order = params.choice("order", _ORDERS, "-created_at")
    start, end = params.moment("start_date"), params.moment("end_date")
    campaign_id = params.string("campaign_id")
    campaign_type = params.choice("campaign_type", _CAMPAIGN_TYPES, "") or None
    category = params.choice("category", _CATEGORIES, "") or None
    kind = params.string("type")
    found = [
        event
        for event in customer_activity_json(
            customer,
            session.customers.cards_of(customer.id),
            session.segments.events_of(customer.id),
        )
        if (start is None or event[0][0] >= start)
        and (end is None or event[0][0] <= end)
        and (campaign_id is None or event[1] == campaign_id)
        and (campaign_type is None or (campaign_type == "LOYALTY_PROGRAM" and event[1]))
        and (kind is None or event[2]["type"] == kind)
        and (category is None or (event[2]["type"] in _ACTIONS) == (category == "ACTION"))
    ]
    if order == "-created_at":
        found.reverse()
    return found


def list_customer_activity(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers/{customerId}/activity``: the customer's events, cursor-paged."""
    params = Query(call.request.query)
    cursor = paging.cursor(params)
    events = [event[2] for event in _events(call, params)]
    page, has_more = cursor.of(events, [event["id"] for event in events])
    return 200, cursor_list_json(page, has_more)


def list_customer_activities(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers/{customerId}/activities`` (deprecated): the same, with a total."""
    params = Query(call.request.query)
    cursor = paging.cursor(params)
    after = params.moment("starting_after")
    found = _events(call, params)
    if params.string("product_id") is not None:
        # No event the fake keeps names a product (card events, custom events, segments).
        found = []
    if after is not None:
        newest_first = params.choice("order", _ORDERS, "-created_at").startswith("-")
        found = [e for e in found if (e[0][0] < after if newest_first else e[0][0] > after)]
    events = [event[2] for event in found]
    page, _ = cursor.of(events, [event["id"] for event in events])
    return 200, {"object": "list", "data_ref": "data", "data": page, "total": len(events)}


_CUSTOMER = "/v1/customers/{customerId}"

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        f"{_CUSTOMER}/activity",
        list_customer_activity,
        Operation(
            "list_customer_activity",
            "A customer's events: their cards', custom events and segments entered",
            "CustomerActivityList",
            query=_ACTIVITY_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{_CUSTOMER}/activities",
        list_customer_activities,
        Operation(
            "list_customer_activities",
            "A customer's events (deprecated: use /activity)",
            "CustomerActivitiesList",
            query=_ACTIVITIES_QUERY,
        ),
    ),
)
