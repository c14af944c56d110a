"""A stacked redemption's parent (``r_``) and its rollback (``rr_``) as Voucherify's JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.customers_json import simple_customer_json
from loyalty_fake.http.order_amounts_json import calculated_order_json as amounts_json
from loyalty_fake.http.orders_json import order_item_json, synced_order_json

if TYPE_CHECKING:
    from loyalty_fake.ledger.checkout_cart import CalculatedOrder
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.orders import Order, OrderInput
    from loyalty_fake.ledger.stacking import StackedRedemption

__all__ = [
    "calculated_order_json",
    "checkout_order_json",
    "parent_json",
    "parent_order_json",
    "parent_rollback_json",
    "parent_schema",
]


def calculated_order_json(
    *,
    given: OrderInput | None,
    stored: Order | None,
    amount: int | None,
    discount: int,
    customer_id: str | None = None,
) -> dict[str, Any]:
    """The order with the redeemables' discount worked out (``OrderCalculated``)."""
    body: dict[str, Any] = synced_order_json(stored) if stored is not None else {}
    if stored is None and given is not None:
        if given.source_id is not None:
            body["source_id"] = given.source_id
        if given.status is not None:
            body["status"] = given.status
        body["items"] = [order_item_json(item) for item in given.items or ()]
        body["metadata"] = dict(given.metadata or {})
        body["customer_id"] = customer_id
        body["referrer_id"] = None
        body["object"] = "order"
    items_discount = stored.items_discount_amount if stored is not None else 0
    if amount is not None:
        body["amount"] = amount
        body["initial_amount"] = amount
        body["total_amount"] = amount - discount - items_discount
    body["discount_amount"] = discount
    body["items_discount_amount"] = items_discount
    body["total_discount_amount"] = discount + items_discount
    body["applied_discount_amount"] = discount
    body["items_applied_discount_amount"] = items_discount
    body["total_applied_discount_amount"] = discount + items_discount
    return body


def checkout_order_json(
    given: OrderInput, calculated: CalculatedOrder, customer_id: str | None = None
) -> dict[str, Any]:
    """The request's order as the checkout calculated it (``OrderCalculated``), lines and all.

    Its amounts and lines are ``order_amounts_json``'s; the rest is the order as given.
    """
    body: dict[str, Any] = {}
    if given.source_id is not None:
        body["source_id"] = given.source_id
    if given.status is not None:
        body["status"] = given.status
    body.update(amounts_json(calculated))
    del body["object"]
    body["metadata"] = dict(given.metadata or {})
    body["customer_id"] = customer_id
    body["referrer_id"] = None
    body["object"] = "order"
    return body


def _redemptions_entry(parent: StackedRedemption) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "date": format_timestamp(parent.created_at),
        "related_object_type": "redemption",
        "related_object_id": parent.id,
        "stacked": list(parent.child_ids),
    }
    if parent.rollback is not None:
        entry["rollback_id"] = parent.rollback.id
        entry["rollback_date"] = format_timestamp(parent.rollback.created_at)
        entry["rollback_stacked"] = list(parent.rollback.child_ids)
    return entry


def parent_order_json(parent: StackedRedemption) -> dict[str, Any] | None:
    """The stacked redemption's order, with the discount applied and the redemption named."""
    order = parent.order
    if order is None:
        return None
    body = calculated_order_json(
        given=None, stored=order, amount=order.amount, discount=order.discount_amount
    )
    body["redemptions"] = {parent.id: _redemptions_entry(parent)}
    return body


def _parent_head(
    parent: StackedRedemption, customer: Customer | None, *, rollback: bool
) -> dict[str, Any]:
    undone = parent.rollback
    assert undone is not None or not rollback  # noqa: S101 - only rolled-back parents have one
    return {
        "id": undone.id if rollback and undone is not None else parent.id,
        "object": "redemption_rollback" if rollback else "redemption",
        "date": format_timestamp(
            undone.created_at if rollback and undone is not None else parent.created_at
        ),
        "customer_id": parent.customer_id,
        "tracking_id": customer.source_id if customer is not None else None,
        "metadata": dict(parent.metadata) if parent.metadata else None,
    }


def _parent_tail(parent: StackedRedemption, customer: Customer | None) -> dict[str, Any]:
    return {
        "order": parent_order_json(parent),
        "channel": {"channel_id": parent.channel_id, "channel_type": "API"},
        "customer": simple_customer_json(customer) if customer is not None else None,
        "related_object_type": "redemption",
        "related_object_id": parent.id,
    }


def parent_json(parent: StackedRedemption, customer: Customer | None) -> dict[str, Any]:
    """A stacked redemption (``r_``): the parent that names one redemption per redeemable."""
    body = _parent_head(parent, customer, rollback=False)
    body["redemption"] = None
    body["result"] = "SUCCESS"
    body["status"] = "ROLLED_BACK" if parent.rollback is not None else "SUCCEEDED"
    if parent.rollback is not None:
        body["related_redemptions"] = {
            "rollbacks": [
                {"id": parent.rollback.id, "date": format_timestamp(parent.rollback.created_at)}
            ]
        }
    body.update(_parent_tail(parent, customer))
    body["redemptions"] = list(parent.child_ids)
    return body


def parent_rollback_json(parent: StackedRedemption, customer: Customer | None) -> dict[str, Any]:
    """The rollback of a stacked redemption (``rr_``): names the parent and the parts undone."""
    undone = parent.rollback
    assert undone is not None  # noqa: S101 - only rolled-back parents have one
    body = _parent_head(parent, customer, rollback=True)
    body["redemption"] = parent.id
    if undone.reason is not None:
        body["reason"] = undone.reason
    body["result"] = "SUCCESS"
    body["status"] = "SUCCEEDED"
    body.update(_parent_tail(parent, customer))
    body["rollbacks"] = list(undone.child_ids)
    return body


def parent_schema(*, rollback: bool) -> Schema:
    """A stacked parent (or its rollback): names its parts, not a voucher."""
    required: dict[str, Schema] = {
        "id": STRING,
        "object": const("redemption_rollback" if rollback else "redemption"),
        "date": TIMESTAMP,
        "customer_id": nullable(STRING),
        "tracking_id": nullable(STRING),
        "metadata": nullable(FREE_OBJECT),
        "redemption": STRING if rollback else const(None),
        "result": const("SUCCESS"),
        "status": const("SUCCEEDED") if rollback else enum("SUCCEEDED", "ROLLED_BACK"),
        "order": nullable(ref("CalculatedOrder")),
        "channel": obj({"channel_id": STRING, "channel_type": const("API")}),
        "customer": nullable(ref("SimpleCustomer")),
        "related_object_type": const("redemption"),
        "related_object_id": STRING,
        ("rollbacks" if rollback else "redemptions"): {"type": "array", "items": STRING},
    }
    optional: dict[str, Schema] = (
        {"reason": STRING}
        if rollback
        else {"related_redemptions": obj({"rollbacks": {"type": "array", "items": FREE_OBJECT}})}
    )
    return obj(required, optional)
