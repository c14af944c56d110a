"""Points transfers: points move from one or more source cards to a member's card.

``POST /v1/loyalties/{campaignId}/members/{memberId}/transfers`` (loyalty-loop X1-X4):
each source card loses its points soonest-expiring first, as a ``POINTS_TRANSFER_OUT``
(Voucherify's ``balance.total`` drops, as its example shows, so they count as
subtracted); the target card gains them as one ``POINTS_TRANSFER_IN`` per source, in a
bucket that expires by the target program's rules counted from the day of the transfer.
Only active points move: expired and pending points are not in the balance. Both cards
must have holders; they may belong to other programs and other customers. All entries
or none: the request is one unit of work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.cards import MAX_POINTS, note_card
from loyalty_fake.ledger.points import check_balance
from loyalty_fake.ledger.project import Area, note_sequence
from loyalty_fake.ledger.transfer_records import PointsTransfer, TransferSide

if TYPE_CHECKING:
    from collections.abc import Sequence

    from loyalty_fake.ledger.cards import LoyaltyCard

__all__ = ["PointsTransfer", "TransferEntry", "TransferSide", "Transfers"]


@attrs.frozen
class TransferEntry:
    """One entry of a transfer request: ``points`` from the card ``code``."""

    code: str
    points: int
    source_id: str
    reason: str | None = None


class Transfers(Area):
    """Points transfers between a project's cards."""

    __slots__ = ()

    def transfer(
        self, code: str, campaign_ref: str, entries: Sequence[TransferEntry]
    ) -> LoyaltyCard:
        """Move each entry's points from its card to the card ``code`` of ``campaign_ref``.

        Raises 404 for an unknown card, 400 ``voucher_not_published`` for a card without a
        holder, 400 ``loyalty_card_points_exceeded`` for more points than a source's
        balance (entries from one card add up), 400 for a card sending to itself or a
        target taken past ``MAX_POINTS``; then nothing has changed.
        """
        project = self._project
        session = self._session
        cards = session.cards
        target = cards.member(project, code, campaign_ref)
        if target.holder_id is None:
            raise errors.voucher_not_published(target.code, "it receives points")
        now = session.clock.now()
        points = session.points
        target_campaign = project.campaigns[target.campaign_id]
        last_day = points.last_day(target_campaign, now)
        undo = session.undo
        if undo is not None:
            note_sequence(undo, project)
            note_card(undo, target)
        for entry in entries:
            source = cards.member(project, entry.code, None)
            if source is target:
                raise errors.invalid_payload(
                    f"Loyalty card {source.code} cannot transfer points to itself"
                )
            if source.holder_id is None:
                raise errors.voucher_not_published(source.code, "it transfers points")
            check_balance(source, entry.points, "transfer")
            if target.points + entry.points > MAX_POINTS:
                raise errors.invalid_payload(
                    f"Property .points must be <= {MAX_POINTS - target.points}: loyalty card "
                    f"{target.code} holds at most {MAX_POINTS} points"
                )
            if undo is not None:
                note_card(undo, source)
            source_campaign = project.campaigns[source.campaign_id]
            points.spend(source, entry.points, now)
            source.subtracted_points += entry.points
            points.earn(project, target, entry.points, last_day, now)
            target.points += entry.points
            points.touch(project, source_campaign, source, now)
            points.touch(project, target_campaign, target, now)
            moved = PointsTransfer(
                source=TransferSide.of(source, source_campaign),
                destination=TransferSide.of(target, target_campaign),
            )
            out = points.record(
                project,
                source,
                "POINTS_TRANSFER_OUT",
                -entry.points,
                now,
                reason=entry.reason,
                source_id=entry.source_id,
                transfer=moved,
            )
            into = points.record(
                project,
                target,
                "POINTS_TRANSFER_IN",
                entry.points,
                now,
                reason=entry.reason,
                transfer=moved,
            )
            moved.out_seq, moved.in_seq = out.seq, into.seq
        return target
