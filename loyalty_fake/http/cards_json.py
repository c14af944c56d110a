"""Loyalty cards as members, as vouchers and as their points, with their schemas."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from loyalty_fake.http.campaigns_json import categories_json
from loyalty_fake.http.common_json import (
    BOOLEAN,
    CACHE_SIZE,
    COUNT,
    DATE,
    DAYS_OF_WEEK,
    FREE_OBJECT,
    INTEGER,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    format_timestamp,
    nullable,
    obj,
    page_list,
    ref,
    timestamp_or_none,
)
from loyalty_fake.ids import IdGenerator
from loyalty_fake.ledger.history import CardPoints

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard

__all__ = [
    "ASSETS_BASE_URL",
    "SCHEMAS",
    "loyalty_card_json",
    "member_json",
    "members_list_json",
    "voucher_json",
]

ASSETS_BASE_URL = "https://dl.voucherify.io/api/v1/assets"


@lru_cache(maxsize=CACHE_SIZE)
def _quoted(text: str) -> str:
    # surrogatepass: a code the API would refuse may come from the Python API (derived_id).
    return quote(text, safe="", errors="surrogatepass")


@lru_cache(maxsize=CACHE_SIZE)
def _assets(voucher_id: str) -> tuple[str, str, str, str]:
    qr = IdGenerator.asset_id(voucher_id, "qr")
    barcode = IdGenerator.asset_id(voucher_id, "barcode")
    return qr, _asset_in_url(qr), barcode, _asset_in_url(barcode)


def _asset_in_url(asset_id: str) -> str:
    # Asset IDs are base64: only these three characters need escaping in a URL path.
    return asset_id.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def member_json(card: LoyaltyCard, campaign: Campaign) -> dict[str, Any]:
    """A loyalty card as the members endpoints return it: exactly the seed page's keys."""
    code_in_url = _quoted(card.code)
    voucher_id = card.id  # derived: computed once here
    qr, qr_in_url, barcode, barcode_in_url = _assets(voucher_id)
    category = card.category
    own = card.overrides or {}
    body: dict[str, Any] = {
        "id": voucher_id,
        "code": card.code,
        "campaign": campaign.name,
        "campaign_id": campaign.id,
        "category": category.name if category is not None else None,
        "category_id": category.id if category is not None else None,
        "categories": categories_json(category),
        "type": "LOYALTY_CARD",
        "discount": None,
        "gift": None,
        "loyalty_card": loyalty_card_json(card),
        "start_date": timestamp_or_none(own.get("start_date", campaign.start_date)),
        "expiration_date": timestamp_or_none(own.get("expiration_date", campaign.expiration_date)),
        "validity_timeframe": own.get(
            "validity_timeframe", campaign.settings.get("validity_timeframe")
        ),
        "validity_day_of_week": own.get(
            "validity_day_of_week", campaign.settings.get("validity_day_of_week")
        ),
        "active": card.active,
        "additional_info": own.get("additional_info"),
        "metadata": dict(card.metadata or {}),
        "assets": {
            "qr": {"id": qr, "url": f"{ASSETS_BASE_URL}/qr/{qr_in_url}"},
            "barcode": {
                "id": barcode,
                "url": f"{ASSETS_BASE_URL}/barcode/{barcode_in_url}",
            },
        },
        "is_referral_code": False,
        "created_at": format_timestamp(card.created_at),
        "updated_at": timestamp_or_none(card.updated_at),
        "holder_id": card.holder_id,
        "redemption": {
            "quantity": own.get("redemption_quantity", campaign.redemption_quantity),
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
    # A card nobody holds has no holder and was never updated: the schema has no null
    # for either, so they are left out (a member always has both, as the seed shows).
    if card.updated_at is None:
        del body["updated_at"]
    if card.holder_id is None:
        del body["holder_id"]
    return body


_NO_RULES = {"object": "list", "data_ref": "data", "data": [], "total": 0}


def voucher_json(card: LoyaltyCard, campaign: Campaign) -> dict[str, Any]:
    """A loyalty card through the vouchers and publications endpoints (the ``Voucher`` schema).

    As a member, minus ``discount`` and ``gift`` (the Voucher schema has no null for them),
    plus ``validation_rules_assignments``.
    """
    body = member_json(card, campaign)
    del body["discount"], body["gift"]
    rest = {key: body.pop(key) for key in ("redemption", "publish", "object")}
    body["validation_rules_assignments"] = dict(_NO_RULES)
    body.update(rest)
    return body


def loyalty_card_json(card: LoyaltyCard | CardPoints) -> dict[str, Any]:
    """A card's points (now, or as a ``CardPoints`` snapshot), shaped as the seed shows them.

    Always ``points`` and ``balance`` (the seed's fresh card has nothing else), the next
    expiry while points are due to expire, and the other counters once non-zero.
    """
    counters = card if isinstance(card, CardPoints) else CardPoints.of(card)
    body: dict[str, Any] = {"points": counters.points, "balance": counters.balance}
    if counters.next_expiration_date is not None:
        body["next_expiration_date"] = counters.next_expiration_date.isoformat()
        body["next_expiration_points"] = counters.next_expiration_points
    if counters.expired_points:
        body["expired_points"] = counters.expired_points
    if counters.subtracted_points:
        body["subtracted_points"] = counters.subtracted_points
    if counters.pending_points:
        body["pending_points"] = counters.pending_points
    return body


def members_list_json(cards: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """The members list wrapper."""
    return {"object": "list", "data_ref": "vouchers", "vouchers": cards, "total": total}


_ASSET = obj({"id": STRING, "url": STRING})


def _member_properties() -> tuple[dict[str, Schema], dict[str, Schema]]:
    """A card as the members endpoints show it: (always present, present once set)."""
    required: dict[str, Schema] = {
        "id": STRING,
        "code": STRING,
        "campaign": STRING,
        "campaign_id": STRING,
        # docs/spec-errata.md: null on a card without a category, as the seed pages show.
        "category": nullable(STRING),
        "category_id": nullable(STRING),
        "categories": {"type": "array", "items": ref("Category"), "maxItems": 1},
        "type": const("LOYALTY_CARD"),
        "discount": const(None),
        "gift": const(None),
        "loyalty_card": ref("LoyaltyCardPoints"),
        "start_date": nullable(TIMESTAMP),
        "expiration_date": nullable(TIMESTAMP),
        "validity_timeframe": nullable(FREE_OBJECT),
        "validity_day_of_week": nullable(DAYS_OF_WEEK),
        "active": BOOLEAN,
        "additional_info": nullable(STRING),
        "metadata": FREE_OBJECT,
        "assets": obj({"qr": _ASSET, "barcode": _ASSET}),
        "is_referral_code": const(value=False),
        "created_at": TIMESTAMP,
        "redemption": obj(
            {
                "quantity": nullable({"type": "integer", "minimum": 1}),
                "redeemed_quantity": COUNT,
                "redeemed_points": COUNT,
                "object": const("list"),
                "url": STRING,
            }
        ),
        "publish": obj({"object": const("list"), "count": COUNT, "url": STRING}),
        "object": const("voucher"),
    }
    # A card nobody holds has no holder and was never updated: both are left out.
    optional: dict[str, Schema] = {"updated_at": TIMESTAMP, "holder_id": STRING}
    return required, optional


def _member() -> Schema:
    required, optional = _member_properties()
    return obj(required, optional)


def _voucher() -> Schema:
    """The member minus ``discount`` and ``gift``, plus validation rules (the vouchers API)."""
    required, optional = _member_properties()
    del required["discount"], required["gift"]
    required["validation_rules_assignments"] = ref("NoValidationRules")
    return obj(required, optional)


SCHEMAS: dict[str, Schema] = {
    "LoyaltyCardPoints": obj(
        {"points": INTEGER, "balance": COUNT},
        {
            "next_expiration_date": DATE,
            "next_expiration_points": COUNT,
            "expired_points": COUNT,
            "subtracted_points": COUNT,
            # Points waiting to activate (pending points): in neither points nor balance.
            "pending_points": COUNT,
        },
    ),
    "LoyaltyMember": _member(),
    "Voucher": _voucher(),
    "MembersList": page_list("vouchers", ref("LoyaltyMember")),
}
