"""``/v1/orders``: create (an upsert by ``id`` or ``source_id``), get, update and list orders.

An order that becomes ``PAID`` makes the program's earning rules award points, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE, customer_ref
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.orders_json import synced_order_json
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.ledger.orders import ORDER_ORDERS, ORDER_STATUSES, OrderInput, OrderItem

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["MAX_ITEMS", "ORDER_ITEM_REQUEST", "PATH_PARAMETERS", "ROUTES", "order_item"]

PATH_PARAMETERS = {"orderId": "The order's ID or source_id."}

# "It can include up to 500 items" (OrdersCreateRequestBody.items).
MAX_ITEMS = 500
_AMOUNT: Schema = {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}
_CATALOGUE_ENTRY: Schema = {
    "type": "object",
    "properties": {
        "id": STRING,
        "source_id": STRING,
        "name": STRING,
        "sku": STRING,
        "price": {"type": "number", "minimum": 0},
        "metadata": FREE_OBJECT,
        "override": {"type": "boolean"},
    },
}
ORDER_ITEM_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "product_id": STRING,
        "sku_id": STRING,
        "source_id": STRING,
        "related_object": enum("product", "sku"),
        "quantity": _AMOUNT,
        "price": _AMOUNT,
        "amount": _AMOUNT,
        "discount_amount": _AMOUNT,
        "product": _CATALOGUE_ENTRY,
        "sku": _CATALOGUE_ENTRY,
        "metadata": FREE_OBJECT,
    },
}
_ORDER_FIELDS: dict[str, Schema] = {
    "status": enum(*ORDER_STATUSES),
    "amount": _AMOUNT,
    "discount_amount": _AMOUNT,
    "items": {"type": "array", "items": ORDER_ITEM_REQUEST, "maxItems": MAX_ITEMS},
    "metadata": FREE_OBJECT,
    "customer": CUSTOMER_REFERENCE,
    "referrer": CUSTOMER_REFERENCE,
}
_CREATE_ORDER: Schema = {
    "type": "object",
    "properties": {"id": NON_EMPTY, "source_id": NON_EMPTY, **_ORDER_FIELDS},
}
_UPDATE_ORDER: Schema = {"type": "object", "properties": _ORDER_FIELDS}
_ORDERS_QUERY = [
    paging.LIMIT,
    paging.PAGE,
    query("order", enum(*orders("created_at", "updated_at")), "Default -created_at."),
]


def _price(item: Body) -> int | None:
    """The line's unit price: its own, else its SKU's, else its product's."""
    price = item.integer("price", minimum=0)
    for key in ("sku", "product"):
        entry = item.obj(key)
        if price is None and entry is not None:
            price = entry.integer("price", minimum=0)
    return price


def order_item(item: Body, *, overrides: bool = False) -> OrderItem:
    """One line of an order: its ``amount`` is ``price * quantity`` when not given.

    ``overrides``: the line's ``product``/``sku`` keep ``override`` for the catalogue to
    read (``ledger/catalogue.py``); otherwise it is dropped.
    """
    quantity = item.integer("quantity", minimum=0)
    price = _price(item)
    amount = item.integer("amount", minimum=0)
    if amount is None and price is not None:
        amount = price * (quantity if quantity is not None else 1)
        if amount > MAX_INTEGER:
            item.fail("amount", f"must be <= {MAX_INTEGER}: price * quantity is {amount}")
    product = item.obj("product")
    sku = item.obj("sku")
    return OrderItem(
        product_id=item.string("product_id"),
        sku_id=item.string("sku_id"),
        source_id=item.string("source_id"),
        related_object=item.choice("related_object", ("product", "sku")),
        quantity=quantity,
        price=price,
        amount=amount,
        discount_amount=item.integer("discount_amount", minimum=0),
        product=_catalogue_entry(product, overrides=overrides),
        sku=_catalogue_entry(sku, overrides=overrides),
        metadata=item.mapping("metadata"),
    )


