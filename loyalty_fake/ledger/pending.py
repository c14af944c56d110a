"""Pending points: what an ``order.paid`` rule with ``pending_points`` awards, days later.

Such a rule does not accrue: it makes a pending points entry (``lopp_``) that waits on
the card (``loyalty_card.pending_points``, in neither ``points`` nor ``balance``) until
00:00 UTC of its ``activates_at`` day. Then Voucherify's nightly job activates it first,
before tiers and expiry (``schedule.py``): a ``PENDING_POINTS_ACTIVATION`` transaction
adds the points, whose expiry counts from that moment. By hand, an entry can be
activated early, cancelled, or have points added or taken away while it is pending.
"""

from __future__ import annotations

import datetime as dt
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from loyalty_fake import errors
from loyalty_fake.ledger.activities import card_activity
from loyalty_fake.ledger.activity import PENDING_POINTS_ADDED, PENDING_POINTS_CANCELED
from loyalty_fake.ledger.cards import MAX_POINTS
from loyalty_fake.ledger.pending_points import PendingPoints, activation_instant
from loyalty_fake.ledger.project import Area, note_project, note_sequence

if TYPE_CHECKING:
    from loyalty_fake.ledger.accrual import Accrual
    from loyalty_fake.ledger.activities import Activity
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.earning_rules import EarningRule
    from loyalty_fake.ledger.history import Transaction
    from loyalty_fake.ledger.session import Session

__all__ = ["Pending", "PendingPoints", "react_to_cancelled_order"]


def _state_error(entry: PendingPoints, action: str) -> errors.VoucherifyError:
    # The spec's 400 examples, word for word.
    return errors.bad_request(
        "invalid_pending_points_state",
        "Invalid pending points state",
        f"Only pending points in 'PENDING' status can be {action}. "
        f"Current status: '{entry.status}'.",
    )


