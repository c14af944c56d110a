"""Bulk updates of products: ``PRODUCTS.BULK_UPDATE`` and ``PRODUCTS.METADATA_UPDATE`` actions.

Like the customer versions (``imports.py``): the work is done at once and the action recorded
``DONE``; an item that fails is reported in the result and the others are done.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.ledger.imports import _bulk_result, _reason, _refused
from loyalty_fake.ledger.products import ProductInput, find_product

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from loyalty_fake.ledger.async_actions import AsyncAction
    from loyalty_fake.ledger.session import Session

__all__ = ["update_products", "update_products_metadata"]


def update_products(session: Session, given: Sequence[ProductInput]) -> AsyncAction:
    """Update each product by ``source_id``, creating those not found (``PRODUCTS.BULK_UPDATE``)."""
    errors: list[dict[str, Any]] = []
    for product in given:
        error = _refused(partial(session.products.upsert, product))
        if error is not None:
            errors.append(
                {
                    "message": error.message,
                    "details": _reason(error),
                    "key": error.key,
                    "source_id": product.source_id or "",
                }
            )
    result = _bulk_result(session, len(given) - len(errors), errors)
    return session.async_actions.record("PRODUCTS.BULK_UPDATE", result)


def update_products_metadata(
    session: Session, source_ids: Sequence[str], metadata: Mapping[str, Any]
) -> AsyncAction:
    """Merge ``metadata`` into each product's (``PRODUCTS.METADATA_UPDATE``).

    A ``source_id`` no product has is upserted: a new product with that metadata.
    """
    errors: list[dict[str, Any]] = []
    unique = list(dict.fromkeys(source_ids))
    for source_id in unique:
        found = find_product(session.project, source_id)
        if found is not None and found.source_id != source_id:
            found = None
        merged = {**(found.metadata or {}), **metadata} if found is not None else dict(metadata)
        given = attrs.evolve(ProductInput(source_id=source_id), metadata=merged)
        error = _refused(partial(session.products.upsert, given))
        if error is not None:
            errors.append(
                {
                    "message": error.message,
                    "details": _reason(error),
                    "key": error.key,
                    "source_id": source_id,
                }
            )
    result = _bulk_result(session, len(unique) - len(errors), errors)
    return session.async_actions.record("PRODUCTS.METADATA_UPDATE", result)
