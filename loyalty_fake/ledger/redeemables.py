"""What a stacked validation or redemption can name, by kind: one registration each.

``POST /v1/validations`` and ``POST /v1/redemptions`` take up to 30 redeemables
(``stacking.py``). Each is offered to the kinds in ``REDEEMABLE_KINDS``, in order; the
first that holds it checks it (changing nothing) and later applies it. A code no kind
holds is answered as Voucherify answers a code it does not know: 404 ``not_found``.
Loyalty cards are the first kind; discount and gift vouchers and promotion tiers plug in
the same way, each with one line in ``REDEEMABLE_KINDS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import attrs

from loyalty_fake import errors
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.orders import OrderRequest

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.orders import Order
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.rewards import Reward, RewardAssignment
    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.validation_rule_check import RuleContext
    from loyalty_fake.ledger.voucher_kinds import VoucherRedemption

__all__ = [
    "REDEEMABLE_KINDS",
    "Application",
    "Checkout",
    "LoyaltyCards",
    "RedeemableKind",
    "RedeemableRequest",
    "check_card_state",
    "find_kind",
]


@attrs.frozen
class RedeemableRequest:
    """One item of ``redeemables``: ``object`` and ``id``, and a loyalty card's ``reward``."""

    object: str
    id: str
    reward_id: str | None = None
    points: int | None = None
    # A gift card's credits to spend (``gift.credits``): for the gift card kind.
    gift_credits: int | None = None


@attrs.frozen
class Checkout:
    """What a redeemable is checked against: the order so far and the session's locks.

    ``remaining``: what is left to pay of the order after the redeemables before this one
    (``None`` when the order names no amount); ``has_order``: the request has an order.
    ``locked``: points other validation sessions hold, by card code (a stacked request
    compares them with what its calculation spends instead: ``stacked_checkout``).
    """

    has_order: bool
    remaining: int | None
    locked: Mapping[str, int] = attrs.field(factory=dict)
    # What validation rules read (``RuleContext``): the request's customer, order and
    # metadata; ``None`` when the caller gives none.
    context: RuleContext | None = None


@attrs.frozen
class Application:
    """A redeemable that can be applied: what it takes off the order and spends.

    ``kind`` names the registered kind that applies it; ``discount`` is in cents;
    ``points`` a loyalty card's points to spend. ``record`` is what the kind found
    (a card), ``campaign_id`` its campaign.
    """

    request: RedeemableRequest
    kind: str
    record: Any
    campaign_id: str
    discount: int = 0
    points: int = 0
    reward: Reward | None = None
    assignment: RewardAssignment | None = None
    # A gift card's credits to spend (cents).
    credits: int = 0


class RedeemableKind(Protocol):
    """One kind of redeemable (loyalty card, discount voucher, gift card, promotion tier)."""

    name: str

    def find(self, session: Session, request: RedeemableRequest) -> Any | None:
        """What this kind holds under ``request.id``, or ``None``: another kind's."""

    def check(
        self, session: Session, found: Any, request: RedeemableRequest, checkout: Checkout
    ) -> Application:
        """What applying it would do; raises its refusal (a ``VoucherifyError``)."""

    def apply(
        self,
        session: Session,
        application: Application,
        order: Order | None,
        parent_id: str,
        metadata: Mapping[str, Any] | None,
    ) -> Redemption | VoucherRedemption:
        """Apply a checked redeemable as part of the stacked redemption ``parent_id``."""


