"""Ledger records as Voucherify's JSON, key for key."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from loyalty_fake.clock import format_timestamp as _format_timestamp

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.models import Campaign, Category, Customer, LoyaltyCard, Publication

__all__ = [
    "ASSETS_BASE_URL",
    "campaign_json",
    "category_json",
    "customer_json",
    "member_json",
    "members_list_json",
    "publication_json",
]

ASSETS_BASE_URL = "https://dl.voucherify.io/api/v1/assets"

# A card's code, asset IDs and timestamps rarely change but are printed on every
# listing; quoting and formatting them once keeps a page of members cheap.
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_CACHE_SIZE)
def _quoted(text: str) -> str:
    return quote(text, safe="")


@lru_cache(maxsize=_CACHE_SIZE)
def format_timestamp(moment: dt.datetime) -> str:
    """``clock.format_timestamp``, memoized: the same moments are printed again and again."""
    return _format_timestamp(moment)


def _ts(moment: dt.datetime | None) -> str | None:
    return format_timestamp(moment) if moment is not None else None


def category_json(category: Category) -> dict[str, Any]:
    """A category as embedded in campaigns and vouchers."""
    return {
        "id": category.id,
        "name": category.name,
        "hierarchy": category.hierarchy,
        "created_at": format_timestamp(category.created_at),
        "object": "category",
    }


def _categories(category: Category | None) -> list[dict[str, Any]]:
    return [category_json(category)] if category is not None else []


def member_json(card: LoyaltyCard, campaign: Campaign) -> dict[str, Any]:
    """A loyalty card as the members endpoints return it: exactly the seed page's keys."""
    code_in_url = _quoted(card.code)
    category = card.category
    return {
        "id": card.id,
        "code": card.code,
        "campaign": campaign.name,
        "campaign_id": campaign.id,
        "category": category.name if category is not None else None,
        "category_id": category.id if category is not None else None,
        "categories": _categories(category),
        "type": "LOYALTY_CARD",
        "discount": None,
        "gift": None,
        "loyalty_card": {"points": card.points, "balance": card.balance},
        "start_date": _ts(campaign.start_date),
        "expiration_date": _ts(campaign.expiration_date),
        "validity_timeframe": campaign.settings.get("validity_timeframe"),
        "validity_day_of_week": campaign.settings.get("validity_day_of_week"),
        "active": card.active,
        "additional_info": None,
        "metadata": dict(card.metadata),
        "assets": {
            "qr": {"id": card.qr_id, "url": f"{ASSETS_BASE_URL}/qr/{_quoted(card.qr_id)}"},
            "barcode": {
                "id": card.barcode_id,
                "url": f"{ASSETS_BASE_URL}/barcode/{_quoted(card.barcode_id)}",
            },
        },
        "is_referral_code": False,
        "created_at": format_timestamp(card.created_at),
        "updated_at": _ts(card.updated_at),
        "holder_id": card.holder_id,
        "redemption": {
            "quantity": campaign.redemption_quantity,
            "redeemed_quantity": card.redeemed_quantity,
            "redeemed_points": card.redeemed_points,
            "object": "list",
            "url": f"/v1/vouchers/{code_in_url}/redemptions?page=1&limit=10",
        },
        "publish": {
            "object": "list",
            "count": card.publish_count,
            "url": f"/v1/vouchers/{code_in_url}/publications?page=1&limit=10",
        },
        "object": "voucher",
    }


def members_list_json(cards: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """The members list wrapper."""
    return {"object": "list", "data_ref": "vouchers", "vouchers": cards, "total": total}


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A loyalty program as create and get return it."""
    category = campaign.category
    voucher: dict[str, Any] = {
        "type": "LOYALTY_CARD",
        "loyalty_card": {"points": campaign.initial_points},
        "redemption": {"quantity": campaign.redemption_quantity},
        "code_config": campaign.code_config.to_json(),
        "is_referral_code": False,
    }
    body: dict[str, Any] = {
        "id": campaign.id,
        "name": campaign.name,
        "description": campaign.description,
        "campaign_type": "LOYALTY_PROGRAM",
        "type": campaign.type,
        "voucher": voucher,
        "auto_join": campaign.auto_join,
        "join_once": campaign.join_once,
        "use_voucher_metadata_schema": campaign.settings.get("use_voucher_metadata_schema", False),
        **{
            key: campaign.settings[key]
            for key in (
                "validity_timeframe",
                "validity_day_of_week",
                "validity_hours",
                "activity_duration_after_publishing",
            )
            if key in campaign.settings
        },
        "start_date": _ts(campaign.start_date),
        "expiration_date": _ts(campaign.expiration_date),
        "vouchers_count": campaign.vouchers_count,
        "active": campaign.active,
        "metadata": dict(campaign.metadata),
        "created_at": format_timestamp(campaign.created_at),
        "updated_at": _ts(campaign.updated_at),
        "category": category.name if category is not None else None,
        "category_id": category.id if category is not None else None,
        "categories": _categories(category),
        "creation_status": "DONE",
        "vouchers_generation_status": "DONE",
        "readonly": False,
        "protected": False,
        "validation_rules_assignments": {
            "object": "list",
            "data_ref": "data",
            "data": [],
            "total": 0,
        },
        "object": "campaign",
    }
    # The schema types these as plain strings (not nullable) and Voucherify's own
    # examples leave them out when unset, so an unset one is omitted, not null.
    for key in ("description", "start_date", "expiration_date", "updated_at", "category"):
        if body[key] is None:
            del body[key]
    return body


def customer_json(customer: Customer) -> dict[str, Any]:
    """A customer profile (the fields the fake keeps)."""
    return {
        "id": customer.id,
        "source_id": customer.source_id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "description": customer.description,
        "birthdate": customer.birthdate,
        "address": customer.address,
        "metadata": dict(customer.metadata),
        "created_at": format_timestamp(customer.created_at),
        "updated_at": _ts(customer.updated_at),
        "object": "customer",
    }


def publication_json(publication: Publication) -> dict[str, Any]:
    """A publication record, as the Python API and later the publications list show it."""
    return {
        "id": publication.id,
        "object": "publication",
        "created_at": format_timestamp(publication.created_at),
        "customer_id": publication.customer_id,
        "campaign": publication.campaign_name,
        "campaign_id": publication.campaign_id,
        "voucher_code": publication.voucher_code,
        "vouchers_id": [publication.voucher_id],
        "source_id": publication.source_id,
        "channel": publication.channel,
        "metadata": dict(publication.metadata),
        "result": publication.result,
    }
