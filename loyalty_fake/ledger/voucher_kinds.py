"""Discount vouchers and gift cards as redeemable kinds (``redeemables.REDEEMABLE_KINDS``).

A stacked validation checks them as Voucherify does: the voucher is enabled, inside its
dates, under its redemption quantity, a gift card has the credits asked for, and every
validation rule assigned to the voucher or its campaign holds. What a discount or a gift
card's credits take off the order is worked out afterwards for the whole request
(``stacked_checkout.calculate_stack``); ``apply`` counts the redemption and spends the
credits that calculation found; ``roll_back`` undoes
it (docs/choices.md, "Discount vouchers and gift cards in stacked requests").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.project import note_project
from loyalty_fake.ledger.redeemables import Application, Checkout, RedeemableRequest
from loyalty_fake.ledger.redemptions import Rollback
from loyalty_fake.ledger.validation_rule_check import RuleContext
from loyalty_fake.ledger.validation_rule_objects import item_context
from loyalty_fake.ledger.vouchers import GiftTransaction, Voucher

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import CustomerRef
    from loyalty_fake.ledger.orders import Order, OrderInput
    from loyalty_fake.ledger.session import Session

__all__ = [
    "DiscountVouchers",
    "GiftCards",
    "VoucherRedemption",
    "check_voucher",
    "check_voucher_state",
    "checkout_context",
    "roll_back",
]


@attrs.define(eq=False)
class VoucherRedemption:
    """A discount voucher's or gift card's part of a stacked redemption (``r_``).

    ``discount``: what it took off the order (cents); ``credits``: a gift card's credits
    spent. Kept in ``Project.voucher_redemptions``; the parent names it in ``child_ids``.
    """

    id: str
    seq: int
    created_at: dt.datetime
    code: str
    campaign_id: str | None
    customer_id: str | None
    kind: str
    discount: int
    credits: int
    channel_id: str
    parent_id: str
    order: Order | None = None
    metadata: dict[str, Any] | None = None
    rollback: Rollback | None = None


def check_voucher_state(voucher: Voucher, campaign: Campaign | None, now: dt.datetime) -> None:
    """Raise what refuses the voucher at ``now``, whatever the order or customer.

    400 ``voucher_disabled``, ``voucher_not_active_now``, ``voucher_expired`` or
    ``quantity_exceeded``.
    """
    if not voucher.active or (campaign is not None and not campaign.active):
        raise errors.bad_request("voucher_disabled", "voucher is disabled", voucher.code)
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


def check_voucher(session: Session, voucher: Voucher, checkout: Checkout, *, what: str) -> None:
    """Raise Voucherify's refusal of ``voucher`` for this checkout, if any.

    ``voucher_disabled``, ``voucher_not_active_now``, ``voucher_expired``,
    ``quantity_exceeded``, then the first violated validation rule assigned to the
    voucher or its campaign (``customer_rules_violated``, ``order_rules_violated``, ...).
    """
    campaign = session.vouchers.campaign_of(voucher)
    now = session.clock.now()
    check_voucher_state(voucher, campaign, now)
    if not session.project.validation_rule_assignments:
        return  # no rule assigned to anything: nothing more to check (qualifications ask often)
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


class _VoucherKind:
    """What discount vouchers and gift cards share: finding one by type, its checks, counting it."""

    name: str
    voucher_type: str
    what: str  # how a violated validation rule names the redeemable

    def find(self, session: Session, request: RedeemableRequest) -> Voucher | None:
        """The voucher of this kind's type with this code (or ``v_`` ID), if it is one."""
        return _find(session, request, self.voucher_type)

    def eligible(self, session: Session, found: Voucher, checkout: Checkout) -> None:
        """Its checks alone, without working out what it gives (qualifications ask this)."""
        check_voucher(session, found, checkout, what=self.what)

    def apply(
        self,
        session: Session,
        application: Application,
        order: Order | None,
        parent_id: str,
        metadata: Mapping[str, Any] | None,
    ) -> VoucherRedemption:
        """Count the redemption: its part of the stacked redemption ``parent_id``."""
        return _redeem(session, application, order, parent_id, metadata)


