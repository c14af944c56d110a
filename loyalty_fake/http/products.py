"""``/v1/products`` and ``/v1/skus``: the catalogue of products and their SKUs.

Creating is an upsert by ``id`` or ``source_id``; deleting moves to the bin unless
``force=true``. Order lines name what is here (``ledger/catalogue.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, STRING, TIMESTAMP, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.products_json import product_json, sku_json, sku_list_json
from loyalty_fake.ledger.products import PRODUCT_ORDERS, Listing, ProductInput, SkuInput

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.products import Product

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {
    "productId": "The product's ID or source_id.",
    "skuId": "The SKU's ID or source_id.",
}

_PRICE: Schema = {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}
_PRODUCT_FIELDS: dict[str, Schema] = {
    "name": STRING,
    "price": _PRICE,
    "attributes": {"type": "array", "items": STRING},
    "metadata": FREE_OBJECT,
    "image_url": STRING,
}
_SKU_FIELDS: dict[str, Schema] = {
    "sku": STRING,
    "price": _PRICE,
    "currency": STRING,
    "attributes": FREE_OBJECT,
    "metadata": FREE_OBJECT,
    "image_url": STRING,
}
_IDENTIFIED: dict[str, Schema] = {"id": NON_EMPTY, "source_id": NON_EMPTY}
_LIST_QUERY = [
    paging.LIMIT,
    paging.PAGE,
    query("order", enum(*orders("created_at", "updated_at")), "Default created_at."),
    query("start_date", TIMESTAMP, "Only what was created at or after it."),
    query("end_date", TIMESTAMP, "Only what was created at or before it."),
]
_FORCE = [query("force", BOOLEAN, "true: for good (the source_id is free again); else the bin.")]


def _attributes(body: Body) -> tuple[str, ...] | None:
    raw = body.data.get("attributes")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        body.fail("attributes", "must be array of strings")
    return tuple(raw)


def _product_input(body: Body, *, identified: bool) -> ProductInput:
    return ProductInput(
        id=body.string("id", non_empty=True) if identified else None,
        source_id=body.string("source_id", non_empty=True) if identified else None,
        name=body.string("name"),
        price=body.integer("price", minimum=0),
        attributes=_attributes(body),
        metadata=body.mapping("metadata"),
        image_url=body.string("image_url"),
    )


def _sku_input(body: Body, *, identified: bool) -> SkuInput:
    return SkuInput(
        id=body.string("id", non_empty=True) if identified else None,
        source_id=body.string("source_id", non_empty=True) if identified else None,
        sku=body.string("sku"),
        price=body.integer("price", minimum=0),
        currency=body.string("currency"),
        attributes=body.mapping("attributes"),
        metadata=body.mapping("metadata"),
        image_url=body.string("image_url"),
    )


def _force(call: Call) -> bool:
    return Query(call.request.query).choice("force", ("true", "false"), "false") == "true"


def _listing(call: Call) -> Listing:
    query = Query(call.request.query)
    page = paging.page(query)
    return Listing(
        limit=page.limit,
        page=page.number,
        order=query.choice("order", PRODUCT_ORDERS, "created_at"),
        start=query.moment("start_date"),
        end=query.moment("end_date"),
    )


def _product(call: Call, product: Product) -> dict[str, Any]:
    return product_json(product, call.session.products.skus_of(product))


def create_product(call: Call) -> tuple[int, Any]:
    """``POST /v1/products``: create a product, or update the one its ID or source_id names."""
    given = _product_input(Body(parse_json_body(call.request)), identified=True)
    return 200, _product(call, call.session.products.upsert(given))


def list_products(call: Call) -> tuple[int, Any]:
    """``GET /v1/products``: the products, oldest first unless ``order`` says."""
    found, total = call.session.products.page(_listing(call))
    return 200, {
        "object": "list",
        "data_ref": "products",
        "products": [_product(call, product) for product in found],
        "total": total,
    }


def get_product(call: Call) -> tuple[int, Any]:
    """``GET /v1/products/{productId}``: a product by ID or source_id, with its SKUs."""
    return 200, _product(call, call.session.products.get(call.params["productId"]))


def update_product(call: Call) -> tuple[int, Any]:
    """``PUT /v1/products/{productId}``: change the fields given; the rest stay."""
    given = _product_input(Body(parse_json_body(call.request)), identified=False)
    return 200, _product(call, call.session.products.update(call.params["productId"], given))


def delete_product(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/products/{productId}``: the product and its SKUs, to the bin or for good."""
    call.session.products.delete(call.params["productId"], force=_force(call))
    return 204, None


