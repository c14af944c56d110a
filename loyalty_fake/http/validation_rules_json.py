"""Validation rules and their assignments as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    FREE_OBJECT,
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
)
from loyalty_fake.http.declare import NON_EMPTY
from loyalty_fake.http.params import MAX_INTEGER

if TYPE_CHECKING:
    from loyalty_fake.ledger.validation_rules import RuleAssignment, ValidationRule

__all__ = [
    "APPLICABLE_EFFECTS",
    "APPLICABLE_OBJECTS",
    "CONTEXT_TYPES",
    "RELATED_TYPES",
    "RULE_REQUEST",
    "RULE_TYPES",
    "SCHEMAS",
    "assignment_json",
    "validation_rule_json",
]

RULE_TYPES = ("expression", "basic", "advanced", "complex")
RELATED_TYPES = (
    "voucher",
    "promotion_tier",
    "campaign",
    "earning_rule",
    "distribution",
    "reward_assignment",
)
APPLICABLE_OBJECTS = ("product", "sku", "products_collection")
APPLICABLE_EFFECTS = (
    "APPLY_TO_EVERY",
    "APPLY_TO_CHEAPEST",
    "APPLY_FROM_CHEAPEST",
    "APPLY_TO_MOST_EXPENSIVE",
    "APPLY_FROM_MOST_EXPENSIVE",
)
_DISCOUNTS = (
    "apply_to_order",
    "apply_to_items",
    "apply_to_items_proportionally",
    "apply_to_items_proportionally_by_quantity",
    "apply_to_items_by_quantity",
    "fixed.apply_to_items",
    "percent.apply_to_items",
)
# ValidationRuleBase.context_type, in the spec's order.
CONTEXT_TYPES = (
    "earning_rule.order.paid",
    "earning_rule.custom_event",
    "earning_rule.customer.segment.entered",
    "earning_rule.customer.tier.joined",
    "earning_rule.customer.tier.left",
    "earning_rule.customer.tier.upgraded",
    "earning_rule.customer.tier.downgraded",
    "earning_rule.customer.tier.prolonged",
    "campaign.discount_coupons",
    *(f"campaign.discount_coupons.discount.{d}" for d in _DISCOUNTS),
    "campaign.gift_vouchers",
    "campaign.gift_vouchers.gift.apply_to_order",
    "campaign.gift_vouchers.gift.apply_to_items",
    "campaign.referral_program",
    *(f"campaign.referral_program.discount.{d}" for d in _DISCOUNTS),
    "campaign.promotion",
    *(f"campaign.promotion.discount.{d}" for d in _DISCOUNTS),
    "campaign.loyalty_program",
    "voucher.discount_voucher",
    *(f"voucher.discount_voucher.discount.{d}" for d in _DISCOUNTS),
    "voucher.gift_voucher",
    "voucher.gift_voucher.gift.apply_to_order",
    "voucher.gift_voucher.gift.apply_to_items",
    "voucher.loyalty_card",
    "distribution.custom_event",
    "distribution.order.paid",
    "distribution.order.created",
    "distribution.order.canceled",
    "distribution.order.updated",
    "reward_assignment.pay_with_points",
    "global",
)


def validation_rule_json(rule: ValidationRule, assignments_count: int) -> dict[str, Any]:
    """A validation rule, as the spec's examples show one."""
    body: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "rules": rule.rules,
        # "pass bundle_rules: null to delete the configuration; in the response, an
        # empty object is then returned".
        "bundle_rules": rule.bundle_rules or {},
    }
    if rule.error is not None:
        body["error"] = rule.error
    body["applicable_to"] = rule.applicable_to
    body["created_at"] = format_timestamp(rule.created_at)
    if rule.updated_at is not None:
        body["updated_at"] = format_timestamp(rule.updated_at)
    body["type"] = rule.type
    body["context_type"] = rule.context_type
    body["assignments_count"] = assignments_count
    body["object"] = "validation_rules"
    return body


