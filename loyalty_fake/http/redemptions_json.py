"""Redemptions, rollbacks and their orders as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.cards_json import voucher_json
from loyalty_fake.http.channel_json import channel_json, channel_schema
from loyalty_fake.http.common_json import (
    COUNT,
    FREE_OBJECT,
    NULLABLE_TIMESTAMP,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
    timestamp_or_none,
)
from loyalty_fake.http.customers_json import simple_customer_json
from loyalty_fake.http.rewards_json import COIN_PARAMETERS, POSITIVE, REWARD_TYPE

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.orders import Order
    from loyalty_fake.ledger.redemptions import FailedRedemption, Redemption, Rollback

__all__ = [
    "SCHEMAS",
    "failed_redemption_json",
    "redemption_json",
    "rollback_json",
]


def _reward_result(redemption: Redemption, customer: dict[str, Any]) -> dict[str, Any]:
    """The reward as a redemption shows it (``RedemptionRewardResult``)."""
    reward = redemption.reward
    parameters: dict[str, Any] = {}
    for kind, values in reward.parameters.items():
        # The schema types product.sku_id as a plain string here: an unset one is left out.
        parameters[kind] = {key: value for key, value in values.items() if value is not None}
    body: dict[str, Any] = {
        "customer": customer,
        "assignment_id": redemption.assignment_id,
        "voucher": None,
        "product": None,
        "sku": None,
        "loyalty_tier_id": None,
        "id": reward.id,
        "object": "reward",
        "name": reward.name,
        "created_at": format_timestamp(reward.created_at),
        "parameters": parameters,
        "metadata": dict(reward.metadata or {}),
        "type": reward.type,
    }
    if reward.updated_at is not None:
        body["updated_at"] = format_timestamp(reward.updated_at)
    return body


def _order_json(
    order: Order, redemption: Redemption, card: LoyaltyCard, customer_id: str
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "date": format_timestamp(redemption.created_at),
        "related_object_type": "voucher",
        "related_object_id": card.id,
        "related_object_parent_id": redemption.campaign_id,
    }
    if redemption.rollback is not None:
        entry["rollback_id"] = redemption.rollback.id
        entry["rollback_date"] = format_timestamp(redemption.rollback.created_at)
    discount = order.discount_amount
    body: dict[str, Any] = {
        "id": order.id,
        "source_id": order.source_id,
        "created_at": format_timestamp(order.created_at),
        "updated_at": timestamp_or_none(order.updated_at),
        "status": order.status,
    }
    if order.amount is not None:
        body["amount"] = order.amount
    body["discount_amount"] = discount
    body["total_discount_amount"] = discount
    if order.amount is not None:
        body["total_amount"] = order.amount - discount
    body["applied_discount_amount"] = discount
    body["total_applied_discount_amount"] = discount
    body["items"] = [
        {
            "object": "order_item",
            **{
                key: value
                for key, value in (
                    ("product_id", item.product_id),
                    ("sku_id", item.sku_id),
                    ("source_id", item.source_id),
                    ("related_object", item.related_object),
                    ("quantity", item.quantity),
                    ("price", item.price),
                    ("amount", item.amount),
                )
                if value is not None
            },
        }
        for item in order.items
    ]
    body["metadata"] = dict(order.metadata or {})
    body["customer"] = {"id": customer_id, "object": "customer"}
    body["customer_id"] = customer_id
    body["referrer_id"] = None
    body["object"] = "order"
    body["redemptions"] = {redemption.id: entry}
    return body


def _common(
    redemption: Redemption,
    card: LoyaltyCard,
    campaign: Campaign,
    customer: Customer,
    *,
    rollback: Rollback | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parts a redemption (or, given ``rollback``, its rollback) shows: head and tail."""
    simple = simple_customer_json(customer)
    voucher = voucher_json(card, campaign)
    voucher["holder"] = simple
    body: dict[str, Any] = {
        "id": redemption.id if rollback is None else rollback.id,
        "object": "redemption" if rollback is None else "redemption_rollback",
        "date": format_timestamp(
            redemption.created_at if rollback is None else rollback.created_at
        ),
        "customer_id": customer.id,
        "tracking_id": customer.source_id,
        "metadata": dict(redemption.metadata) if redemption.metadata else None,
    }
    rest: dict[str, Any] = {
        "order": (
            _order_json(redemption.order, redemption, card, customer.id)
            if redemption.order is not None
            else None
        ),
        "channel": channel_json(redemption, rollback),
        "customer": simple,
        "related_object_type": "voucher",
        "related_object_id": card.id,
        "voucher": voucher,
        "reward": _reward_result(redemption, simple),
    }
    return body, rest


