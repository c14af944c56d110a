"""Bulk updates of products, each answered by an (already finished) async action.

``POST /v1/products/bulk/async`` and ``POST /v1/products/metadata/async``, the customer
versions' counterparts (``imports.py``). The whole request is checked before anything is
done: a bad one is 400 and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import FREE_OBJECT, Schema
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.imports import json_array, metadata_update
from loyalty_fake.http.params import Body
from loyalty_fake.http.products import _PRODUCT_FIELDS, _attributes
from loyalty_fake.ledger import product_imports
from loyalty_fake.ledger.products import ProductInput

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_BULK_PRODUCTS: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"source_id": NON_EMPTY, **_PRODUCT_FIELDS},
        "required": ["source_id"],
    },
    "minItems": 1,
}
_BULK_METADATA: Schema = {
    "type": "object",
    "properties": {
        "source_ids": {"type": "array", "items": NON_EMPTY, "minItems": 1},
        "metadata": FREE_OBJECT,
    },
    "required": ["source_ids", "metadata"],
}


def update_products_in_bulk(call: Call) -> tuple[int, Any]:
    """``POST /v1/products/bulk/async``: upsert each product by its ``source_id``."""
    given = []
    for index, item in enumerate(json_array(call)):
        body = Body(item, f"[{index}]")
        body.require("source_id")
        given.append(
            ProductInput(
                source_id=body.string("source_id", non_empty=True),
                name=body.string("name"),
                price=body.integer("price", minimum=0),
                attributes=_attributes(body),
                metadata=body.mapping("metadata"),
                image_url=body.string("image_url"),
            )
        )
    action = product_imports.update_products(call.session, given)
    return 202, {"async_action_id": action.id}


def update_products_metadata(call: Call) -> tuple[int, Any]:
    """``POST /v1/products/metadata/async``: the same metadata for each product listed."""
    source_ids, metadata = metadata_update(call)
    action = product_imports.update_products_metadata(call.session, source_ids, metadata)
    return 202, {"async_action_id": action.id}


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/products/bulk/async",
        update_products_in_bulk,
        Operation(
            "update_products_in_bulk",
            "Upsert products by source_id (an async action, already done)",
            None,
            body=_BULK_PRODUCTS,
            accepted="AsyncAction",
        ),
    ),
    Route(
        "POST",
        "/v1/products/metadata/async",
        update_products_metadata,
        Operation(
            "update_products_metadata_in_bulk",
            "Merge metadata into products by source_id (an async action, already done)",
            None,
            body=_BULK_METADATA,
            accepted="AsyncAction",
        ),
    ),
)
