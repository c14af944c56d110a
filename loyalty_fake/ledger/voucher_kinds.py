"""Discount vouchers and gift cards as redeemable kinds (``redeemables.REDEEMABLE_KINDS``).

A stacked validation checks them as Voucherify does: the voucher is enabled, inside its
dates, under its redemption quantity, a gift card has the credits asked for, and every
validation rule assigned to the voucher or its campaign holds. What a discount takes off
the order is ``discounts.calculate``'s arithmetic, on what the redeemables before it left
to pay; a gift card spends its credits (all it has by default) up to that. Redeeming
them is not done yet: ``apply`` answers 501 ``not_implemented`` before anything changes
(docs/choices.md, "Discount vouchers and gift cards in stacked requests").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.discounts import DiscountRedeemable, calculate
from loyalty_fake.ledger.orders import OrderRequest
from loyalty_fake.ledger.redeemables import Application, Checkout, RedeemableRequest
from loyalty_fake.ledger.validation_rule_check import RuleContext
from loyalty_fake.ledger.vouchers import Voucher

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.orders import Order
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.session import Session

__all__ = ["NOT_REDEEMED_YET", "DiscountVouchers", "GiftCards", "check_voucher", "not_yet"]


def check_voucher(session: Session, voucher: Voucher, checkout: Checkout, *, what: str) -> None:
    """Raise Voucherify's refusal of ``voucher`` for this checkout, if any.

    ``voucher_disabled``, ``voucher_not_active_now``, ``voucher_expired``,
    ``quantity_exceeded``, then the first violated validation rule assigned to the
    voucher or its campaign (``customer_rules_violated``, ``order_rules_violated``, ...).
    """
    campaign = session.vouchers.campaign_of(voucher)
    if not voucher.active or (campaign is not None and not campaign.active):
        raise errors.bad_request("voucher_disabled", "voucher is disabled", voucher.code)
    now = session.clock.now()
    if voucher.start_date is not None and now < voucher.start_date:
        raise errors.bad_request("voucher_not_active_now", "voucher not active now", voucher.code)
    if voucher.expiration_date is not None and now > voucher.expiration_date:
        raise errors.bad_request("voucher_expired", "voucher expired", voucher.code)
    quantity = voucher.redemption_quantity
    if quantity is not None and voucher.redeemed_quantity >= quantity:
        raise errors.bad_request(
            "quantity_exceeded",
            "Quantity exceeded",
            f"Voucher {voucher.code} has been redeemed {voucher.redeemed_quantity} times of"
            f" {quantity}",
        )
    context = checkout.context or RuleContext(now=now, order_amount=checkout.remaining)
    owners = [("voucher", voucher.id)]
    if campaign is not None:
        owners.append(("campaign", campaign.id))
    for kind, owner in owners:
        violation = session.validation_rules.check(kind, owner, context, what=what)
        if violation is not None:
            raise violation.as_error()


def _find(session: Session, request: RedeemableRequest, type_: str) -> Voucher | None:
    if request.object != "voucher":
        return None
    try:
        found = session.vouchers.find(request.id)
    except VoucherifyError:
        return None
    if isinstance(found, Voucher) and found.type == type_:
        return found
    return None


# The kinds whose redemption is not done yet, by Application.kind: the stacking refuses
# a redemption naming one (501) before it changes anything.
NOT_REDEEMED_YET = {"discount_voucher": "discount voucher", "gift_card": "gift card"}


def not_yet(kind: str) -> VoucherifyError:
    """501 ``not_implemented`` for redeeming a ``kind`` (a ``NOT_REDEEMED_YET`` value)."""
    return errors.not_implemented(
        "redemption",
        f"Redeeming a {kind} in a stacked redemption is not done yet; validate it instead",
    )


class DiscountVouchers:
    """Discount vouchers (``DISCOUNT_VOUCHER``): what their ``discount`` takes off the order."""

    name = "discount_voucher"

    def find(self, session: Session, request: RedeemableRequest) -> Voucher | None:
        """The discount voucher with this code (or ``v_`` ID), if it is one."""
        return _find(session, request, "DISCOUNT_VOUCHER")

    def check(
        self, session: Session, found: Voucher, request: RedeemableRequest, checkout: Checkout
    ) -> Application:
        """The voucher's checks, and its discount on what is left to pay (0 without an amount)."""
        check_voucher(session, found, checkout, what="Discount Coupon")
        discount = 0
        if checkout.remaining is not None and found.discount is not None:
            calculation = calculate(
                OrderRequest(amount=checkout.remaining),
                [DiscountRedeemable(found.discount, id=found.id)],
            )
            discount = calculation.applied[0].discount
        return Application(
            request=request,
            kind=self.name,
            record=found,
            campaign_id=found.campaign_id or "",
            discount=discount,
        )

    def apply(
        self,
        session: Session,
        application: Application,
        order: Order | None,
        parent_id: str,
        metadata: Mapping[str, Any] | None,
    ) -> Redemption:
        """Not done yet: 501 (the stacking asks before it changes anything)."""
        del session, application, order, parent_id, metadata
        raise not_yet("discount voucher")


class GiftCards:
    """Gift cards (``GIFT_VOUCHER``): credits spent on what is left to pay."""

    name = "gift_card"

    def find(self, session: Session, request: RedeemableRequest) -> Voucher | None:
        """The gift card with this code (or ``v_`` ID), if it is one."""
        return _find(session, request, "GIFT_VOUCHER")

    def check(
        self, session: Session, found: Voucher, request: RedeemableRequest, checkout: Checkout
    ) -> Application:
        """The card's checks; 400 ``not_enough_balance`` for credits beyond its balance.

        It spends the credits asked for (``gift.credits``), else all it has, and never
        more than is left to pay.
        """
        check_voucher(session, found, checkout, what="Gift Card")
        balance = found.gift_balance
        wanted = balance if request.gift_credits is None else request.gift_credits
        if wanted > balance or balance <= 0:
            raise errors.bad_request(
                "not_enough_balance",
                "Not enough balance",
                f"Gift card {found.code} has {balance} credits, {wanted} asked for",
            )
        spent = wanted if checkout.remaining is None else min(wanted, checkout.remaining)
        return Application(
            request=request,
            kind=self.name,
            record=found,
            campaign_id=found.campaign_id or "",
            discount=spent if checkout.remaining is not None else 0,
            credits=spent,
        )

    def apply(
        self,
        session: Session,
        application: Application,
        order: Order | None,
        parent_id: str,
        metadata: Mapping[str, Any] | None,
    ) -> Redemption:
        """Not done yet: 501 (the stacking asks before it changes anything)."""
        del session, application, order, parent_id, metadata
        raise not_yet("gift card")
