"""Seeding's bulk writes: members' histories recorded without the per-request path.

Seeding a million members went through the requests' own path member by member: every
join looked the program and customer up and checked the rules, every balance change
found the card again and made a ``Transaction`` to pack, and the schedule was asked
before every movement whether anything had fallen due. ``BulkWriter`` records the same
history with the same state changes, in the same order (every ID, sequence number and
timestamp the same): it writes what the request would once its checks pass, and
expires due points itself when some are due.

It is exact only where nothing else reacts to what it writes: ``bulk_ready`` says
whether a project is such; seeding takes the per-request path where it is not.
"""

from __future__ import annotations

import datetime as dt
from heapq import heappop
from typing import TYPE_CHECKING

from loyalty_fake.ledger.activities import Activity, card_activity
from loyalty_fake.ledger.activity import transaction_event_type
from loyalty_fake.ledger.auto_redeem import auto_redeem_due
from loyalty_fake.ledger.compact import packed_keys
from loyalty_fake.ledger.customers import CUSTOMER_CREATED, Customer, CustomerRef
from loyalty_fake.ledger.history import append_movement
from loyalty_fake.ledger.seed_writers import SEED_ADDRESS, profile_dict

if TYPE_CHECKING:
    from typing import Any

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
    from loyalty_fake.ledger.expiry import ExpirationRules
    from loyalty_fake.ledger.history import Texts, TransactionType
    from loyalty_fake.ledger.seed_writers import SeedProfile
    from loyalty_fake.ledger.session import Session

__all__ = ["BulkWriter", "bulk_ready"]

_ADDITION: TransactionType = "POINTS_ADDITION"
_REMOVAL: TransactionType = "POINTS_REMOVAL"
_EXPIRATION: TransactionType = "POINTS_EXPIRATION"
# The texts of an expiration: no source, reason or source_id; done automatically.
_EXPIRED: Texts = (None, None, None, "AUTOMATIC")
_UTC = dt.timezone.utc


def bulk_ready(session: Session) -> bool:
    """Whether ``BulkWriter`` writes exactly what the per-request path would in this session.

    Not inside a unit of work that notes each change to undo it (the writer notes
    nothing; a request that seeds after a reset has noted the whole state instead), and
    nothing in the project that reacts to joins or movements as they happen: tiers (they
    follow every movement), segments (they follow every new customer), rewards redeemed
    automatically (a nightly slot the writer does not watch).
    """
    project = session.project
    undo = session.undo
    return (
        (undo is None or undo.sealed)
        and not project.loyalty_tiers
        and not project.segments
        and auto_redeem_due(project) is None
    )


