"""One unit of work on one project: ``with ledger.session(app_id) as session:``.

A session holds the ledger's lock, pins the clock, undoes everything it changed when it
raises, and brings due work up to date before anything reads (``schedule.py``). The areas
hang off it (``session.members.add(...)``); each is a view, made on first use. What an area
does that others react to, it appends as an ``Activity``; before the session closes, the
``REACTIONS`` table below runs each activity's reactions, in the same unit of work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loyalty_fake.ledger.activities import Activity
from loyalty_fake.ledger.async_actions import AsyncActions
from loyalty_fake.ledger.campaigns import Campaigns
from loyalty_fake.ledger.cards import Cards, note_card
from loyalty_fake.ledger.customers import Customers
from loyalty_fake.ledger.earning import (
    CUSTOM_EVENT,
    react_to_event,
    react_to_order,
    react_to_segment,
    react_to_tier,
)
from loyalty_fake.ledger.earning_rules import EarningRules
from loyalty_fake.ledger.events import Events
from loyalty_fake.ledger.members import Members, note_members
from loyalty_fake.ledger.orders import ORDER_CANCELED, ORDER_PAID, Orders
from loyalty_fake.ledger.pending import Pending, react_to_cancelled_order
from loyalty_fake.ledger.points import Points
from loyalty_fake.ledger.products import Products
from loyalty_fake.ledger.publications import Publications
from loyalty_fake.ledger.redemptions import Redemptions
from loyalty_fake.ledger.rewards import Rewards
from loyalty_fake.ledger.schedule import SCHEDULE
from loyalty_fake.ledger.segments import (
    CUSTOMER_CHANGED,
    SEGMENT_ENTERED,
    Segments,
    react_to_customer,
)
from loyalty_fake.ledger.stacking import Stacking
from loyalty_fake.ledger.tiers import TIER_EVENTS, Tiers
from loyalty_fake.ledger.transfers import Transfers
from loyalty_fake.ledger.validation_rules import ValidationRules
from loyalty_fake.ledger.vouchers import Vouchers
from loyalty_fake.ledger.webhooks import Webhooks

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping

    from loyalty_fake.clock import Clock
    from loyalty_fake.ids import IdGenerator
    from loyalty_fake.ledger import Ledger
    from loyalty_fake.ledger.apportion import DiscountRounding
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.earning import EarningChoices
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.undo import UndoLog
    from loyalty_fake.ledger.unit import UnitOfWork
    from loyalty_fake.ledger.validation_rules import ValidationRuleChoices

__all__ = ["REACTIONS", "Activity", "Session"]


# Activity type -> what reacts to it, in order. Fixed and read top to bottom, like the
# route table.
REACTIONS: dict[str, tuple[Callable[[Session, Activity], None], ...]] = {
    ORDER_PAID: (react_to_order,),
    CUSTOM_EVENT: (react_to_event,),
    CUSTOMER_CHANGED: (react_to_customer,),
    SEGMENT_ENTERED: (react_to_segment,),
    ORDER_CANCELED: (react_to_cancelled_order,),
    **dict.fromkeys(TIER_EVENTS, (react_to_tier,)),
}


class Session:
    """One project for one unit of work (see the module's docstring)."""

    __slots__ = (
        "_app_id",
        "_async_actions",
        "_campaigns",
        "_cards",
        "_customers",
        "_earning_rules",
        "_events",
        "_ledger",
        "_members",
        "_orders",
        "_pending_points",
        "_points",
        "_products",
        "_project",
        "_publications",
        "_redemptions",
        "_rewards",
        "_segments",
        "_stacking",
        "_tiers",
        "_unit",
        "_validation_rules",
        "_vouchers",
        "activities",
        "clock",
        "ids",
        "reactions",
        "reported",
    )

    def __init__(
        self,
        ledger: Ledger,
        app_id: str,
        reactions: Mapping[str, tuple[Callable[[Session, Activity], None], ...]] = REACTIONS,
    ) -> None:
        """A session of ``ledger`` on the project of ``app_id`` (made on first use)."""
        self._ledger = ledger
        self._app_id = app_id
        self._project: Project | None = ledger.existing_project(app_id)
        self.clock: Clock = ledger.clock
        self.ids: IdGenerator = ledger.ids
        self._unit: UnitOfWork = ledger.unit_of_work()
        self.activities: list[Activity] = []
        # Every activity reacted to, kept for the webhooks once the session ends.
        self.reported: list[Activity] = []
        self.reactions = reactions
        # Each area is made on first use, then kept for the session.
        self._campaigns: Campaigns | None = None
        self._cards: Cards | None = None
        self._customers: Customers | None = None
        self._earning_rules: EarningRules | None = None
        self._events: Events | None = None
        self._members: Members | None = None
        self._orders: Orders | None = None
        self._publications: Publications | None = None
        self._points: Points | None = None
        self._rewards: Rewards | None = None
        self._redemptions: Redemptions | None = None
        self._products: Products | None = None
        self._segments: Segments | None = None
        self._pending_points: Pending | None = None
        self._async_actions: AsyncActions | None = None
        self._stacking: Stacking | None = None
        self._tiers: Tiers | None = None
        self._validation_rules: ValidationRules | None = None
        self._vouchers: Vouchers | None = None

    @property
    def app_id(self) -> str:
        """The project's ``X-App-Id``."""
        return self._app_id

    @property
    def project(self) -> Project:
        """The session's project, made empty on first use (a read of nothing makes none)."""
        found = self._project
        if found is None:
            found = self._project = self._ledger.new_project(self._app_id)
        return found

    @property
    def existing_project(self) -> Project | None:
        """The session's project if it exists yet."""
        return self._project

    def other_project(self, app_id: str) -> Session:
        """A session on the project of ``app_id`` in this one's unit (the Management API's)."""
        return Session(self._ledger, app_id, self.reactions)

    def forget_project(self) -> None:
        """Forget the session's project and all it holds (the Management API deletes it)."""
        self._ledger.forget_project(self._app_id)
        self._project = None

    @property
    def strict_products(self) -> bool:
        """Whether an order line naming an unknown product or SKU is refused (see ``Ledger``)."""
        return self._ledger.strict_products

    @property
    def discount_rounding(self) -> DiscountRounding:
        """How a percentage discount rounds a fraction of a cent (see ``Ledger``)."""
        return self._ledger.discount_rounding

    @property
    def strict_custom_events(self) -> bool:
        """Whether an event no custom event schema defines is refused (see ``Ledger``)."""
        return self._ledger.strict_custom_events

    @property
    def rollback_stacked_parts(self) -> bool:
        """Whether a stacked redemption's part may roll back alone (see ``Ledger``)."""
        return self._ledger.rollback_stacked_parts

    @property
    def strict_joins(self) -> bool:
        """Whether a customer joining a program twice is refused (see ``Ledger``)."""
        return self._ledger.strict_joins

    @property
    def earning_choices(self) -> EarningChoices:
        """How earning reads what Voucherify leaves open (see ``EarningChoices``)."""
        return self._ledger.earning_choices

    @property
    def undo(self) -> UndoLog | None:
        """The unit's undo log; ``None`` outside a request (seeding notes nothing)."""
        return self._unit.undo

    def note_card(self, card: LoyaltyCard) -> None:
        """Note a card before a change, within a unit."""
        undo = self._unit.undo
        if undo is not None:
            note_card(undo, card)

    def note_members(self, campaign: Campaign) -> None:
        """Note a program's members index before a change, within a unit."""
        undo = self._unit.undo
        if undo is not None:
            note_members(undo, self.project, campaign)

    def settle(self, now: dt.datetime | None = None) -> None:
        """Do what has fallen due by now (``SCHEDULE``): expire due points, for one.

        ``now``: what the clock answers, when the caller has just asked it.
        """
        SCHEDULE.catch_up(self, now)

    def happened(self, activity: Activity) -> None:
        """Record that ``activity`` happened; its reactions run before the session closes.

        One nothing reacts to, with no one listening (the webhooks), is not kept: a card's
        every record reports, and bulk seeding must not hold them all.
        """
        if activity.type in self.reactions or self._ledger.listener is not None:
            self.activities.append(activity)

    def finish(self) -> None:
        """End a block that went well: the reactions, then the listener's turn on commit."""
        self.react()
        listener = self._ledger.listener
        if listener is not None and self.reported:
            self._unit.on_commit(listener(self, tuple(self.reported)))

    def keeps(self, activity_type: str) -> bool:
        """Whether ``happened`` keeps an activity of ``activity_type`` (the same rule).

        For bulk work that would make a million activities only for them to be dropped.
        """
        return activity_type in self.reactions or self._ledger.listener is not None

    def react(self) -> None:
        """Run the reactions to every activity so far, and to those they add, in order.

        Then forget them: a session that reacts before it closes (seeding, which dates
        each order's points when it is paid) reacts to each activity once.
        """
        done = 0
        while done < len(self.activities):
            activity = self.activities[done]
            done += 1
            for reaction in self.reactions.get(activity.type, ()):
                reaction(self, activity)
        if self._ledger.listener is not None:
            self.reported.extend(self.activities)
        self.activities.clear()

    @property
    def campaigns(self) -> Campaigns:
        """Loyalty programs: create, read, update, delete, add cards."""
        found = self._campaigns
        if found is None:
            found = self._campaigns = Campaigns(self)
        return found

    @property
    def cards(self) -> Cards:
        """Loyalty cards, published or not."""
        found = self._cards
        if found is None:
            found = self._cards = Cards(self)
        return found

    @property
    def customers(self) -> Customers:
        """Customers, by ID or ``source_id``."""
        found = self._customers
        if found is None:
            found = self._customers = Customers(self)
        return found

    @property
    def earning_rules(self) -> EarningRules:
        """The earning rules of the project's programs."""
        found = self._earning_rules
        if found is None:
            found = self._earning_rules = EarningRules(self)
        return found

    @property
    def events(self) -> Events:
        """Custom events customers perform."""
        found = self._events
        if found is None:
            found = self._events = Events(self)
        return found

    @property
    def members(self) -> Members:
        """A program's members: join, list, read."""
        found = self._members
        if found is None:
            found = self._members = Members(self)
        return found

    @property
    def orders(self) -> Orders:
        """Orders, by ID or ``source_id``."""
        found = self._orders
        if found is None:
            found = self._orders = Orders(self)
        return found

    @property
    def publications(self) -> Publications:
        """Publications of cards to customers."""
        found = self._publications
        if found is None:
            found = self._publications = Publications(self)
        return found

    @property
    def points(self) -> Points:
        """Balances, buckets, transactions, expiry."""
        found = self._points
        if found is None:
            found = self._points = Points(self)
        return found

    @property
    def rewards(self) -> Rewards:
        """The reward catalogue and what each program offers."""
        found = self._rewards
        if found is None:
            found = self._rewards = Rewards(self)
        return found

    @property
    def redemptions(self) -> Redemptions:
        """Reward redemptions and their rollbacks."""
        found = self._redemptions
        if found is None:
            found = self._redemptions = Redemptions(self)
        return found

    @property
    def products(self) -> Products:
        """Products and their SKUs, by ID or ``source_id``."""
        found = self._products
        if found is None:
            found = self._products = Products(self)
        return found

    @property
    def segments(self) -> Segments:
        """Customer segments, static and auto-update."""
        found = self._segments
        if found is None:
            found = self._segments = Segments(self)
        return found

    @property
    def pending_points(self) -> Pending:
        """Pending points entries: made by earning, activated nightly or by hand."""
        found = self._pending_points
        if found is None:
            found = self._pending_points = Pending(self)
        return found

    @property
    def async_actions(self) -> AsyncActions:
        """Bulk work's async actions, finished at once."""
        found = self._async_actions
        if found is None:
            found = self._async_actions = AsyncActions(self)
        return found

    @property
    def stacking(self) -> Stacking:
        """Stacked validations, redemptions and rollbacks, and validation sessions."""
        found = self._stacking
        if found is None:
            found = self._stacking = Stacking(self)
        return found

    @property
    def validation_rules(self) -> ValidationRules:
        """Validation rules, their assignments, and checking them."""
        found = self._validation_rules
        if found is None:
            found = self._validation_rules = ValidationRules(self)
        return found

    @property
    def validation_rule_choices(self) -> ValidationRuleChoices:
        """How validation rules read what Voucherify leaves open (see ``ValidationRuleChoices``)."""
        return self._ledger.validation_rule_choices

    @property
    def vouchers(self) -> Vouchers:
        """Discount and gift vouchers, and lookups across cards and vouchers."""
        found = self._vouchers
        if found is None:
            found = self._vouchers = Vouchers(self)
        return found

    @property
    def webhooks(self) -> Webhooks:
        """Webhook configurations and their signing token (stateless: made per use)."""
        return Webhooks(self)

    @property
    def tiers(self) -> Tiers:
        """Programs' loyalty tiers and their members' tiers."""
        found = self._tiers
        if found is None:
            found = self._tiers = Tiers(self)
        return found

    @property
    def transfers(self) -> Transfers:
        """Points transfers between cards (stateless: made per use)."""
        return Transfers(self)
