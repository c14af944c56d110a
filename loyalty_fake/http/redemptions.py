"""Spending a member's points on a reward, and ``/v1/redemptions/{redemptionId}[/rollback]``."""

from __future__ import annotations

from loyalty_fake.http import reward_handlers
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.members import MEMBER, MEMBER_BY_CODE
from loyalty_fake.http.params import MAX_INTEGER

__all__ = ["PATH_PARAMETERS", "ROUTES"]

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

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        f"{MEMBER}/redemption",
        reward_handlers.redeem_reward,
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
        reward_handlers.redeem_reward,
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
        reward_handlers.get_redemption,
        Operation(
            "get_redemption",
            "Get a redemption (r_), a rollback (rr_), or a failed one (rf_, rrf_)",
            "RedemptionOrRollback",
        ),
    ),
    Route(
        "POST",
        "/v1/redemptions/{redemptionId}/rollback",
        reward_handlers.rollback_redemption,
        Operation(
            "rollback_redemption",
            "Roll a redemption back: the points return to the card",
            "RedemptionRollback",
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
