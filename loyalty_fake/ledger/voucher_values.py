"""What discount and gift vouchers take from requests and campaigns: values and bounds.

Split from ``vouchers.py`` (module length): the checks and field copies its area uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.ledger.cards import MAX_POINTS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.vouchers import Voucher

__all__ = [
    "CARD_OWN",
    "INHERITED",
    "VALIDITY",
    "check_gift_amount",
    "take_template",
    "update_voucher",
    "value_of",
]

# What a voucher takes from its campaign's voucher template unless it says otherwise.
INHERITED = ("start_date", "expiration_date")
VALIDITY = ("validity_timeframe", "validity_day_of_week", "validity_hours")
# What an update may set on a card (its overrides) and on a voucher (its settings).
CARD_OWN = (*INHERITED, "additional_info", "validity_timeframe", "validity_day_of_week")
_VOUCHER_SETTINGS = ("additional_info", *VALIDITY)
_VOUCHER_FIELDS = {
    "redemption_quantity": "redemption_quantity",
    "gift_amount": "gift_amount",
    "gift_effect": "gift_effect",
    "start_date": "start_date",
    "expiration_date": "expiration_date",
}


def value_of(
    kind: str,
    template: Mapping[str, Any],
    discount: Mapping[str, Any] | None,
    gift: Mapping[str, Any] | None,
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """The voucher's discount or gift: its own, else its campaign's; 400 when neither."""
    if kind == "DISCOUNT_VOUCHER":
        discount = discount if discount is not None else template.get("discount")
        if discount is None:
            raise errors.invalid_payload("Property .discount is required")
        return discount, None
    gift = gift if gift is not None else template.get("gift")
    if gift is None:
        raise errors.invalid_payload("Property .gift is required")
    check_gift_amount(int(gift.get("amount", 0)))
    return None, gift


def check_gift_amount(amount: int, what: str = "gift.amount") -> None:
    """400 ``invalid_payload`` unless ``0 <= amount <= MAX_POINTS``."""
    if not 0 <= amount <= MAX_POINTS:
        raise errors.invalid_payload(
            f"Property .{what} must be " + (f"<= {MAX_POINTS}" if amount > 0 else ">= 0")
        )


def update_voucher(voucher: Voucher, changes: Mapping[str, Any]) -> None:
    """Apply a discount or gift voucher's own changes (``Vouchers.update``)."""
    for key, field in _VOUCHER_FIELDS.items():
        if key in changes:
            setattr(voucher, field, changes[key])
    voucher.settings.update({k: v for k, v in changes.items() if k in _VOUCHER_SETTINGS})
    if "discount" in changes:
        voucher.discount = dict(changes["discount"])


def take_template(
    voucher: Voucher, discount: Mapping[str, Any] | None, gift: Mapping[str, Any] | None
) -> None:
    """An unused voucher takes its campaign's new discount or gift."""
    if discount is not None:
        voucher.discount = dict(discount)
    if gift is not None:
        voucher.gift_amount = gift.get("amount", voucher.gift_amount)
        voucher.gift_effect = gift.get("effect", voucher.gift_effect)