def _catalogue_entry(entry: Body | None, *, overrides: bool) -> dict[str, Any] | None:
    """A line's product or SKU as given; ``override`` (an instruction) only if ``overrides``."""
    if entry is None:
        return None
    if overrides:
        entry.boolean("override")
        return dict(entry.data) or None
    return {key: value for key, value in entry.data.items() if key != "override"} or None


def _items(body: Body) -> tuple[OrderItem, ...] | None:
    raw = body.data.get("items")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        body.fail("items", "must be array of objects")
    if len(raw) > MAX_ITEMS:
        body.fail("items", f"must NOT have more than {MAX_ITEMS} items")
    return tuple(
        order_item(Body(item, f"{body.path}.items[{n}]"), overrides=True)
        for n, item in enumerate(raw)
    )


def order_input(body: Body, *, identified: bool) -> OrderInput:
    """The order a body gives; ``identified``: it may name one by ``id`` or ``source_id``."""
    total = body.integer("amount", minimum=0)
    items = _items(body)
    if total is None and items:
        amounts = [item.amount for item in items if item.amount is not None]
        if sum(amounts) > MAX_INTEGER:
            body.fail("items", f"must add up to at most {MAX_INTEGER}")
    return OrderInput(
        id=body.string("id", non_empty=True) if identified else None,
        source_id=body.string("source_id", non_empty=True) if identified else None,
        status=body.choice("status", ORDER_STATUSES),  # type: ignore[arg-type]
        amount=total,
        discount_amount=body.integer("discount_amount", minimum=0),
        items=items,
        metadata=body.mapping("metadata"),
        customer=customer_ref(body) if body.data.get("customer") is not None else None,
        referrer=customer_ref(body, "referrer") if body.data.get("referrer") is not None else None,
    )


def create_order(call: Call) -> tuple[int, Any]:
    """``POST /v1/orders``: create an order, or update the one its ID or source_id names."""
    given = order_input(Body(parse_json_body(call.request)), identified=True)
    return 200, synced_order_json(call.session.orders.upsert(given))


def get_order(call: Call) -> tuple[int, Any]:
    """``GET /v1/orders/{orderId}``: an order by ID or source_id."""
    return 200, synced_order_json(call.session.orders.get(call.params["orderId"]))


def update_order(call: Call) -> tuple[int, Any]:
    """``PUT /v1/orders/{orderId}``: change the fields given (its status, for one)."""
    given = order_input(Body(parse_json_body(call.request)), identified=False)
    return 200, synced_order_json(call.session.orders.update(call.params["orderId"], given))


def list_orders(call: Call) -> tuple[int, Any]:
    """``GET /v1/orders``: the project's orders, newest first unless ``order`` says."""
    query = Query(call.request.query)
    page = paging.page(query)
    found, total = call.session.orders.page(
        limit=page.limit,
        page=page.number,
        order=query.choice("order", ORDER_ORDERS, "-created_at"),
    )
    return 200, {
        "object": "list",
        "data_ref": "orders",
        "orders": [synced_order_json(order) for order in found],
        "total": total,
    }


_ORDER = "/v1/orders/{orderId}"

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/orders",
        create_order,
        Operation(
            "create_order",
            "Create an order, or update the one its id or source_id names (upsert)",
            "SyncedOrder",
            body=_CREATE_ORDER,
        ),
    ),
    Route(
        "GET",
        "/v1/orders",
        list_orders,
        Operation("list_orders", "The project's orders, newest first", "OrdersList", _ORDERS_QUERY),
    ),
    Route("GET", _ORDER, get_order, Operation("get_order", "Get an order", "SyncedOrder")),
    Route(
        "PUT",
        _ORDER,
        update_order,
        Operation("update_order", "Change an order", "SyncedOrder", body=_UPDATE_ORDER),
    ),
)
