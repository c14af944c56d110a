"""Products and SKUs as Voucherify's JSON (``Product``, ``Sku``), with schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    COUNT,
    FREE_OBJECT,
    NULLABLE_TIMESTAMP,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    format_timestamp,
    nullable,
    obj,
    page_list,
    ref,
    timestamp_or_none,
)

if TYPE_CHECKING:
    from loyalty_fake.ledger.products import Product, Sku

__all__ = ["SCHEMAS", "product_json", "sku_json", "sku_list_json", "skus_json"]


def sku_json(sku: Sku) -> dict[str, Any]:
    """A SKU, every field the spec's ``Sku`` requires (nulls where unknown)."""
    return {
        "id": sku.id,
        "source_id": sku.source_id,
        "product_id": sku.product_id,
        "sku": sku.sku,
        "price": sku.price,
        "currency": sku.currency,
        "attributes": dict(sku.attributes or {}),
        "image_url": sku.image_url,
        "metadata": dict(sku.metadata or {}),
        "created_at": format_timestamp(sku.created_at),
        "updated_at": timestamp_or_none(sku.updated_at),
        "object": "sku",
    }


def skus_json(skus: list[Sku]) -> dict[str, Any]:
    """A product's SKUs (``data_ref: data``), as a product shows them."""
    return {
        "object": "list",
        "data_ref": "data",
        "data": [sku_json(sku) for sku in skus],
        "total": len(skus),
    }


def sku_list_json(skus: list[Sku], total: int) -> dict[str, Any]:
    """A page of a product's SKUs (``data_ref: skus``), as their listing answers it."""
    return {
        "object": "list",
        "data_ref": "skus",
        "skus": [sku_json(sku) for sku in skus],
        "total": total,
    }


def product_json(product: Product, skus: list[Sku]) -> dict[str, Any]:
    """A product with its SKUs (``skus``, a list), as every product operation answers it."""
    return {
        "id": product.id,
        "source_id": product.source_id,
        "name": product.name,
        "price": product.price,
        "attributes": list(product.attributes),
        "metadata": dict(product.metadata or {}),
        "image_url": product.image_url,
        "created_at": format_timestamp(product.created_at),
        "updated_at": timestamp_or_none(product.updated_at),
        "object": "product",
        "skus": skus_json(skus),
    }


_NULLABLE_STRING = nullable(STRING)
_PRICE = nullable(COUNT)

SCHEMAS: dict[str, Schema] = {
    "Sku": obj(
        {
            "id": STRING,
            "source_id": _NULLABLE_STRING,
            "product_id": STRING,
            "sku": _NULLABLE_STRING,
            "price": _PRICE,
            "currency": _NULLABLE_STRING,
            "attributes": FREE_OBJECT,
            "image_url": _NULLABLE_STRING,
            "metadata": FREE_OBJECT,
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "object": const("sku"),
        }
    ),
    "SkusList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("Sku")},
            "total": COUNT,
        }
    ),
    "Product": obj(
        {
            "id": STRING,
            "source_id": _NULLABLE_STRING,
            "name": _NULLABLE_STRING,
            "price": _PRICE,
            "attributes": {"type": "array", "items": STRING},
            "metadata": FREE_OBJECT,
            "image_url": _NULLABLE_STRING,
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "object": const("product"),
            "skus": ref("SkusList"),
        }
    ),
    "ProductsList": page_list("products", ref("Product")),
    "ProductSkusList": page_list("skus", ref("Sku")),
}