def assignment_json(assignment: RuleAssignment) -> dict[str, Any]:
    """A validation rule assignment (``asgm_``)."""
    return {
        "id": assignment.id,
        "rule_id": assignment.rule_id,
        "related_object_id": assignment.related_object_id,
        "related_object_type": assignment.related_object_type,
        "created_at": format_timestamp(assignment.created_at),
        "object": "validation_rules_assignment",
    }


_LIMIT: Schema = {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}
_APPLICABLE_OPTIONAL: dict[str, Schema] = {
    "product_id": STRING,
    "product_source_id": STRING,
    "price": {"type": "number", "minimum": 0},
    "price_formula": {"type": ["number", "string"]},
    "quantity_limit": _LIMIT,
    "aggregated_quantity_limit": _LIMIT,
    "amount_limit": _LIMIT,
    "aggregated_amount_limit": _LIMIT,
    "order_item_indices": {"type": "array", "items": _LIMIT},
    "order_item_units": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"index": _LIMIT, "units": {"type": "array", "items": _LIMIT}},
        },
    },
    "repeat": _LIMIT,
    "skip_initially": _LIMIT,
    "target": enum("ITEM", "UNIT"),
}
_APPLICABLE_REQUEST = obj(
    {"object": enum(*APPLICABLE_OBJECTS)},
    {
        "id": NON_EMPTY,
        "source_id": nullable(NON_EMPTY),
        "strict": BOOLEAN,
        "effect": enum(*APPLICABLE_EFFECTS),
        **_APPLICABLE_OPTIONAL,
    },
)
_APPLICABLE = obj(
    {
        "object": enum(*APPLICABLE_OBJECTS),
        "id": STRING,
        "strict": BOOLEAN,
        "effect": enum(*APPLICABLE_EFFECTS),
    },
    {"source_id": STRING, **_APPLICABLE_OPTIONAL},
)


def _applicable_to(item: Schema) -> Schema:
    return obj(
        {
            "excluded": {"type": "array", "items": item},
            "included": {"type": "array", "items": item},
            "included_all": BOOLEAN,
        }
    )


# What a create or update request gives (create: name required). The rules tree is read
# by loyalty_fake/ledger/validation_rule_tree.py: names and conditions are listed there.
RULE_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "name": NON_EMPTY,
        "rules": FREE_OBJECT,
        "bundle_rules": nullable(FREE_OBJECT),
        "error": obj({}, {"message": nullable(STRING)}),
        "applicable_to": {
            "type": "object",
            "properties": {
                "excluded": {"type": "array", "items": _APPLICABLE_REQUEST},
                "included": {"type": "array", "items": _APPLICABLE_REQUEST},
                "included_all": BOOLEAN,
            },
        },
        "type": enum(*RULE_TYPES),
        "context_type": enum(*CONTEXT_TYPES),
    },
}
ASSIGNMENT_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "related_object_type": enum(*RELATED_TYPES),
        "related_object_id": NON_EMPTY,
        # The spec's examples' shorthand: {"voucher": "v_..."}, {"campaign": "camp_..."}.
        **dict.fromkeys(RELATED_TYPES, NON_EMPTY),
    },
}

SCHEMAS: dict[str, Schema] = {
    "ValidationRule": obj(
        {
            "id": STRING,
            "name": STRING,
            "rules": FREE_OBJECT,
            "bundle_rules": FREE_OBJECT,
            "applicable_to": _applicable_to(_APPLICABLE),
            "created_at": TIMESTAMP,
            "type": enum(*RULE_TYPES),
            "context_type": enum(*CONTEXT_TYPES),
            "assignments_count": COUNT,
            "object": const("validation_rules"),
        },
        {
            "error": obj({"message": nullable(STRING)}),
            "updated_at": TIMESTAMP,
        },
    ),
    "ValidationRulesList": page_list("data", ref("ValidationRule")),
    "ValidationRuleAssignment": obj(
        {
            "id": STRING,
            "rule_id": STRING,
            "related_object_id": STRING,
            "related_object_type": enum(*RELATED_TYPES),
            "created_at": TIMESTAMP,
            "object": const("validation_rules_assignment"),
        }
    ),
    "ValidationRuleAssignmentsList": page_list("data", ref("ValidationRuleAssignment")),
}
