"""Bulk work on products: bulk and metadata updates, and the product and SKU CSV imports.

Like the customer versions (``imports.py``): the work is done at once and the action recorded
``DONE``; an item that fails is reported in the result and the others are done.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.ledger.imports import upsert_each
from loyalty_fake.ledger.products import ProductInput, SkuInput, find_product, find_sku

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from loyalty_fake.ledger.async_actions import AsyncAction
    from loyalty_fake.ledger.session import Session

__all__ = ["import_product", "import_sku", "update_products", "update_products_metadata"]


def update_products(session: Session, given: Sequence[ProductInput]) -> AsyncAction:
    """Update each product by ``source_id``, creating those not found (``PRODUCTS.BULK_UPDATE``)."""
    upserts = [(p.source_id or "", partial(session.products.upsert, p)) for p in given]
    return upsert_each(session, upserts, "PRODUCTS.BULK_UPDATE")


def update_products_metadata(
    session: Session, source_ids: Sequence[str], metadata: Mapping[str, Any]
) -> AsyncAction:
    """Merge ``metadata`` into each product's (``PRODUCTS.METADATA_UPDATE``).

    A ``source_id`` no product has is upserted: a new product with that metadata.
    """
    upserts = [
        (source_id, partial(_merge_metadata, session, source_id, metadata))
        for source_id in dict.fromkeys(source_ids)
    ]
    return upsert_each(session, upserts, "PRODUCTS.METADATA_UPDATE")


def _merge_metadata(session: Session, source_id: str, metadata: Mapping[str, Any]) -> None:
    found = find_product(session.project, source_id)
    if found is not None and found.source_id != source_id:
        found = None
    merged = {**(found.metadata or {}), **metadata} if found is not None else dict(metadata)
    session.products.upsert(attrs.evolve(ProductInput(source_id=source_id), metadata=merged))


def import_product(session: Session, given: ProductInput) -> None:
    """One CSV row of ``POST /v1/products/importCSV``.

    A product the row's ``source_id`` names gets the row's name and nothing else ("No other
    data can be updated other than the product name"); a new one everything the row gives.
    """
    found = find_product(session.project, given.source_id) if given.source_id else None
    if found is not None and found.source_id == given.source_id and not found.in_bin:
        given = ProductInput(source_id=given.source_id, name=given.name)
    session.products.upsert(given)


def import_sku(session: Session, product_ref: str, given: SkuInput) -> None:
    """One CSV row of ``POST /v1/skus/importCSV``, a SKU of product ``product_ref``.

    A SKU the row's ``source_id`` names gets the row's ``sku`` and ``price`` only (the
    fields the documentation says the import updates); a new one everything the row gives.
    """
    found = find_sku(session.project, given.source_id) if given.source_id else None
    if found is not None and found.source_id == given.source_id and not found.in_bin:
        given = SkuInput(source_id=given.source_id, sku=given.sku, price=given.price)
    session.products.upsert_sku(product_ref, given)
