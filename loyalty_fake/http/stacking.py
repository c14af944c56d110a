"""``/v1/validations``, ``/v1/redemptions`` (stacked, and the list) and their rollbacks.

Up to 30 redeemables with an order and a customer; a validation spends nothing, a
redemption applies all of them or none (``ledger/stacking.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.params import Body, Query, parse_json_body
from loyalty_fake.http.redemptions_json import redemption_json, rollback_json
from loyalty_fake.http.stacked_json import (
    calculated_order_json,
    checkout_order_json,
    parent_json,
    parent_order_json,
    parent_rollback_json,
)
from loyalty_fake.http.stacked_request import STACKED_BODY, stacked_request
from loyalty_fake.http.stacking_json import (
    outcome_lists,
    session_json,
    skipped_json,
)
from loyalty_fake.http.voucher_redemptions_json import voucher_part_json
from loyalty_fake.ledger.redemption_list import REDEMPTION_FILTERS, REDEMPTION_ORDERS
from loyalty_fake.ledger.settings import stacking_rules
from loyalty_fake.ledger.voucher_kinds import VoucherRedemption

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.discounts import Applied
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.stacking import Outcome, StackedRedemption, StackedRequest

__all__ = ["PATH_PARAMETERS", "ROUTES", "redemption_entry_json", "stacked_body"]

PATH_PARAMETERS = {
    "parentRedemptionId": "A stacked redemption's ID (r_).",
    "sessionKey": "A validation session's key.",
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
    request, expand = stacked_request(Body(parse_json_body(call.request)))
    outcome, held = call.session.stacking.validate(request)
    order = _order_json(request, outcome, None)
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
    body["stacking_rules"] = stacking_rules(call.session)
    return 200, body


def _order_json(
    request: StackedRequest, outcome: Outcome, part: Applied | None
) -> dict[str, Any] | None:
    """The order as calculated (after ``part``, else after every redeemable)."""
    given = request.order
    if given is None:
        return None
    calculated = part.order if part is not None else None
    if calculated is None and outcome.stacked is not None:
        calculated = outcome.stacked.order
    if calculated is None:
        return calculated_order_json(given=given, stored=None, amount=outcome.amount, discount=0)
    return checkout_order_json(given, calculated)


def _lists(
    call: Call,
    request: StackedRequest,
    outcome: Outcome,
    expand: set[str],
    order: dict[str, Any] | None,
) -> dict[str, list[dict[str, Any]]]:
    parts = outcome.stacked.parts if outcome.stacked is not None else {}

    def order_of(index: int) -> dict[str, Any] | None:
        part = parts.get(index)
        return _order_json(request, outcome, part) if part is not None else order

    return outcome_lists(
        request.redeemables,
        outcome,
        order_of=order_of,
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
    request, expand = stacked_request(Body(parse_json_body(call.request)))
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
    body["skipped_redeemables"] = skipped_json(
        request.redeemables, outcome, call.session.ids.request_id
    )
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


def redemption_entry_json(call: Call, kind: str, record: Any) -> dict[str, Any]:
    """A row of ``GET /v1/redemptions`` (exports read them too)."""
    return _entry_json(call, kind, record)


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
            body=STACKED_BODY,
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
            body=STACKED_BODY,
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
