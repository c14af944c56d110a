"""One Voucherify project (one ``X-App-Id``): the records of every area, and what spans them.

The areas (``campaigns.py``, ``cards.py``, ...) own the rules; a ``Project`` holds their
records. Deleting a program for good asks each area to forget its records of it
(``forget_campaign``). What a unit of work notes of a project before it changes is here
too, since it covers every area's containers at once.
"""

from __future__ import annotations

from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.ids import customer_id
from loyalty_fake.ledger.compact import is_flat, own_copy
from loyalty_fake.ledger.history import TextTable

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.async_actions import AsyncAction
    from loyalty_fake.ledger.bin import BinEntry
    from loyalty_fake.ledger.campaigns import Campaign, Category
    from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.earning_rules import EarningRule
    from loyalty_fake.ledger.exports import Export
    from loyalty_fake.ledger.orders import Order
    from loyalty_fake.ledger.pending_points import PendingPoints
    from loyalty_fake.ledger.products import Product, Sku
    from loyalty_fake.ledger.publications import Publication
    from loyalty_fake.ledger.redemptions import FailedRedemption, Redemption
    from loyalty_fake.ledger.rewards import Reward, RewardAssignment
    from loyalty_fake.ledger.segments import CustomerEvent, Segment
    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.settings import Setting
    from loyalty_fake.ledger.stacking import StackedRedemption
    from loyalty_fake.ledger.tier_records import LoyaltyTier, MemberTier
    from loyalty_fake.ledger.undo import UndoLog
    from loyalty_fake.ledger.validation_rules import RuleAssignment, ValidationRule
    from loyalty_fake.ledger.validation_sessions import ValidationSession
    from loyalty_fake.ledger.voucher_kinds import VoucherRedemption
    from loyalty_fake.ledger.vouchers import Voucher
    from loyalty_fake.ledger.webhooks import Webhook

__all__ = ["Area", "Project", "note_growth", "note_project", "note_removal", "note_sequence"]

_SHARED_LIMIT = 4096


