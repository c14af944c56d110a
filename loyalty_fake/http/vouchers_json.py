"""Discount and gift vouchers as Voucherify's JSON, their balance and transactions, with schemas.

Loyalty cards keep their own serializer (``cards_json.voucher_json``); ``any_voucher_json``
picks the right one, so that the vouchers API answers for both kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from loyalty_fake.http.campaigns_json import categories_json
from loyalty_fake.http.cards_json import ASSETS_BASE_URL, voucher_json
from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    DAYS_OF_WEEK,
    FREE_OBJECT,
    INTEGER,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    cursor_list,
    enum,
    format_timestamp,
    nullable,
    obj,
    page_list,
    ref,
    timestamp_or_none,
)
from loyalty_fake.http.validation_rules_json import assignment_json
from loyalty_fake.ids import IdGenerator
from loyalty_fake.ledger.cards import LoyaltyCard

if TYPE_CHECKING:
    from collections.abc import Sequence

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.validation_rules import RuleAssignment
    from loyalty_fake.ledger.vouchers import GiftTransaction, Voucher

__all__ = [
    "SCHEMAS",
    "any_voucher_json",
    "gift_balance_json",
    "gift_json",
    "gift_transaction_json",
    "voucher_record_json",
]

_NO_RULES = {"object": "list", "data_ref": "data", "data": [], "total": 0}


def gift_json(voucher: Voucher) -> dict[str, Any]:
    """A gift card's ``gift``: amount, subtracted amount, balance (cents) and its effect."""
    body: dict[str, Any] = {
        "amount": voucher.gift_amount,
        "subtracted_amount": voucher.gift_subtracted,
        "balance": voucher.gift_balance,
    }
    if voucher.gift_effect is not None:
        body["effect"] = voucher.gift_effect
    return body


def voucher_record_json(
    voucher: Voucher, campaign: Campaign | None, rules: Sequence[RuleAssignment] = ()
) -> dict[str, Any]:
    """A discount or gift voucher (the ``Voucher`` schema), with its rules' ``assignments``."""
    code_in_url = quote(voucher.code, safe="")
    qr = IdGenerator.asset_id(voucher.id, "qr")
    barcode = IdGenerator.asset_id(voucher.id, "barcode")
    category = voucher.category
    settings = voucher.settings
    quantity = voucher.redemption_quantity
    body: dict[str, Any] = {
        "id": voucher.id,
        "code": voucher.code,
        "campaign": campaign.name if campaign is not None else None,
        "campaign_id": campaign.id if campaign is not None else None,
        "category": category.name if category is not None else None,
        "category_id": category.id if category is not None else None,
        "categories": categories_json(category),
        "type": voucher.type,
    }
    if voucher.type == "DISCOUNT_VOUCHER":
        body["discount"] = dict(voucher.discount or {})
    else:
        body["gift"] = gift_json(voucher)
    body |= {
        "start_date": timestamp_or_none(voucher.start_date),
        "expiration_date": timestamp_or_none(voucher.expiration_date),
        "validity_timeframe": settings.get("validity_timeframe"),
        "validity_day_of_week": settings.get("validity_day_of_week"),
        **({"validity_hours": settings["validity_hours"]} if "validity_hours" in settings else {}),
        "active": voucher.active,
        "additional_info": settings.get("additional_info"),
        "metadata": dict(voucher.metadata),
        "assets": {
            "qr": {"id": qr, "url": f"{ASSETS_BASE_URL}/qr/{quote(qr, safe='')}"},
            "barcode": {
                "id": barcode,
                "url": f"{ASSETS_BASE_URL}/barcode/{quote(barcode, safe='')}",
            },
        },
        "is_referral_code": False,
        "created_at": format_timestamp(voucher.created_at),
        "updated_at": timestamp_or_none(voucher.updated_at),
        "holder_id": voucher.holder_id,
        "validation_rules_assignments": {
            **_NO_RULES,
            "data": [assignment_json(assignment) for assignment in rules],
            "total": len(rules),
        },
        "redemption": {
            "quantity": quantity,
            "redeemed_quantity": voucher.redeemed_quantity,
            **(
                {"redeemed_amount": voucher.gift_redeemed} if voucher.type == "GIFT_VOUCHER" else {}
            ),
            "object": "list",
            "url": f"/v1/vouchers/{code_in_url}/redemptions?page=1&limit=10",
        },
        "publish": {
            "object": "list",
            "count": voucher.publish_count,
            "url": f"/v1/vouchers/{code_in_url}/publications?page=1&limit=10",
        },
        "object": "voucher",
    }
    # As a card's: unset, these have no null in the schema, so they are left out.
    if voucher.updated_at is None:
        del body["updated_at"]
    if voucher.holder_id is None:
        del body["holder_id"]
    # A standalone voucher has no campaign: the schema has no null for it (docs/choices.md).
    if campaign is None:
        del body["campaign"], body["campaign_id"]
    return body


def any_voucher_json(
    found: LoyaltyCard | Voucher,
    campaign: Campaign | None,
    rules: Sequence[RuleAssignment] = (),
) -> dict[str, Any]:
    """A loyalty card, discount voucher or gift card as the vouchers API shows it.

    ``rules``: a discount voucher's or gift card's validation rule assignments (a card
    shows none yet).
    """
    if isinstance(found, LoyaltyCard):
        assert campaign is not None  # noqa: S101 - a card always has its program
        return voucher_json(found, campaign)
    return voucher_record_json(found, campaign, rules)


