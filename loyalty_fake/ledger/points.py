"""Points on a card: earned into buckets, spent, expired, recorded.

Points are spent soonest-expiring first and expire when due; every movement is recorded
with the counters right after it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.filters import FilterField, Kind
from loyalty_fake.ledger.activities import card_activity
from loyalty_fake.ledger.activity import transaction_event_type
from loyalty_fake.ledger.cards import MAX_POINTS, LoyaltyCard, PointsBucket, note_card
from loyalty_fake.ledger.expiry import expires_at
from loyalty_fake.ledger.history import Transaction
from loyalty_fake.ledger.members import note_members
from loyalty_fake.ledger.project import Area, note_sequence

if TYPE_CHECKING:
    from loyalty_fake.filters import Filter
    from loyalty_fake.ledger.accrual import Accrual
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.earning_rules import EarningRule
    from loyalty_fake.ledger.history import TransactionType
    from loyalty_fake.ledger.pending_points import PendingPoints
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.transfer_records import PointsTransfer

__all__ = ["TRANSACTION_FILTERS", "Points", "check_balance", "transaction_record"]


# What a member's transactions filter on (ParameterFiltersListMemberTransactions).
TRANSACTION_FILTERS: dict[str, FilterField] = {
    "created_at": FilterField(Kind.DATE_TIME),
    "id": FilterField(Kind.STRING),
}


def transaction_record(transaction: Transaction) -> dict[str, Any]:
    """A transaction's filterable fields (``TRANSACTION_FILTERS``)."""
    return {"created_at": transaction.created_at, "id": transaction.id}


def _bucket_order(bucket: PointsBucket) -> tuple[int, int]:
    return bucket.sort_key


def check_balance(card: LoyaltyCard, points: int, spending: str = "redeem") -> None:
    """400 ``loyalty_card_points_exceeded`` when ``points`` exceed the card's balance."""
    if points > card.balance:
        raise errors.loyalty_card_points_exceeded(card.code, points, card.balance, spending)