@attrs.define
class Project:
    """Everything one Voucherify project (one ``X-App-Id``) holds."""

    app_id: str
    # campaigns.py
    campaigns: dict[str, Campaign] = attrs.field(factory=dict)
    campaign_ids_by_name: dict[str, str] = attrs.field(factory=dict)
    # cards.py
    cards: dict[str, LoyaltyCard] = attrs.field(factory=dict)
    # v_ ID -> code, built on the first lookup by v_ ID (rare, and 130 bytes a card).
    card_codes_by_id: dict[str, str] | None = None
    # customers.py
    customers: dict[str, Customer] = attrs.field(factory=dict)
    categories_by_name: dict[str, Category] = attrs.field(factory=dict)
    # publications.py
    publications: list[Publication] = attrs.field(factory=list)
    publications_by_source_id: dict[str, Publication] = attrs.field(factory=dict)
    # points.py and schedule.py: buckets that expire, by the instant they do (creation
    # order within one), and a heap of those instants: one entry per date, not per bucket.
    expiring: dict[dt.datetime, list[PointsBucket]] = attrs.field(factory=dict)
    expiry_instants: list[dt.datetime] = attrs.field(factory=list)
    next_seq: int = 0
    # What a customer's ID is derived from besides its source_id (see customer_id_for).
    salt: str = ""
    # The distinct texts of every card's transactions (see TransactionLog).
    texts: TextTable = attrs.field(factory=TextTable)
    # Flat metadata many customers share ({"tier": "gold"}), stored once (see shared()).
    shared_values: dict[tuple[tuple[str, str, Any], ...], dict[str, Any]] = attrs.field(
        factory=dict
    )
    # orders.py: synced orders by ID, and their IDs by source_id
    orders: dict[str, Order] = attrs.field(factory=dict)
    order_ids_by_source_id: dict[str, str] = attrs.field(factory=dict)
    # earning_rules.py: every program's, by ID
    earning_rules: dict[str, EarningRule] = attrs.field(factory=dict)
    # rewards.py
    rewards: dict[str, Reward] = attrs.field(factory=dict)
    reward_assignments: dict[str, RewardAssignment] = attrs.field(factory=dict)
    # redemptions.py
    redemptions: dict[str, Redemption] = attrs.field(factory=dict)
    redemption_ids_by_rollback: dict[str, str] = attrs.field(factory=dict)
    # Refused redemptions and rollbacks (rf_, rrf_) by ID, and each card's, oldest first:
    # only cards that have had one are keys (a card keeps no field for them).
    failed_redemptions: dict[str, FailedRedemption] = attrs.field(factory=dict)
    failures_by_card: dict[str, list[FailedRedemption]] = attrs.field(factory=dict)
    # products.py: products and SKUs by ID, and their IDs by source_id
    products: dict[str, Product] = attrs.field(factory=dict)
    product_ids_by_source_id: dict[str, str] = attrs.field(factory=dict)
    skus: dict[str, Sku] = attrs.field(factory=dict)
    sku_ids_by_source_id: dict[str, str] = attrs.field(factory=dict)
    # segments.py: customer segments by ID, and the customer events the fake keeps (custom
    # events, segments entered), oldest first, for the customers' activity.
    segments: dict[str, Segment] = attrs.field(factory=dict)
    customer_events: list[CustomerEvent] = attrs.field(factory=list)
    # pending.py: pending points entries by ID (creation order, kept once activated or
    # cancelled), those still pending by the instant they activate (creation order within
    # one), and a heap of those instants: as expiring and expiry_instants are.
    pending_points: dict[str, PendingPoints] = attrs.field(factory=dict)
    pending_due: dict[dt.datetime, list[PendingPoints]] = attrs.field(factory=dict)
    pending_instants: list[dt.datetime] = attrs.field(factory=list)
    # async_actions.py: finished async actions by ID, oldest first
    async_actions: dict[str, AsyncAction] = attrs.field(factory=dict)
    # exports.py: exports (their CSV files made when requested) by ID, oldest first
    exports: dict[str, Export] = attrs.field(factory=dict)
    # stacking.py: stacked redemptions (parents) by ID, their rollbacks' IDs to theirs, and
    # validation sessions (LOCK) by key
    stacked_redemptions: dict[str, StackedRedemption] = attrs.field(factory=dict)
    stacked_ids_by_rollback: dict[str, str] = attrs.field(factory=dict)
    validation_sessions: dict[str, ValidationSession] = attrs.field(factory=dict)
    # validation_rules.py: validation rules and their assignments by ID, oldest first
    validation_rules: dict[str, ValidationRule] = attrs.field(factory=dict)
    validation_rule_assignments: dict[str, RuleAssignment] = attrs.field(factory=dict)
    # bin.py: what deletes without force moved to the bin, by entry ID (oldest first)
    bin_entries: dict[str, BinEntry] = attrs.field(factory=dict)
    # tiers.py: programs' tiers by ID; members' tiers and the points they collected in
    # the period (POINTS_IN_PERIOD), by card code; tier_nights.py: members by the night
    # their tier ends or starts (and a heap of those nights), BALANCE programs' apart.
    loyalty_tiers: dict[str, LoyaltyTier] = attrs.field(factory=dict)
    member_tiers: dict[str, MemberTier] = attrs.field(factory=dict)
    tier_collected: dict[str, tuple[dt.date, int]] = attrs.field(factory=dict)
    tier_due: dict[dt.datetime, list[str]] = attrs.field(factory=dict)
    tier_instants: list[dt.datetime] = attrs.field(factory=list)
    tier_balance_due: dict[dt.datetime, list[str]] = attrs.field(factory=dict)
    tier_balance_instants: list[dt.datetime] = attrs.field(factory=list)
    # vouchers.py: discount and gift vouchers by code (codes shared with cards)
    vouchers: dict[str, Voucher] = attrs.field(factory=dict)
    # voucher_kinds.py: discount vouchers' and gift cards' parts of stacked redemptions, by ID
    voucher_redemptions: dict[str, VoucherRedemption] = attrs.field(factory=dict)
    # webhooks.py: webhook configurations by ID, oldest first; how many were deleted (their
    # IDs are not given again); the webhook_token they are signed with ("": derived); and
    # how many webhook events the project has sent (numbering the next one's ID)
    webhooks: dict[str, Webhook] = attrs.field(factory=dict)
    webhooks_deleted: int = 0
    webhook_token: str = ""
    webhook_events: int = 0
    # settings.py: what the Management API set (name, currency, keys, ...; the rest is
    # its default), and the project's stacking rules, metadata and custom event schemas
    settings: dict[str, Any] = attrs.field(factory=dict)
    stacking_rules: dict[str, Setting] = attrs.field(factory=dict)
    metadata_schemas: dict[str, Setting] = attrs.field(factory=dict)
    custom_event_schemas: dict[str, Setting] = attrs.field(factory=dict)

    def customer_id_for(self, source_id: str, incarnation: int = 0) -> str:
        """The ID of the customer whose ``source_id`` this is: ``cust_`` and 24 alphanumerics.

        Derived, not drawn: finding a customer by source_id is then one lookup by ID,
        with no map from source_id to ID (50 to 70 bytes a customer at a million).
        ``incarnation``: how many customers with this source_id were deleted before.
        """
        return customer_id(self.salt, source_id, incarnation)

    def customer_by_source_id(self, source_id: str) -> Customer | None:
        """The customer whose ``source_id`` this is, if there is one."""
        return self.find_source_id(source_id)[0]

    def find_source_id(self, source_id: str) -> tuple[Customer | None, str]:
        """The customer whose ``source_id`` this is, if any, and the ID such a customer has.

        A deleted customer stays as a tombstone under its ID (cards and redemptions still
        name it); the next customer with its source_id takes the next incarnation's ID.
        """
        incarnation = 0
        derived = customer_id(self.salt, source_id)
        found = self.customers.get(derived)
        while found is not None and found.source_id == source_id and found.deleted_at is not None:
            incarnation += 1
            derived = customer_id(self.salt, source_id, incarnation)
            found = self.customers.get(derived)
        return (found if found is not None and found.source_id == source_id else None), derived

    def live_customer(self, customer_id: str) -> Customer | None:
        """The customer with ID ``customer_id``, unless there is none or it was deleted."""
        found = self.customers.get(customer_id)
        return found if found is not None and found.deleted_at is None else None

    def code_of_card_id(self, card_id: str) -> str | None:
        """The code of the card whose ``v_`` ID is ``card_id``, if there is one."""
        if self.card_codes_by_id is None:
            self.card_codes_by_id = {card.id: code for code, card in self.cards.items()}
        return self.card_codes_by_id.get(card_id)

    def shared(self, value: Mapping[str, Any]) -> dict[str, Any]:
        """A private copy of ``value``, one object for all equal flat values.

        Records only ever replace their metadata, never change it in place, so equal
        values can share one dict: at a million members that is 184 bytes each. Values
        with nested objects, and any beyond the first ``_SHARED_LIMIT`` distinct ones,
        get a copy of their own.
        """
        if not is_flat(value):
            return own_copy(value)
        key = tuple((k, type(v).__name__, v) for k, v in value.items())
        try:
            found = self.shared_values.get(key)
        except TypeError:  # an unhashable value, from the Python API
            return own_copy(value)
        if found is None:
            found = dict(value)
            if len(self.shared_values) < _SHARED_LIMIT:
                self.shared_values[key] = found
        return found

    def take_seq(self) -> int:
        """A project-wide sequence number that orders records created in the same millisecond."""
        self.next_seq += 1
        return self.next_seq


