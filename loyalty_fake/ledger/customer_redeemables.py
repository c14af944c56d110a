"""What a customer holds: their loyalty cards, gift cards and discount vouchers.

Voucherify answers ``GET /v1/customers/{customerId}/redeemables`` from its redeemable
holders (``rh_``): one is made when a voucher is published to a customer, or a loyalty
card is published to a member. The fake keeps no holder records: a holder is read off
what it would record, the card or voucher whose ``holder_id`` is the customer and the
publication that gave it to them (its moment, and its sequence for the ``rh_`` ID).
Every holder is the ``OWNER``: the fake has no referral programs, whose referrers and
referees Voucherify lists too. A card or voucher deleted (its program or campaign too)
leaves the list, as it leaves every other read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import ids
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.filters import ENUM_CONDITIONS, FilterField, Kind
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.customers import held_cards
from loyalty_fake.ledger.project import Area
from loyalty_fake.ledger.redeemables import check_card_state
from loyalty_fake.ledger.voucher_kinds import check_voucher_state
from loyalty_fake.ledger.voucher_publications import held_vouchers

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = [
    "CUSTOMER_REDEEMABLE_FILTERS",
    "CustomerRedeemables",
    "RedeemableHolder",
    "holder_record",
]

# What the list filters on: the fields of ParameterFiltersListCustomerRedeemables.
CUSTOMER_REDEEMABLE_FILTERS: dict[str, FilterField] = {
    "id": FilterField(Kind.STRING),
    "created_at": FilterField(Kind.DATE_TIME),
    "redeemable_id": FilterField(Kind.STRING),
    "redeemable_object": FilterField(Kind.STRING, ENUM_CONDITIONS),
    "holder_role": FilterField(Kind.STRING, ENUM_CONDITIONS),
    "campaign_id": FilterField(Kind.STRING),
    "campaign_type": FilterField(Kind.STRING, ENUM_CONDITIONS),
    "voucher_type": FilterField(Kind.STRING, ENUM_CONDITIONS),
}
# A refusal of the card or voucher whatever it is asked for, as the holder's status.
_STATUS_OF_REFUSAL = {
    "voucher_disabled": "DISABLED",
    "voucher_not_active_now": "NOT_ACTIVE_YET",
    "voucher_expired": "EXPIRED",
    "quantity_exceeded": "USED",
}


@attrs.frozen
class RedeemableHolder:
    """A customer holding a card or voucher (Voucherify's ``rh_``), with its status now.

    ``created_at`` and ``seq`` are the publication's that gave it to the customer.
    """

    customer_id: str
    redeemable: LoyaltyCard | Voucher
    campaign: Campaign | None
    created_at: dt.datetime
    seq: int
    status: str
    holder_role: str = "OWNER"

    @property
    def id(self) -> str:
        """``rh_`` and 18 hex digits, derived from the voucher, customer and seq: not stored."""
        return ids.redeemable_holder_id(self.redeemable.id, self.customer_id, self.seq)

    @property
    def voucher_type(self) -> str:
        """``LOYALTY_CARD``, ``DISCOUNT_VOUCHER`` or ``GIFT_VOUCHER``."""
        if isinstance(self.redeemable, LoyaltyCard):
            return "LOYALTY_CARD"
        return self.redeemable.type

    @property
    def campaign_type(self) -> str | None:
        """The campaign's type (``LOYALTY_PROGRAM``, ...); ``None`` for a standalone voucher."""
        return self.campaign.campaign_type if self.campaign is not None else None


def holder_record(holder: RedeemableHolder) -> dict[str, Any]:
    """A holder's filterable fields (``CUSTOMER_REDEEMABLE_FILTERS``), and its customer."""
    return {
        "id": holder.id,
        "created_at": holder.created_at,
        "redeemable_id": holder.redeemable.id,
        "redeemable_object": "voucher",
        "customer_id": holder.customer_id,
        "holder_role": holder.holder_role,
        "campaign_id": holder.campaign.id if holder.campaign is not None else None,
        "campaign_type": holder.campaign_type,
        "voucher_type": holder.voucher_type,
    }


def _status(found: LoyaltyCard | Voucher, campaign: Campaign | None, now: dt.datetime) -> str:
    """``ACTIVE`` unless a redemption would refuse it now, or a gift card has no credits left.

    The same checks as a validation's (disabled, dates, quantity), in the same order: the
    first refusal names the status. Validation rules depend on the order, so they do not.
    """
    try:
        if isinstance(found, LoyaltyCard):
            assert campaign is not None  # noqa: S101 - a card always has its program
            check_card_state(found, campaign, now)
        else:
            check_voucher_state(found, campaign, now)
    except VoucherifyError as refusal:
        return _STATUS_OF_REFUSAL[refusal.key]
    if not isinstance(found, LoyaltyCard) and found.type == "GIFT_VOUCHER":
        return "ACTIVE" if found.gift_balance > 0 else "NO_BALANCE"
    return "ACTIVE"


class CustomerRedeemables(Area):
    """The cards and vouchers a project's customers hold."""

    __slots__ = ()

    def of(self, customer_ref: str) -> list[RedeemableHolder]:
        """What customer ``customer_ref`` (ID or source_id) holds, in the order it was given.

        Raises 404 ``not_found`` (customer) for a customer the project does not have.
        """
        session = self._session
        project = self._project
        customer = session.customers.get(customer_ref)
        now = session.clock.now()
        campaigns = project.campaigns
        held: list[tuple[LoyaltyCard | Voucher, Campaign | None]] = [
            (card, campaigns[card.campaign_id]) for card in held_cards(project, customer)
        ]
        held.extend(
            (voucher, campaigns.get(voucher.campaign_id or ""))
            for voucher in held_vouchers(project, customer)
        )
        holders = []
        for found, campaign in held:
            publication = found.publication
            if publication is None or (campaign is not None and campaign.in_bin):
                continue
            holders.append(
                RedeemableHolder(
                    customer_id=customer.id,
                    redeemable=found,
                    campaign=campaign,
                    created_at=publication.created_at,
                    seq=publication.seq,
                    status=_status(found, campaign, now),
                )
            )
        holders.sort(key=lambda holder: holder.id)
        return holders
