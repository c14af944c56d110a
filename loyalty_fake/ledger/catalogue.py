"""Order lines resolved against the catalogue: the products and SKUs they name.

A line names a product or SKU by ``source_id`` with ``related_object`` (which wins, as
Voucherify's SDK maintainers explain in voucherify-nodejs-sdk issue 98), by
``product_id``/``sku_id``, or by the ``id``/``source_id`` of its ``product``/``sku``
object. A line that resolves carries the catalogue's product (and SKU) as Voucherify
returns them on an order: ``{id, source_id, name, price, metadata}`` and ``{id,
source_id, sku, price, metadata}``; a SKU's line carries its product too. Its price is
the SKU's or the product's when the line gives none.

``override: true`` on a line's ``product`` or ``sku`` stores the line's data in the
catalogue ("If the product does not exist, it will be created with a source_id; if it
does exist, the provided values for the name, price, and metadata will replace those
already stored"): the line's own data wins. A line naming something the catalogue lacks
is kept as given, or refused with 404 ``not_found`` under ``strict_products``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.products import ProductInput, SkuInput, find_product, find_sku

if TYPE_CHECKING:
    from loyalty_fake.ledger.orders import OrderItem
    from loyalty_fake.ledger.products import Product, Sku
    from loyalty_fake.ledger.session import Session

__all__ = ["line_names", "product_line_json", "resolve_items", "sku_line_json"]

# The largest integer a JSON number holds exactly: a line's amount stays within it.
_MAX_AMOUNT = 2**53 - 1


def product_line_json(product: Product) -> dict[str, Any]:
    """A product as an order line carries it: what is known, nothing null."""
    found = {
        "id": product.id,
        "source_id": product.source_id,
        "name": product.name,
        "price": product.price,
        "metadata": dict(product.metadata) if product.metadata else None,
    }
    return {key: value for key, value in found.items() if value is not None}


def sku_line_json(sku: Sku) -> dict[str, Any]:
    """A SKU as an order line carries it: what is known, nothing null."""
    found = {
        "id": sku.id,
        "source_id": sku.source_id,
        "sku": sku.sku,
        "price": sku.price,
        "metadata": dict(sku.metadata) if sku.metadata else None,
    }
    return {key: value for key, value in found.items() if value is not None}


def line_names(item: OrderItem, kind: str) -> set[Any]:
    """Every ID or source_id that names ``item``'s product (``kind``: product) or SKU."""
    entry = (item.product if kind == "product" else item.sku) or {}
    own = item.product_id if kind == "product" else item.sku_id
    names = {own, entry.get("id"), entry.get("source_id")}
    if (item.related_object or "product") == kind:
        names.add(item.source_id)
    names.discard(None)
    return names


def _entry(raw: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
    """A line's product or SKU object without ``override``, and whether it said true."""
    entry = dict(raw or {})
    return entry, entry.pop("override", None) is True


def _price(entry: dict[str, Any]) -> int | None:
    value = entry.get("price")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() and 0 <= value <= _MAX_AMOUNT else None


def _metadata(entry: dict[str, Any]) -> dict[str, Any] | None:
    value = entry.get("metadata")
    return value if isinstance(value, dict) else None


def _text(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) and value else None


def _reference(item: OrderItem, kind: str, entry: dict[str, Any]) -> str | None:
    """What names the line's product (``kind``: product) or SKU, most binding first."""
    if item.related_object == kind and item.source_id:
        return item.source_id
    own = item.product_id if kind == "product" else item.sku_id
    return own or _text(entry, "id") or _text(entry, "source_id")


def _new_source_id(item: OrderItem, kind: str, entry: dict[str, Any]) -> str | None:
    """The source_id an overriding line creates its product (or SKU) with, if it has one."""
    if item.related_object == kind and item.source_id:
        return item.source_id
    return _text(entry, "source_id")


class _Resolver:
    """Resolves one request's lines; what ``override`` stores goes through the catalogue."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._project = session.project
        self._strict = session.strict_products

    def _product(self, item: OrderItem, entry: dict[str, Any], override: bool) -> Product | None:
        ref = _reference(item, "product", entry)
        found = find_product(self._project, ref) if ref is not None else None
        if override:
            data = ProductInput(
                name=_text(entry, "name"), price=_price(entry), metadata=_metadata(entry)
            )
            products = self._session.products
            if found is not None:
                return products.update(found.id, data)
            source_id = _new_source_id(item, "product", entry)
            if source_id is not None:
                return products.upsert(attrs.evolve(data, source_id=source_id))
        return found

    def _sku(
        self, item: OrderItem, entry: dict[str, Any], override: bool, product: Product | None
    ) -> Sku | None:
        ref = _reference(item, "sku", entry)
        found = find_sku(self._project, ref) if ref is not None else None
        if override:
            data = SkuInput(sku=_text(entry, "sku"), price=_price(entry), metadata=_metadata(entry))
            products = self._session.products
            if found is not None:
                return products.update_sku(found.product_id, found.id, data)
            source_id = _new_source_id(item, "sku", entry)
            if source_id is not None and product is not None:
                return products.upsert_sku(product.id, attrs.evolve(data, source_id=source_id))
        return found

    def line(self, item: OrderItem) -> OrderItem:
        product_entry, product_override = _entry(item.product)
        sku_entry, sku_override = _entry(item.sku)
        product = self._product(item, product_entry, product_override)
        sku = self._sku(item, sku_entry, sku_override, product)
        if sku is not None and product is None:
            product = find_product(self._project, sku.product_id)
        if self._strict:
            lookups = (("sku", sku, sku_entry), ("product", product, product_entry))
            for kind, found, entry in lookups:
                ref = _reference(item, kind, entry)
                if found is None and ref is not None:
                    raise errors.not_found(kind, ref)
        changes: dict[str, Any] = {
            "product": product_line_json(product) if product else product_entry or None,
            "sku": sku_line_json(sku) if sku else sku_entry or None,
        }
        if product is not None:
            changes["product_id"] = product.id
        if sku is not None:
            changes["sku_id"] = sku.id
        price = item.price
        if price is None:
            price = next((r.price for r in (sku, product) if r is not None and r.price), None)
            changes["price"] = price
        if item.amount is None and price is not None:
            amount = price * (item.quantity if item.quantity is not None else 1)
            if amount > _MAX_AMOUNT:
                raise errors.invalid_payload(
                    f"Property .items[].amount must be <= {_MAX_AMOUNT}: price * quantity is "
                    f"{amount}"
                )
            changes["amount"] = amount
        return attrs.evolve(item, **changes)


def resolve_items(session: Session, items: tuple[OrderItem, ...]) -> tuple[OrderItem, ...]:
    """The order's lines with the products and SKUs they name (see the module's docstring).

    Raises 404 ``not_found`` (product or sku) for a line naming what the catalogue lacks
    when ``strict_products`` is on, and 409 ``duplicate_resource_key`` for an overriding
    line whose source_id a product in the bin holds.
    """
    resolver = _Resolver(session)
    return tuple(resolver.line(item) for item in items)