class LoyaltyCards:
    """Loyalty cards: pay with points (a ``COIN`` reward) or spend points on another reward."""

    name = "loyalty_card"

    def find(self, session: Session, request: RedeemableRequest) -> LoyaltyCard | None:
        """The card with this code (or ``v_`` ID), if it is one: only as a ``voucher``."""
        if request.object != "voucher":
            return None
        try:
            return session.cards.member(session.project, request.id, None)
        except VoucherifyError:
            return None

    def check(
        self,
        session: Session,
        found: LoyaltyCard,
        request: RedeemableRequest,
        checkout: Checkout,
    ) -> Application:
        """The reward, points and discount, as a reward redemption checks them.

        A ``COIN`` reward pays at most what is left of the order, with points the card
        has beyond what other validation sessions lock. Raises ``missing_reward``,
        ``voucher_not_published``, ``missing_order``, ``missing_order_items_amount``,
        ``loyalty_card_points_exceeded``, ``voucher_disabled``, ``voucher_not_active_now``,
        ``voucher_expired``, ``quantity_exceeded``.
        """
        card = found
        project = session.project
        campaign = project.campaigns[card.campaign_id]
        check_card_state(card, campaign, session.clock.now())
        order = OrderRequest(amount=checkout.remaining) if checkout.has_order else None
        reward, assignment, spent, discount = session.redemptions.check(
            project, card, campaign, request.reward_id, request.points, order
        )
        available = card.balance - checkout.locked.get(card.code, 0)
        if spent > available:
            raise errors.loyalty_card_points_exceeded(card.code, spent, max(available, 0))
        return Application(
            request=request,
            kind=self.name,
            record=card,
            campaign_id=campaign.id,
            discount=discount,
            points=spent,
            reward=reward,
            assignment=assignment,
        )

    def apply(
        self,
        session: Session,
        application: Application,
        order: Order | None,
        parent_id: str,
        metadata: Mapping[str, Any] | None,
    ) -> Redemption:
        """Spend the points as a reward redemption does, naming the order and parent."""
        assert application.reward is not None  # noqa: S101 - check() found it
        assert application.assignment is not None  # noqa: S101
        return session.redemptions.spend(
            application.record,
            application.reward,
            application.assignment,
            application.points,
            order=order,
            metadata=metadata,
            parent_id=parent_id,
        )


def check_card_state(card: LoyaltyCard, campaign: Campaign, now: dt.datetime) -> None:
    """Raise what refuses the card at ``now``, whatever a request asks of it.

    400 ``voucher_disabled``, ``voucher_not_active_now``, ``voucher_expired`` or
    ``quantity_exceeded``. The card's own dates (given when it was added) win over its
    program's; the keys, messages and details (the code) are the spec's validation examples'.
    """
    if not card.active or not campaign.active:
        raise errors.bad_request("voucher_disabled", "voucher is disabled", card.code)
    overrides = card.overrides or {}
    start = overrides.get("start_date", campaign.start_date)
    end = overrides.get("expiration_date", campaign.expiration_date)
    if start is not None and now < start:
        raise errors.bad_request("voucher_not_active_now", "voucher not active now", card.code)
    if end is not None and now > end:
        raise errors.bad_request("voucher_expired", "voucher expired", card.code)
    quantity = overrides.get("redemption_quantity")
    if quantity is not None and card.redeemed_quantity >= quantity:
        raise errors.bad_request(
            "quantity_exceeded",
            "Quantity exceeded",
            f"Voucher {card.code} has been redeemed {card.redeemed_quantity} times of {quantity}",
        )


# Offered each redeemable in this order; the first that holds it takes it. A new kind
# (discount vouchers, gift cards, promotion tiers) is one more entry.
from loyalty_fake.ledger.voucher_kinds import DiscountVouchers, GiftCards  # noqa: E402 - a cycle

REDEEMABLE_KINDS: tuple[RedeemableKind, ...] = (LoyaltyCards(), DiscountVouchers(), GiftCards())


def find_kind(
    session: Session,
    request: RedeemableRequest,
    kinds: tuple[RedeemableKind, ...] = REDEEMABLE_KINDS,
) -> tuple[RedeemableKind, Any]:
    """The kind that holds ``request`` and what it found; 404 ``not_found`` otherwise.

    Voucherify answers an unknown code with ``Cannot find voucher with id X`` (the spec's
    validation example), and likewise a promotion tier or stack it does not know.
    """
    for kind in kinds:
        found = kind.find(session, request)
        if found is not None:
            return kind, found
    raise errors.not_found(request.object, request.id)
