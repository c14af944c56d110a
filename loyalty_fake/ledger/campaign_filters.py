"""What the campaign list and a campaign's transactions filter on, as ``Filter`` records.

``GET /v1/campaigns`` takes ``ParameterFiltersListCampaigns``'s fields (the newer split
docs' list; ``status`` and ``active``, whose conditions are states such as ``$enabled``,
and ``validity_day_of_week`` are refused, 400) and
``GET /v1/campaigns/{campaignId}/transactions`` ``ParametersFiltersListCampaignTransactions``'s.
Each ``*_record`` gives the values a ``Filter`` tests (docs/choices.md, "Campaign filters").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.filters import STRING_CONDITIONS, FilterField, Kind

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign

__all__ = ["CAMPAIGN_FILTERS", "CAMPAIGN_TRANSACTION_FILTERS", "campaign_record"]

# The spec lets the two enumerations take $in only.
_IN = ("$in",)
CAMPAIGN_FILTERS: dict[str, FilterField] = {
    "campaigns": FilterField(Kind.STRING),
    "campaigns_id": FilterField(Kind.STRING),
    "campaign_status": FilterField(Kind.STRING, _IN),
    # A boolean, which the spec filters with text conditions (as publications do).
    "is_referral_code": FilterField(Kind.BOOLEAN, STRING_CONDITIONS),
    "validity_timeframe": FilterField(Kind.DATE_TIME),
    "voucher_type": FilterField(Kind.STRING),
    "categories": FilterField(Kind.STRING),
    "category_ids": FilterField(Kind.STRING),
    # An array of the type and BULK, the spec's "virtual type" for AUTO_UPDATE and STATIC:
    # $in [BULK] keeps both, $in [STATIC] one; STANDALONE keeps none (no campaign is).
    "type": FilterField(Kind.ARRAY, _IN),
    "created_date": FilterField(Kind.DATE_TIME),
    "updated_at": FilterField(Kind.DATE_TIME),
    "start_date": FilterField(Kind.DATE_TIME),
    "expiration_date": FilterField(Kind.DATE_TIME),
}
CAMPAIGN_TRANSACTION_FILTERS: dict[str, FilterField] = {
    "id": FilterField(Kind.STRING),
    "voucher_id": FilterField(Kind.STRING),
}
_VOUCHER_TYPES = {"LOYALTY_PROGRAM": "LOYALTY_CARD"}


def campaign_record(campaign: Campaign) -> dict[str, Any]:
    """A campaign's filterable fields (``CAMPAIGN_FILTERS``).

    Every campaign of the fake is made at once (``DONE``) and none has referral codes.
    ``validity_timeframe`` is a recurring window, not a date: a campaign with one has it
    from its start (or creation), so ``$has_value``, ``$before`` and ``$after`` read that.
    """
    category = campaign.category
    voucher_type = _VOUCHER_TYPES.get(campaign.campaign_type)
    if voucher_type is None and campaign.voucher is not None:
        voucher_type = campaign.voucher.get("type")
    timeframe = None
    if campaign.settings.get("validity_timeframe"):
        timeframe = campaign.start_date or campaign.created_at
    return {
        "campaigns": campaign.name,
        "campaigns_id": campaign.id,
        "campaign_status": "DONE",
        "is_referral_code": False,
        "validity_timeframe": timeframe,
        "voucher_type": voucher_type,
        "categories": category.name if category is not None else None,
        "category_ids": category.id if category is not None else None,
        "type": (campaign.type, "BULK"),
        "created_date": campaign.created_at,
        "updated_at": campaign.updated_at,
        "start_date": campaign.start_date,
        "expiration_date": campaign.expiration_date,
    }