def redemption_json(
    redemption: Redemption, card: LoyaltyCard, campaign: Campaign, customer: Customer
) -> dict[str, Any]:
    """A redemption of points for a reward; ``amount`` is the points spent.

    The voucher is the card as it is now (right after the redemption, in its answer).
    """
    body, rest = _common(redemption, card, campaign, customer)
    rollback = redemption.rollback
    body.update(
        {
            "amount": redemption.points,
            # A part of a stacked redemption names its parent (r_).
            "redemption": redemption.parent_id,
            "result": "SUCCESS",
            "status": "ROLLED_BACK" if rollback is not None else "SUCCEEDED",
        }
    )
    if rollback is not None:
        body["related_redemptions"] = {
            "rollbacks": [{"id": rollback.id, "date": format_timestamp(rollback.created_at)}]
        }
    body.update(rest)
    body["loyalty_card"] = {"points": redemption.points}
    return body


def rollback_json(
    redemption: Redemption, card: LoyaltyCard, campaign: Campaign, customer: Customer
) -> dict[str, Any]:
    """The rollback of a redemption: the points given back, as a negative ``amount``."""
    rollback = redemption.rollback
    assert rollback is not None  # noqa: S101 - only rolled-back redemptions have one
    body, rest = _common(redemption, card, campaign, customer, rollback=rollback)
    body["amount"] = -redemption.points
    body["redemption"] = redemption.id
    if rollback.reason is not None:
        body["reason"] = rollback.reason
    body["result"] = "SUCCESS"
    body["status"] = "SUCCEEDED"
    body.update(rest)
    body["loyalty_card"] = {"points": -redemption.points}
    return body


def failed_redemption_json(
    failed: FailedRedemption,
    card: LoyaltyCard,
    campaign: Campaign,
    customer: Customer | None,
    holder: Customer | None,
) -> dict[str, Any]:
    """A refused redemption (``rf_``) or rollback (``rrf_``), as the spec's failed examples.

    ``result: FAILURE`` and ``status: FAILED``, the refusal's key and message as
    ``failure_code`` and ``failure_message``; no points moved, so no ``amount``, and no
    order. ``customer`` is the card's holder then (none for a card nobody held);
    ``holder`` the card's holder now, as its voucher shows.
    """
    simple = simple_customer_json(customer) if customer is not None else None
    voucher = voucher_json(card, campaign)
    if holder is not None:
        voucher["holder"] = simple_customer_json(holder)
    body: dict[str, Any] = {
        "id": failed.id,
        "object": "redemption_rollback" if failed.is_rollback else "redemption",
        "date": format_timestamp(failed.created_at),
        "customer_id": failed.customer_id,
        "tracking_id": customer.source_id if customer is not None else None,
        "metadata": dict(failed.metadata) if failed.metadata else None,
        "redemption": failed.redemption_id,
    }
    if failed.reason is not None:
        body["reason"] = failed.reason
    body.update(
        {
            "result": "FAILURE",
            "status": "FAILED",
            "failure_code": failed.failure_code,
            "failure_message": failed.failure_message,
            "order": None,
            "channel": {"channel_id": failed.channel_id, "channel_type": "API"},
            "customer": simple,
            "related_object_type": "voucher",
            "related_object_id": card.id,
            "voucher": voucher,
        }
    )
    return body


_REDEMPTION_REWARD = obj(
    {
        "customer": ref("SimpleCustomer"),
        "assignment_id": STRING,
        "voucher": const(None),
        "product": const(None),
        "sku": const(None),
        "loyalty_tier_id": const(None),
        "id": STRING,
        "object": const("reward"),
        "name": STRING,
        "created_at": TIMESTAMP,
        "parameters": {
            "oneOf": [
                obj({"product": obj({"id": STRING}, {"sku_id": STRING})}),
                COIN_PARAMETERS,
            ]
        },
        "metadata": FREE_OBJECT,
        "type": REWARD_TYPE,
    },
    {"updated_at": TIMESTAMP},
)

_ORDER_ITEM = obj(
    {"object": const("order_item")},
    {
        "product_id": STRING,
        "sku_id": STRING,
        "source_id": STRING,
        "related_object": enum("product", "sku"),
        "quantity": COUNT,
        "price": COUNT,
        "amount": COUNT,
    },
)

_ORDER = obj(
    {
        "id": STRING,
        "source_id": nullable(STRING),
        "created_at": TIMESTAMP,
        "updated_at": NULLABLE_TIMESTAMP,
        "status": enum("CREATED", "PAID", "CANCELED", "FULFILLED"),
        "discount_amount": COUNT,
        "total_discount_amount": COUNT,
        "applied_discount_amount": COUNT,
        "total_applied_discount_amount": COUNT,
        "items": {"type": "array", "items": ref("OrderItem")},
        "metadata": FREE_OBJECT,
        "customer": obj({"id": STRING, "object": const("customer")}),
        "customer_id": STRING,
        "referrer_id": const(None),
        "object": const("order"),
        "redemptions": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": obj(
                {
                    "date": TIMESTAMP,
                    "related_object_type": const("voucher"),
                    "related_object_id": STRING,
                    "related_object_parent_id": STRING,
                },
                {"rollback_id": STRING, "rollback_date": TIMESTAMP},
            ),
        },
    },
    # Only when the order names an amount (or items that add up to one).
    {"amount": COUNT, "total_amount": COUNT},
)


