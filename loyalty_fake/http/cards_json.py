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
from loyalty_fake.ids import IdGenerator, card_id
from loyalty_fake.ledger.history import CardPoints

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

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
def _card_links(campaign_id: str, code: str) -> tuple[str, str, str, str, str, str, str]:
    """What a card shows that only its program and code decide, worked out once a card.

    Its ``v_`` ID, the IDs and URLs of its two assets, and its redemptions and
    publications URLs: a hash and quoting each, the same on every answer.
    """
    voucher_id = card_id(campaign_id, code)
    qr = IdGenerator.asset_id(voucher_id, "qr")
    barcode = IdGenerator.asset_id(voucher_id, "barcode")
    # surrogatepass: a code the API would refuse may come from the Python API (derived_id).
    code_in_url = quote(code, safe="", errors="surrogatepass")
    return (
        voucher_id,
        qr,
        f"{ASSETS_BASE_URL}/qr/{_asset_in_url(qr)}",
        barcode,
        f"{ASSETS_BASE_URL}/barcode/{_asset_in_url(barcode)}",
        f"/v1/vouchers/{code_in_url}/redemptions?page=1&limit=10",
        f"/v1/vouchers/{code_in_url}/publications?page=1&limit=10",
    )


def _asset_in_url(asset_id: str) -> str:
    # Asset IDs are base64: only these three characters need escaping in a URL path.
    return asset_id.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def member_json(card: LoyaltyCard, campaign: Campaign) -> dict[str, Any]:
    """A loyalty card as the members endpoints return it: exactly the seed page's keys.

    A new dictionary each call, the caller's to keep or change (``member_answers`` shares
    one between the answers it encodes).
    """
    voucher_id, qr, qr_url, barcode, barcode_url, redemptions_url, publications_url = _card_links(
        card.campaign_id, card.code
    )
    category = card.category
    own = card.overrides or {}
    settings = campaign.settings
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
        "validity_timeframe": own.get("validity_timeframe", settings.get("validity_timeframe")),
        "validity_day_of_week": own.get(
            "validity_day_of_week", settings.get("validity_day_of_week")
        ),
        "active": card.active,
        "additional_info": own.get("additional_info"),
        "metadata": dict(card.metadata or {}),
        "assets": {
            "qr": {"id": qr, "url": qr_url},
            "barcode": {"id": barcode, "url": barcode_url},
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
            "url": redemptions_url,
        },
        "publish": {"object": "list", "count": card.publish_count, "url": publications_url},
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
    if isinstance(card, CardPoints):
        next_date, next_points = card.next_expiration_date, card.next_expiration_points
    else:
        next_date, next_points = card.next_expiration()
    return _points_json(
        card.points,
        card.balance,
        card.expired_points,
        card.subtracted_points,
        card.pending_points,
        next_date,
        next_points,
    )


def _points_json(  # noqa: PLR0913, PLR0917 - a card's counters, read by both callers alike
    points: int,
    balance: int,
    expired_points: int,
    subtracted_points: int,
    pending_points: int,
    next_expiration_date: dt.date | None,
    next_expiration_points: int,
) -> dict[str, Any]:
    body: dict[str, Any] = {"points": points, "balance": balance}
    if next_expiration_date is not None:
        body["next_expiration_date"] = next_expiration_date.isoformat()
        body["next_expiration_points"] = next_expiration_points
    if expired_points:
        body["expired_points"] = expired_points
    if subtracted_points:
        body["subtracted_points"] = subtracted_points
    if pending_points:
        body["pending_points"] = pending_points
    return body


def members_list_json(cards: Sequence[Any], total: int) -> dict[str, Any]:
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
