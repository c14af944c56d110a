"""Loyalty programs and their categories as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    enum,
    format_timestamp,
    nullable,
    obj,
    page_list,
    ref,
    timestamp_or_none,
)

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign, Category

__all__ = ["EXPIRATION_RULES", "SCHEMAS", "campaign_json", "categories_json", "category_json"]


def category_json(category: Category) -> dict[str, Any]:
    """A category, as ``/v1/categories`` answers it and campaigns and vouchers embed it."""
    found: dict[str, Any] = {
        "id": category.id,
        "name": category.name,
        "hierarchy": category.hierarchy,
        "created_at": format_timestamp(category.created_at),
    }
    if category.updated_at is not None:
        found["updated_at"] = format_timestamp(category.updated_at)
    found["object"] = "category"
    return found


def categories_json(category: Category | None) -> list[dict[str, Any]]:
    """The ``categories`` array: the one category, or none."""
    return [category_json(category)] if category is not None else []


def _voucher_template_json(campaign: Campaign) -> dict[str, Any]:
    """A discount or gift campaign's ``voucher``: what its vouchers are made of."""
    template = campaign.voucher or {}
    voucher: dict[str, Any] = {"type": template.get("type")}
    if "discount" in template:
        voucher["discount"] = dict(template["discount"])
    if "gift" in template:
        gift = template["gift"]
        voucher["gift"] = {"amount": gift.get("amount", 0), "balance": gift.get("amount", 0)}
        if "effect" in gift:
            voucher["gift"]["effect"] = gift["effect"]
    voucher["redemption"] = {"quantity": campaign.redemption_quantity}
    voucher["code_config"] = campaign.code_config.to_json()
    voucher["is_referral_code"] = False
    return voucher


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign (a loyalty program, or discount or gift vouchers) as create and get return it."""
    category = campaign.category
    voucher: dict[str, Any] = {
        "type": "LOYALTY_CARD",
        "loyalty_card": {"points": campaign.initial_points}
        | (
            {"expiration_rules": campaign.expiration_rules.to_json()}
            if campaign.expiration_rules is not None
            else {}
        ),
        "redemption": {"quantity": campaign.redemption_quantity},
        "code_config": campaign.code_config.to_json(),
        "is_referral_code": False,
    }
    if not campaign.is_loyalty_program:
        voucher = _voucher_template_json(campaign)
    body: dict[str, Any] = {
        "id": campaign.id,
        "name": campaign.name,
        "description": campaign.description,
        "campaign_type": campaign.campaign_type,
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
                "loyalty_tiers_expiration",
            )
            if key in campaign.settings
        },
        "start_date": timestamp_or_none(campaign.start_date),
        "expiration_date": timestamp_or_none(campaign.expiration_date),
        "vouchers_count": campaign.vouchers_count,
        "active": campaign.active,
        "metadata": dict(campaign.metadata),
        "created_at": format_timestamp(campaign.created_at),
        "updated_at": timestamp_or_none(campaign.updated_at),
        "category": category.name if category is not None else None,
        "category_id": category.id if category is not None else None,
        "categories": categories_json(category),
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


def _requires_when(key: str, value: str, *required: str) -> Schema:
    return {
        "if": {"properties": {key: const(value)}, "required": [key]},
        "then": {"required": list(required)},
    }


# Also what creating a program takes (loyalty_fake.http.campaigns).
EXPIRATION_RULES = {
    **obj(
        {"period_type": enum("MONTH", "FIXED_DAY_OF_YEAR")},
        {
            "period_value": {"type": "integer", "minimum": 0, "maximum": 1200},
            "rounding_type": enum(
                "END_OF_MONTH",
                "END_OF_QUARTER",
                "END_OF_HALF_YEAR",
                "END_OF_YEAR",
                "PARTICULAR_MONTH",
            ),
            "rounding_value": {"type": "integer", "minimum": 1, "maximum": 12},
            "fixed_month": {"type": "integer", "minimum": 1, "maximum": 12},
            "fixed_day": {"type": "integer", "minimum": 1, "maximum": 31},
        },
    ),
    # Each rule needs its own fields (the fake's _expiration_rules, after Voucherify's spec).
    "allOf": [
        _requires_when("period_type", "MONTH", "period_value"),
        _requires_when("period_type", "FIXED_DAY_OF_YEAR", "fixed_month", "fixed_day"),
        _requires_when("rounding_type", "PARTICULAR_MONTH", "rounding_value"),
    ],
}

SCHEMAS: dict[str, Schema] = {
    "Category": obj(
        {
            "id": STRING,
            "name": STRING,
            "hierarchy": INTEGER,
            "created_at": TIMESTAMP,
            "object": const("category"),
        },
        {"updated_at": TIMESTAMP},
    ),
    "CategoriesList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("Category")},
            "total": COUNT,
        }
    ),
    "ExpirationRules": EXPIRATION_RULES,
    "CodeConfig": obj(
        {"length": {"type": "integer", "minimum": 1}, "charset": STRING, "pattern": STRING},
        {"prefix": STRING, "postfix": STRING},
    ),
    "LoyaltyCardTemplate": obj(
        {
            "type": const("LOYALTY_CARD"),
            "loyalty_card": obj({"points": COUNT}, {"expiration_rules": ref("ExpirationRules")}),
            "redemption": obj({"quantity": nullable({"type": "integer", "minimum": 1})}),
            "code_config": ref("CodeConfig"),
            "is_referral_code": const(value=False),
        }
    ),
    # A discount or gift campaign's vouchers (docs/choices.md: the discount as given).
    "VoucherTemplate": obj(
        {
            "type": enum("DISCOUNT_VOUCHER", "GIFT_VOUCHER"),
            "redemption": obj({"quantity": nullable({"type": "integer", "minimum": 1})}),
            "code_config": ref("CodeConfig"),
            "is_referral_code": const(value=False),
        },
        {
            "discount": FREE_OBJECT,
            "gift": obj(
                {"amount": COUNT, "balance": COUNT},
                {"effect": enum("APPLY_TO_ORDER", "APPLY_TO_ITEMS")},
            ),
        },
    ),
    "Campaign": obj(
        {
            "id": STRING,
            "name": STRING,
            "campaign_type": enum("LOYALTY_PROGRAM", "DISCOUNT_COUPONS", "GIFT_VOUCHERS"),
            "type": enum("AUTO_UPDATE", "STATIC"),
            "voucher": {"anyOf": [ref("LoyaltyCardTemplate"), ref("VoucherTemplate")]},
            "auto_join": BOOLEAN,
            "join_once": BOOLEAN,
            "use_voucher_metadata_schema": BOOLEAN,
            "vouchers_count": COUNT,
            "active": BOOLEAN,
            "metadata": FREE_OBJECT,
            "created_at": TIMESTAMP,
            "category_id": nullable(STRING),
            "categories": {"type": "array", "items": ref("Category"), "maxItems": 1},
            "creation_status": const("DONE"),
            "vouchers_generation_status": const("DONE"),
            "readonly": const(value=False),
            "protected": const(value=False),
            "validation_rules_assignments": ref("NoValidationRules"),
            "object": const("campaign"),
        },
        # Unset, these are omitted rather than null (docs/spec-errata.md).
        {
            "description": STRING,
            "start_date": TIMESTAMP,
            "expiration_date": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "category": STRING,
            "validity_timeframe": FREE_OBJECT,
            "validity_day_of_week": DAYS_OF_WEEK,
            "validity_hours": FREE_OBJECT,
            "activity_duration_after_publishing": STRING,
            "loyalty_tiers_expiration": FREE_OBJECT,
        },
    ),
    "CampaignsList": page_list("campaigns", ref("Campaign")),
}
