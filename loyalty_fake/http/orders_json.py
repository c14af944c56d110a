"""Orders synced through ``/v1/orders`` as Voucherify's JSON (``OrderCalculated``), with schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    COUNT,
    FREE_OBJECT,
    INTEGER,
    NULLABLE_TIMESTAMP,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    page_list,
    ref,
    timestamp_or_none,
)

if TYPE_CHECKING:
    from loyalty_fake.ledger.orders import Order, OrderItem

__all__ = ["SCHEMAS", "order_item_json", "synced_order_json"]

_ITEM_FIELDS = (
    "source_id",
    "related_object",
    "product_id",
    "sku_id",
    "quantity",
    "amount",
    "discount_amount",
    "price",
    "subtotal_amount",
    "product",
    "sku",
    "metadata",
)


def order_item_json(item: OrderItem) -> dict[str, Any]:
    """An order's line, as the spec's examples show one: what is known, nothing null."""
    body: dict[str, Any] = {"object": "order_item"}
    for field in _ITEM_FIELDS:
        value = getattr(item, field)
        if value is not None:
            body[field] = dict(value) if isinstance(value, dict) else value
    return body


def synced_order_json(order: Order) -> dict[str, Any]:
    """An order as ``/v1/orders`` answers it: discounts and totals shown when there are some.

    ``total_amount`` is the amount less the order's and its items' discounts.
    """
    body: dict[str, Any] = {
        "id": order.id,
        "source_id": order.source_id,
        "created_at": format_timestamp(order.created_at),
        "updated_at": timestamp_or_none(order.updated_at),
        "status": order.status,
    }
    if order.amount is not None:
        body["amount"] = order.amount
    if order.discount_amount:
        body["discount_amount"] = order.discount_amount
    if order.items_discount_amount:
        body["items_discount_amount"] = order.items_discount_amount
    if order.total_discount_amount:
        body["total_discount_amount"] = order.total_discount_amount
    if order.total_amount is not None:
        body["total_amount"] = order.total_amount
    body["items"] = [order_item_json(item) for item in order.items]
    body["metadata"] = dict(order.metadata or {})
    if order.customer_id is not None:
        body["customer"] = {"id": order.customer_id, "object": "customer"}
    if order.referrer_id is not None:
        body["referrer"] = {"id": order.referrer_id, "object": "customer"}
    body["customer_id"] = order.customer_id
    body["referrer_id"] = order.referrer_id
    body["object"] = "order"
    return body


_CUSTOMER_ID = obj({"id": STRING, "object": const("customer")})

SCHEMAS: dict[str, Schema] = {
    "SyncedOrderItem": obj(
        {"object": const("order_item")},
        {
            "source_id": STRING,
            "related_object": enum("product", "sku"),
            "product_id": STRING,
            "sku_id": STRING,
            "quantity": COUNT,
            "amount": COUNT,
            "discount_amount": COUNT,
            "price": COUNT,
            # The amount less the line's discount, which may exceed it.
            "subtotal_amount": INTEGER,
            "product": FREE_OBJECT,
            "sku": FREE_OBJECT,
            "metadata": FREE_OBJECT,
        },
    ),
    "SyncedOrder": obj(
        {
            "id": STRING,
            "source_id": nullable(STRING),
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "status": enum("CREATED", "PAID", "CANCELED", "FULFILLED"),
            "items": {"type": "array", "items": ref("SyncedOrderItem")},
            "metadata": FREE_OBJECT,
            "customer_id": nullable(STRING),
            "referrer_id": nullable(STRING),
            "object": const("order"),
        },
        # Amounts when the order has one; discounts when there are some; the customer
        # and referrer when the order names them.
        {
            "amount": COUNT,
            "discount_amount": COUNT,
            "items_discount_amount": COUNT,
            "total_discount_amount": COUNT,
            "total_amount": INTEGER,
            "customer": _CUSTOMER_ID,
            "referrer": _CUSTOMER_ID,
        },
    ),
    "OrdersList": page_list("orders", ref("SyncedOrder")),
}