class Points(Area):
    """Balances and their movements in a project."""

    __slots__ = ()

    def transactions(
        self,
        code: str,
        campaign_ref: str | None = None,
        filters: Filter | None = None,
    ) -> tuple[LoyaltyCard, list[Transaction]]:
        """A card and its transactions, oldest first, those ``filters`` keeps.

        ``filters`` tests ``TRANSACTION_FILTERS``. Raises 404 as ``get_member`` does.
        """
        card = self._session.cards.member(self._project, code, campaign_ref)
        transactions = list(card.transactions)
        if filters:
            now = self._session.clock.now()
            transactions = [t for t in transactions if filters.matches(transaction_record(t), now)]
        return card, transactions

    def change_balance(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        code: str,
        points: int,
        *,
        campaign_ref: str | None = None,
        expiration_type: str | None = None,
        expiration_date: dt.datetime | None = None,
        reason: str | None = None,
        source_id: str | None = None,
    ) -> Transaction:
        """Add (``points`` > 0) or remove (< 0) points on a published card.

        Added points form a bucket expiring by ``expiration_type``: ``CUSTOM_DATE``
        (``expiration_date``), ``NON_EXPIRING``, or the program's rules (the default).
        Removed points come from the soonest-expiring buckets. Raises 400 for an
        unpublished card, a past expiration date, removing more than the balance, or
        ``points`` beyond ``MAX_POINTS`` either way or taking the card's points past it;
        then nothing changes.
        """
        if not -MAX_POINTS <= points <= MAX_POINTS:
            bound = f"<= {MAX_POINTS}" if points > 0 else f">= {-MAX_POINTS}"
            raise errors.invalid_payload(f"Property .points must be {bound}")
        project = self._project
        card = self._session.cards.member(project, code, campaign_ref)
        campaign = project.campaigns[card.campaign_id]
        if card.holder_id is None:
            raise errors.voucher_not_published(card.code, "its balance can change")
        if card.points + points > MAX_POINTS:
            raise errors.invalid_payload(
                f"Property .points must be <= {MAX_POINTS - card.points}: loyalty card "
                f"{card.code} has earned {card.points} points, and a card holds at most "
                f"{MAX_POINTS}",
            )
        now = self._session.clock.now()
        undo = self._session.undo
        if undo is not None:
            note_card(undo, card)
            note_sequence(undo, project)
        if points > 0:
            last_day = self._requested_last_day(campaign, now, expiration_type, expiration_date)
            self.earn(project, card, points, last_day, now)
            card.points += points
            kind: TransactionType = "POINTS_ADDITION"
        else:
            check_balance(card, -points, "subtract")
            self.spend(card, -points, now)
            card.subtracted_points -= points
            kind = "POINTS_REMOVAL"
        self.touch(project, campaign, card, now)
        return self.record(project, card, kind, points, now, reason=reason, source_id=source_id)

    def _requested_last_day(
        self,
        campaign: Campaign,
        now: dt.datetime,
        expiration_type: str | None,
        expiration_date: dt.datetime | None,
    ) -> dt.date | None:
        if expiration_type is None and expiration_date is not None:
            expiration_type = "CUSTOM_DATE"
        if expiration_type == "NON_EXPIRING":
            return None
        if expiration_type == "CUSTOM_DATE":
            if expiration_date is None:
                raise errors.invalid_payload(
                    "Property .expiration_date is required when expiration_type is CUSTOM_DATE"
                )
            last_day = expiration_date.astimezone(dt.timezone.utc).date()
            if last_day < now.date():
                raise errors.invalid_expiration_date()
            return last_day
        return self.last_day(campaign, now)

    @staticmethod
    def last_day(campaign: Campaign, earned: dt.datetime) -> dt.date | None:
        """The last day of points earned at ``earned`` under the program's expiration rules."""
        rules = campaign.expiration_rules
        return rules.last_day(earned) if rules is not None else None

    def earn(
        self,
        project: Project,
        card: LoyaltyCard,
        points: int,
        last_day: dt.date | None,
        now: dt.datetime,
    ) -> None:
        """Add ``points`` to the card's bucket for ``last_day`` (the caller noted the card)."""
        # The caller noted the card (a new card needs no note).
        undo = self._session.undo
        # Points sharing an expiry date share a bucket, as Voucherify's do.
        for bucket in card.buckets:
            if bucket.last_day == last_day:
                bucket.points += points
                bucket.updated_at = now
                return
        # Numbered per card, not from the project's sequence: small numbers are shared
        # objects, a project-wide one was 32 bytes a bucket.
        card.buckets_made += 1
        # Its fields in order (seq, card_code, last_day, points, created_at): keyword
        # arguments cost twice the making.
        bucket = PointsBucket(card.buckets_made, card.code, last_day, points, now)
        buckets = card.buckets
        order = bucket.sort_key
        if not buckets or buckets[-1].sort_key <= order:
            card.buckets = (*buckets, bucket)  # where bisecting puts it, most often
        else:
            at = bisect_right(buckets, order, key=_bucket_order)
            card.buckets = (*buckets[:at], bucket, *buckets[at:])
        if last_day is not None:
            instant = expires_at(last_day)
            due = project.expiring.get(instant)
            if due is None:
                if undo is not None:
                    # The caller noted the sequence: a new date adds to these two alone.
                    undo.mark(project.expiring)
                    undo.keep(project.expiry_instants)
                due = project.expiring[instant] = []
                heappush(project.expiry_instants, instant)
            elif undo is not None:
                undo.mark(due)
            due.append(bucket)

    def spend(
        self, card: LoyaltyCard, points: int, now: dt.datetime
    ) -> tuple[tuple[dt.date | None, int], ...]:
        """Take ``points``, soonest-expiring first; returns ``(last_day, points)`` per bucket."""
        # "The removal of points will consume the points that expire the soonest."
        # The caller noted the card (its buckets with it).
        remaining = points
        taken_from: list[tuple[dt.date | None, int]] = []
        while remaining:
            bucket = card.buckets[0]
            taken = min(bucket.points, remaining)
            bucket.points -= taken
            bucket.updated_at = now
            remaining -= taken
            taken_from.append((bucket.last_day, taken))
            if not bucket.points:
                card.buckets = card.buckets[1:]
        return tuple(taken_from)

    def touch(
        self, project: Project, campaign: Campaign, card: LoyaltyCard, now: dt.datetime
    ) -> None:
        """Mark the card changed at ``now``, keeping its program's members index in order."""
        # The caller noted the card.
        undo = self._session.undo
        if undo is not None and card.holder_id is not None:
            note_members(undo, project, campaign)
        previous = card.updated_at
        card.updated_at = now
        if card.holder_id is not None:
            campaign.members.retouch(card, previous)

    def record(  # noqa: PLR0913
        self,
        project: Project,
        card: LoyaltyCard,
        kind: TransactionType,
        points: int,
        now: dt.datetime,
        *,
        reason: str | None = None,
        source_id: str | None = None,
        source: str | None = "API",
        operation_type: str = "MANUAL",
        bucket: PointsBucket | None = None,
        redemption: Redemption | None = None,
        accrual: Accrual | None = None,
        pending: PendingPoints | None = None,
        transfer: PointsTransfer | None = None,
    ) -> Transaction:
        """Record one movement of the card's points, with its counters right after it."""
        # The caller noted the card, and the project's sequence and texts (see
        # _note_sequence, which _note_project includes).
        seq = project.take_seq()
        next_date, next_points = card.next_expiration()
        transaction = Transaction(
            bucket=bucket,
            seq=seq,
            type=kind,
            points=points,
            # Voucherify's balance.total: "all points accumulated on the card as affected by
            # add or subtract operations" (a removal lowers it; a redemption does not).
            total=card.points - card.subtracted_points,
            balance=card.balance,
            created_at=now,
            card_code=card.code,
            source=source,
            reason=reason,
            source_id=source_id,
            operation_type="AUTOMATIC" if operation_type == "AUTOMATIC" else "MANUAL",
            expired_points=card.expired_points,
            subtracted_points=card.subtracted_points,
            next_expiration_date=next_date,
            next_expiration_points=next_points,
            redemption=redemption,
            accrual=accrual,
            pending=pending,
            transfer=transfer,
        )
        card.transactions.append(transaction)
        event_type = transaction_event_type(kind)
        if self._session.keeps(event_type):
            self._session.happened(card_activity(event_type, card.code, seq))
        if project.loyalty_tiers:
            self._session.tiers.moved(card, transaction)
        return transaction

    def accrue(
        self,
        card: LoyaltyCard,
        points: int,
        rule: EarningRule,
        accrual: Accrual,
        now: dt.datetime,
    ) -> Transaction | None:
        """Award an earning rule's ``points`` to a published card (``POINTS_ACCRUAL``).

        They expire by the rule's own ``expiration_rules``, else the program's. Points
        that would take the card past ``MAX_POINTS`` are not awarded (``None``).
        """
        if card.points + points > MAX_POINTS:
            return None
        project = self._project
        campaign = project.campaigns[card.campaign_id]
        undo = self._session.undo
        if undo is not None:
            note_card(undo, card)
            note_sequence(undo, project)
        rules = rule.expiration_rules or campaign.expiration_rules
        last_day = rules.last_day(now) if rules is not None else None
        self.earn(project, card, points, last_day, now)
        card.points += points
        self.touch(project, campaign, card, now)
        return self.record(
            project,
            card,
            "POINTS_ACCRUAL",
            points,
            now,
            source="Automation",
            operation_type="AUTOMATIC",
            accrual=accrual,
        )

    def expire_due(self, until: dt.datetime | None = None) -> None:
        """Expire every bucket whose last day has passed by ``until`` (default: now)."""
        project = self._project
        now = self._session.clock.now() if until is None else until
        instants = project.expiry_instants
        if self._session.undo is not None:
            note_sequence(self._session.undo, project)
            self._session.undo.keep(instants)
            self._session.undo.keep(project.expiring)
        while instants and instants[0] <= now:
            instant = heappop(instants)
            for bucket in project.expiring.pop(instant, []):
                self._expire_bucket(project, bucket, instant)

    def _expire_bucket(self, project: Project, bucket: PointsBucket, instant: dt.datetime) -> None:
        expired = self.take_expired(project, bucket, instant)
        if expired is not None:
            card, points = expired
            self.record(
                project,
                card,
                "POINTS_EXPIRATION",
                -points,
                instant,
                source=None,
                operation_type="AUTOMATIC",
                bucket=bucket,
            )

    def take_expired(
        self, project: Project, bucket: PointsBucket, instant: dt.datetime
    ) -> tuple[LoyaltyCard, int] | None:
        """Empty a bucket that fell due at ``instant`` into its card's expired points.

        The card and the points expired, for the caller to record; ``None`` when there
        is nothing to expire. Also bulk seeding's (``bulk_seed.py``), which records it
        without making a ``Transaction``.
        """
        card = project.cards.get(bucket.card_code)
        # A card deleted for good (or a new card that reuses its code) is not this
        # bucket's card any more.
        if card is None or not bucket.points or bucket not in card.buckets:
            return None
        self._session.note_card(card)
        expired = bucket.points
        bucket.points = 0
        bucket.updated_at = instant
        buckets = card.buckets
        # Soonest expiry first: the bucket falling due is most often the first.
        card.buckets = (
            buckets[1:]
            if buckets[0] is bucket
            else tuple(kept for kept in buckets if kept is not bucket)
        )
        card.expired_points += expired
        self.touch(project, project.campaigns[card.campaign_id], card, instant)
        return card, expired

    def forget_cards(self, codes: set[str]) -> None:
        """Drop the buckets of cards removed for good from the expiry schedule."""
        project = self._project
        for instant, buckets in list(project.expiring.items()):
            buckets[:] = [bucket for bucket in buckets if bucket.card_code not in codes]
            if not buckets:
                del project.expiring[instant]
        project.expiry_instants[:] = list(project.expiring)
        heapify(project.expiry_instants)
