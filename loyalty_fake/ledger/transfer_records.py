"""What a points transfer's two transactions point at (see ``transfers``).

Apart from the transfers area so that cards can tell a transfer from a redemption among
what their transactions point at without importing the area that moves points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from loyalty_fake.ids import transaction_id
from loyalty_fake.ledger.history import CardPoints

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard

__all__ = ["PointsTransfer", "TransferSide"]


@attrs.frozen
class TransferSide:
    """One card of a transfer as it was right after it (Voucherify's ``SimpleVoucher``)."""

    code: str
    voucher_id: str
    campaign_id: str
    campaign: str
    holder_id: str | None
    created_at: dt.datetime
    counters: CardPoints

    @classmethod
    def of(cls, card: LoyaltyCard, campaign: Campaign) -> TransferSide:
        """``card`` of ``campaign`` as it is now."""
        return cls(
            card.code,
            card.id,
            campaign.id,
            campaign.name,
            card.holder_id,
            card.created_at,
            CardPoints.of(card),
        )


@attrs.define(eq=False)
class PointsTransfer:
    """What both transactions of one transfer point at: the two cards and each other.

    ``out_seq`` and ``in_seq`` number the source's and the target's transaction (set once
    both are recorded), so each names the other as ``related_transaction_id``.
    """

    source: TransferSide
    destination: TransferSide
    out_seq: int = 0
    in_seq: int = 0

    @property
    def out_id(self) -> str:
        """The source card's ``POINTS_TRANSFER_OUT`` transaction ID."""
        return transaction_id(self.source.code, self.out_seq)

    @property
    def in_id(self) -> str:
        """The target card's ``POINTS_TRANSFER_IN`` transaction ID."""
        return transaction_id(self.destination.code, self.in_seq)
