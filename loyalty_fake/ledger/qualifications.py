"""Qualifications (``POST /v1/qualifications``): what a customer could use, and what each gives.

Each candidate redeemable (a loyalty card, a discount voucher, a gift card) is checked as a
stacked validation checks it, changing nothing: it is offered to the kinds in
``redeemables.REDEEMABLE_KINDS`` first, and a voucher no kind holds gets this module's own
small check (active, dates, redemption quantity, the validation rules assigned to it or its
campaign). What it would give is worked out with ``discounts.calculate`` on the order given.

Which candidates a scenario looks at (docs/choices.md, "Qualifications"):

- ``ALL`` (the default) and ``AUDIENCE_ONLY``: the customer's loyalty cards, and every discount
  voucher and gift card that is not held by someone else. ``AUDIENCE_ONLY`` checks rules on
  the customer only: order rules are not read (the order is left out of the rule context).
- ``CUSTOMER_WALLET``: the customer's loyalty cards and the vouchers published to them.
- ``PRODUCTS``, ``PRODUCTS_DISCOUNT``, ``PRODUCTS_BY_CUSTOMER``, ``PRODUCTS_DISCOUNT_BY_CUSTOMER``
  and ``PROMOTION_STACKS``: promotions and promotion stacks, which the fake does not have, so
  nothing qualifies.

Qualifications ignore the campaign and per-customer redemption limits, as Voucherify's
description says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import attrs

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.filters import Filter
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.discounts import (
    DiscountRedeemable,
    GiftRedeemable,
    calculate,
)
from loyalty_fake.ledger.orders import OrderRequest
from loyalty_fake.ledger.project import Area
from loyalty_fake.ledger.qualification_options import (
    DEFAULT_LIMIT,
    FILTER_FIELDS,
    MAX_LIMIT,
    PROMOTION_SCENARIOS,
    SCENARIOS,
    SORTING_RULES,
    fields,
)
from loyalty_fake.ledger.redeemables import (
    REDEEMABLE_KINDS,
    Checkout,
    RedeemableKind,
    RedeemableRequest,
)
from loyalty_fake.ledger.rewards import assignments_of

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import Customer, CustomerRef
    from loyalty_fake.ledger.discounts import Applied
    from loyalty_fake.ledger.orders import Order, OrderInput, OrderItem
    from loyalty_fake.ledger.rewards import Reward, RewardAssignment
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = [
    "DEFAULT_LIMIT",
    "FILTER_FIELDS",
    "MAX_LIMIT",
    "PROMOTION_SCENARIOS",
    "SCENARIOS",
    "SORTING_RULES",
    "Qualification",
    "QualificationRequest",
    "Qualifications",
    "Qualified",
]

# Refusals that say a card cannot pay for a reward now, not that the card is unusable.
_REWARD_REFUSALS = frozenset(
    {
        "missing_reward",
        "loyalty_card_points_exceeded",
        "missing_order",
        "missing_order_items_amount",
        "reward_not_found",
        "invalid_reward",
    }
)

# Rule violations that are not about who the customer is (AUDIENCE_ONLY overlooks them).
_NOT_THE_AUDIENCE = frozenset({"order_rules_violated", "redemption_rules_violated"})


@attrs.frozen
class QualificationRequest:
    """A qualification's body, already read."""

    customer: CustomerRef | None = None
    order: OrderInput | None = None
    scenario: str = "ALL"
    limit: int = DEFAULT_LIMIT
    starting_after: dt.datetime | None = None
    filters: Filter = attrs.field(factory=Filter)
    sorting_rule: str = "DEFAULT"
    metadata: dict[str, Any] | None = None


