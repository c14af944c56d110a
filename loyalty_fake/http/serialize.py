"""Kept for the modules that still import it: the serializers live in the ``*_json`` modules.

``handlers.py``, ``reward_handlers.py``, ``control.py`` and ``fake.py`` import from here
until the handlers move into their area modules; then this module goes.
"""

from __future__ import annotations

from loyalty_fake.http.activity_json import activity_json
from loyalty_fake.http.campaigns_json import campaign_json, category_json
from loyalty_fake.http.cards_json import (
    ASSETS_BASE_URL,
    loyalty_card_json,
    member_json,
    members_list_json,
    voucher_json,
)
from loyalty_fake.http.common_json import cursor_list_json, format_timestamp, timestamp_or_none
from loyalty_fake.http.customers_json import customer_json, simple_customer_json
from loyalty_fake.http.points_json import balance_json, bucket_json, transaction_json
from loyalty_fake.http.publications_json import (
    publication_api_json,
    publication_json,
    publication_voucher_json,
)

__all__ = [
    "ASSETS_BASE_URL",
    "activity_json",
    "balance_json",
    "bucket_json",
    "campaign_json",
    "category_json",
    "cursor_list_json",
    "customer_json",
    "format_timestamp",
    "loyalty_card_json",
    "member_json",
    "members_list_json",
    "publication_api_json",
    "publication_json",
    "publication_voucher_json",
    "simple_customer_json",
    "timestamp_or_none",
    "transaction_json",
    "voucher_json",
]
