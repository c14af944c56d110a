"""A member's activity: the events Voucherify records for a card, derived, not stored.

Each event comes from a record the card already keeps: its publication
(``customer.publication.succeeded``) and each points movement in its history. The
HTTP layer turns these values into Voucherify's ``MemberActivity`` objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from loyalty_fake.ids import customer_event_id
from loyalty_fake.ledger.history import CardPoints

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.history import Transaction
    from loyalty_fake.ledger.pending_points import PendingPoints
    from loyalty_fake.ledger.publications import Publication

__all__ = [
    "PENDING_POINTS_ACTIVATED",
    "PENDING_POINTS_ADDED",
    "PENDING_POINTS_CANCELED",
    "PENDING_POINTS_UPDATED",
    "POINTS_ADDED",
    "POINTS_EXPIRED",
    "POINTS_TRANSFERRED",
    "PUBLICATION_SUCCEEDED",
    "MemberEvent",
    "member_activity",
    "transaction_event_type",
]

PUBLICATION_SUCCEEDED = "customer.publication.succeeded"
POINTS_ADDED = "customer.voucher.loyalty_card.points_added"
POINTS_EXPIRED = "customer.voucher.loyalty_card.points_expired"
PENDING_POINTS_ADDED = "customer.voucher.loyalty_card.pending_points.added"
PENDING_POINTS_ACTIVATED = "customer.voucher.loyalty_card.pending_points.activated"
PENDING_POINTS_CANCELED = "customer.voucher.loyalty_card.pending_points.canceled"
PENDING_POINTS_UPDATED = "customer.voucher.loyalty_card.pending_points.updated"
POINTS_TRANSFERRED = "customer.voucher.loyalty_card.points_transferred"

# Spending points is a reward redemption in the activity feed, and its rollback the same
# redemption rolled back (the spec's MemberActivity types). Voucherify has no "points
# removed" event type: a removal is a points_added event whose balance is negative.
_EVENT_TYPES = {
    "POINTS_EXPIRATION": POINTS_EXPIRED,
    "POINTS_REDEMPTION": "customer.reward_redemptions.created",
    "POINTS_REFUND": "customer.reward_redemptions.rolledback",
    "PENDING_POINTS_ACTIVATION": PENDING_POINTS_ACTIVATED,
    "POINTS_TRANSFER_OUT": POINTS_TRANSFERRED,
    "POINTS_TRANSFER_IN": POINTS_TRANSFERRED,
}


def transaction_event_type(kind: str) -> str:
    """The member activity event a points movement of type ``kind`` is."""
    return _EVENT_TYPES.get(kind, POINTS_ADDED)


@attrs.frozen
class MemberEvent:
    """One event of a member's activity, and the record it comes from.

    ``channel``: ``INTERNAL`` for what the fake did on its own (expiry), else ``API``.
    ``card_points``: the card's counters the event shows: just before a publication,
    just after a points movement. Exactly one of ``publication``, ``transaction`` and
    ``pending`` (a pending points entry added or cancelled).
    """

    id: str
    type: str
    created_at: dt.datetime
    seq: int
    channel: str
    card_points: CardPoints
    publication: Publication | None = None
    transaction: Transaction | None = None
    pending: PendingPoints | None = None


def _counters_before(card: LoyaltyCard, seq: int) -> CardPoints:
    """The card's counters just before the record numbered ``seq``."""
    earlier = [t for t in card.transactions if t.seq < seq]
    return earlier[-1].card_points if earlier else CardPoints()


def member_activity(card: LoyaltyCard, pending: Iterable[PendingPoints] = ()) -> list[MemberEvent]:
    """The card's events, oldest first by ``(created_at, seq)``.

    ``pending``: the card's pending points entries, each an ``added`` event (and a
    ``canceled`` one once cancelled; an activation is its transaction's event).
    """
    events: list[MemberEvent] = []
    publication = card.publication
    if publication is not None:
        events.append(
            MemberEvent(
                id=publication.event_id,
                type=PUBLICATION_SUCCEEDED,
                created_at=publication.created_at,
                seq=publication.seq,
                channel="API",
                card_points=_counters_before(card, publication.seq),
                publication=publication,
            )
        )
    for transaction in card.transactions:
        kind = transaction_event_type(transaction.type)
        events.append(
            MemberEvent(
                id=transaction.event_id,
                type=kind,
                created_at=transaction.created_at,
                seq=transaction.seq,
                channel="INTERNAL" if kind == POINTS_EXPIRED else "API",
                card_points=transaction.card_points,
                transaction=transaction,
            )
        )
    for entry in pending:
        events.append(
            MemberEvent(
                id=customer_event_id(entry.id, entry.seq),
                type=PENDING_POINTS_ADDED,
                created_at=entry.created_at,
                seq=entry.seq,
                channel="API",
                card_points=_counters_before(card, entry.seq),
                pending=entry,
            )
        )
        events.extend(
            MemberEvent(
                id=customer_event_id(f"{entry.id}/updated", seq),
                type=PENDING_POINTS_UPDATED,
                created_at=when,
                seq=seq,
                channel="API",
                card_points=_counters_before(card, seq),
                pending=entry,
            )
            for when, seq in entry.adjusted
        )
        if entry.status == "CANCELED" and entry.closed_at is not None:
            events.append(
                MemberEvent(
                    id=customer_event_id(f"{entry.id}/canceled", entry.closed_seq),
                    type=PENDING_POINTS_CANCELED,
                    created_at=entry.closed_at,
                    seq=entry.closed_seq,
                    channel="API",
                    card_points=_counters_before(card, entry.closed_seq),
                    pending=entry,
                )
            )
    events.sort(key=lambda event: (event.created_at, event.seq))
    return events
