"""``/v1/validations``, ``/v1/redemptions`` (stacked, and the list) and their rollbacks.

Up to 30 redeemables with an order and a customer; a validation spends nothing, a
redemption applies all of them or none (``ledger/stacking.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE, customer_ref
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.orders import order_input
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.redemptions_json import redemption_json, rollback_json
from loyalty_fake.http.stacked_json import (
    calculated_order_json,
    parent_json,
    parent_order_json,
    parent_rollback_json,
)
from loyalty_fake.http.stacking_json import STACKING_RULES, outcome_lists, session_json
from loyalty_fake.http.voucher_redemptions_json import voucher_part_json
from loyalty_fake.ledger.redeemables import RedeemableRequest
from loyalty_fake.ledger.redemption_list import REDEMPTION_FILTERS, REDEMPTION_ORDERS
from loyalty_fake.ledger.stacking import MAX_REDEEMABLES, StackedRedemption, StackedRequest
from loyalty_fake.ledger.validation_sessions import DEFAULT_SESSION, SESSION_UNITS
from loyalty_fake.ledger.voucher_kinds import VoucherRedemption

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.stacking import Outcome

__all__ = ["PATH_PARAMETERS", "ROUTES", "stacked_body"]

PATH_PARAMETERS = {
    "parentRedemptionId": "A stacked redemption's ID (r_).",
    "sessionKey": "A validation session's key.",
}

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
_BODY: Schema = {
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
_ROLLBACKS_BODY: Schema = {
    "type": "object",
    "properties": {
        "reason": STRING,
        "tracking_id": STRING,
        "customer": {"type": "object", "properties": {"id": NON_EMPTY, "source_id": NON_EMPTY}},
        "order": {"type": "object", "properties": {"id": NON_EMPTY, "source_id": NON_EMPTY}},
        "metadata": FREE_OBJECT,
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


def _request(body: Body) -> tuple[StackedRequest, set[str]]:
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


def _campaign_name(call: Call, expand: set[str]) -> Any:
    def name(campaign_id: str) -> str | None:
        if "redeemable" not in expand:
            return None
        return call.session.campaigns.get(campaign_id).name

    return name


def _tracking_id(call: Call, request: StackedRequest) -> str | None:
    ref = request.customer
    if ref is None:
        return None
    if ref.source_id is not None:
        return ref.source_id
    found = call.session.customers.find(call.session.project, ref.id or ref.as_string or "")
    return found.source_id if found is not None else ref.as_string


def validate(call: Call) -> tuple[int, Any]:
    """``POST /v1/validations``: check each redeemable against the order; spends nothing."""
    request, expand = _request(Body(parse_json_body(call.request)))
    outcome, held = call.session.stacking.validate(request)
    order = (
        calculated_order_json(
            given=request.order, stored=None, amount=outcome.amount, discount=outcome.discount
        )
        if request.order is not None
        else None
    )
    body: dict[str, Any] = {
        "id": "valid_" + call.session.ids.chars("0123456789abcdef", 18),
        "valid": outcome.valid,
    }
    body.update(_lists(call, request, outcome, expand, order))
    if order is not None:
        body["order"] = order
    tracking = _tracking_id(call, request)
    if tracking is not None:
        body["tracking_id"] = tracking
    if held is not None:
        body["session"] = session_json(held)
    body["stacking_rules"] = dict(STACKING_RULES)
    return 200, body


def _lists(
    call: Call,
    request: StackedRequest,
    outcome: Outcome,
    expand: set[str],
    order: dict[str, Any] | None,
) -> dict[str, list[dict[str, Any]]]:
    return outcome_lists(
        request.redeemables,
        outcome,
        order_of=lambda _application: order if order is not None else None,
        request_id=call.session.ids.request_id,
        campaign_name=_campaign_name(call, expand),
    )


def _child_json(
    call: Call, child: Redemption | VoucherRedemption, *, rollback: bool
) -> dict[str, Any]:
    if isinstance(child, VoucherRedemption):
        return voucher_part_json(call.session.project, child, rollback=rollback)
    card = call.session.cards.get(child.card_code)
    campaign = call.session.campaigns.get(child.campaign_id)
    customer = call.session.customers.get(child.customer_id)
    if rollback:
        return rollback_json(child, card, campaign, customer)
    return redemption_json(child, card, campaign, customer)


def _customer(call: Call, parent: StackedRedemption) -> Any:
    if parent.customer_id is None:
        return None
    return call.session.project.customers.get(parent.customer_id)


def stacked_body(call: Call, parent: StackedRedemption, wanted: str) -> dict[str, Any]:
    """A stacked redemption, or its rollback when ``wanted`` is the rollback's ID."""
    customer = _customer(call, parent)
    if parent.rollback is not None and wanted == parent.rollback.id:
        return parent_rollback_json(parent, customer)
    return parent_json(parent, customer)


def redeem(call: Call) -> tuple[int, Any]:
    """``POST /v1/redemptions``: apply every redeemable or none; the first refusal is the error."""
    request, expand = _request(Body(parse_json_body(call.request)))
    del expand  # the answer is the same whatever is expanded
    parent, children, outcome = call.session.stacking.redeem(request)
    customer = _customer(call, parent)
    body: dict[str, Any] = {
        "redemptions": [_child_json(call, child, rollback=False) for child in children],
        "parent_redemption": parent_json(parent, customer),
    }
    order = parent_order_json(parent)
    if order is not None:
        body["order"] = order
    body["inapplicable_redeemables"] = []
    listed = _lists(call, request, outcome, set(), None)
    body["skipped_redeemables"] = listed["skipped_redeemables"]
    return 200, body