class DiscountVouchers(_VoucherKind):
    """Discount vouchers (``DISCOUNT_VOUCHER``): what their ``discount`` takes off the order."""

    name = "discount_voucher"
    voucher_type = "DISCOUNT_VOUCHER"
    what = "Discount Coupon"

    def check(
        self, session: Session, found: Voucher, request: RedeemableRequest, checkout: Checkout
    ) -> Application:
        """The voucher's checks; what it takes off is the stacked checkout's to calculate."""
        self.eligible(session, found, checkout)
        return Application(
            request=request,
            kind=self.name,
            record=found,
            campaign_id=found.campaign_id or "",
        )


class GiftCards(_VoucherKind):
    """Gift cards (``GIFT_VOUCHER``): credits spent on what is left to pay."""

    name = "gift_card"
    voucher_type = "GIFT_VOUCHER"
    what = "Gift Card"

    def check(
        self, session: Session, found: Voucher, request: RedeemableRequest, checkout: Checkout
    ) -> Application:
        """The card's checks; 400 ``not_enough_balance`` for credits beyond its balance.

        It spends the credits asked for (``gift.credits``), else all it has, and never
        more than is left to pay.
        """
        self.eligible(session, found, checkout)
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


def _redeem(
    session: Session,
    application: Application,
    order: Order | None,
    parent_id: str,
    metadata: Mapping[str, Any] | None,
) -> VoucherRedemption:
    voucher: Voucher = application.record
    project = session.project
    now = session.clock.now()
    undo = session.undo
    if undo is not None:
        note_project(undo, project)
        undo.touch(voucher)
        undo.mark(voucher.transactions)
    seq = project.take_seq()
    made = VoucherRedemption(
        id=session.ids.ordered("r_", seq),
        seq=seq,
        created_at=now,
        code=voucher.code,
        campaign_id=voucher.campaign_id,
        customer_id=order.customer_id if order is not None else None,
        kind=application.kind,
        discount=application.discount,
        credits=application.credits,
        channel_id=project.app_id,
        parent_id=parent_id,
        order=order,
        metadata=dict(metadata) if metadata else None,
    )
    voucher.redeemed_quantity += 1
    if application.credits:
        voucher.gift_redeemed += application.credits
        _credits(session, voucher, "CREDITS_REDEMPTION", -application.credits, made.id)
    voucher.updated_at = now
    project.voucher_redemptions[made.id] = made
    return made


def _credits(session: Session, voucher: Voucher, type_: str, amount: int, source: str) -> None:
    project = session.project
    voucher.transactions.append(
        GiftTransaction(
            seq=project.take_seq(),
            voucher_code=voucher.code,
            type=type_,
            amount=amount,
            balance=voucher.gift_balance,
            created_at=session.clock.now(),
            source_id=source,
        )
    )


def roll_back(session: Session, made: VoucherRedemption, reason: str | None) -> VoucherRedemption:
    """Undo a voucher's part: its count goes down, a gift card's credits come back.

    The credits return as a ``CREDITS_REFUND`` naming the redemption; a voucher deleted
    for good meanwhile has nothing to give back to (the part is still marked rolled back).
    """
    project = session.project
    now = session.clock.now()
    undo = session.undo
    voucher = project.vouchers.get(made.code)
    if undo is not None:
        note_project(undo, project)
        undo.touch(made)
        if voucher is not None:
            undo.touch(voucher)
            undo.mark(voucher.transactions)
    if voucher is not None:
        voucher.redeemed_quantity -= 1
        if made.credits:
            voucher.gift_redeemed -= made.credits
            _credits(session, voucher, "CREDITS_REFUND", made.credits, made.id)
        voucher.updated_at = now
    seq = project.take_seq()
    made.rollback = Rollback(
        id=session.ids.ordered("rr_", seq), created_at=now, reason=reason, seq=seq
    )
    # Read by its rollback's ID too, as a card's redemption is (voucher_parts.find_part).
    project.redemption_ids_by_rollback[made.rollback.id] = made.id
    return made


def checkout_context(
    session: Session,
    ref: CustomerRef | None,
    given: OrderInput | None,
    metadata: Mapping[str, Any] | None,
    amount: int | None,
) -> RuleContext:
    """What validation rules read of a stacked request: its customer (if known), order, metadata.

    ``amount`` is the order's amount before any redeemable's discount.
    """
    named = (ref.id or ref.source_id or ref.as_string) if ref is not None else None
    customer = session.customers.find(session.project, named) if named else None
    context = session.validation_rules.context(customer=customer, redemption_metadata=metadata)
    if given is None:
        return context
    return attrs.evolve(
        context,
        order_amount=amount,
        order_metadata=given.metadata,
        items=tuple(item_context(item) for item in given.items or ()),
    )
