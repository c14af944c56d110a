"""The OpenAPI 3.1 document of exactly what the fake implements.

One operation per row of the route table (``loyalty_fake.http.routes.ROUTES``), with the
parameters and request bodies the handlers read and the responses the serializers write,
key for key: a property the fake always sends is required, a ``null`` it sends is allowed
(including the nulls of docs/spec-errata.md), and nothing it never sends is promised.
Schemas are named and shaped after Voucherify's own definitions but written here, for the
fake. Served at ``/_fake/openapi.json`` when the control plane is on, and from Python by
``openapi_document()``; schemathesis drives the live server from it (tests/test_fuzz.py).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from loyalty_fake.filters import LIST_OPERANDS, NO_OPERAND, FilterField, Kind
from loyalty_fake.http.app import MAX_BODY_BYTES
from loyalty_fake.http.params import MAX_INTEGER
from loyalty_fake.http.routes import (
    ASSIGNMENTS,
    MEMBER,
    MEMBER_BY_CODE,
    REWARD_ASSIGNMENTS,
    ROUTES,
)
from loyalty_fake.ledger import PUBLICATION_FILTERS, TRANSACTION_FILTERS
from loyalty_fake.ledger.customers import ADDRESS_FIELDS, CUSTOMER_STRINGS

__all__ = ["openapi_document"]

Schema = dict[str, Any]

_VERSION = "0.1.0"


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with these always-present and sometimes-present properties."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
    }


def _nullable(schema: Schema) -> Schema:
    if "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def _const(value: Any) -> Schema:
    return {"const": value}


def _enum(*values: Any) -> Schema:
    return {"enum": list(values)}


_STRING: Schema = {"type": "string"}
_INTEGER: Schema = {"type": "integer"}
_COUNT: Schema = {"type": "integer", "minimum": 0}
_BOOLEAN: Schema = {"type": "boolean"}
_TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
_DATE: Schema = {"type": "string", "format": "date"}
_FREE_OBJECT: Schema = {"type": "object"}
_DAYS_OF_WEEK: Schema = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}}
_EMPTY_LIST: Schema = {"type": "array", "maxItems": 0}
_NULLABLE_TIMESTAMP: Schema = _nullable(_TIMESTAMP)

# -- responses --------------------------------------------------------------------------------

_CATEGORY = _object(
    {
        "id": _STRING,
        "name": _STRING,
        "hierarchy": _INTEGER,
        "created_at": _TIMESTAMP,
        "object": _const("category"),
    }
)

_CARD_POINTS = _object(
    {"points": _INTEGER, "balance": _COUNT},
    {
        "next_expiration_date": _DATE,
        "next_expiration_points": _COUNT,
        "expired_points": _COUNT,
        "subtracted_points": _COUNT,
    },
)

_ASSET = _object({"id": _STRING, "url": _STRING})

_NO_VALIDATION_RULES = _object(
    {
        "object": _const("list"),
        "data_ref": _const("data"),
        "data": _EMPTY_LIST,
        "total": _const(0),
    }
)


def _member_properties() -> tuple[dict[str, Schema], dict[str, Schema]]:
    """A card as the members endpoints show it: (always present, present once set)."""
    required: dict[str, Schema] = {
        "id": _STRING,
        "code": _STRING,
        "campaign": _STRING,
        "campaign_id": _STRING,
        # docs/spec-errata.md: null on a card without a category, as the seed pages show.
        "category": _nullable(_STRING),
        "category_id": _nullable(_STRING),
        "categories": {"type": "array", "items": _ref("Category"), "maxItems": 1},
        "type": _const("LOYALTY_CARD"),
        "discount": _const(None),
        "gift": _const(None),
        "loyalty_card": _ref("LoyaltyCardPoints"),
        "start_date": _nullable(_TIMESTAMP),
        "expiration_date": _nullable(_TIMESTAMP),
        "validity_timeframe": _nullable(_FREE_OBJECT),
        "validity_day_of_week": _nullable(_DAYS_OF_WEEK),
        "active": _BOOLEAN,
        "additional_info": _nullable(_STRING),
        "metadata": _FREE_OBJECT,
        "assets": _object({"qr": _ASSET, "barcode": _ASSET}),
        "is_referral_code": _const(value=False),
        "created_at": _TIMESTAMP,
        "redemption": _object(
            {
                "quantity": _nullable({"type": "integer", "minimum": 1}),
                "redeemed_quantity": _COUNT,
                "redeemed_points": _COUNT,
                "object": _const("list"),
                "url": _STRING,
            }
        ),
        "publish": _object({"object": _const("list"), "count": _COUNT, "url": _STRING}),
        "object": _const("voucher"),
    }
    # A card nobody holds has no holder and was never updated: both are left out.
    optional: dict[str, Schema] = {"updated_at": _TIMESTAMP, "holder_id": _STRING}
    return required, optional


def _member() -> Schema:
    required, optional = _member_properties()
    return _object(required, optional)


def _voucher() -> Schema:
    """The member minus ``discount`` and ``gift``, plus validation rules (the vouchers API)."""
    required, optional = _member_properties()
    del required["discount"], required["gift"]
    required["validation_rules_assignments"] = _ref("NoValidationRules")
    return _object(required, optional)


def _requires_when(key: str, value: str, *required: str) -> Schema:
    return {
        "if": {"properties": {key: _const(value)}, "required": [key]},
        "then": {"required": list(required)},
    }


_EXPIRATION_RULES = {
    **_object(
        {"period_type": _enum("MONTH", "FIXED_DAY_OF_YEAR")},
        {
            "period_value": {"type": "integer", "minimum": 0, "maximum": 1200},
            "rounding_type": _enum(
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

_CODE_CONFIG = _object(
    {"length": {"type": "integer", "minimum": 1}, "charset": _STRING, "pattern": _STRING},
    {"prefix": _STRING, "postfix": _STRING},
)

_CAMPAIGN = _object(
    {
        "id": _STRING,
        "name": _STRING,
        "campaign_type": _const("LOYALTY_PROGRAM"),
        "type": _enum("AUTO_UPDATE", "STATIC"),
        "voucher": _object(
            {
                "type": _const("LOYALTY_CARD"),
                "loyalty_card": _object(
                    {"points": _COUNT}, {"expiration_rules": _ref("ExpirationRules")}
                ),
                "redemption": _object({"quantity": _nullable({"type": "integer", "minimum": 1})}),
                "code_config": _ref("CodeConfig"),
                "is_referral_code": _const(value=False),
            }
        ),
        "auto_join": _BOOLEAN,
        "join_once": _BOOLEAN,
        "use_voucher_metadata_schema": _BOOLEAN,
        "vouchers_count": _COUNT,
        "active": _BOOLEAN,
        "metadata": _FREE_OBJECT,
        "created_at": _TIMESTAMP,
        "category_id": _nullable(_STRING),
        "categories": {"type": "array", "items": _ref("Category"), "maxItems": 1},
        "creation_status": _const("DONE"),
        "vouchers_generation_status": _const("DONE"),
        "readonly": _const(value=False),
        "protected": _const(value=False),
        "validation_rules_assignments": _ref("NoValidationRules"),
        "object": _const("campaign"),
    },
    # Unset, these are omitted rather than null (docs/spec-errata.md).
    {
        "description": _STRING,
        "start_date": _TIMESTAMP,
        "expiration_date": _TIMESTAMP,
        "updated_at": _TIMESTAMP,
        "category": _STRING,
        "validity_timeframe": _FREE_OBJECT,
        "validity_day_of_week": _DAYS_OF_WEEK,
        "validity_hours": _FREE_OBJECT,
        "activity_duration_after_publishing": _STRING,
    },
)

_BALANCE = _object(
    {
        "points": _INTEGER,
        "total": _INTEGER,
        "balance": _COUNT,
        "type": _const("loyalty_card"),
        "object": _const("balance"),
        "operation_type": _enum("MANUAL", "AUTOMATIC"),
        "related_object": _object({"type": _const("voucher"), "id": _STRING}),
    }
)

_TRANSACTION = _object(
    {
        "id": _STRING,
        "source_id": _nullable(_STRING),
        "voucher_id": _STRING,
        "campaign_id": _STRING,
        "source": _enum("API", None),
        "reason": _nullable(_STRING),
        "type": _enum(
            "POINTS_ADDITION",
            "POINTS_REMOVAL",
            "POINTS_EXPIRATION",
            "POINTS_REDEMPTION",
            "POINTS_REFUND",
        ),
        # A redemption and its refund name the order, the redemption, the reward and (a
        # refund) the rollback, as the spec's transaction examples show.
        "details": _object(
            {"balance": _ref("Balance")},
            {
                # The redemption's order, if it had one (source_id null when it has none).
                "order": _object({"id": _STRING, "source_id": _nullable(_STRING)}),
                "redemption": _object({"id": _STRING}),
                "rollback": _object({"id": _STRING}),
                "reward": _object({"id": _STRING, "name": _STRING}),
            },
        ),
        "related_transaction_id": _const(None),
        "created_at": _TIMESTAMP,
    }
)

_BUCKET = _object(
    {
        "id": _STRING,
        "voucher_id": _STRING,
        "campaign_id": _STRING,
        "bucket": _object({"total_points": _INTEGER}),
        "status": _enum("ACTIVE", "EXPIRED"),
        "created_at": _TIMESTAMP,
        "object": _const("loyalty_points_bucket"),
    },
    # docs/spec-errata.md: a bucket that never expires has no expires_at.
    {"expires_at": _DATE, "updated_at": _TIMESTAMP},
)

_CUSTOMER = _object(
    {
        "id": _STRING,
        "source_id": _nullable(_STRING),
        "address": _nullable(_FREE_OBJECT),
        "summary": _object(
            {
                "redemptions": _object(
                    {
                        **dict.fromkeys(
                            (
                                "total_redeemed",
                                "total_failed",
                                "total_succeeded",
                                "total_rolled_back",
                                "total_rollback_failed",
                                "total_rollback_succeeded",
                            ),
                            _COUNT,
                        ),
                        "gift": _object({"redeemed_amount": _COUNT, "amount_to_go": _COUNT}),
                        "loyalty_card": _object(
                            {"redeemed_points": _COUNT, "points_to_go": _COUNT}
                        ),
                    }
                ),
                "orders": _object(
                    dict.fromkeys(
                        ("total_amount", "total_count", "average_amount", "last_order_amount"),
                        _COUNT,
                    )
                ),
            }
        ),
        "loyalty": _object(
            {
                "points": _COUNT,
                "referred_customers": _COUNT,
                "campaigns": {
                    "type": "object",
                    "additionalProperties": _object(
                        {"points": _COUNT, "referred_customers": _COUNT}
                    ),
                },
            }
        ),
        "referrals": _object({"total": _COUNT, "campaigns": {"type": "array"}}),
        "metadata": _FREE_OBJECT,
        "system_metadata": _FREE_OBJECT,
        "created_at": _TIMESTAMP,
        "object": _const("customer"),
    },
    {
        **dict.fromkeys(CUSTOMER_STRINGS, _STRING),
        "updated_at": _TIMESTAMP,
    },
)

_SIMPLE_CUSTOMER = _object(
    {
        "id": _STRING,
        "source_id": _nullable(_STRING),
        "metadata": _FREE_OBJECT,
        "object": _const("customer"),
    },
    {"name": _STRING, "email": _STRING},
)

_SIMPLE_CAMPAIGN = _object(
    {
        "id": _STRING,
        "name": _STRING,
        "campaign_type": _const("LOYALTY_PROGRAM"),
        "type": _enum("AUTO_UPDATE", "STATIC"),
        "is_referral_code": _const(value=False),
        "auto_join": _BOOLEAN,
        "join_once": _BOOLEAN,
        "active": _BOOLEAN,
        "created_at": _TIMESTAMP,
        "object": _const("campaign"),
    }
)

_SIMPLE_VOUCHER = _object(
    {
        "id": _STRING,
        "code": _STRING,
        "campaign": _STRING,
        "campaign_id": _STRING,
        "type": _const("LOYALTY_CARD"),
        "loyalty_card": _ref("LoyaltyCardPoints"),
        "is_referral_code": _const(value=False),
        "holder_id": _nullable(_STRING),
        "created_at": _TIMESTAMP,
        "object": _const("voucher"),
    }
)

_PUBLICATION_RECORD = _object(
    {
        "id": _STRING,
        "object": _const("publication"),
        "created_at": _TIMESTAMP,
        "customer_id": _STRING,
        "campaign": _STRING,
        "campaign_id": _STRING,
        "voucher_code": _STRING,
        "vouchers_id": {"type": "array", "items": _STRING, "minItems": 1, "maxItems": 1},
        "source_id": _nullable(_STRING),
        "channel": _nullable(_STRING),
        "metadata": _FREE_OBJECT,
        "result": _const("SUCCESS"),
    }
)

_ACTIVITY = _object(
    {
        "id": _STRING,
        "type": _enum(
            "customer.publication.succeeded",
            "customer.voucher.loyalty_card.points_added",
            "customer.voucher.loyalty_card.points_expired",
            "customer.reward_redemptions.created",
            "customer.reward_redemptions.rolledback",
        ),
        "data": _object(
            {
                "data": _object(
                    {"campaign": _ref("SimpleCampaign")},
                    {
                        "customer": _ref("SimpleCustomer"),
                        "publication": {
                            "allOf": [
                                _ref("PublicationRecord"),
                                _object({"voucher": _ref("SimpleVoucher")}),
                            ]
                        },
                        "voucher": _ref("SimpleVoucher"),
                        "balance": _ref("Balance"),
                        "transaction": _ref("Transaction"),
                        "points": _COUNT,
                        "buckets": {"type": "array", "items": _ref("PointsBucket")},
                        "reward": _ref("ActivityReward"),
                    },
                ),
                "event_source": _object({"channel": _enum("API", "INTERNAL")}),
            }
        ),
        "created_at": _TIMESTAMP,
    }
)

_SHORT_VOUCHER = _object(
    {
        "code": _STRING,
        "object": _const("voucher"),
        "campaign": _STRING,
        "loyalty_card": _ref("LoyaltyCardPoints"),
        "is_referral_code": _const(value=False),
    }
)


def _publication(voucher: str) -> Schema:
    return _object(
        {
            "id": _STRING,
            "object": _const("publication"),
            "created_at": _TIMESTAMP,
            "customer_id": _STRING,
            "tracking_id": _nullable(_STRING),
            "metadata": _FREE_OBJECT,
            "channel": _nullable(_STRING),
            "source_id": _nullable(_STRING),
            "result": _const("SUCCESS"),
            "customer": _ref("Customer"),
            "voucher": _ref(voucher),
            "vouchers_id": {"type": "array", "items": _STRING, "minItems": 1, "maxItems": 1},
        }
    )


def _page_list(data_ref: str, item: Schema) -> Schema:
    """A page-based list: ``data_ref`` names the array, ``total`` counts every match."""
    return _object(
        {
            "object": _const("list"),
            "data_ref": _const(data_ref),
            data_ref: {"type": "array", "items": item, "maxItems": 100},
            "total": _COUNT,
        }
    )


def _cursor_list(item: Schema) -> Schema:
    """A cursor-paged list: ``more_starting_after`` is there exactly when ``has_more``."""
    return _object(
        {
            "object": _const("list"),
            "data_ref": _const("data"),
            "data": {"type": "array", "items": item, "maxItems": 100},
            "has_more": _BOOLEAN,
        },
        {"more_starting_after": _STRING},
    )


_ERROR = _object(
    {"code": _INTEGER, "key": _STRING, "message": _STRING, "request_id": _STRING},
    {
        "details": _STRING,
        "resource_id": _STRING,
        "resource_type": _STRING,
    },
)

# Voucherify's 401 is the short envelope, without a request_id.
_UNAUTHORIZED = _object(
    {"code": _const(401), "key": _const("unauthorized"), "message": _const("Unauthorized")}
)

_ASYNC_ACTION = _object({"async_action_id": _STRING})

# -- rewards and redemptions -----------------------------------------------------------------

_REWARD_TYPE = _enum("MATERIAL", "COIN")
_POSITIVE: Schema = {"type": "integer", "minimum": 1}

# Kept as the fake normalises them: a product with its sku_id (null when unset), or a coin's
# ratios as numbers (points_ratio defaults to 1).
_COIN_PARAMETERS = _object(
    {
        "coin": _object(
            {
                "exchange_ratio": {"type": "number", "exclusiveMinimum": 0},
                "points_ratio": _POSITIVE,
            }
        )
    }
)
_REWARD_PARAMETERS: Schema = {
    "oneOf": [
        _object({"product": _object({"id": _STRING, "sku_id": _nullable(_STRING)})}),
        _COIN_PARAMETERS,
    ]
}

_REWARD = _object(
    {
        "id": _STRING,
        "name": _STRING,
        # CAMPAIGN rewards answer 501: only these two exist.
        "type": _REWARD_TYPE,
        "parameters": _REWARD_PARAMETERS,
        "stock": _nullable(_COUNT),
        # null until the first redemption that is not rolled back, as the spec shows.
        "redeemed": _nullable(_POSITIVE),
        "attributes": _object({}, {"image_url": _STRING, "description": _STRING}),
        "created_at": _TIMESTAMP,
        "updated_at": _NULLABLE_TIMESTAMP,
        "metadata": _FREE_OBJECT,
        "object": _const("reward"),
    }
)

_REWARD_ASSIGNMENT = _object(
    {
        "id": _STRING,
        "reward_id": _STRING,
        "related_object_id": _STRING,
        "related_object_type": _const("campaign"),
        "created_at": _TIMESTAMP,
        "updated_at": _NULLABLE_TIMESTAMP,
        "object": _const("reward_assignment"),
    },
    # A COIN reward's assignment has no price, so no parameters.
    {"parameters": _object({"loyalty": _object({"points": _POSITIVE})})},
)

# One reward assigned answers its assignment; several answer the array (reward_handlers).
_REWARD_ASSIGNMENT_CREATED: Schema = {
    "oneOf": [
        _ref("RewardAssignment"),
        {"type": "array", "items": _ref("RewardAssignment"), "minItems": 2},
    ]
}

_LOYALTY_REWARD = _object(
    {
        "reward": _ref("Reward"),
        "assignment": _ref("RewardAssignment"),
        "object": _const("loyalty_reward"),
    }
)

# Member rewards are not paged: every reward the member's programs offer, in one list.
_LOYALTY_REWARDS_LIST = _object(
    {
        "object": _const("list"),
        "data_ref": _const("data"),
        "data": {"type": "array", "items": _ref("LoyaltyReward")},
        "total": _COUNT,
    }
)

_ACTIVITY_REWARD = _object(
    {
        "assignment_id": _STRING,
        "id": _STRING,
        "object": _const("reward"),
        "name": _STRING,
        "created_at": _TIMESTAMP,
        "updated_at": _NULLABLE_TIMESTAMP,
        "parameters": _REWARD_PARAMETERS,
        "type": _REWARD_TYPE,
    }
)

# As a redemption shows it (RedemptionRewardResult): an unset sku_id is left out.
_REDEMPTION_REWARD = _object(
    {
        "customer": _ref("SimpleCustomer"),
        "assignment_id": _STRING,
        "voucher": _const(None),
        "product": _const(None),
        "sku": _const(None),
        "loyalty_tier_id": _const(None),
        "id": _STRING,
        "object": _const("reward"),
        "name": _STRING,
        "created_at": _TIMESTAMP,
        "parameters": {
            "oneOf": [
                _object({"product": _object({"id": _STRING}, {"sku_id": _STRING})}),
                _COIN_PARAMETERS,
            ]
        },
        "metadata": _FREE_OBJECT,
        "type": _REWARD_TYPE,
    },
    {"updated_at": _TIMESTAMP},
)

_ORDER_ITEM = _object(
    {"object": _const("order_item")},
    {
        "product_id": _STRING,
        "sku_id": _STRING,
        "source_id": _STRING,
        "related_object": _enum("product", "sku"),
        "quantity": _COUNT,
        "price": _COUNT,
        "amount": _COUNT,
    },
)

_ORDER = _object(
    {
        "id": _STRING,
        "source_id": _nullable(_STRING),
        "created_at": _TIMESTAMP,
        "updated_at": _NULLABLE_TIMESTAMP,
        "status": _enum("CREATED", "PAID", "CANCELED", "FULFILLED"),
        "discount_amount": _COUNT,
        "total_discount_amount": _COUNT,
        "applied_discount_amount": _COUNT,
        "total_applied_discount_amount": _COUNT,
        "items": {"type": "array", "items": _ref("OrderItem")},
        "metadata": _FREE_OBJECT,
        "customer": _object({"id": _STRING, "object": _const("customer")}),
        "customer_id": _STRING,
        "referrer_id": _const(None),
        "object": _const("order"),
        "redemptions": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": _object(
                {
                    "date": _TIMESTAMP,
                    "related_object_type": _const("voucher"),
                    "related_object_id": _STRING,
                    "related_object_parent_id": _STRING,
                },
                {"rollback_id": _STRING, "rollback_date": _TIMESTAMP},
            ),
        },
    },
    # Only when the order names an amount (or items that add up to one).
    {"amount": _COUNT, "total_amount": _COUNT},
)


def _redemption(*, rollback: bool) -> Schema:
    """A redemption (points spent on a reward) or its rollback (the points given back)."""
    required: dict[str, Schema] = {
        "id": _STRING,
        "object": _const("redemption_rollback" if rollback else "redemption"),
        "date": _TIMESTAMP,
        "customer_id": _STRING,
        "tracking_id": _nullable(_STRING),
        "metadata": _nullable(_FREE_OBJECT),
        # The points spent; a rollback's is the same, negative.
        "amount": {"type": "integer", "maximum": -1} if rollback else _POSITIVE,
        "redemption": _STRING if rollback else _const(None),
        "result": _const("SUCCESS"),
        "status": _const("SUCCEEDED") if rollback else _enum("SUCCEEDED", "ROLLED_BACK"),
        "order": _nullable(_ref("Order")),
        "channel": _object({"channel_id": _STRING, "channel_type": _const("API")}),
        "customer": _ref("SimpleCustomer"),
        "related_object_type": _const("voucher"),
        "related_object_id": _STRING,
        "voucher": {
            "allOf": [_ref("Voucher"), _object({"holder": _ref("SimpleCustomer")})],
        },
        "reward": _ref("RedemptionReward"),
        "loyalty_card": _object(
            {"points": {"type": "integer", "maximum": -1} if rollback else _POSITIVE}
        ),
    }
    optional: dict[str, Schema] = (
        {"reason": _STRING}
        if rollback
        else {
            # Once rolled back.
            "related_redemptions": _object(
                {
                    "rollbacks": {
                        "type": "array",
                        "items": _object({"id": _STRING, "date": _TIMESTAMP}),
                        "minItems": 1,
                        "maxItems": 1,
                    }
                }
            )
        }
    )
    return _object(required, optional)


def _failed_redemption(*, rollback: bool) -> Schema:
    """A refused redemption (rf_) or rollback (rrf_): no points moved, so no amount or order."""
    customer: Schema = _ref("SimpleCustomer")
    required: dict[str, Schema] = {
        "id": _STRING,
        "object": _const("redemption_rollback" if rollback else "redemption"),
        "date": _TIMESTAMP,
        # A card nobody held is refused (voucher_not_published) without a customer.
        "customer_id": _STRING if rollback else _nullable(_STRING),
        "tracking_id": _nullable(_STRING),
        "metadata": _nullable(_FREE_OBJECT),
        "redemption": _STRING if rollback else _const(None),
        "result": _const("FAILURE"),
        "status": _const("FAILED"),
        # The refusal's error key and message.
        "failure_code": _STRING,
        "failure_message": _STRING,
        "order": _const(None),
        "channel": _object({"channel_id": _STRING, "channel_type": _const("API")}),
        "customer": customer if rollback else _nullable(customer),
        "related_object_type": _const("voucher"),
        "related_object_id": _STRING,
        # The card as it is now, with its holder once it has one.
        "voucher": {
            "allOf": [_ref("Voucher"), _object({}, {"holder": _ref("SimpleCustomer")})],
        },
    }
    return _object(required, {"reason": _STRING} if rollback else None)


# GET /v1/redemptions/{redemptionId} answers any of them, by the ID's prefix (r_, rr_, rf_,
# rrf_); a card's redemptions list holds them all.
_REDEMPTION_OR_ROLLBACK: Schema = {
    "oneOf": [
        _ref("Redemption"),
        _ref("RedemptionRollback"),
        _ref("FailedRedemption"),
        _ref("FailedRedemptionRollback"),
    ]
}

_REDEMPTIONS = _object(
    {
        "quantity": _nullable({"type": "integer", "minimum": 1}),
        "redeemed_quantity": _COUNT,
        "object": _const("list"),
        "url": _STRING,
        "data_ref": _const("redemption_entries"),
        "total": _COUNT,
        "redemption_entries": {"type": "array", "items": _ref("RedemptionOrRollback")},
    }
)


_SCHEMAS: dict[str, Schema] = {
    "Category": _CATEGORY,
    "LoyaltyCardPoints": _CARD_POINTS,
    "NoValidationRules": _NO_VALIDATION_RULES,
    "LoyaltyMember": _member(),
    "Voucher": _voucher(),
    "ExpirationRules": _EXPIRATION_RULES,
    "CodeConfig": _CODE_CONFIG,
    "Campaign": _CAMPAIGN,
    "Balance": _BALANCE,
    "Transaction": _TRANSACTION,
    "PointsBucket": _BUCKET,
    "Customer": _CUSTOMER,
    "SimpleCustomer": _SIMPLE_CUSTOMER,
    "SimpleCampaign": _SIMPLE_CAMPAIGN,
    "SimpleVoucher": _SIMPLE_VOUCHER,
    "PublicationRecord": _PUBLICATION_RECORD,
    "MemberActivity": _ACTIVITY,
    "ShortVoucher": _SHORT_VOUCHER,
    "Publication": _publication("Voucher"),
    "ListedPublication": _publication("ShortVoucher"),
    "AsyncAction": _ASYNC_ACTION,
    "Redemptions": _REDEMPTIONS,
    "Reward": _REWARD,
    "RewardAssignment": _REWARD_ASSIGNMENT,
    "RewardAssignmentCreated": _REWARD_ASSIGNMENT_CREATED,
    "LoyaltyReward": _LOYALTY_REWARD,
    "LoyaltyRewardsList": _LOYALTY_REWARDS_LIST,
    "ActivityReward": _ACTIVITY_REWARD,
    "RedemptionReward": _REDEMPTION_REWARD,
    "OrderItem": _ORDER_ITEM,
    "Order": _ORDER,
    "Redemption": _redemption(rollback=False),
    "RedemptionRollback": _redemption(rollback=True),
    "FailedRedemption": _failed_redemption(rollback=False),
    "FailedRedemptionRollback": _failed_redemption(rollback=True),
    "RedemptionOrRollback": _REDEMPTION_OR_ROLLBACK,
    "Error": _ERROR,
    "Unauthorized": _UNAUTHORIZED,
}

# -- requests ---------------------------------------------------------------------------------

_NON_EMPTY: Schema = {"type": "string", "minLength": 1, "pattern": r"\S"}

_CUSTOMER_REFERENCE: Schema = {
    "oneOf": [
        _NON_EMPTY,
        {
            "type": "object",
            "properties": {
                "id": _NON_EMPTY,
                "source_id": _NON_EMPTY,
                **dict.fromkeys(CUSTOMER_STRINGS, _STRING),
                "metadata": _FREE_OBJECT,
                "address": {
                    "type": "object",
                    "properties": dict.fromkeys(ADDRESS_FIELDS, _STRING),
                },
            },
            "anyOf": [{"required": ["id"]}, {"required": ["source_id"]}],
        },
    ]
}

_CODE_CONFIG_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "length": {"type": "integer", "minimum": 1, "maximum": 1000},
        "charset": _NON_EMPTY,
        "prefix": _STRING,
        "postfix": _STRING,
        "pattern": {"type": "string", "pattern": "#"},
    },
}

_VALIDITY: dict[str, Schema] = {
    "validity_timeframe": {
        "type": "object",
        "properties": {"duration": _STRING, "interval": _STRING},
    },
    "validity_day_of_week": _DAYS_OF_WEEK,
    "validity_hours": _FREE_OBJECT,
    "activity_duration_after_publishing": _STRING,
}

# What creating and updating a program both take.
_PROGRAM_FIELDS: dict[str, Schema] = {
    "description": _STRING,
    "category": _STRING,
    "category_id": _STRING,
    "start_date": _TIMESTAMP,
    "expiration_date": _TIMESTAMP,
    "auto_join": _BOOLEAN,
    "join_once": _BOOLEAN,
}
_REDEMPTION_QUANTITY: Schema = {
    "type": "object",
    "properties": {"quantity": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}},
}

_CREATE_PROGRAM: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _NON_EMPTY,
        "campaign_type": _const("LOYALTY_PROGRAM"),
        "type": _enum("AUTO_UPDATE", "STATIC"),
        "vouchers_count": {"type": "integer", "minimum": 0, "maximum": 100_000},
        **_PROGRAM_FIELDS,
        "use_voucher_metadata_schema": _BOOLEAN,
        "metadata": _FREE_OBJECT,
        **_VALIDITY,
        "voucher": {
            "type": "object",
            "properties": {
                "type": _const("LOYALTY_CARD"),
                "loyalty_card": {
                    "type": "object",
                    "properties": {
                        "points": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
                        "expiration_rules": _EXPIRATION_RULES,
                    },
                },
                "code_config": _CODE_CONFIG_REQUEST,
                "redemption": _REDEMPTION_QUANTITY,
            },
        },
    },
}

_UPDATE_PROGRAM: Schema = {
    "type": "object",
    "properties": {
        **_PROGRAM_FIELDS,
        "type": _enum("AUTO_UPDATE", "STATIC"),
        "metadata": _FREE_OBJECT,
        "unset_metadata_fields": {"type": "array", "items": _STRING},
        **_VALIDITY,
    },
}

_ADD_MEMBER: Schema = {
    "type": "object",
    "required": ["customer"],
    "properties": {
        "customer": _CUSTOMER_REFERENCE,
        "voucher": _NON_EMPTY,
        "source_id": _NON_EMPTY,
        "channel": _STRING,
        "metadata": _FREE_OBJECT,
    },
}

_CHANGE_BALANCE: Schema = {
    "type": "object",
    "required": ["points"],
    "properties": {
        "points": {
            "type": "integer",
            "minimum": -MAX_INTEGER,
            "maximum": MAX_INTEGER,
            "not": _const(0),
        },
        "expiration_type": _enum("PROGRAM_RULES", "CUSTOM_DATE", "NON_EXPIRING"),
        "expiration_date": {"anyOf": [_DATE, _TIMESTAMP]},
        "reason": _STRING,
        "source_id": _STRING,
    },
}

_VOUCHER_FIELDS: dict[str, Schema] = {
    "category": _STRING,
    "metadata": _FREE_OBJECT,
    "additional_info": _STRING,
    "start_date": _TIMESTAMP,
    "expiration_date": _TIMESTAMP,
    "redemption": _REDEMPTION_QUANTITY,
}

_ADD_VOUCHERS: Schema = {
    "type": "object",
    "properties": {"code": _NON_EMPTY, "code_config": _CODE_CONFIG_REQUEST, **_VOUCHER_FIELDS},
}

_ADD_VOUCHER_WITH_CODE: Schema = {"type": "object", "properties": dict(_VOUCHER_FIELDS)}

_CREATE_PUBLICATION: Schema = {
    "type": "object",
    "required": ["customer"],
    # A card by code, or one from a program: "Either Campaign or Voucher is required".
    "anyOf": [{"required": ["voucher"]}, {"required": ["campaign"]}],
    "properties": {
        "customer": _CUSTOMER_REFERENCE,
        "voucher": _NON_EMPTY,
        "campaign": {
            "oneOf": [
                _NON_EMPTY,
                {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": _NON_EMPTY,
                        "count": {"type": "integer", "minimum": 1, "maximum": 50},
                    },
                },
            ]
        },
        "source_id": _NON_EMPTY,
        "channel": _STRING,
        "metadata": _FREE_OBJECT,
    },
}

# A coin ratio: a positive number, or a numeric string (the spec types them as strings).
_RATIO: Schema = {
    "anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string", "minLength": 1}]
}

_REWARD_PARAMETERS_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "product": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": _NON_EMPTY, "sku_id": _STRING},
        },
        "coin": {
            "type": "object",
            "required": ["exchange_ratio"],
            "properties": {"exchange_ratio": _RATIO, "points_ratio": _RATIO},
        },
        # Accepted in the request, answered with 501 not_implemented.
        "campaign": _FREE_OBJECT,
    },
}

_REWARD_FIELDS: dict[str, Schema] = {
    "parameters": _REWARD_PARAMETERS_REQUEST,
    "stock": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
    "attributes": {
        "type": "object",
        "properties": {"image_url": _STRING, "description": _STRING},
    },
    "metadata": _FREE_OBJECT,
}

# The type may be left out when the parameters say it (product, coin or campaign).
_CREATE_REWARD: Schema = {
    "type": "object",
    "required": ["name", "parameters"],
    "properties": {
        "name": _NON_EMPTY,
        "type": _enum("CAMPAIGN", "COIN", "MATERIAL"),
        **_REWARD_FIELDS,
    },
}

_UPDATE_REWARD: Schema = {
    "type": "object",
    "properties": {"name": _NON_EMPTY, **_REWARD_FIELDS},
}

_ASSIGNMENT_PRICE: Schema = {
    "type": "object",
    "properties": {
        "loyalty": {
            "type": "object",
            "properties": {"points": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}},
        }
    },
}

_ASSIGNMENT_REQUEST: Schema = {
    "type": "object",
    "required": ["reward"],
    "properties": {"reward": _NON_EMPTY, "parameters": _ASSIGNMENT_PRICE},
}

# One assignment as an object, or several as an array (the spec's and the SDK's form).
_CREATE_REWARD_ASSIGNMENT: Schema = {
    "oneOf": [
        _ASSIGNMENT_REQUEST,
        {"type": "array", "items": _ASSIGNMENT_REQUEST, "minItems": 1},
    ],
}

_UPDATE_REWARD_ASSIGNMENT: Schema = {
    "type": "object",
    "properties": {"parameters": _ASSIGNMENT_PRICE},
}

_ORDER_ITEM_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "product_id": _STRING,
        "sku_id": _STRING,
        "source_id": _STRING,
        "related_object": _enum("product", "sku"),
        "quantity": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
        "price": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
        "amount": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
    },
}

_REDEEM_REWARD: Schema = {
    "type": "object",
    "required": ["reward"],
    "properties": {
        "reward": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                # A COIN reward's points to spend; a priced reward's must match its price.
                "points": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
            },
        },
        "order": {
            "type": "object",
            "properties": {
                "source_id": _STRING,
                "status": _enum("CREATED", "PAID", "CANCELED", "FULFILLED"),
                "amount": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
                "items": {"type": "array", "items": _ORDER_ITEM_REQUEST},
                "metadata": _FREE_OBJECT,
            },
        },
        "metadata": _FREE_OBJECT,
    },
}

# Checked against the redemption's own customer and order; the rest is not applied.
_ROLLBACK: Schema = {
    "type": "object",
    "properties": {
        "reason": _STRING,
        "tracking_id": _STRING,
        "customer": {
            "type": "object",
            "properties": {"id": _NON_EMPTY, "source_id": _NON_EMPTY},
        },
        "order": {
            "type": "object",
            "properties": {"id": _NON_EMPTY, "source_id": _NON_EMPTY},
        },
        "metadata": _FREE_OBJECT,
    },
}

# -- parameters ------------------------------------------------------------------------------

_PATH_DESCRIPTIONS = {
    "campaignId": "The program's ID or name.",
    "memberId": "The loyalty card's code.",
    "code": "The card's code.",
    "customerId": "The customer's ID or source_id.",
    "rewardId": "The reward's ID.",
    "assignmentId": "The reward assignment's ID.",
    "redemptionId": (
        "A redemption's ID (r_); for GET also a rollback's (rr_), or a failed redemption's"
        " (rf_) or rollback's (rrf_)."
    ),
}


def _query(name: str, schema: Schema, description: str | None = None) -> Schema:
    parameter: Schema = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


_LIMIT = _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 10.")
_PAGE = _query("page", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 1.")
_PUBLICATIONS_PAGE = _query(
    "page",
    {"type": "integer", "minimum": 1, "maximum": 1000},
    "Default 1; above 1000 is 400 page_over_limit.",
)
_STARTING_AFTER = _query("starting_after_id", _STRING, "An ID from the list; else 400.")


def _orders(*fields: str) -> list[str]:
    return [f"{sign}{field}" for field in fields for sign in ("", "-")]


_DAY_COUNT: Schema = {"type": "integer", "minimum": 0}
_JUNCTION: Schema = {
    "type": "string",
    "pattern": "^([aA][nN][dD]|[oO][rR])$",
    "description": "and (the default) or or, in any case.",
}


def _operand(kind: Kind, condition: str) -> Schema:
    """The schema of one value of ``condition`` on a field of ``kind``."""
    if condition in NO_OPERAND:
        return {"type": "string", "description": "Any value; empty in the spec's examples."}
    if kind is Kind.DATE_TIME:
        return _TIMESTAMP if condition in {"$after", "$before"} else _DAY_COUNT
    if kind is Kind.ARRAY and condition.startswith("$count"):
        return _DAY_COUNT
    if kind is Kind.NUMBER or (kind is Kind.ANY and condition.startswith(("$more", "$less"))):
        return {"type": "number"}
    if kind is Kind.BOOLEAN and condition in {"$is", "$is_not", "$in", "$not_in"}:
        return {"type": "string", "enum": ["true", "false", "TRUE", "FALSE"]}
    return _STRING


def _conditions(kind: Kind, conditions: tuple[str, ...]) -> Schema:
    return {
        "type": "object",
        "properties": {
            "conditions": {
                "type": "object",
                "properties": {
                    condition: (
                        {"type": "array", "items": _operand(kind, condition), "minItems": 1}
                        if condition in LIST_OPERANDS
                        else _operand(kind, condition)
                    )
                    for condition in conditions
                },
                "additionalProperties": False,
                "minProperties": 1,
            }
        },
        "required": ["conditions"],
        "additionalProperties": False,
    }


def _filters(fields: dict[str, FilterField], *, metadata: bool = False) -> Schema:
    """The ``filters`` deepObject of a list, from the fields the ledger filters on."""
    schema: Schema = {
        "type": "object",
        "properties": {
            "junction": _JUNCTION,
            **{name: _conditions(f.kind, f.conditions) for name, f in sorted(fields.items())},
        },
        "additionalProperties": False,
    }
    description = (
        "filters[<field>][conditions][<condition>][<index>]=<value>; the index may be "
        "left out. Each value is one condition, except $in and $not_in, whose values make "
        "one list; the junction joins them. Anything else is 400 invalid_query_params."
    )
    if metadata:
        any_field = FilterField(Kind.ANY)
        schema["patternProperties"] = {
            r"^metadata\..+$": _conditions(any_field.kind, any_field.conditions)
        }
        description += " metadata.<key> filters on the publication's metadata."
    return {
        "name": "filters",
        "in": "query",
        "required": False,
        "style": "deepObject",
        "explode": True,
        "schema": schema,
        "description": description,
    }


_MEMBER_QUERY = [
    _LIMIT,
    _PAGE,
    _query("customer", _STRING),
    _query("code", _STRING),
    {
        "name": "ids",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": _STRING},
        "description": "Only the members with these v_ IDs: ids=a&ids=b (or ids[]=, ids[0]=).",
    },
    *(
        _query(f"{field}[{part}]", _TIMESTAMP)
        for field in ("created_at", "updated_at")
        for part in ("before", "after")
    ),
    _query("order", _enum(*_orders("created_at", "updated_at", "code")), "Default -created_at."),
]

_PUBLICATION_QUERY = [
    _LIMIT,
    _PUBLICATIONS_PAGE,
    _query(
        "order",
        _enum(
            *_orders("id", "voucher_code", "tracking_id", "customer_id", "created_at", "channel")
        ),
        "Default -created_at.",
    ),
    _query("result", _enum("SUCCESS", "FAILURE")),
    _query("campaign", _STRING),
    _query("customer", _STRING),
    _query("voucher", _STRING),
    _query("source_id", _STRING),
    _query(
        "voucher_type",
        _enum("discount", "loyalty"),
        "loyalty: every card of the fake; discount: none.",
    ),
    _query(
        "is_referral_code",
        _enum("true", "false"),
        "true: only referral codes (the fake has none); false filters nothing.",
    ),
    _filters(PUBLICATION_FILTERS, metadata=True),
]

_TRANSACTION_QUERY = [
    _LIMIT,
    _query("order", _enum("id", "-id"), "Default -id."),
    _STARTING_AFTER,
    _filters(TRANSACTION_FILTERS),
]

_ACTIVITY_QUERY = [
    _LIMIT,
    _query("order", _enum("created_at", "-created_at"), "Default -created_at."),
    _STARTING_AFTER,
]

_REWARDS_QUERY = [
    _LIMIT,
    _PAGE,
    _query("assignment_id", _STRING, "Only the reward of this assignment."),
]

# The two listings spell the filter differently in the spec; the fake takes either.
_ASSIGNMENTS_QUERY = [
    _LIMIT,
    _PAGE,
    _query("assignment_id", _STRING, "Only this assignment."),
    _query("assignmentId", _STRING, "Only this assignment."),
]

_MEMBER_REWARDS_QUERY = [
    _query("affordable_only", _BOOLEAN, "Only rewards the card's balance pays for."),
]

_ROLLBACK_QUERY = [
    _query("reason", _STRING),
    _query("tracking_id", _STRING, "Must be the redemption's customer's; else 400."),
]

# -- operations -------------------------------------------------------------------------------


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(  # noqa: PLR0913 - an operation has this many parts
    operation_id: str,
    summary: str,
    response: str | None,
    *,
    query: list[Schema] | None = None,
    body: Schema | None = None,
    accepted: str | None = None,
    errors: str = "",
    not_implemented: str | None = None,
) -> Schema:
    """One operation; ``response`` ``None`` is a 204 without a body; ``errors`` adds statuses.

    ``not_implemented`` documents a deliberate 501 for part of the operation.
    """
    responses: Schema = (
        {"204": {"description": "Deleted: no content."}}
        if response is None
        else {"200": _json(_ref(response), "Success.")}
    )
    if accepted is not None:
        responses["202"] = _json(_ref(accepted), "Accepted: several cards, already added.")
    if not_implemented is not None:
        responses["501"] = _json(_ref("Error"), f"not_implemented: {not_implemented}")
    responses["401"] = _json(_ref("Unauthorized"), "Missing or wrong X-App-Id / X-App-Token.")
    responses["default"] = _json(
        _ref("Error"),
        "Voucherify's error envelope: 400 invalid input, 404 not found, 409 duplicate, "
        f"413 a body over {MAX_BODY_BYTES} bytes.{errors}",
    )
    operation: Schema = {"operationId": operation_id, "summary": summary}
    if query:
        operation["parameters"] = query
    if body is not None:
        # The SDK sends empty bodies for some POSTs: an absent body counts as {}.
        operation["requestBody"] = {
            "required": "required" in body,
            "content": {"application/json": {"schema": body}},
        }
    operation["responses"] = responses
    return operation


_OPERATIONS: dict[str, Schema] = {
    "GET /v1/loyalties": _operation(
        "list_loyalty_programs",
        "List loyalty programs, newest first",
        "CampaignsList",
        query=[
            _LIMIT,
            _PAGE,
            _query("order", _enum(*_orders("created_at", "updated_at")), "Default -created_at."),
            _query(
                "expand",
                _enum("category", "access_settings_assignments"),
                "categories are always there; a fake project has no Areas and Stores.",
            ),
        ],
    ),
    "POST /v1/loyalties": _operation(
        "create_loyalty_program",
        "Create a loyalty program and its vouchers_count cards",
        "Campaign",
        body=_CREATE_PROGRAM,
    ),
    "GET /v1/loyalties/{campaignId}": _operation(
        "get_loyalty_program", "Get a loyalty program by ID or name", "Campaign"
    ),
    "PUT /v1/loyalties/{campaignId}": _operation(
        "update_loyalty_program",
        "Update a loyalty program's updatable fields",
        "Campaign",
        body=_UPDATE_PROGRAM,
    ),
    "DELETE /v1/loyalties/{campaignId}": _operation(
        "delete_loyalty_program",
        "Delete a loyalty program (to the bin, or for good with force=true)",
        "AsyncAction",
        query=[_query("force", _BOOLEAN)],
    ),
    "POST /v1/loyalties/{campaignId}/members": _operation(
        "add_member",
        "Add a member: publish a card to a customer",
        "LoyaltyMember",
        body=_ADD_MEMBER,
    ),
    "GET /v1/loyalties/{campaignId}/members": _operation(
        "list_members", "List members (published cards)", "MembersList", query=_MEMBER_QUERY
    ),
    f"GET {MEMBER}": _operation("get_member_in_program", "Get a member", "LoyaltyMember"),
    f"GET {MEMBER_BY_CODE}": _operation("get_member", "Get a member by code", "LoyaltyMember"),
    f"POST {MEMBER}/balance": _operation(
        "change_balance_in_program", "Add or remove points", "Balance", body=_CHANGE_BALANCE
    ),
    f"POST {MEMBER_BY_CODE}/balance": _operation(
        "change_balance", "Add or remove points by code", "Balance", body=_CHANGE_BALANCE
    ),
    f"GET {MEMBER}/transactions": _operation(
        "list_transactions_in_program",
        "A card's point movements, cursor-paged",
        "TransactionsList",
        query=_TRANSACTION_QUERY,
    ),
    f"GET {MEMBER_BY_CODE}/transactions": _operation(
        "list_transactions",
        "A card's point movements by code, cursor-paged",
        "TransactionsList",
        query=_TRANSACTION_QUERY,
    ),
    f"GET {MEMBER}/points-expiration": _operation(
        "list_points_expiration",
        "A card's active points buckets",
        "PointsBucketsList",
        query=[_LIMIT, _PAGE],
    ),
    f"GET {MEMBER}/activity": _operation(
        "list_member_activity_in_program",
        "A member's events, cursor-paged",
        "MemberActivityList",
        query=_ACTIVITY_QUERY,
    ),
    f"GET {MEMBER_BY_CODE}/activity": _operation(
        "list_member_activity",
        "A member's events by code, cursor-paged",
        "MemberActivityList",
        query=_ACTIVITY_QUERY,
    ),
    "GET /v1/customers/{customerId}": _operation(
        "get_customer", "A customer with loyalty points per program", "Customer"
    ),
    "POST /v1/campaigns/{campaignId}/vouchers": _operation(
        "add_vouchers",
        "Add cards to a program: 200 with one card, 202 for several",
        "Voucher",
        query=[
            _query(
                "vouchers_count",
                {"type": "integer", "minimum": 1, "maximum": 100_000},
                "Default 1.",
            )
        ],
        body=_ADD_VOUCHERS,
        accepted="AsyncAction",
    ),
    "POST /v1/campaigns/{campaignId}/vouchers/{code}": _operation(
        "add_voucher_with_code", "Add a card with this code", "Voucher", body=_ADD_VOUCHER_WITH_CODE
    ),
    "GET /v1/vouchers/{code}": _operation(
        "get_voucher", "A card through the vouchers API", "Voucher"
    ),
    "GET /v1/vouchers/{code}/publications": _operation(
        "list_voucher_publications",
        "A card's publications, newest first",
        "PublicationsList",
        query=_PUBLICATION_QUERY,
    ),
    "GET /v1/vouchers/{code}/redemption": _operation(
        "list_voucher_redemptions_legacy",
        "A card's reward redemptions and rollbacks, failed ones too, newest first",
        "Redemptions",
    ),
    "GET /v1/vouchers/{code}/redemptions": _operation(
        "list_voucher_redemptions",
        "A card's reward redemptions and rollbacks, failed ones too, newest first",
        "Redemptions",
    ),
    "POST /v1/publications": _operation(
        "create_publication",
        "Publish a card by code or from a program",
        "Publication",
        query=[_query("join_once", _BOOLEAN, "Loyalty programs always join once.")],
        body=_CREATE_PUBLICATION,
    ),
    "GET /v1/publications": _operation(
        "list_publications",
        "Publications, newest first, with filters",
        "PublicationsList",
        query=_PUBLICATION_QUERY,
    ),
}

_ASSIGNMENT_ERRORS = " 404 an assignment of another program."
_REDEEM_ERRORS = (
    " 400 missing_reward, voucher_not_published, missing_order, missing_order_items_amount or"
    " loyalty_card_points_exceeded, each naming in resource_id the failed redemption (rf_) it"
    " recorded; 400 invalid_payload for a malformed body (nothing recorded); 404 an unknown"
    " member or reward, or a reward the card's program does not offer."
)

_OPERATIONS.update(
    {
        "POST /v1/rewards": _operation(
            "create_reward",
            "Create a MATERIAL or COIN reward",
            "Reward",
            body=_CREATE_REWARD,
            not_implemented="CAMPAIGN rewards (a voucher of another campaign) are not.",
        ),
        "GET /v1/rewards": _operation(
            "list_rewards",
            "The project's rewards, oldest first",
            "RewardsList",
            query=_REWARDS_QUERY,
        ),
        "GET /v1/rewards/{rewardId}": _operation("get_reward", "Get a reward", "Reward"),
        "PUT /v1/rewards/{rewardId}": _operation(
            "update_reward",
            "Update a reward's name, parameters of its type, stock, attributes or metadata",
            "Reward",
            body=_UPDATE_REWARD,
        ),
        "DELETE /v1/rewards/{rewardId}": _operation(
            "delete_reward",
            "Delete a reward no program offers",
            None,
            errors=" 400 resource_in_use while a program offers the reward.",
        ),
        f"POST {ASSIGNMENTS}": _operation(
            "create_reward_assignment",
            "Offer rewards in a program: one answers its assignment, several the array",
            "RewardAssignmentCreated",
            body=_CREATE_REWARD_ASSIGNMENT,
            errors=" 400 a missing price for a priced reward; 409 a reward already offered.",
        ),
        f"GET {ASSIGNMENTS}": _operation(
            "list_reward_assignments",
            "A program's reward assignments",
            "RewardAssignmentsList",
            query=_ASSIGNMENTS_QUERY,
        ),
        f"GET {ASSIGNMENTS}/{{assignmentId}}": _operation(
            "get_reward_assignment",
            "Get a program's reward assignment",
            "RewardAssignment",
            errors=_ASSIGNMENT_ERRORS,
        ),
        f"PUT {ASSIGNMENTS}/{{assignmentId}}": _operation(
            "update_reward_assignment",
            "Change a reward assignment's price in points",
            "RewardAssignment",
            body=_UPDATE_REWARD_ASSIGNMENT,
            errors=_ASSIGNMENT_ERRORS,
        ),
        f"DELETE {ASSIGNMENTS}/{{assignmentId}}": _operation(
            "delete_reward_assignment",
            "Stop offering a reward in a program",
            None,
            errors=_ASSIGNMENT_ERRORS,
        ),
        f"GET {REWARD_ASSIGNMENTS}": _operation(
            "list_reward_assignments_by_assignment",
            "A program's reward assignments (the reward-assignments path)",
            "RewardAssignmentsList",
            query=_ASSIGNMENTS_QUERY,
        ),
        f"GET {REWARD_ASSIGNMENTS}/{{assignmentId}}": _operation(
            "get_reward_assignment_by_assignment",
            "Get a program's reward assignment (the reward-assignments path)",
            "RewardAssignment",
            errors=_ASSIGNMENT_ERRORS,
        ),
        f"GET {MEMBER_BY_CODE}/rewards": _operation(
            "list_member_rewards",
            "The rewards a member's program offers, with their assignments",
            "LoyaltyRewardsList",
            query=_MEMBER_REWARDS_QUERY,
        ),
        f"POST {MEMBER}/redemption": _operation(
            "redeem_reward_in_program",
            "Spend a member's points on a reward",
            "Redemption",
            body=_REDEEM_REWARD,
            errors=_REDEEM_ERRORS,
        ),
        f"POST {MEMBER_BY_CODE}/redemption": _operation(
            "redeem_reward",
            "Spend a member's points on a reward, by code",
            "Redemption",
            body=_REDEEM_REWARD,
            errors=_REDEEM_ERRORS,
        ),
        "GET /v1/redemptions/{redemptionId}": _operation(
            "get_redemption",
            "Get a redemption (r_), a rollback (rr_), or a failed one (rf_, rrf_)",
            "RedemptionOrRollback",
        ),
        "POST /v1/redemptions/{redemptionId}/rollback": _operation(
            "rollback_redemption",
            "Roll a redemption back: the points return to the card",
            "RedemptionRollback",
            query=_ROLLBACK_QUERY,
            body=_ROLLBACK,
            errors=(
                " 400 already_rolled_back, naming in resource_id the failed rollback (rrf_) it"
                " recorded; 400 another customer or order than the redemption's."
            ),
        ),
    }
)

_LISTS: dict[str, Schema] = {
    "RewardsList": _page_list("data", _ref("Reward")),
    "RewardAssignmentsList": _page_list("data", _ref("RewardAssignment")),
    "CampaignsList": _page_list("campaigns", _ref("Campaign")),
    "MembersList": _page_list("vouchers", _ref("LoyaltyMember")),
    "PublicationsList": _page_list("publications", _ref("ListedPublication")),
    "PointsBucketsList": _page_list("data", _ref("PointsBucket")),
    "TransactionsList": _cursor_list(_ref("Transaction")),
    "MemberActivityList": _cursor_list(_ref("MemberActivity")),
}


def _path_parameters(template: str) -> list[Schema]:
    names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": _PATH_DESCRIPTIONS[name],
            "schema": {"type": "string", "minLength": 1},
        }
        for name in names
    ]


@lru_cache(maxsize=1)
def _document() -> Schema:
    paths: dict[str, Schema] = {}
    for route in ROUTES:
        path_item = paths.setdefault(route.template, {})
        parameters = _path_parameters(route.template)
        if parameters:
            path_item["parameters"] = parameters
        # Shared, not copied: openapi_document() hands out a deep copy of the whole.
        path_item[route.method.lower()] = _OPERATIONS[route.operation]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "loyalty-fake",
            "version": _VERSION,
            "description": (
                "Exactly the Voucherify operations loyalty-fake implements, with the "
                "responses it sends. Any other of Voucherify's operations answers 501 "
                "not_implemented naming it; a method no operation has on a path, 405 with an "
                "Allow header; a path Voucherify does not have, 404 not_found."
            ),
        },
        "servers": [{"url": "https://api.voucherify.io"}],
        "security": [{"X-App-Id": [], "X-App-Token": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                name: {"type": "apiKey", "in": "header", "name": name}
                for name in ("X-App-Id", "X-App-Token")
            },
            "schemas": {**_SCHEMAS, **_LISTS},
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every operation the fake implements (a fresh copy)."""
    return copy.deepcopy(_document())