def rollback_stacked(call: Call) -> tuple[int, Any]:
    """``POST /v1/redemptions/{parentRedemptionId}/rollbacks``: undo every part."""
    query_params = Query(call.request.query)
    body = Body(parse_json_body(call.request))
    reason = query_params.string("reason") or body.string("reason")
    customer = query_params.string("tracking_id") or body.string("tracking_id")
    given = body.obj("customer")
    if given is not None:
        customer = given.string("id", non_empty=True) or given.string("source_id", non_empty=True)
    order_body = body.obj("order")
    order = None
    if order_body is not None:
        order = order_body.string("id", non_empty=True) or order_body.string(
            "source_id", non_empty=True
        )
    body.mapping("metadata")
    parent, rolled = call.session.stacking.rollback(
        call.params["parentRedemptionId"], reason=reason, customer=customer, order=order
    )
    answer: dict[str, Any] = {
        "rollbacks": [_child_json(call, child, rollback=True) for child in rolled],
        "parent_rollback": parent_rollback_json(parent, _customer(call, parent)),
    }
    made = parent_order_json(parent)
    if made is not None:
        answer["order"] = made
    return 200, answer


def release_session(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/vouchers/{code}/sessions/{sessionKey}``: release the session's lock."""
    call.session.stacking.release(call.params["code"], call.params["sessionKey"])
    return 204, None


_RESULTS = ("SUCCESS", "FAILURE")


def list_redemptions(call: Call) -> tuple[int, Any]:
    """``GET /v1/redemptions``: every redemption and rollback, newest first, filtered."""
    query_params = Query(call.request.query)
    page = paging.page(query_params)
    result = query_params.string("result")
    if result is not None and result.upper() not in _RESULTS:
        query_params.choice("result", _RESULTS, "SUCCESS")
    entries = call.session.stacking.entries(
        result=result.upper() if result is not None else None,
        campaign=query_params.string("campaign"),
        customer=query_params.string("customer"),
        order=query_params.choice("order", REDEMPTION_ORDERS, "-created_at"),
        after=query_params.timestamp("created_at", "after"),
        before=query_params.timestamp("created_at", "before"),
        filters=parse_filters(query_params.pairs, REDEMPTION_FILTERS),
        now=call.session.clock.now(),
    )
    found = entries[(page.number - 1) * page.limit : page.number * page.limit]
    return 200, {
        "object": "list",
        "data_ref": "redemptions",
        "redemptions": [_entry_json(call, kind, record) for kind, record in found],
        "total": len(entries),
    }


def _entry_json(call: Call, kind: str, record: Any) -> dict[str, Any]:
    from loyalty_fake.http.redemptions import failed_redemption_body  # noqa: PLC0415

    if kind == "parent":
        return parent_json(record, _customer(call, record))
    if kind == "parent_rollback":
        return parent_rollback_json(record, _customer(call, record))
    if kind == "failed":
        return failed_redemption_body(call, record)
    return _child_json(call, record, rollback=kind == "rollback")


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/validations",
        validate,
        Operation(
            "validate_stacked_discounts",
            "Validate up to 30 redeemables against an order: spends nothing",
            "StackedValidation",
            body=_BODY,
            errors=(
                " 400 invalid_payload for a malformed body, duplicated_redeemables for a"
                " redeemable given twice."
            ),
        ),
    ),
    Route(
        "POST",
        "/v1/redemptions",
        redeem,
        Operation(
            "redeem_stacked_discounts",
            "Redeem up to 30 redeemables with an order: all of them or none",
            "StackedRedemption",
            body=_BODY,
            errors=(
                " The first refused redeemable's error (404 not_found for an unknown code,"
                " 400 missing_reward, missing_order, loyalty_card_points_exceeded,"
                " quantity_exceeded, voucher_disabled...); nothing changes then."
            ),
        ),
    ),
    Route(
        "GET",
        "/v1/redemptions",
        list_redemptions,
        Operation(
            "list_redemptions",
            "List redemptions and rollbacks, newest first",
            "RedemptionsList",
            query=[
                paging.LIMIT,
                paging.PAGE,
                query("result", STRING, "SUCCESS or FAILURE (any case)."),
                query("campaign", STRING, "A campaign's ID or name."),
                query("customer", STRING, "A customer's ID or source_id."),
                query("order", enum(*REDEMPTION_ORDERS), "Default -created_at."),
                filters_parameter(REDEMPTION_FILTERS),
                query("created_at[after]", {"type": "string", "format": "date-time"}),
                query("created_at[before]", {"type": "string", "format": "date-time"}),
            ],
        ),
    ),
    Route(
        "POST",
        "/v1/redemptions/{parentRedemptionId}/rollbacks",
        rollback_stacked,
        Operation(
            "rollback_stacked_redemptions",
            "Roll back a stacked redemption: every part, and its order is cancelled",
            "StackedRollbacks",
            query=[query("reason", STRING), query("tracking_id", STRING)],
            body=_ROLLBACKS_BODY,
            errors=(
                " 400 invalid_redemption_parent for a redemption that is not stacked;"
                " 400 already_rolled_back naming the failed rollback (rrf_) it recorded;"
                " 400 invalid_customer or invalid_order."
            ),
        ),
    ),
    Route(
        "DELETE",
        "/v1/vouchers/{code}/sessions/{sessionKey}",
        release_session,
        Operation(
            "release_validation_session",
            "Release a validation session's lock on a voucher",
            None,
            errors=" 404 when the session holds no lock on the voucher.",
        ),
    ),
)
