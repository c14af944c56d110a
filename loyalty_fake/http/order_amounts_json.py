"""A checkout's calculated order as Voucherify's JSON (``OrderCalculated`` with its items).

``calculated_order_json`` gives the order's amount fields and its lines, each line as
``/v1/orders`` shows it (``orders_json.order_item_json``) with the figures the discounts
changed; the caller adds the order's identity (``id``, ``source_id``, ``status``,
customer…). ``applicable_to_json`` gives a redeemable's ``applicable_to`` list with the
lines (``order_item_indices``) and units (``order_item_units``) each target covered;
``redeemable_result_json`` gives its ``result``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    FREE_OBJECT,
    INTEGER,
    STRING,
    Schema,
    const,
    enum,
    obj,
    ref,
)
from loyalty_fake.http.orders_json import order_item_json
from loyalty_fake.ledger.discount_targets import target_entries

if TYPE_CHECKING:
    from loyalty_fake.ledger.checkout_cart import CalculatedItem, CalculatedOrder
    from loyalty_fake.ledger.discounts import Applied

__all__ = [
    "SCHEMAS",
    "applicable_to_json",
    "calculated_item_json",
    "calculated_order_json",
    "redeemable_result_json",
]

_UNIT_FIELDS = (
    "initial_quantity",
    "initial_amount",
    "discount_quantity",
    "applied_discount_quantity",
    "applied_quantity",
    "applied_quantity_amount",
)


def calculated_item_json(line: CalculatedItem) -> dict[str, Any]:
    """One line of a calculated order: as given, with its new figures (nothing null)."""
    body = order_item_json(line.item)
    for field in ("quantity", "price", "amount"):
        value = getattr(line, field)
        if value is not None:
            body[field] = value
    if line.amount is not None:
        body["discount_amount"] = line.discount_amount
        body["applied_discount_amount"] = line.applied_discount_amount
        body["subtotal_amount"] = line.subtotal_amount
    if line.unit_touched:
        # A free unit of no known price shows its quantities only (the spec's free shipping
        # line, prod_5h1pp1ng, in the "Unit - Add order items" example).
        for field in _UNIT_FIELDS:
            if line.amount is not None or "amount" not in field:
                body[field] = getattr(line, field)
    return body


def calculated_order_json(order: CalculatedOrder) -> dict[str, Any]:
    """The amount fields of a calculated order and its lines; amounts only when known."""
    body: dict[str, Any] = {}
    if order.amount is not None:
        body["amount"] = order.amount
    if order.initial_amount is not None and any(line.unit_touched for line in order.items):
        # Shown when free units changed the amount, as the spec's examples do.
        body["initial_amount"] = order.initial_amount
    body.update(
        {
            "discount_amount": order.discount_amount,
            "items_discount_amount": order.items_discount_amount,
            "total_discount_amount": order.total_discount_amount,
        }
    )
    if order.total_amount is not None:
        body["total_amount"] = order.total_amount
    body.update(
        {
            "applied_discount_amount": order.applied_discount_amount,
            "items_applied_discount_amount": order.items_applied_discount_amount,
            "total_applied_discount_amount": order.total_applied_discount_amount,
            "items": [calculated_item_json(line) for line in order.items],
            "object": "order",
        }
    )
    return body


def applicable_to_json(applicable_to: Any, applied: Applied) -> dict[str, Any]:
    """``applicable_to`` (a list, or a result list) with the lines and units each target covered."""
    data = []
    for at, target in enumerate(target_entries(applicable_to)):
        entry: dict[str, Any] = {"object": "product", "strict": False, "effect": "APPLY_TO_EVERY"}
        entry.update({key: value for key, value in target.items() if value is not None})
        lines = sorted(index for index, by in applied.covered_by.items() if by == at)
        entry["order_item_indices"] = lines
        entry["order_item_units"] = [
            {"index": index, "units": list(applied.units.get(index, ()))} for index in lines
        ]
        data.append(entry)
    return {"data": data, "total": len(data), "object": "list", "data_ref": "data"}


def redeemable_result_json(applied: Applied) -> dict[str, Any]:
    """A redeemable's ``result``: its discount, the gift credits or the points it uses."""
    if applied.credits is not None:
        return {"gift": {"credits": applied.credits}}
    if applied.points is not None:
        return {"loyalty_card": {"points": applied.points}}
    discount = getattr(applied.redeemable, "discount", None)
    return {"discount": dict(discount) if discount is not None else None}


_ITEM_AMOUNTS: dict[str, Schema] = {
    "discount_amount": COUNT,
    "applied_discount_amount": COUNT,
    "subtotal_amount": COUNT,
    **dict.fromkeys(_UNIT_FIELDS, COUNT),
}

SCHEMAS: dict[str, Schema] = {
    # A line of an order a checkout calculated: the synced order's line and its new figures.
    "CalculatedOrderItem": {"allOf": [ref("SyncedOrderItem"), obj({}, _ITEM_AMOUNTS)]},
    "CalculatedOrderAmounts": obj(
        {
            "discount_amount": COUNT,
            "items_discount_amount": COUNT,
            "total_discount_amount": COUNT,
            "applied_discount_amount": COUNT,
            "items_applied_discount_amount": COUNT,
            "total_applied_discount_amount": COUNT,
            "items": {"type": "array", "items": ref("CalculatedOrderItem")},
            "object": const("order"),
        },
        {"amount": COUNT, "initial_amount": COUNT, "total_amount": COUNT},
    ),
    "ApplicableToResult": obj(
        {
            "object": enum("product", "sku", "products_collection"),
            "id": STRING,
            "strict": BOOLEAN,
            "effect": STRING,
            "order_item_indices": {"type": "array", "items": COUNT},
            "order_item_units": {"type": "array", "items": FREE_OBJECT},
        },
        {"quantity_limit": INTEGER, "price": INTEGER},
    ),
}
