"""Spending a member's points on a reward, and ``/v1/redemptions/{redemptionId}[/rollback]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.members import MEMBER, MEMBER_BY_CODE
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.redemptions_json import (
    failed_redemption_json,
    redemption_json,
    rollback_json,
)
from loyalty_fake.http.voucher_redemptions_json import voucher_part_json
from loyalty_fake.ledger.orders import OrderItem, OrderRequest
from loyalty_fake.ledger.redemptions import Redemption
from loyalty_fake.ledger.voucher_parts import find_part, roll_back_part

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.redemptions import FailedRedemption

__all__ = ["PATH_PARAMETERS", "ROUTES", "failed_redemption_body"]

PATH_PARAMETERS = {
    "redemptionId": (
        "A redemption's ID (r_); for GET also a rollback's (rr_), or a failed redemption's"
        " (rf_) or rollback's (rrf_)."
    ),
}

_ORDER_ITEM_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "product_id": STRING,
        "sku_id": STRING,
        "source_id": STRING,
        "related_object": enum("product", "sku"),
        "quantity": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
        "price": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
        "amount": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
    },
}

_REDEEM_REWARD: Schema = {
    "type": "object",
    "required": ["reward"],
    "properties": {
        "reward": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                # A COIN reward's points to spend; a priced reward's must match its price.
                "points": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
            },
        },
        "order": {
            "type": "object",
            "properties": {
                "source_id": STRING,
                "status": enum("CREATED", "PAID", "CANCELED", "FULFILLED"),
                "amount": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
                "items": {"type": "array", "items": _ORDER_ITEM_REQUEST},
                "metadata": FREE_OBJECT,
            },
        },
        "metadata": FREE_OBJECT,
    },
}

# Checked against the redemption's own customer and order; the rest is not applied.
_ROLLBACK: Schema = {
    "type": "object",
    "properties": {
        "reason": STRING,
        "tracking_id": STRING,
        "customer": {
            "type": "object",
            "properties": {"id": NON_EMPTY, "source_id": NON_EMPTY},
        },
        "order": {
            "type": "object",
            "properties": {"id": NON_EMPTY, "source_id": NON_EMPTY},
        },
        "metadata": FREE_OBJECT,
    },
}

_REDEEM_ERRORS = (
    " 400 missing_reward, voucher_not_published, missing_order, missing_order_items_amount or"
    " loyalty_card_points_exceeded, each naming in resource_id the failed redemption (rf_) it"
    " recorded; 400 invalid_payload for a malformed body (nothing recorded); 404 an unknown"
    " member or reward, or a reward the card's program does not offer."
)

_ORDER_STATUSES = ("CREATED", "PAID", "CANCELED", "FULFILLED")


def _order_item(item: Body) -> OrderItem:
    quantity = item.integer("quantity", minimum=0)
    price = item.integer("price", minimum=0)
    amount = item.integer("amount", minimum=0)
    if amount is None and price is not None and quantity is not None:
        amount = price * quantity
    return OrderItem(
        product_id=item.string("product_id"),
        sku_id=item.string("sku_id"),
        source_id=item.string("source_id"),
        related_object=item.choice("related_object", ("product", "sku")),
        quantity=quantity,
        price=price,
        amount=amount,
    )


def _order(body: Body) -> OrderRequest | None:
    order = body.obj("order")
    if order is None:
        return None
    raw_items = order.data.get("items")
    items: list[OrderItem] = []
    if raw_items is not None:
        if not isinstance(raw_items, list) or not all(isinstance(i, dict) for i in raw_items):
            order.fail("items", "must be array of objects")
        items = [_order_item(Body(item, f".order.items[{n}]")) for n, item in enumerate(raw_items)]
    return OrderRequest(
        source_id=order.string("source_id"),
        status=order.choice("status", _ORDER_STATUSES),
        amount=order.integer("amount", minimum=0),
        items=tuple(items),
        metadata=order.mapping("metadata"),
    )


def redeem_reward(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties/[{campaignId}/]members/{memberId}/redemption``: spend points.

    A malformed body is 400 ``invalid_payload`` and records nothing; the ledger records a
    redemption refused at the card (``missing_reward`` among them) as failed.
    """
    body = Body(parse_json_body(call.request))
    reward = body.obj("reward")
    reward_id = (reward.string("id") if reward is not None else None) or None
    points = reward.integer("points", minimum=1) if reward is not None else None
    order = _order(body)
    metadata = body.mapping("metadata")
    redemption = call.session.redemptions.redeem(
        call.params["memberId"],
        reward_id=reward_id,
        campaign_ref=call.params.get("campaignId"),
        points=points,
        order=order,
        metadata=metadata,
    )
    return 200, _redemption_body(call, redemption, rollback=False)