@attrs.frozen
class Qualified:
    """One redeemable that qualifies: what it is and what it would give.

    ``applied``: its part of ``discounts.calculate`` (``None``: a loyalty card, which gives
    nothing until a reward is named); ``rewards``: the card's rewards it can pay for now.
    """

    record: LoyaltyCard | Voucher
    campaign: Campaign | None
    applied: Applied | None
    applicable_to: Any = ()
    inapplicable_to: Any = ()
    rule_id: str | None = None
    rewards: tuple[tuple[Reward, RewardAssignment], ...] = ()

    @property
    def discount(self) -> int:
        """What it takes off the order (``total_applied_discount_amount``), in cents."""
        return self.applied.order.total_applied_discount_amount if self.applied else 0


@attrs.frozen
class Qualification:
    """One page of qualified redeemables; ``total`` counts every one that qualifies."""

    redeemables: tuple[Qualified, ...]
    total: int
    has_more: bool
    amount: int | None
    customer: Customer | None


@attrs.frozen
class _OrderView:
    """What validation rules read of an order (``ValidationRules.context``), not stored."""

    amount: int | None
    metadata: dict[str, Any] | None
    items: tuple[OrderItem, ...]


def _order_request(order: OrderInput | None) -> OrderRequest:
    if order is None:
        return OrderRequest()
    return OrderRequest(
        source_id=order.source_id,
        status=order.status,
        amount=order.amount,
        items=order.items or (),
        metadata=order.metadata,
    )


# A redeemable that qualifies, its campaign, and its Qualified once made.
_Found = tuple["LoyaltyCard | Voucher", "Campaign | None", "Qualified | None"]


@attrs.define
class _Run:
    """What one qualification works out once and reads for every candidate."""

    request: QualificationRequest
    customer: Customer | None
    kinds: tuple[RedeemableKind, ...]
    order: OrderRequest
    # IDs (vouchers, campaigns) that have validation rules assigned.
    ruled: frozenset[str]
    # The kinds asked about a discount or gift voucher: all but loyalty cards'.
    voucher_kinds: tuple[RedeemableKind, ...]
    now: dt.datetime
    checkout: Checkout | None = None
    context: Any = None


