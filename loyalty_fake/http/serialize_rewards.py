"""Rewards, reward assignments, redemptions and rollbacks as Voucherify's JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.serialize import (
    format_timestamp,
    simple_customer_json,
    timestamp_or_none,
    voucher_json,
)

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.orders import Order
    from loyalty_fake.ledger.redemptions import FailedRedemption, Redemption, Rollback
    from loyalty_fake.ledger.rewards import Reward, RewardAssignment

__all__ = [
    "assignment_json",
    "failed_redemption_json",
    "redemption_json",
    "reward_json",
    "rollback_json",
]


def reward_json(reward: Reward) -> dict[str, Any]:
    """A reward object; ``redeemed`` is null until the first redemption, as the spec shows."""
    return {
        "id": reward.id,
        "name": reward.name,
        "type": reward.type,
        "parameters": reward.parameters,
        "stock": reward.stock,
        "redeemed": reward.redeemed or None,
        "attributes": dict(reward.attributes or {}),
        "created_at": format_timestamp(reward.created_at),
        "updated_at": timestamp_or_none(reward.updated_at),
        "metadata": dict(reward.metadata or {}),
        "object": "reward",
    }


def assignment_json(assignment: RewardAssignment) -> dict[str, Any]:
    """A reward assignment; a ``COIN`` reward's has no ``parameters`` (it has no price)."""
    body: dict[str, Any] = {
        "id": assignment.id,
        "reward_id": assignment.reward_id,
        "related_object_id": assignment.campaign_id,
        "related_object_type": "campaign",
    }
    if assignment.points is not None:
        body["parameters"] = {"loyalty": {"points": assignment.points}}
    body["created_at"] = format_timestamp(assignment.created_at)
    body["updated_at"] = timestamp_or_none(assignment.updated_at)
    body["object"] = "reward_assignment"
    return body


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
        "channel": {"channel_id": redemption.channel_id, "channel_type": "API"},
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
            "redemption": None,
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
