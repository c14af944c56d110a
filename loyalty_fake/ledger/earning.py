"""Earning: the earning rules applied when an order is paid or a custom event is tracked.

The orders and events areas report what happened (``customer.order.paid``,
``customer.custom_event``); ``session.py``'s ``REACTIONS`` call ``react_to_order`` and
``react_to_event`` before the request ends. For each program, every active rule of that
event whose time frame holds awards its points to the customer's card (joining the
program first when it ``auto_join``s) as a ``POINTS_ACCRUAL`` transaction naming the rule
and the order or event.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.accrual import Accrual
from loyalty_fake.ledger.catalogue import line_names
from loyalty_fake.ledger.customers import CustomerRef, card_held_in
from loyalty_fake.ledger.earning_rules import ORDER_PAID_EVENT, PROPORTIONAL_PLACES
from loyalty_fake.ledger.orders import ORDER_PAID
from loyalty_fake.ledger.segments import SEGMENT_ENTERED
from loyalty_fake.ledger.validity import Validity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from loyalty_fake.ledger.activities import Activity
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.earning_rules import EarningRule
    from loyalty_fake.ledger.orders import Order, OrderItem
    from loyalty_fake.ledger.session import Session

__all__ = [
    "CUSTOM_EVENT",
    "Accrual",
    "EarningChoices",
    "Occasion",
    "ProportionalRounding",
    "react_to_event",
    "react_to_order",
    "react_to_segment",
    "react_to_tier",
    "rule_awards",
    "rule_points",
    "rules_by_campaign",
]

CUSTOM_EVENT = "customer.custom_event"
ProportionalRounding = Literal["steps", "pro_rata"]


@attrs.frozen
class EarningChoices:
    """Readings of what Voucherify's documentation leaves open (docs/choices.md).

    ``proportional``: ``steps`` (the default) awards ``points`` for each whole ``every``
    (2599 cents at 1 point every 1000 is 2 points; 1500 at 5 every 1000 is 5);
    ``pro_rata`` awards ``value * points / every`` rounded down (1500 at 5 every 1000 is 7).
    ``one_rule_per_event``: only the matching rule that awards the most points (the oldest
    of equals) awards, per program, instead of every matching rule.
    ``segment_reentry_earns``: a customer who leaves a segment and comes back earns its
    ``customer.segment.entered`` rules again (by default only the first entry earns).
    ``segment_members_earn_at_rule_creation``: a new ``customer.segment.entered`` rule
    awards the customers already in its segment (by default they get nothing, as
    Voucherify's documentation says).
    ``cancel_pending_with_order``: cancelling a paid order cancels its pending points
    still waiting; by default they stay and activate as planned.
    ``imported_orders_earn``: orders imported ``PAID`` (``POST /v1/orders/import``) earn as
    synced ones do; by default they earn nothing, as Voucherify documents.
    """

    proportional: ProportionalRounding = "steps"
    one_rule_per_event: bool = False
    segment_reentry_earns: bool = False
    segment_members_earn_at_rule_creation: bool = False
    cancel_pending_with_order: bool = False
    imported_orders_earn: bool = False


@attrs.frozen
class Occasion:
    """What may earn: a paid order, a tracked custom event, or a segment entered, of one customer.

    ``code``: the card a custom event is attributed to (``loyalty.code``), if any.
    ``segment_id``: the segment entered. ``only_rule``: the one rule that may award (a
    rule just created, for the customers already in its segment). ``tier_id``: the tier
    of a tier event (``customer.loyalty.tier.*``).
    """

    event_type: str
    event_id: str
    customer: Customer
    order: Order | None = None
    name: str | None = None
    metadata: Mapping[str, Any] | None = None
    code: str | None = None
    segment_id: str | None = None
    only_rule: str | None = None
    tier_id: str | None = None

    @property
    def rule_event(self) -> str:
        """The ``event`` of the earning rules this occasion triggers."""
        if self.order is not None:
            return ORDER_PAID_EVENT
        return SEGMENT_ENTERED if self.segment_id is not None else str(self.name)


def react_to_order(session: Session, activity: Activity) -> None:
    """An order paid for the first time: every matching ``order.paid`` rule awards its points."""
    project = session.project
    order = project.orders.get(activity.data["order_id"])
    if order is None or order.customer_id is None:
        return
    customer = project.live_customer(order.customer_id)
    if customer is None:
        return
    occasion = Occasion(ORDER_PAID, activity.data["event_id"], customer, order=order)
    earn(session, occasion)


def react_to_event(session: Session, activity: Activity) -> None:
    """A custom event tracked: every matching rule of that event awards its points."""
    data = activity.data
    customer = session.project.live_customer(data["customer_id"])
    if customer is None:
        return
    occasion = Occasion(
        CUSTOM_EVENT,
        data["event_id"],
        customer,
        name=data["name"],
        metadata=data.get("metadata"),
        code=data.get("code"),
    )
    earn(session, occasion)


def react_to_segment(session: Session, activity: Activity) -> None:
    """A customer entered a segment: every ``customer.segment.entered`` rule of it awards."""
    data = activity.data
    customer = session.project.live_customer(data["customer_id"])
    if customer is None:
        return
    occasion = Occasion(
        SEGMENT_ENTERED,
        data["event_id"],
        customer,
        segment_id=data["segment_id"],
        only_rule=data.get("rule_id"),
    )
    earn(session, occasion)


def react_to_tier(session: Session, activity: Activity) -> None:
    """A member's tier changed: the program's rules of that tier event award their card."""
    data = activity.data
    customer = session.project.live_customer(data["customer_id"])
    if customer is None:
        return
    occasion = Occasion(
        activity.type,
        data["event_id"],
        customer,
        name=activity.type,
        code=data["code"],
        tier_id=data["loyalty_tier_id"],
    )
    earn(session, occasion)


def rules_by_campaign(
    rules: Iterable[EarningRule], occasion: Occasion
) -> dict[str, list[EarningRule]]:
    """The active rules ``occasion`` triggers, by program ID."""
    event, segment_id, only = occasion.rule_event, occasion.segment_id, occasion.only_rule
    found: dict[str, list[EarningRule]] = {}
    for rule in rules:
        if (
            rule.event == event
            and rule.active
            and rule.segment_id == segment_id
            and (only is None or rule.id == only)
            and rule.loyalty_tier_id in (None, "__ANY__", occasion.tier_id)
        ):
            found.setdefault(rule.campaign_id, []).append(rule)
    return found


def earn(session: Session, occasion: Occasion) -> None:
    """Award the points of every rule ``occasion`` meets, program by program."""
    project = session.project
    now = session.clock.now()
    named = project.cards.get(occasion.code) if occasion.code is not None else None
    for campaign_id, rules in rules_by_campaign(project.earning_rules.values(), occasion).items():
        campaign = project.campaigns.get(campaign_id)
        if campaign is None or campaign.in_bin or not campaign.active:
            continue
        if occasion.code is not None and (named is None or named.campaign_id != campaign_id):
            continue
        # The program's own dates bound every rule; a rule without a time frame of its
        # own follows the program's.
        if not Validity(campaign.start_date, campaign.expiration_date).allows(now):
            continue
        awards = rule_awards(session, campaign, rules, occasion)
        if not awards:
            continue
        card = named if named is not None else _card(session, campaign, occasion.customer)
        if card is None or card.holder_id is None:
            continue
        for rule, points in awards:
            _award(session, card, rule, points, occasion)


def _award(
    session: Session, card: LoyaltyCard, rule: EarningRule, points: int, occasion: Occasion
) -> None:
    """Give a rule's points to a card, as the holder's tier maps them (MULTIPLY or CUSTOM)."""
    now = session.clock.now()
    mapped, tier = session.tiers.mapped_points(card, rule.id, points)
    accrual = _accrual(rule, occasion)
    if tier is not None:
        accrual = attrs.evolve(accrual, loyalty_tier=(tier.id, tier.name))
    if mapped <= 0:
        return
    if rule.pending_points is not None and occasion.order is not None:
        # The rule's points wait their days before reaching the card (pending.py).
        session.pending_points.add(card, mapped, rule, accrual, now)
    else:
        session.points.accrue(card, mapped, rule, accrual, now)


def rule_awards(
    session: Session, campaign: Campaign, rules: Iterable[EarningRule], occasion: Occasion
) -> list[tuple[EarningRule, int]]:
    """The rules of ``campaign`` that award points for ``occasion`` now, and how many: no writes.

    Each rule's time frame and validation rules hold, and it awards more than nothing;
    with ``one_rule_per_event`` only the most generous (the first of equals).
    """
    now = session.clock.now()
    choices = session.earning_choices
    awards = [
        (rule, points)
        for rule in rules
        if rule.validity_of(campaign).allows(now)
        and (points := rule_points(rule, occasion, choices.proportional)) > 0
        and _rule_holds(session, rule, occasion)
    ]
    if choices.one_rule_per_event and awards:
        awards = [max(awards, key=lambda award: award[1])]  # the first of equals
    return awards


def _rule_holds(session: Session, rule: EarningRule, occasion: Occasion) -> bool:
    """Whether the validation rules assigned to an earning rule hold for the occasion.

    "The validation rule is verified before points are added" (the earning rule's
    ``validation_rule_id``, or any rule assigned to it).
    """
    if not session.project.validation_rule_assignments:
        return True
    rules = session.validation_rules
    context = rules.context(
        customer=occasion.customer, order=occasion.order, custom_event_metadata=occasion.metadata
    )
    return rules.check("earning_rule", rule.id, context, what="Earning rule") is None


def _card(session: Session, campaign: Campaign, customer: Customer) -> LoyaltyCard | None:
    """The customer's card in the program; a new one when the program auto-joins them."""
    card = card_held_in(session.project, campaign, customer)
    if card is not None or not campaign.auto_join:
        return card
    try:
        return session.members.add(campaign.id, customer=CustomerRef(id=customer.id))
    except VoucherifyError:
        # No card to give (a STATIC program's cards all out): the customer does not join,
        # and the order or event still goes through.
        return None


def _accrual(rule: EarningRule, occasion: Occasion) -> Accrual:
    order = occasion.order
    return Accrual(
        rule_id=rule.id,
        banner=rule.banner if rule.banner is not None else _default_banner(rule),
        event_id=occasion.event_id,
        event_type=occasion.event_type,
        order_id=order.id if order is not None else None,
        order_source_id=order.source_id if order is not None else None,
        custom_event=occasion.name,
        schema_id=rule.schema_id if order is None else None,
    )


def _default_banner(rule: EarningRule) -> str:
    if rule.event == SEGMENT_ENTERED:
        return "Customer entered segment"
    return "Order paid" if rule.event == ORDER_PAID_EVENT else rule.event


# -- how many points ---------------------------------------------------------------------------


def _number(value: Any) -> Fraction | None:
    """A metadata value as a number, if it is one (a JSON number, not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Fraction(value)


# What an order line can be matched on; the fake has no product collections.
_CATALOGUE = frozenset({"product", "sku"})


def _items(order: Order, ratio: Mapping[str, Any]) -> list[OrderItem]:
    """The order's lines a ratio covers: its ``applicable_to`` or ``object``/``id``, else all."""
    targets = [(t.get("object"), t.get("id")) for t in ratio.get("applicable_to") or ()]
    if ratio.get("object") is not None:
        targets.append((ratio.get("object"), ratio.get("id")))
    if not targets:
        return list(order.items)
    return [
        item
        for item in order.items
        if any(kind in _CATALOGUE and ident in line_names(item, kind) for kind, ident in targets)
    ]


def _metadata_value(kind: str, ratio: Mapping[str, Any], occasion: Occasion) -> Fraction | None:
    """A metadata property a rule counts: the customer's, the custom event's or the order's."""
    metadata: Mapping[str, Any] | None
    if kind == "CUSTOMER_METADATA":
        metadata = occasion.customer.metadata
    elif kind == "CUSTOM_EVENT_METADATA":
        metadata = occasion.metadata
    else:
        metadata = occasion.order.metadata if occasion.order is not None else None
    return _number((metadata or {}).get(ratio["property"]))


def _order_value(kind: str, ratio: Mapping[str, Any], order: Order) -> int:
    """An amount or quantity of the order (or of the lines the ratio covers) a rule counts."""
    if kind == "ORDER_AMOUNT":
        return order.amount or 0
    if kind == "ORDER_TOTAL_AMOUNT":
        return order.total_amount or 0
    items = _items(order, ratio)
    if kind == "ORDER_ITEMS_QUANTITY":
        # "Excluding free items": lines that cost nothing after their discount.
        return sum(item.quantity or 0 for item in items if item.subtotal_amount != 0)
    if kind == "ORDER_ITEMS_AMOUNT":
        return sum(item.amount or 0 for item in items)
    return sum(item.subtotal_amount or 0 for item in items)


def _value(kind: str, ratio: Mapping[str, Any], occasion: Occasion) -> Fraction | None:
    """What a proportional rule counts: an amount, a quantity or a metadata number."""
    if kind.endswith("_METADATA"):
        return _metadata_value(kind, ratio, occasion)
    if occasion.order is None:
        return None
    return Fraction(_order_value(kind, ratio, occasion.order))


def rule_points(rule: EarningRule, occasion: Occasion, rounding: ProportionalRounding) -> int:
    """The points ``rule`` awards for ``occasion``: fixed, or in proportion to what it counts."""
    loyalty = rule.loyalty
    if loyalty.get("type") != "PROPORTIONAL":
        return int(loyalty.get("points") or 0)
    kind = loyalty["calculation_type"]
    where, what = PROPORTIONAL_PLACES[kind]
    ratio = loyalty[where][what]
    value = _value(kind, ratio, occasion)
    if value is None or value <= 0:
        return 0
    every, points = int(ratio["every"]), int(ratio["points"])
    if rounding == "pro_rata":
        return math.floor(value * points / every)
    return math.floor(value / every) * points