class Qualifications(Area):
    """A project's qualifications: read-only, they change nothing."""

    __slots__ = ()

    def qualify(
        self,
        request: QualificationRequest,
        kinds: tuple[RedeemableKind, ...] = REDEEMABLE_KINDS,
    ) -> Qualification:
        """Every redeemable ``request``'s customer can use, filtered, sorted and paged.

        Sorted newest first (``DEFAULT``) or by the discount each gives (``BEST_DEAL``,
        ``LEAST_DEAL``; newest first among equals); ``starting_after`` keeps those created
        before it. ``kinds`` are asked first, in order (``REDEEMABLE_KINDS``). What each
        gives is worked out for the page only, unless the sorting needs it for all.
        """
        session = self._session
        project = self._project
        ref = request.customer
        customer = None
        if ref is not None:
            named = ref.id or ref.source_id or ref.as_string or ""
            customer = session.customers.find(project, named)
        run = _Run(
            request=request,
            customer=customer,
            kinds=kinds,
            order=_order_request(request.order),
            ruled=frozenset(
                a.related_object_id for a in project.validation_rule_assignments.values()
            ),
            voucher_kinds=tuple(kind for kind in kinds if kind.name != "loyalty_card"),
            now=session.clock.now(),
        )
        # What qualifies, as (record, campaign, its Qualified when already made): a voucher's
        # is made for the page only, unless the sorting needs what each gives.
        found: list[_Found] = []
        if request.scenario not in PROMOTION_SCENARIOS:
            for record in session.vouchers.every():
                each = self._qualify(record, run)
                if each is not None:
                    found.append(each)
        if request.filters:
            found = [
                f for f in found if request.filters.matches(fields(f[0], f[1], customer), run.now)
            ]
        found.reverse()  # newest first: every() is in creation order
        if request.sorting_rule != "DEFAULT":
            found = [(r, c, self._made(r, c, q, run)) for r, c, q in found]
            found.sort(
                key=lambda f: f[2].discount if f[2] is not None else 0,
                reverse=request.sorting_rule == "BEST_DEAL",
            )
        if request.starting_after is not None:
            cursor = request.starting_after
            found = [f for f in found if f[0].created_at < cursor]
        page = tuple(self._made(r, c, q, run) for r, c, q in found[: request.limit])
        return Qualification(
            redeemables=page,
            total=len(found),
            has_more=len(found) > len(page),
            amount=run.order.total,
            customer=customer,
        )

    def _qualify(self, record: LoyaltyCard | Voucher, run: _Run) -> _Found | None:
        holder = record.holder_id
        customer = run.customer
        mine = customer is not None and holder == customer.id
        if isinstance(record, LoyaltyCard) or run.request.scenario == "CUSTOMER_WALLET":
            if not mine:
                return None
        elif holder is not None and not mine:
            return None
        campaign = self._session.vouchers.campaign_of(record)
        if isinstance(record, LoyaltyCard):
            card = self._card(record, campaign, run)
            return (record, campaign, card) if card is not None else None
        if not self._voucher(record, campaign, run):
            return None
        return record, campaign, None

    def _checkout(self, run: _Run) -> Checkout:
        if run.checkout is None:
            run.checkout = Checkout(
                has_order=run.request.order is not None,
                remaining=run.order.total,
                # The points live validation sessions hold, as a stacked validation reads them.
                locked=self._session.stacking._locked(exclude=None),  # noqa: SLF001
            )
        return run.checkout

    def _card(self, card: LoyaltyCard, campaign: Campaign | None, run: _Run) -> Qualified | None:
        """A card qualifies unless a check refuses the card itself; its affordable rewards."""
        checkout = self._checkout(run)
        rewards: list[tuple[Reward, RewardAssignment]] = []
        assignments = assignments_of(self._project, card.campaign_id)
        offers = [
            RedeemableRequest("voucher", card.code, reward_id=a.reward_id) for a in assignments
        ]
        for offer in offers or [RedeemableRequest("voucher", card.code)]:
            kind = _kind_of(self._session, offer, run.kinds)
            if kind is None:
                return None
            try:
                application = kind[0].check(self._session, kind[1], offer, checkout)
            except VoucherifyError as refusal:
                if refusal.key not in _REWARD_REFUSALS:
                    return None
                continue
            if application.reward is not None and application.assignment is not None:
                rewards.append((application.reward, application.assignment))
        rule = self._rule_id(card, campaign, run)
        return Qualified(card, campaign, None, rule_id=rule, rewards=tuple(rewards))

    def _voucher(self, voucher: Voucher, campaign: Campaign | None, run: _Run) -> bool:
        """A discount voucher or gift card: a registered kind's check, else our own."""
        # Loyalty cards hold cards only: the other kinds are asked about a voucher.
        kind = None
        if run.voucher_kinds:
            offer = RedeemableRequest("voucher", voucher.code)
            kind = _kind_of(self._session, offer, run.voucher_kinds)
        if kind is not None:
            # A kind that can tell eligibility alone is asked that: what each voucher gives
            # is worked out for the page only (a full check computes the discount).
            eligible = getattr(kind[0], "eligible", None)
            try:
                if eligible is not None:
                    eligible(self._session, kind[1], self._checkout(run))
                else:
                    kind[0].check(self._session, kind[1], offer, self._checkout(run))
            except VoucherifyError as refusal:
                # AUDIENCE_ONLY: only the customer's side of the rules counts.
                audience = run.request.scenario == "AUDIENCE_ONLY"
                if not audience or refusal.key not in _NOT_THE_AUDIENCE:
                    return False
        elif not self._usable(voucher, campaign, run):
            return False
        if voucher.type == "GIFT_VOUCHER":
            return voucher.gift_balance > 0
        return voucher.discount is not None

    def _made(
        self,
        voucher: LoyaltyCard | Voucher,
        campaign: Campaign | None,
        made: Qualified | None,
        run: _Run,
    ) -> Qualified:
        """The qualified voucher, with what it would give on the order (``calculate``)."""
        if made is not None:
            return made
        assert not isinstance(voucher, LoyaltyCard)  # noqa: S101 - cards come made
        applicable, inapplicable = self._targets(voucher, campaign, run)
        redeemable: DiscountRedeemable | GiftRedeemable
        if voucher.type == "GIFT_VOUCHER":
            redeemable = GiftRedeemable(
                balance=voucher.gift_balance,
                effect=voucher.gift_effect or "APPLY_TO_ORDER",
                id=voucher.code,
            )
        else:
            assert voucher.discount is not None  # noqa: S101 - _voucher checked it
            redeemable = DiscountRedeemable(
                voucher.discount, applicable, inapplicable, id=voucher.code
            )
        return Qualified(
            voucher,
            campaign,
            calculate(run.order, [redeemable]).applied[0],
            applicable_to=applicable,
            inapplicable_to=inapplicable,
            rule_id=self._rule_id(voucher, campaign, run),
        )

    def _usable(self, voucher: Voucher, campaign: Campaign | None, run: _Run) -> bool:
        """Our own check, for a voucher no registered kind holds yet.

        Active (and its campaign), within its dates, redemptions left, and every
        validation rule assigned to it or its campaign holding for the customer and order
        (the customer's side only for ``AUDIENCE_ONLY``).
        """
        now = run.now
        quantity = voucher.redemption_quantity
        usable = (
            voucher.active
            and (campaign is None or campaign.active)
            and (voucher.start_date is None or now >= voucher.start_date)
            and (voucher.expiration_date is None or now <= voucher.expiration_date)
            and (quantity is None or voucher.redeemed_quantity < quantity)
        )
        return usable and (not run.ruled or self._rules_hold(voucher, campaign, run))

    def _rules_hold(self, voucher: Voucher, campaign: Campaign | None, run: _Run) -> bool:
        session = self._session
        related = [r for r in self._related(voucher, campaign) if r in run.ruled]
        if related and run.context is None:
            order = None
            if run.request.order is not None:
                given = run.order
                order = cast("Order", _OrderView(given.total, given.metadata, given.items))
            run.context = session.validation_rules.context(
                customer=run.customer, order=order, redemption_metadata=run.request.metadata
            )
        audience = run.request.scenario == "AUDIENCE_ONLY"
        for each in related:
            violation = session.validation_rules.check("voucher", each, run.context)
            # AUDIENCE_ONLY: only the customer's side of the rules counts.
            if violation is not None and (
                not audience or violation.key == "customer_rules_violated"
            ):
                return False
        return True

    @staticmethod
    def _related(record: LoyaltyCard | Voucher, campaign: Campaign | None) -> list[str]:
        """The IDs rules can be assigned to for ``record``: its own, then its campaign's."""
        return [record.id] + ([campaign.id] if campaign is not None else [])

    def _targets(self, voucher: Voucher, campaign: Campaign | None, run: _Run) -> tuple[Any, Any]:
        """The ``applicable_to`` and ``inapplicable_to`` the voucher's rules give."""
        if not run.ruled:
            return (), ()
        rules = self._session.validation_rules
        for related in self._related(voucher, campaign):
            said = rules.applicable_to(related) if related in run.ruled else None
            if said is not None:
                return tuple(said["included"]), tuple(said["excluded"])
        return (), ()

    def _rule_id(
        self, record: LoyaltyCard | Voucher, campaign: Campaign | None, run: _Run
    ) -> str | None:
        if not run.ruled:
            return None
        rules = self._session.validation_rules
        for related in self._related(record, campaign):
            assigned = rules.assigned_to(related) if related in run.ruled else []
            if assigned:
                return assigned[0].id
        return None


def _kind_of(
    session: Any, offer: RedeemableRequest, kinds: tuple[RedeemableKind, ...]
) -> tuple[RedeemableKind, Any] | None:
    for kind in kinds:
        found = kind.find(session, offer)
        if found is not None:
            return kind, found
    return None