def _redemption(*, rollback: bool) -> Schema:
    """A redemption (points spent on a reward) or its rollback (the points given back)."""
    required: dict[str, Schema] = {
        "id": STRING,
        "object": const("redemption_rollback" if rollback else "redemption"),
        "date": TIMESTAMP,
        "customer_id": STRING,
        "tracking_id": nullable(STRING),
        "metadata": nullable(FREE_OBJECT),
        # The points spent; a rollback's is the same, negative.
        "amount": {"type": "integer", "maximum": -1} if rollback else POSITIVE,
        # A rollback names the redemption it undid; a redemption its stacked parent, if any.
        "redemption": STRING if rollback else nullable(STRING),
        "result": const("SUCCESS"),
        "status": const("SUCCEEDED") if rollback else enum("SUCCEEDED", "ROLLED_BACK"),
        "order": nullable(ref("Order")),
        "channel": channel_schema(rollback=rollback),
        "customer": ref("SimpleCustomer"),
        "related_object_type": const("voucher"),
        "related_object_id": STRING,
        "voucher": {
            "allOf": [ref("Voucher"), obj({"holder": ref("SimpleCustomer")})],
        },
        "reward": ref("RedemptionReward"),
        "loyalty_card": obj(
            {"points": {"type": "integer", "maximum": -1} if rollback else POSITIVE}
        ),
    }
    optional: dict[str, Schema] = (
        {"reason": STRING}
        if rollback
        else {
            # Once rolled back.
            "related_redemptions": obj(
                {
                    "rollbacks": {
                        "type": "array",
                        "items": obj({"id": STRING, "date": TIMESTAMP}),
                        "minItems": 1,
                        "maxItems": 1,
                    }
                }
            )
        }
    )
    return obj(required, optional)


def _failed_redemption(*, rollback: bool) -> Schema:
    """A refused redemption (rf_) or rollback (rrf_): no points moved, so no amount or order."""
    customer: Schema = ref("SimpleCustomer")
    required: dict[str, Schema] = {
        "id": STRING,
        "object": const("redemption_rollback" if rollback else "redemption"),
        "date": TIMESTAMP,
        # A card nobody held is refused (voucher_not_published) without a customer.
        "customer_id": STRING if rollback else nullable(STRING),
        "tracking_id": nullable(STRING),
        "metadata": nullable(FREE_OBJECT),
        "redemption": STRING if rollback else const(None),
        "result": const("FAILURE"),
        "status": const("FAILED"),
        # The refusal's error key and message.
        "failure_code": STRING,
        "failure_message": STRING,
        "order": const(None),
        "channel": obj({"channel_id": STRING, "channel_type": const("API")}),
        "customer": customer if rollback else nullable(customer),
        "related_object_type": const("voucher"),
        "related_object_id": STRING,
        # The card as it is now, with its holder once it has one.
        "voucher": {
            "allOf": [ref("Voucher"), obj({}, {"holder": ref("SimpleCustomer")})],
        },
    }
    return obj(required, {"reason": STRING} if rollback else None)


# GET /v1/redemptions/{redemptionId} answers any of them, by the ID's prefix (r_, rr_, rf_,
# rrf_); a card's redemptions list holds them all, a discount voucher's or gift card's its
# parts of stacked redemptions and their rollbacks.
_REDEMPTION_OR_ROLLBACK: Schema = {
    "oneOf": [
        ref("Redemption"),
        ref("RedemptionRollback"),
        ref("FailedRedemption"),
        ref("FailedRedemptionRollback"),
        ref("VoucherRedemption"),
        ref("VoucherRedemptionRollback"),
    ]
}

_REDEMPTIONS = obj(
    {
        "quantity": nullable({"type": "integer", "minimum": 1}),
        "redeemed_quantity": COUNT,
        "object": const("list"),
        "url": STRING,
        "data_ref": const("redemption_entries"),
        "total": COUNT,
        "redemption_entries": {"type": "array", "items": ref("RedemptionOrRollback")},
    }
)


SCHEMAS: dict[str, Schema] = {
    "Redemptions": _REDEMPTIONS,
    "RedemptionReward": _REDEMPTION_REWARD,
    "OrderItem": _ORDER_ITEM,
    "Order": _ORDER,
    "Redemption": _redemption(rollback=False),
    "RedemptionRollback": _redemption(rollback=True),
    "FailedRedemption": _failed_redemption(rollback=False),
    "FailedRedemptionRollback": _failed_redemption(rollback=True),
    "RedemptionOrRollback": _REDEMPTION_OR_ROLLBACK,
}
