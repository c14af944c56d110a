"""The ``Checkout`` of a session: its rounding choice, and free units priced from its catalogue.

A ``UNIT`` discount's product or SKU the order lacks is looked up as an order line naming
it is (``catalogue.resolve_items``): the catalogue's price and ``product``/``sku``
objects, kept as named when the catalogue lacks it, or 404 ``not_found`` under
``strict_products``. The fake has no products collections yet: none holds a line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.ledger.catalogue import resolve_items
from loyalty_fake.ledger.discounts import Checkout
from loyalty_fake.ledger.orders import OrderItem

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.session import Session

__all__ = ["session_checkout"]


def _entry(unit: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    found = unit.get(kind)
    return (
        {key: found[key] for key in ("id", "source_id") if key in found}
        if isinstance(found, dict)
        else None
    )


def session_checkout(session: Session, *, products_once: bool = False) -> Checkout:
    """How ``session``'s checkout calculates (``discounts.calculate``'s ``Checkout``).

    ``products_once``: the stacking rules' ``redeemables_products_application_mode: ONCE``.
    """

    def unit_item(unit: Mapping[str, Any]) -> OrderItem | None:
        product, sku = _entry(unit, "product") or {}, _entry(unit, "sku")
        product_id = product.get("id") or unit.get("unit_type")
        named = OrderItem(
            product_id=product_id if isinstance(product_id, str) else None,
            sku_id=sku.get("id") if sku else None,
            related_object="sku" if sku else "product",
            product=product or None,
            sku=sku,
        )
        return resolve_items(session, (named,))[0]

    return Checkout(
        rounding=session.discount_rounding, products_once=products_once, unit_item=unit_item
    )