class Pending(Area):
    """A project's pending points entries."""

    __slots__ = ()

    def add(
        self,
        card: LoyaltyCard,
        points: int,
        rule: EarningRule,
        accrual: Accrual,
        now: dt.datetime,
    ) -> PendingPoints | None:
        """Make ``rule``'s ``points`` wait on a published card for its ``pending_points`` days.

        Points that would take the card (with what it has pending) past ``MAX_POINTS``
        are not awarded (``None``), as an accrual's are not.
        """
        if card.holder_id is None or card.points + card.pending_points + points > MAX_POINTS:
            return None
        assert rule.pending_points is not None  # noqa: S101 - earning asks only such rules
        assert accrual.order_id is not None  # noqa: S101 - only order.paid rules pend
        project = self._project
        undo = self._session.undo
        if undo is not None:
            self._session.note_card(card)
            note_project(undo, project)
        seq = project.take_seq()
        days = int(rule.pending_points["period_value"])
        entry = PendingPoints(
            id=self._session.ids.ordered("lopp_", seq),
            seq=seq,
            card_code=card.code,
            campaign_id=card.campaign_id,
            customer_id=card.holder_id,
            order_id=accrual.order_id,
            order_source_id=accrual.order_source_id,
            points=points,
            activates_at=now.astimezone(dt.timezone.utc).date() + dt.timedelta(days=days),
            created_at=now,
            rule_id=rule.id,
            banner=accrual.banner,
            event_id=accrual.event_id,
            expiration_rules=rule.expiration_rules,
            loyalty_tier=accrual.loyalty_tier,
        )
        project.pending_points[entry.id] = entry
        self._session.happened(card_activity(PENDING_POINTS_ADDED, card.code, entry.seq))
        instant = activation_instant(entry.activates_at)
        due = project.pending_due.get(instant)
        if due is None:
            if undo is not None:
                undo.keep(project.pending_instants)
            due = project.pending_due[instant] = []
            heappush(project.pending_instants, instant)
        elif undo is not None:
            undo.mark(due)
        due.append(entry)
        card.pending_points += points
        campaign = project.campaigns[card.campaign_id]
        self._session.points.touch(project, campaign, card, now)
        return entry

    def of_campaign(self, campaign_ref: str) -> list[PendingPoints]:
        """A program's entries still pending, oldest first; 404 for an unknown program."""
        campaign = self._session.campaigns.get(campaign_ref)
        return [
            entry
            for entry in self._project.pending_points.values()
            if entry.campaign_id == campaign.id and entry.status == "PENDING"
        ]

    def of_member(self, code: str, campaign_ref: str | None = None) -> list[PendingPoints]:
        """A card's entries still pending, oldest first; 404 as ``get_member`` does."""
        card = self._session.cards.member(self._project, code, campaign_ref)
        return [
            entry
            for entry in self._project.pending_points.values()
            if entry.card_code == card.code and entry.status == "PENDING"
        ]

    def of_card(self, card: LoyaltyCard) -> list[PendingPoints]:
        """Every entry a card has had, whatever its status, oldest first."""
        return [e for e in self._project.pending_points.values() if e.card_code == card.code]

    def find(self, code: str, pending_id: str) -> tuple[LoyaltyCard, PendingPoints]:
        """A card and one of its entries, whatever its status; 404 for either unknown."""
        card = self._session.cards.member(self._project, code, None)
        entry = self._project.pending_points.get(pending_id)
        if entry is None or entry.card_code != card.code or entry.campaign_id != card.campaign_id:
            raise errors.not_found("pending_points", pending_id)
        return card, entry

    def activate(self, code: str, pending_id: str) -> tuple[LoyaltyCard, Transaction]:
        """Activate a card's pending entry now, by hand (``operation_type: MANUAL``).

        Raises 404 for an unknown card or entry, 400 ``invalid_pending_points_state`` for
        one already activated or cancelled.
        """
        card, entry = self.find(code, pending_id)
        if entry.status != "PENDING":
            raise _state_error(entry, "activated")
        now = self._session.clock.now()
        return card, self._activate(card, entry, now, automatic=False)

    def cancel(self, code: str, pending_id: str) -> None:
        """Cancel a card's pending entry: its points never reach the card.

        Raises as ``activate`` does.
        """
        card, entry = self.find(code, pending_id)
        if entry.status != "PENDING":
            raise _state_error(entry, "canceled")
        now = self._session.clock.now()
        project = self._project
        undo = self._session.undo
        if undo is not None:
            self._session.note_card(card)
            note_sequence(undo, project)
            undo.touch(entry)
        card.pending_points -= entry.points
        entry.status = "CANCELED"
        entry.updated_at = entry.closed_at = now
        entry.closed_seq = project.take_seq()
        self._session.happened(card_activity(PENDING_POINTS_CANCELED, card.code, entry.closed_seq))
        self._session.points.touch(project, project.campaigns[card.campaign_id], card, now)

    def adjust(self, code: str, pending_id: str, points: int) -> tuple[LoyaltyCard, PendingPoints]:
        """Add ``points`` to (or, negative, take them from) a card's pending entry.

        Raises as ``activate`` does, and 400 ``invalid_amount`` when the entry would be
        left with no points or fewer, or ``invalid_payload`` past ``MAX_POINTS``.
        """
        card, entry = self.find(code, pending_id)
        if entry.status != "PENDING":
            raise _state_error(entry, "updated")
        if entry.points + points <= 0:
            raise errors.bad_request(
                "invalid_amount", "Invalid Amount", "Amount has to be a valid positive number"
            )
        if card.points + card.pending_points + points > MAX_POINTS:
            raise errors.invalid_payload(
                f"Property .points must be <= {MAX_POINTS - card.points - card.pending_points}: "
                f"a card holds at most {MAX_POINTS} points, pending ones included"
            )
        now = self._session.clock.now()
        undo = self._session.undo
        project = self._project
        if undo is not None:
            self._session.note_card(card)
            note_sequence(undo, project)
            undo.touch(entry)
        entry.points += points
        entry.updated_at = now
        entry.adjusted = (*entry.adjusted, (now, project.take_seq()))
        card.pending_points += points
        self._session.points.touch(project, project.campaigns[card.campaign_id], card, now)
        return card, entry

    def cancel_of_order(self, order_id: str) -> None:
        """Cancel every entry of ``order_id`` still pending (a cancelled order, by choice)."""
        for entry in list(self._project.pending_points.values()):
            if entry.order_id == order_id and entry.status == "PENDING":
                self.cancel(entry.card_code, entry.id)

    def activate_due(self, until: dt.datetime) -> None:
        """Activate every entry due by ``until``, each at its own midnight (the nightly job)."""
        project = self._project
        instants = project.pending_instants
        undo = self._session.undo
        if undo is not None:
            undo.keep(instants)
            undo.keep(project.pending_due)
        while instants and instants[0] <= until:
            instant = heappop(instants)
            for entry in project.pending_due.pop(instant, []):
                card = project.cards.get(entry.card_code)
                # Cancelled or activated by hand since; or its card deleted for good.
                if entry.status == "PENDING" and card is not None:
                    self._activate(card, entry, instant, automatic=True)

    def _activate(
        self, card: LoyaltyCard, entry: PendingPoints, at: dt.datetime, *, automatic: bool
    ) -> Transaction:
        project = self._project
        undo = self._session.undo
        if undo is not None:
            self._session.note_card(card)
            note_sequence(undo, project)
            undo.touch(entry)
        campaign = project.campaigns[card.campaign_id]
        points = self._session.points
        # "Expiry starts only when points activate": the rule's expiry (else the
        # program's) counts from this moment.
        rules = entry.expiration_rules or campaign.expiration_rules
        last_day = rules.last_day(at) if rules is not None else None
        points.earn(project, card, entry.points, last_day, at)
        card.points += entry.points
        card.pending_points -= entry.points
        entry.status = "ACTIVATED"
        entry.updated_at = entry.closed_at = at
        points.touch(project, campaign, card, at)
        transaction = points.record(
            project,
            card,
            "PENDING_POINTS_ACTIVATION",
            entry.points,
            at,
            source="Automation" if automatic else "API",
            operation_type="AUTOMATIC" if automatic else "MANUAL",
            pending=entry,
        )
        entry.closed_seq = transaction.seq
        return transaction

    def forget_cards(self, codes: set[str]) -> None:
        """Drop the entries of cards removed for good (the caller noted the project)."""
        project = self._project
        for entry_id in [i for i, e in project.pending_points.items() if e.card_code in codes]:
            del project.pending_points[entry_id]
        for instant, due in list(project.pending_due.items()):
            due[:] = [entry for entry in due if entry.card_code not in codes]
            if not due:
                del project.pending_due[instant]
        project.pending_instants[:] = sorted(project.pending_due)


def react_to_cancelled_order(session: Session, activity: Activity) -> None:
    """A paid order cancelled: its pending points go too, if the fake is told to."""
    if session.earning_choices.cancel_pending_with_order:
        session.pending_points.cancel_of_order(activity.data["order_id"])