class Area:
    """One Voucherify area of a project, as a session sees it: a view, cheap to make.

    An area holds no state of its own: its records are the project's, and what it
    needs of the request (the clock, the ID source, the undo log) is the session's.
    """

    __slots__ = ("_project", "_session")

    def __init__(self, session: Session) -> None:
        """The area over ``session``'s project."""
        self._session = session
        self._project = session.project


# What a unit notes of a project, once: its counter and cache, and the length of every
# container that requests only add to (removals keep a copy first).
_GROWING = (
    "campaigns",
    "campaign_ids_by_name",
    "cards",
    "customers",
    "categories_by_name",
    "publications",
    "publications_by_source_id",
    "expiring",
    "shared_values",
    "rewards",
    "reward_assignments",
    "redemptions",
    "redemption_ids_by_rollback",
    "failed_redemptions",
    "failures_by_card",
    "texts",
    "orders",
    "order_ids_by_source_id",
    "earning_rules",
    "products",
    "product_ids_by_source_id",
    "skus",
    "sku_ids_by_source_id",
    "segments",
    "customer_events",
    "pending_points",
    "pending_due",
    "async_actions",
    "exports",
    "stacked_redemptions",
    "stacked_ids_by_rollback",
    "validation_rules",
    "validation_rule_assignments",
    "bin_entries",
    "vouchers",
    "voucher_redemptions",
    "loyalty_tiers",
    "tier_due",
    "tier_balance_due",
    "stacking_rules",
    "metadata_schemas",
    "custom_event_schemas",
)
_PROJECT_GROWING = attrgetter(*_GROWING)


