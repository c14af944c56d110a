"""``UNIT`` discounts: units of a product or SKU given free, added to the order if need be.

``ADD_MISSING_ITEMS`` adds only the units the order lacks to reach ``unit_off``;
``ADD_NEW_ITEMS`` always adds ``unit_off`` units; ``ADD_MANY_ITEMS`` does either for each
of its ``units``. The free units' price is the discount, on the line that holds them: the
order's line for that product or SKU, else a line added at the catalogue's price (the
caller's ``unit_item``), else at no price (a free unit worth nothing). ``unit_type`` (or
``product.id``) names the product, ``sku.id`` the SKU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.ledger.catalogue import line_names
from loyalty_fake.ledger.orders import OrderItem

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from loyalty_fake.ledger.checkout_cart import Cart

__all__ = ["UNIT_EFFECTS", "apply_units"]

UNIT_EFFECTS = ("ADD_MISSING_ITEMS", "ADD_NEW_ITEMS", "ADD_MANY_ITEMS")


def _units(discount: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The units a ``UNIT`` discount gives: itself, or each of its ``units`` (many)."""
    effect = discount.get("effect") or "ADD_MISSING_ITEMS"
    if effect not in UNIT_EFFECTS:
        raise errors.invalid_payload(f"discount.effect {effect} does not suit a UNIT discount")
    if effect != "ADD_MANY_ITEMS":
        return [discount]
    units = discount.get("units")
    if not isinstance(units, list) or not all(isinstance(unit, dict) for unit in units):
        raise errors.invalid_payload("discount.units must be an array of units")
    for unit in units:
        if unit.get("effect") not in UNIT_EFFECTS[:2]:
            raise errors.invalid_payload(
                "discount.units[].effect must be ADD_NEW_ITEMS or ADD_MISSING_ITEMS"
            )
    return units


def _count(unit: Mapping[str, Any]) -> int:
    value = unit.get("unit_off", 1)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise errors.invalid_payload("discount.unit_off must be a whole number of at least 0")
    if not float(value).is_integer():
        raise errors.invalid_payload("discount.unit_off must be a whole number of at least 0")
    return int(value)


def _names(unit: Mapping[str, Any], kind: str) -> set[Any]:
    entry = unit.get(kind)
    entry = entry if isinstance(entry, dict) else {}
    names = {entry.get("id"), entry.get("source_id")}
    if kind == "product":
        names.add(unit.get("unit_type"))
    return names - {None}


def _line(cart: Cart, unit: Mapping[str, Any], skip: set[int]) -> int | None:
    """The order's line holding the unit's SKU, or its product (a line of no SKU first)."""
    skus = _names(unit, "sku")
    lines = [at for at in range(len(cart.items)) if at not in skip]
    if skus:
        return next((at for at in lines if skus & line_names(cart.items[at], "sku")), None)
    products = _names(unit, "product")
    found = [at for at in lines if products & line_names(cart.items[at], "product")]
    plain = [at for at in found if not line_names(cart.items[at], "sku")]
    chosen = plain or found
    return chosen[0] if chosen else None


def _new_item(
    unit: Mapping[str, Any], unit_item: Callable[[Mapping[str, Any]], OrderItem | None]
) -> OrderItem:
    """The line added for a unit the order lacks: the catalogue's, else named as the unit is."""
    found = unit_item(unit)
    if found is not None:
        return found
    raw_product, raw_sku = unit.get("product"), unit.get("sku")
    product: dict[str, Any] = dict(raw_product) if isinstance(raw_product, dict) else {}
    sku: dict[str, Any] | None = dict(raw_sku) if isinstance(raw_sku, dict) else None
    product_id = product.get("id") or unit.get("unit_type")
    return OrderItem(
        product_id=product_id if isinstance(product_id, str) else None,
        sku_id=sku.get("id") if sku else None,
        related_object="sku" if sku else "product",
        product=product or None,
        sku=sku,
    )


def apply_units(
    cart: Cart,
    discount: Mapping[str, Any],
    skip: set[int],
    unit_item: Callable[[Mapping[str, Any]], OrderItem | None],
) -> tuple[dict[int, int], dict[int, int]]:
    """Give a ``UNIT`` discount's units free; the cents and the free units per line.

    Raises 400 ``invalid_payload`` for an effect or ``unit_off`` it cannot read.
    """
    parts: dict[int, int] = {}
    free: dict[int, int] = {}
    for unit in _units(discount):
        count = _count(unit)
        at = _line(cart, unit, skip)
        if at is None:
            at = cart.add_line(_new_item(unit, unit_item))
        have = cart.quantity[at] - cart.discount_quantity[at]
        add = (
            count
            if unit.get("effect", discount.get("effect")) == "ADD_NEW_ITEMS"
            else max(0, count - have)
        )
        if add:
            cart.grow(at, add)
        cart.unit_touched[at] = True
        cart.discount_quantity[at] += count
        cart.applied_discount_quantity[at] += count
        free[at] = free.get(at, 0) + count
        parts[at] = parts.get(at, 0) + count * cart.price[at]
    return cart.take_items(parts), free