class BulkWriter:
    """One program's members and their movements, written as their requests would write them.

    Each method takes the moment it happens at, as the clock would read in the request;
    the clock itself is set only before what goes through the requests' own path
    (``request``, and ``settle`` while pending points wait).
    """

    __slots__ = (
        "_address_keys",
        "_campaign",
        "_last_days",
        "_metadata",
        "_points",
        "_program_id",
        "_project",
        "_reports_customers",
        "_session",
        "_text_positions",
        "_texts",
        "_transaction_events",
    )

    def __init__(self, session: Session, campaign: Campaign) -> None:
        """Write into ``campaign`` of ``session``'s project (``bulk_ready`` said it may)."""
        self._session = session
        self._project = session.project
        self._campaign = campaign
        self._program_id = campaign.id
        self._points = session.points
        self._reports_customers = session.keeps(CUSTOMER_CREATED)
        # As pack_flat packs an address and Project.shared shares flat metadata, the
        # seeded profile's values being flat strings. The shared metadata by its items:
        # the project's shared dict for them stays right, as no record changes its
        # metadata in place (each replaces it), so the writer asks the project once.
        self._address_keys = packed_keys(SEED_ADDRESS)
        self._metadata: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
        # Where each of the movements' few texts is in the project's TextTable (every
        # card's), once it is there: a position never changes but when a failed unit of
        # work truncates the table, and the writer writes in no unit that can fail
        # (``bulk_ready``). A card with a table of its own is asked its own.
        self._texts = session.project.texts
        self._text_positions: dict[Texts, int] = {}
        # The last day of points earned on a (UTC) day, by the program's rules when
        # they were asked: other rules (the program updated) start afresh.
        self._last_days: tuple[ExpirationRules | None, dict[dt.date, dt.date | None]] = (
            campaign.expiration_rules,
            {},
        )
        # The activity a movement reports, by its type, where the session keeps it (for a
        # reaction or the webhooks); making the others only to drop them costs a million.
        self._transaction_events = {
            kind: event
            for kind in (_ADDITION, _REMOVAL, _EXPIRATION)
            if session.keeps(event := transaction_event_type(kind))
        }

    def request(self, at: dt.datetime) -> Session:
        """The session, its clock at ``at``: for what goes through the requests' own path."""
        self._session.clock.set(at)
        return self._session

    def settle(self, at: dt.datetime) -> None:
        """Do what has fallen due by ``at``, as a session opened then would.

        ``bulk_ready`` leaves no tiers nor automatic rewards to fall due: with no pending
        points waiting either, expiry is the schedule's one slot with work, and its
        nights expire their buckets in the order ``Points.expire_due`` does here.
        """
        project = self._project
        if project.pending_instants:
            self.request(at).settle()
            return
        instants = project.expiry_instants
        while instants and instants[0] <= at:
            instant = heappop(instants)
            for bucket in project.expiring.pop(instant, []):
                self._expire(bucket, instant)

    def _expire(self, bucket: PointsBucket, instant: dt.datetime) -> None:
        """Expire a bucket that fell due at ``instant``, as ``Points.expire_due`` does."""
        expired = self._points.take_expired(self._project, bucket, instant)
        if expired is not None:
            card, points = expired
            self._record(card, _EXPIRATION, -points, instant, _EXPIRED, bucket)

    def join(self, source_id: str, profile: SeedProfile, at: dt.datetime) -> LoyaltyCard:
        """Publish the program's next card to the customer ``source_id`` with ``profile``.

        As ``Members.add`` with that customer and ``profile_dict(profile)``. A customer
        the project already has goes through ``Members.add`` itself (their profile is
        updated, and the rules for a second card apply), as does a join with no card left
        in stock.
        """
        project = self._project
        existing, customer_id = project.find_source_id(source_id)
        members = self._session.members
        card = members.next_in_stock(self._campaign) if existing is None else None
        if card is None:
            ref = CustomerRef(source_id=source_id, profile=profile_dict(profile))
            return self.request(at).members.add(self._program_id, customer=ref)
        name, email, phone, address, metadata_items = profile
        metadata = self._metadata.get(metadata_items)
        if metadata is None:
            metadata = self._metadata[metadata_items] = project.shared(dict(metadata_items))
        # As Customers.commit makes a new customer with this profile. Its first fields in
        # order (id, source_id, created_at, updated_at, name, email, phone), then set:
        # keyword arguments cost a million members twice the making.
        holder = Customer(customer_id, source_id, at, None, name, email, phone)
        holder.packed_address = (self._address_keys, *address)
        holder.metadata = metadata
        project.customers[customer_id] = holder
        if self._reports_customers:
            self._session.happened(Activity(CUSTOMER_CREATED, {"customer_id": customer_id}))
        members.publish_new(self._campaign, card, holder, at)
        return card

    def add(
        self, card: LoyaltyCard, points: int, at: dt.datetime, reason: str, *, expiring: bool = True
    ) -> None:
        """Add ``points`` to a card, expiring by the program's rules unless not ``expiring``.

        As ``Points.change_balance`` does (without ``expiration_type``, or with
        ``NON_EXPIRING``), for points it accepts.
        """
        last_day = self._last_day(at) if expiring else None
        self._points.earn(self._project, card, points, last_day, at)
        card.points += points
        self._touch(card, at)
        self._record(card, _ADDITION, points, at, ("API", reason, None, "MANUAL"))

    def _touch(self, card: LoyaltyCard, at: dt.datetime) -> None:
        """As ``Points.touch`` marks a member's card changed (``bulk_ready``: nothing to note)."""
        previous = card.updated_at
        card.updated_at = at
        self._campaign.members.retouch(card, previous)

    def _last_day(self, at: dt.datetime) -> dt.date | None:
        """``Points.last_day`` of points earned at ``at``, worked out once a day.

        The rules give every moment of one UTC day the same last day; a moment in
        another zone is worked out each time.
        """
        rules, last_days = self._last_days
        if rules is not self._campaign.expiration_rules:
            rules, last_days = self._last_days = (self._campaign.expiration_rules, {})
        if at.tzinfo is not _UTC:
            return self._points.last_day(self._campaign, at)
        day = at.date()
        if day not in last_days:
            last_days[day] = self._points.last_day(self._campaign, at)
        return last_days[day]

    def remove(self, card: LoyaltyCard, points: int, at: dt.datetime, reason: str) -> None:
        """Remove ``points`` (at most the balance) from a member's card, soonest-expiring first.

        As ``Points.change_balance`` with ``-points`` does.
        """
        self._points.spend(card, points, at)
        card.subtracted_points += points
        self._touch(card, at)
        self._record(card, _REMOVAL, -points, at, ("API", reason, None, "MANUAL"))

    def _record(  # noqa: PLR0913, PLR0917 - what Points.record takes of them
        self,
        card: LoyaltyCard,
        kind: TransactionType,
        points: int,
        at: dt.datetime,
        texts: Texts,
        bucket: PointsBucket | None = None,
    ) -> None:
        """As ``Points.record`` records a movement (``bulk_ready``: no tiers follow it)."""
        seq = self._project.take_seq()
        table = card.transaction_texts
        position = self._text_positions.get(texts) if table is self._texts else None
        if position is None:
            position = table.position(texts)
            if table is self._texts:
                self._text_positions[texts] = position
        append_movement(card, kind, seq, points, at, position, bucket)
        if self._transaction_events:
            event = self._transaction_events.get(kind)
            if event is not None:
                self._session.happened(card_activity(event, card.code, seq))
