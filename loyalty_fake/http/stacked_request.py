"""A stacked validation's or redemption's body, read (``/v1/validations``, ``/v1/redemptions``)."""

from __future__ import annotations

from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE, customer_ref
from loyalty_fake.http.declare import NON_EMPTY
from loyalty_fake.http.orders import order_input
from loyalty_fake.http.params import MAX_INTEGER, Body
from loyalty_fake.ledger.redeemables import RedeemableRequest
from loyalty_fake.ledger.stacking import MAX_REDEEMABLES, StackedRequest
from loyalty_fake.ledger.validation_sessions import DEFAULT_SESSION, SESSION_UNITS

__all__ = ["STACKED_BODY", "stacked_request"]

_REDEEMABLE: Schema = {
    "type": "object",
    "required": ["object", "id"],
    "properties": {
        "object": enum("voucher", "promotion_tier", "promotion_stack"),
        "id": NON_EMPTY,
        "reward": {
            "type": "object",
            "properties": {
                "id": NON_EMPTY,
                "points": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
            },
        },
        "gift": {
            "type": "object",
            "properties": {"credits": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}},
        },
    },
}
STACKED_BODY: Schema = {
    "type": "object",
    "required": ["redeemables"],
    "properties": {
        "redeemables": {
            "type": "array",
            "items": _REDEEMABLE,
            "minItems": 1,
            "maxItems": MAX_REDEEMABLES,
        },
        "order": {"type": "object"},
        "customer": CUSTOMER_REFERENCE,
        "session": {
            "type": "object",
            "properties": {
                "key": NON_EMPTY,
                "type": enum("LOCK"),
                "ttl": {"type": "number", "exclusiveMinimum": 0},
                "ttl_unit": enum(*SESSION_UNITS),
            },
        },
        "tracking_id": STRING,
        "metadata": FREE_OBJECT,
        "options": {
            "type": "object",
            "properties": {
                "expand": {
                    "type": "array",
                    "items": enum("order", "redemption", "redeemable", "category"),
                }
            },
        },
    },
}


def _redeemable(item: Body) -> RedeemableRequest:
    kind = item.choice("object", ("voucher", "promotion_tier", "promotion_stack"))
    code = item.string("id", non_empty=True)
    if kind is None:
        item.require("object")
    if code is None:
        item.require("id")
    reward = item.obj("reward")
    gift = item.obj("gift")
    return RedeemableRequest(
        object=kind or "",
        id=code or "",
        reward_id=reward.string("id", non_empty=True) if reward is not None else None,
        points=reward.integer("points", minimum=1) if reward is not None else None,
        gift_credits=gift.integer("credits", minimum=0) if gift is not None else None,
    )


def _expand(body: Body) -> set[str]:
    """``options.expand``: which parts the answer expands."""
    options = body.obj("options")
    raw = options.data.get("expand") if options is not None else None
    if raw is None:
        return set()
    if not isinstance(raw, list) or not all(isinstance(each, str) for each in raw):
        assert options is not None  # noqa: S101 - raw came from it
        options.fail("expand", "must be array of strings")
    return set(raw)


def stacked_request(body: Body) -> tuple[StackedRequest, set[str]]:
    """The request's body read, and ``options.expand``; 400 ``invalid_payload`` otherwise."""
    body.require("redeemables")
    raw = body.data["redeemables"]
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        body.fail("redeemables", "must be array of objects")
    if not raw:
        body.fail("redeemables", "must NOT have fewer than 1 items")
    if len(raw) > MAX_REDEEMABLES:
        body.fail("redeemables", f"must NOT have more than {MAX_REDEEMABLES} items")
    redeemables = tuple(
        _redeemable(Body(item, f"{body.path}.redeemables[{n}]")) for n, item in enumerate(raw)
    )
    order_body = body.obj("order")
    order = order_input(order_body, identified=True) if order_body is not None else None
    customer = customer_ref(body) if body.data.get("customer") is not None else None
    tracking = body.string("tracking_id")
    if customer is None and tracking:
        customer = customer_ref(Body({"customer": {"source_id": tracking}}, body.path))
    session = None
    session_body = body.obj("session")
    if session_body is not None:
        session_body.choice("type", ("LOCK",))
        key = session_body.string("key", non_empty=True)
        ttl_raw = session_body.data.get("ttl")
        if ttl_raw is not None and (
            isinstance(ttl_raw, bool) or not isinstance(ttl_raw, int | float) or ttl_raw <= 0
        ):
            session_body.fail("ttl", "must be a number > 0")
        unit = session_body.choice("ttl_unit", tuple(SESSION_UNITS))
        ttl = float(ttl_raw) if ttl_raw is not None else float(DEFAULT_SESSION[0])
        if ttl > MAX_INTEGER:
            session_body.fail("ttl", f"must be <= {MAX_INTEGER}")
        session = (key, ttl, unit or DEFAULT_SESSION[1])
    expand = _expand(body)
    request = StackedRequest(
        redeemables=redeemables,
        order=order,
        customer=customer,
        metadata=body.mapping("metadata"),
        session=session,
    )
    return request, expand
