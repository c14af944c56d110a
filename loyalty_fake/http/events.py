"""``POST /v1/events``: track a custom event; the earning rules of that event award points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, obj
from loyalty_fake.http.customers import CUSTOMER_REFERENCE, customer_ref
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.events_json import event_json
from loyalty_fake.http.params import Body, parse_json_body

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_TRACK_EVENT: Schema = {
    "type": "object",
    "required": ["event", "customer"],
    "properties": {
        "event": NON_EMPTY,
        "customer": CUSTOMER_REFERENCE,
        "loyalty": obj({"code": NON_EMPTY}),
        # Accepted; the fake has no referral programs, so it changes nothing.
        "referral": obj({"code": NON_EMPTY}, {"referrer_id": STRING}),
        "metadata": FREE_OBJECT,
    },
}


def track_event(call: Call) -> tuple[int, Any]:
    """``POST /v1/events``: the customer is created when missing; ``loyalty.code`` names a card."""
    body = Body(parse_json_body(call.request))
    body.require("event")
    name = body.string("event", non_empty=True)
    assert name is not None  # noqa: S101 - require() and string() leave nothing else
    customer = customer_ref(body)
    loyalty = body.obj("loyalty")
    code = None
    if loyalty is not None:
        loyalty.require("code")
        code = loyalty.string("code", non_empty=True)
    referral = body.obj("referral")
    if referral is not None:
        referral.require("code")
        referral.string("code", non_empty=True)
        referral.string("referrer_id")
    tracked = call.session.events.track(
        name, customer, code=code, metadata=body.mapping("metadata")
    )
    return 200, event_json(tracked)


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/events",
        track_event,
        Operation(
            "track_custom_event",
            "Track a custom event: its earning rules award points",
            "TrackedEvent",
            body=_TRACK_EVENT,
            errors=" 404 an unknown loyalty.code (voucher) or customer id.",
        ),
    ),
)