def _redemption_body(call: Call, redemption: Redemption, *, rollback: bool) -> dict[str, Any]:
    card = call.session.cards.get(redemption.card_code)
    campaign = call.session.campaigns.get(redemption.campaign_id)
    customer = call.session.customers.get(redemption.customer_id)
    if rollback:
        return rollback_json(redemption, card, campaign, customer)
    return redemption_json(redemption, card, campaign, customer)


def failed_redemption_body(call: Call, failed: FailedRedemption) -> dict[str, Any]:
    """A failed redemption or rollback with its card, program and customers looked up."""
    card = call.session.cards.get(failed.card_code)
    campaign = call.session.campaigns.get(failed.campaign_id)
    customer = (
        call.session.customers.get(failed.customer_id) if failed.customer_id is not None else None
    )
    holder = call.session.customers.get(card.holder_id) if card.holder_id is not None else None
    return failed_redemption_json(failed, card, campaign, customer, holder)


def get_redemption(call: Call) -> tuple[int, Any]:
    """``GET /v1/redemptions/{redemptionId}``: ``r_``, ``rr_``, or a failure (``rf_``, ``rrf_``).

    A stacked parent, a loyalty card's redemption, or a discount voucher's or gift card's
    part of a stacked redemption, or the rollback of any of them.
    """
    wanted = call.params["redemptionId"]
    stacked = call.session.stacking.get(wanted)
    if stacked is not None:
        from loyalty_fake.http.stacking import stacked_body  # noqa: PLC0415 - imports this one

        return 200, stacked_body(call, stacked, wanted)
    part = find_part(call.session.project, wanted)
    if part is not None:
        return 200, voucher_part_json(call.session.project, part, rollback=part.id != wanted)
    found = call.session.redemptions.get(wanted)
    if isinstance(found, Redemption):
        return 200, _redemption_body(call, found, rollback=found.id != wanted)
    return 200, failed_redemption_body(call, found)


def rollback_redemption(call: Call) -> tuple[int, Any]:
    """``POST /v1/redemptions/{redemptionId}/rollback``: give the points back.

    ``tracking_id`` (query or body) or the body's ``customer``, and the body's ``order``,
    must be the redemption's own; the body's other fields are not applied. A part of a
    stacked redemption rolls back with its parent (400 ``invalid_redemption_parent``
    alone, unless ``rollback_stacked_parts``), a voucher's part as a card's.
    """
    query = Query(call.request.query)
    body = Body(parse_json_body(call.request))
    reason = query.string("reason") or body.string("reason")
    customer = query.string("tracking_id") or body.string("tracking_id")
    given = body.obj("customer")
    if given is not None:
        customer = given.string("id", non_empty=True) or given.string("source_id", non_empty=True)
    order_body = body.obj("order")
    order = None
    if order_body is not None:
        order = order_body.string("id", non_empty=True) or order_body.string(
            "source_id", non_empty=True
        )
    wanted = call.params["redemptionId"]
    part = call.session.project.voucher_redemptions.get(wanted)
    if part is not None:
        part = roll_back_part(call.session, part, reason=reason, customer=customer, order=order)
        return 200, voucher_part_json(call.session.project, part, rollback=True)
    redemption = call.session.redemptions.rollback(
        wanted, reason=reason, customer=customer, order=order
    )
    return 200, _redemption_body(call, redemption, rollback=True)


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        f"{MEMBER}/redemption",
        redeem_reward,
        Operation(
            "redeem_reward_in_program",
            "Spend a member's points on a reward",
            "Redemption",
            body=_REDEEM_REWARD,
            errors=_REDEEM_ERRORS,
        ),
    ),
    Route(
        "POST",
        f"{MEMBER_BY_CODE}/redemption",
        redeem_reward,
        Operation(
            "redeem_reward",
            "Spend a member's points on a reward, by code",
            "Redemption",
            body=_REDEEM_REWARD,
            errors=_REDEEM_ERRORS,
        ),
    ),
    Route(
        "GET",
        "/v1/redemptions/{redemptionId}",
        get_redemption,
        Operation(
            "get_redemption",
            "Get a redemption (r_), a rollback (rr_), or a failed one (rf_, rrf_)",
            "AnyRedemption",
        ),
    ),
    Route(
        "POST",
        "/v1/redemptions/{redemptionId}/rollback",
        rollback_redemption,
        Operation(
            "rollback_redemption",
            "Roll a redemption back: the points return to the card",
            "AnyRedemptionRollback",
            query=[
                query("reason", STRING),
                query("tracking_id", STRING, "Must be the redemption's customer's; else 400."),
            ],
            body=_ROLLBACK,
            errors=(
                " 400 already_rolled_back, naming in resource_id the failed rollback (rrf_) it"
                " recorded; 400 another customer or order than the redemption's."
            ),
        ),
    ),
)