def gift_balance_json(voucher: Voucher, amount: int) -> dict[str, Any]:
    """``POST /v1/vouchers/{code}/balance``'s reply for a gift card."""
    return {
        "amount": amount,
        "total": voucher.gift_amount,
        "balance": voucher.gift_balance,
        "type": "gift_voucher",
        "operation_type": "MANUAL",
        "object": "balance",
        "related_object": {"type": "voucher", "id": voucher.id},
    }


def gift_transaction_json(
    transaction: GiftTransaction, voucher: Voucher, campaign: Campaign | None
) -> dict[str, Any]:
    """One gift card credits movement (``VoucherTransaction``).

    A redemption's (``CREDITS_REDEMPTION``, ``CREDITS_REFUND``) is automatic and names
    its redemption in ``details.redemption``; the ledger keeps that ID as its source.
    """
    automatic = transaction.type in AUTOMATIC_CREDITS
    body: dict[str, Any] = {
        "id": transaction.id,
        "source_id": None if automatic else transaction.source_id,
        "voucher_id": voucher.id,
        "campaign_id": campaign.id if campaign is not None else None,
        "source": "API",
        "reason": transaction.reason,
        "type": transaction.type,
        "details": {
            "balance": {
                "type": "gift_voucher",
                "total": voucher.gift_amount,
                "amount": transaction.amount,
                "object": "balance",
                "balance": transaction.balance,
                "operation_type": "AUTOMATIC" if automatic else "MANUAL",
                "related_object": {"id": voucher.id, "type": "voucher"},
            }
        },
        "related_transaction_id": None,
        "created_at": format_timestamp(transaction.created_at),
    }
    if automatic:
        body["details"]["redemption"] = {"id": transaction.source_id}
    return body


# The credits movements a stacked redemption and its rollback make (voucher_kinds.py).
AUTOMATIC_CREDITS = ("CREDITS_REDEMPTION", "CREDITS_REFUND")


_ASSET = obj({"id": STRING, "url": STRING})

_RECORD_REQUIRED: dict[str, Schema] = {
    "id": STRING,
    "code": STRING,
    "category": nullable(STRING),
    "category_id": nullable(STRING),
    "categories": {"type": "array", "items": ref("Category"), "maxItems": 1},
    "type": enum("DISCOUNT_VOUCHER", "GIFT_VOUCHER"),
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
    "validation_rules_assignments": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("ValidationRuleAssignment")},
            "total": COUNT,
        }
    ),
    "redemption": obj(
        {
            "quantity": nullable({"type": "integer", "minimum": 1}),
            "redeemed_quantity": COUNT,
            "object": const("list"),
            "url": STRING,
        },
        {"redeemed_amount": COUNT},
    ),
    "publish": obj({"object": const("list"), "count": COUNT, "url": STRING}),
    "object": const("voucher"),
}

_GIFT = obj(
    {"amount": COUNT, "subtracted_amount": COUNT, "balance": COUNT},
    {"effect": enum("APPLY_TO_ORDER", "APPLY_TO_ITEMS")},
)

SCHEMAS: dict[str, Schema] = {
    "EmptyObject": {"type": "object", "maxProperties": 0},
    "DiscountObject": {
        "type": "object",
        "required": ["type"],
        "properties": {"type": enum("AMOUNT", "PERCENT", "FIXED", "UNIT"), "effect": STRING},
    },
    "GiftObject": _GIFT,
    "VoucherRecord": obj(
        _RECORD_REQUIRED,
        {
            "discount": ref("DiscountObject"),
            "gift": ref("GiftObject"),
            "validity_hours": FREE_OBJECT,
            "updated_at": TIMESTAMP,
            "holder_id": STRING,
            # A standalone voucher has none (docs/choices.md).
            "campaign": STRING,
            "campaign_id": STRING,
        },
    ),
    "AnyVoucher": {"anyOf": [ref("Voucher"), ref("VoucherRecord")]},
    "VouchersList": page_list("vouchers", ref("AnyVoucher")),
    "GiftBalance": obj(
        {
            "amount": INTEGER,
            "total": COUNT,
            "balance": COUNT,
            "type": const("gift_voucher"),
            "operation_type": const("MANUAL"),
            "object": const("balance"),
            "related_object": obj({"type": const("voucher"), "id": STRING}),
        }
    ),
    "GiftTransaction": obj(
        {
            "id": STRING,
            "source_id": nullable(STRING),
            "voucher_id": STRING,
            "campaign_id": nullable(STRING),
            "source": STRING,
            "reason": nullable(STRING),
            "type": enum("CREDITS_ADDITION", "CREDITS_REMOVAL", *AUTOMATIC_CREDITS),
            "details": obj({"balance": FREE_OBJECT}, {"redemption": obj({"id": STRING})}),
            "related_transaction_id": const(None),
            "created_at": TIMESTAMP,
        }
    ),
    "VoucherTransactionsList": cursor_list({"anyOf": [ref("Transaction"), ref("GiftTransaction")]}),
    "AnyBalance": {"anyOf": [ref("Balance"), ref("GiftBalance")]},
}
