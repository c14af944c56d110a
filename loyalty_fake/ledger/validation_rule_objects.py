"""What validation rules are checked against and answer: objects they assign to, violations.

``RELATED_OBJECTS`` finds the object an assignment names (a campaign, a voucher, an earning
rule, ...); areas that keep more kinds add theirs. ``Violation`` is what a failing rule
answers, as Voucherify's error; ``item_context`` reads an order line for the evaluator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.validation_rule_check import ItemContext

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.ledger.orders import OrderItem
    from loyalty_fake.ledger.project import Project

__all__ = ["MESSAGES", "RELATED_OBJECTS", "Violation", "item_context"]


@attrs.frozen
class Violation:
    """Why an assigned rule does not hold: Voucherify's ``key``, ``message`` and ``details``.

    ``error_message``: the message the rule (or its failing condition) configures, shown
    as the error's ``error.message``.
    """

    key: str
    message: str
    details: str
    rule_id: str
    error_message: str | None = None

    def as_error(self) -> errors.VoucherifyError:
        """The violation as Voucherify's 400 error envelope."""
        extra = {"error": {"message": self.error_message}} if self.error_message else {}
        return errors.VoucherifyError(
            code=400, key=self.key, message=self.message, details=self.details, extra=extra
        )


MESSAGES = {
    "customer_rules_violated": "customer does not match validation rules",
    "order_rules_violated": "order does not match validation rules",
    "redemption_rules_violated": "redemption does not match validation rules",
}


def _campaign(project: Project, ref: str) -> str | None:
    found = project.campaigns.get(ref)
    return found.id if found is not None and not found.in_bin else None


def _voucher(project: Project, ref: str) -> str | None:
    card = project.cards.get(ref)
    if card is not None:
        return card.id
    if project.code_of_card_id(ref) is not None:
        return ref
    # A discount voucher or gift card, by code or ``v_`` ID (not one in the bin).
    voucher = project.vouchers.get(ref) or next(
        (v for v in project.vouchers.values() if v.id == ref), None
    )
    return voucher.id if voucher is not None and not voucher.in_bin else None


# related_object_type -> the object's ID if the project holds it (by ID, or a voucher by
# code too). Areas that keep more kinds (promotion tiers, distributions) add theirs here.
RELATED_OBJECTS: dict[str, Callable[[Project, str], str | None]] = {
    "campaign": _campaign,
    "voucher": _voucher,
    "earning_rule": lambda project, ref: ref if ref in project.earning_rules else None,
    "reward_assignment": lambda project, ref: ref if ref in project.reward_assignments else None,
    "promotion_tier": lambda _project, _ref: None,
    "distribution": lambda _project, _ref: None,
}


def item_context(item: OrderItem) -> ItemContext:
    """An order line as rules read it: its product's and SKU's IDs and source_ids."""
    product, sku = item.product or {}, item.sku or {}
    related = item.related_object or "product"
    return ItemContext(
        product_id=item.product_id or product.get("id"),
        product_source_id=product.get("source_id")
        or (item.source_id if related == "product" else None),
        sku_id=item.sku_id or sku.get("id"),
        sku_source_id=sku.get("source_id") or (item.source_id if related == "sku" else None),
        quantity=item.quantity,
        price=item.price,
        amount=item.amount,
        metadata=item.metadata,
        product_metadata=product.get("metadata"),
    )
