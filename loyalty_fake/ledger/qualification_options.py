"""What a qualification's ``scenario`` and ``options`` take, and what its filters read.

``QualificationsCheckEligibilityRequestBody``'s scenarios, ``QualificationsOption``'s limit,
sorting rules and filter fields (``ledger/qualifications.py`` uses them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.filters import FilterField, Kind
from loyalty_fake.ledger.cards import LoyaltyCard

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = [
    "DEFAULT_LIMIT",
    "FILTER_FIELDS",
    "MAX_LIMIT",
    "PROMOTION_SCENARIOS",
    "SCENARIOS",
    "SORTING_RULES",
    "fields",
]

SCENARIOS = (
    "ALL",
    "CUSTOMER_WALLET",
    "AUDIENCE_ONLY",
    "PRODUCTS",
    "PRODUCTS_DISCOUNT",
    "PROMOTION_STACKS",
    "PRODUCTS_BY_CUSTOMER",
    "PRODUCTS_DISCOUNT_BY_CUSTOMER",
)
# Scenarios about promotion tiers and stacks only: the fake has none, so they find nothing.
PROMOTION_SCENARIOS = frozenset(SCENARIOS[3:])
SORTING_RULES = ("DEFAULT", "BEST_DEAL", "LEAST_DEAL")
# QualificationsOption.limit: "The default value is set to 5", maximum 50.
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
_LIST = ("$is", "$is_not", "$in", "$not_in", "$has_value", "$is_unknown")
# QualificationsOption.filters: the fields, each with QualificationsFiltersCondition's conditions.
FILTER_FIELDS = {
    name: FilterField(Kind.STRING, _LIST)
    for name in (
        "category_id",
        "campaign_id",
        "campaign_type",
        "resource_id",
        "resource_type",
        "voucher_type",
        "code",
        "holder_role",
    )
}


def fields(
    record: LoyaltyCard | Voucher, campaign: Campaign | None, customer: Customer | None
) -> dict[str, Any]:
    """What ``options.filters`` reads of a qualified redeemable."""
    category = record.category or (campaign.category if campaign is not None else None)
    mine = customer is not None and record.holder_id == customer.id
    return {
        "category_id": category.id if category is not None else None,
        "campaign_id": campaign.id if campaign is not None else None,
        "campaign_type": campaign.campaign_type if campaign is not None else None,
        "resource_id": record.id,
        "resource_type": "voucher",
        "voucher_type": "LOYALTY_CARD" if isinstance(record, LoyaltyCard) else record.type,
        "code": record.code,
        "holder_role": "OWNER" if mine else None,
    }
