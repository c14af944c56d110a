"""Bulk work on products and SKUs, each answered by an (already finished) async action.

``POST /v1/products/bulk/async``, ``POST /v1/products/metadata/async``,
``POST /v1/products/importCSV`` and ``POST /v1/skus/importCSV``, the customer versions'
counterparts (``imports.py``). A bad request (no file, a file that is not CSV) is 400 and
changes nothing; a bad row of a good file is reported in the action's ``failed``.
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http.common_json import FREE_OBJECT, Schema
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.imports import (
    IMPORT_CSV,
    MULTIPART,
    csv_rows,
    json_array,
    metadata_update,
    split_row,
    uploaded_file,
)
from loyalty_fake.http.params import Body
from loyalty_fake.http.products import _PRODUCT_FIELDS, _attributes
from loyalty_fake.ledger import imports, product_imports
from loyalty_fake.ledger.products import ProductInput, SkuInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.async_actions import AsyncActionType
    from loyalty_fake.ledger.session import Session

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


# The documented CSV headers (case aside); any other column is metadata.
_PRODUCT_COLUMNS = ("name", "source_id", "price", "attributes", "image_url")
_SKU_COLUMNS = ("product_id", "sku", "source_id", "price", "image_url", "attributes")
_PRICE = re.compile(r"[0-9]+")


def _checked_headers(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows, once no metadata header holds white space (Voucherify refuses those)."""
    for name in rows[0] if rows else ():
        if any(char.isspace() for char in name):
            raise errors.invalid_payload(f"CSV header '{name}' must not contain white space")
    return rows


def _price(known: dict[str, str]) -> int | None:
    raw = known.get("price")
    if raw is None:
        return None
    if not _PRICE.fullmatch(raw):
        raise errors.invalid_payload(f"price must be a whole number of cents, not '{raw}'")
    return int(raw)


def _product_row(session: Session, row: dict[str, str]) -> None:
    known, metadata = split_row(row, _PRODUCT_COLUMNS)
    if "name" not in known:
        raise errors.invalid_payload("name is required")
    names = known.get("attributes")
    given = ProductInput(
        source_id=known.get("source_id"),
        name=known["name"],
        price=_price(known),
        attributes=tuple(n.strip() for n in names.split(",") if n.strip()) if names else None,
        image_url=known.get("image_url"),
        metadata=metadata or None,
    )
    product_imports.import_product(session, given)


def _sku_attributes(raw: str | None) -> dict[str, Any] | None:
    """A SKU's attributes cell: a JSON object, single quotes allowed (``{'color':'blue'}``)."""
    if raw is None:
        return None
    for text in (raw, raw.replace("'", '"')):
        try:
            found = json.loads(text)
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    raise errors.invalid_payload(f"attributes must be a JSON object, not '{raw}'")


def _sku_row(session: Session, row: dict[str, str]) -> None:
    known, metadata = split_row(row, _SKU_COLUMNS)
    for required in ("product_id", "source_id"):
        if required not in known:
            raise errors.invalid_payload(f"{required} is required")
    given = SkuInput(
        source_id=known["source_id"],
        sku=known.get("sku"),
        price=_price(known),
        attributes=_sku_attributes(known.get("attributes")),
        image_url=known.get("image_url"),
        metadata=metadata or None,
    )
    product_imports.import_sku(session, known["product_id"], given)


def _source_id(row: dict[str, str]) -> str:
    """The row's ``source_id`` cell (the header's case aside), for the action's report."""
    return next((v.strip() for k, v in row.items() if k.lower() == "source_id"), "")


def _import(
    call: Call, row_work: Callable[[Session, dict[str, str]], None], kind: AsyncActionType
) -> tuple[int, Any]:
    rows = _checked_headers(csv_rows(uploaded_file(call.request)))
    work = [(_source_id(row), partial(row_work, call.session, row)) for row in rows]
    noun = "product(s)" if kind == "PRODUCTS.IMPORT_CSV" else "SKU(s)"
    action = imports.import_rows(call.session, work, kind, noun)
    return 200, {"async_action_id": action.id}


def import_products_csv(call: Call) -> tuple[int, Any]:
    """``POST /v1/products/importCSV``: create a product per row, or rename the one named."""
    return _import(call, _product_row, "PRODUCTS.IMPORT_CSV")


def import_skus_csv(call: Call) -> tuple[int, Any]:
    """``POST /v1/skus/importCSV``: create a SKU per row, or reprice the one named."""
    return _import(call, _sku_row, "SKUS.IMPORT_CSV")


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
    Route(
        "POST",
        "/v1/products/importCSV",
        import_products_csv,
        Operation(
            "import_products_using_csv",
            "Import products from a CSV file (an async action, already done)",
            "AsyncAction",
            body=IMPORT_CSV,
            media_type=MULTIPART,
        ),
    ),
    Route(
        "POST",
        "/v1/skus/importCSV",
        import_skus_csv,
        Operation(
            "import_skus_using_csv",
            "Import SKUs from a CSV file (an async action, already done)",
            "AsyncAction",
            body=IMPORT_CSV,
            media_type=MULTIPART,
        ),
    ),
)