def note_project(undo: UndoLog, project: Project) -> None:
    """Note a project before a change: its counter, its cache and its containers' lengths."""
    if not undo.first(project):
        return
    codes = project.card_codes_by_id
    undo.undo(
        _project_back,
        project,
        project.next_seq,
        codes,
        len(codes) if codes is not None else 0,
        tuple(map(len, _PROJECT_GROWING(project))),
    )


def note_sequence(undo: UndoLog, project: Project) -> None:
    """Note what every recorded movement changes in a project: its sequence and texts."""
    if undo.first(project.texts):
        undo.undo(_sequence_back, project, project.next_seq, len(project.texts))


def note_growth(undo: UndoLog, project: Project, *containers: Any) -> None:
    """Note a project before a change that takes sequence numbers and adds to ``containers``.

    The light ``note_project`` of the frequent writes (add-member, a balance change): the
    sequence, the texts and the lengths of the containers named, not of all of them. The
    caller names every project container it adds to; what it calls notes its own.
    """
    note_sequence(undo, project)
    undo.mark(*containers)


def _sequence_back(project: Project, next_seq: int, texts: int) -> None:
    project.texts.truncate(texts)
    project.next_seq = next_seq


def _project_back(
    project: Project,
    next_seq: int,
    codes: dict[str, str] | None,
    codes_length: int,
    lengths: tuple[int, ...],
) -> None:
    for container, length in zip(_PROJECT_GROWING(project), lengths, strict=True):
        _cut(container, length)
    if codes is not None:
        _cut(codes, codes_length)
    project.card_codes_by_id = codes
    project.next_seq = next_seq


def _cut(container: Any, length: int) -> None:
    """Drop what was added to ``container`` after it held ``length`` items."""
    if len(container) > length:
        if isinstance(container, dict):
            for key in list(islice(reversed(container), len(container) - length)):
                del container[key]
        elif isinstance(container, list):
            del container[length:]
        else:
            container.truncate(length)


def note_removal(undo: UndoLog, project: Project) -> None:
    """Note what deleting a program for good changes: copies, as large as the work anyway."""
    note_project(undo, project)
    containers: list[dict[Any, Any] | list[Any]] = [
        project.campaigns,
        project.campaign_ids_by_name,
        project.cards,
        project.expiring,
        *project.expiring.values(),
        project.expiry_instants,
        project.publications,
        project.publications_by_source_id,
        project.reward_assignments,
        project.failures_by_card,
        project.earning_rules,
        project.pending_points,
        project.pending_due,
        *project.pending_due.values(),
        project.pending_instants,
        project.vouchers,
    ]
    for container in containers:
        undo.keep(container)
    if project.card_codes_by_id is not None:
        undo.keep(project.card_codes_by_id)