def list_skus(call: Call) -> tuple[int, Any]:
    """``GET /v1/products/{productId}/skus``: the product's SKUs, oldest first."""
    found, total = call.session.products.sku_page(call.params["productId"], _listing(call))
    return 200, sku_list_json(found, total)


def create_sku(call: Call) -> tuple[int, Any]:
    """``POST /v1/products/{productId}/skus``: add a SKU, or update the one named (upsert)."""
    given = _sku_input(Body(parse_json_body(call.request)), identified=True)
    return 200, sku_json(call.session.products.upsert_sku(call.params["productId"], given))


def get_sku(call: Call) -> tuple[int, Any]:
    """``GET /v1/skus/{skuId}``: a SKU by ID or source_id."""
    return 200, sku_json(call.session.products.get_sku(call.params["skuId"]))


def update_sku(call: Call) -> tuple[int, Any]:
    """``PUT /v1/products/{productId}/skus/{skuId}``: change the SKU's fields given."""
    given = _sku_input(Body(parse_json_body(call.request)), identified=False)
    sku = call.session.products.update_sku(call.params["productId"], call.params["skuId"], given)
    return 200, sku_json(sku)


def delete_sku(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/products/{productId}/skus/{skuId}``: to the bin, or for good."""
    params = call.params
    call.session.products.delete_sku(params["productId"], params["skuId"], force=_force(call))
    return 204, None


_PRODUCT = "/v1/products/{productId}"
_SKUS = f"{_PRODUCT}/skus"
_SKU = f"{_SKUS}/{{skuId}}"

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/products",
        create_product,
        Operation(
            "create_product",
            "Create a product, or update the one its id or source_id names (upsert)",
            "Product",
            body={"type": "object", "properties": {**_IDENTIFIED, **_PRODUCT_FIELDS}},
        ),
    ),
    Route(
        "GET",
        "/v1/products",
        list_products,
        Operation("list_products", "The products, oldest first", "ProductsList", _LIST_QUERY),
    ),
    Route("GET", _PRODUCT, get_product, Operation("get_product", "Get a product", "Product")),
    Route(
        "PUT",
        _PRODUCT,
        update_product,
        Operation(
            "update_product",
            "Change a product",
            "Product",
            body={"type": "object", "properties": _PRODUCT_FIELDS},
        ),
    ),
    Route(
        "DELETE",
        _PRODUCT,
        delete_product,
        Operation("delete_product", "Delete a product and its SKUs", None, _FORCE),
    ),
    Route(
        "GET",
        _SKUS,
        list_skus,
        Operation("list_skus", "A product's SKUs, oldest first", "ProductSkusList", _LIST_QUERY),
    ),
    Route(
        "POST",
        _SKUS,
        create_sku,
        Operation(
            "create_sku",
            "Add a SKU to a product, or update the one its id or source_id names (upsert)",
            "Sku",
            body={"type": "object", "properties": {**_IDENTIFIED, **_SKU_FIELDS}},
        ),
    ),
    Route(
        "PUT",
        _SKU,
        update_sku,
        Operation(
            "update_sku",
            "Change a SKU",
            "Sku",
            body={"type": "object", "properties": _SKU_FIELDS},
        ),
    ),
    Route("DELETE", _SKU, delete_sku, Operation("delete_sku", "Delete a SKU", None, _FORCE)),
    Route("GET", "/v1/skus/{skuId}", get_sku, Operation("get_sku", "Get a SKU", "Sku")),
)
