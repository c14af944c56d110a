"""Earning rules as Voucherify's JSON, with their schemas (the fake's, and what requests send)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.campaigns_json import EXPIRATION_RULES
from loyalty_fake.http.common_json import (
    BOOLEAN,
    DAYS_OF_WEEK,
    FREE_OBJECT,
    NULLABLE_TIMESTAMP,
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
from loyalty_fake.http.declare import NON_EMPTY
from loyalty_fake.ledger.cards import MAX_POINTS
from loyalty_fake.ledger.earning_rules import PROPORTIONAL_PLACES

if TYPE_CHECKING:
    from loyalty_fake.ledger.earning_rules import EarningRule

__all__ = ["RULE_REQUEST", "SCHEMAS", "earning_rule_json"]


def earning_rule_json(rule: EarningRule) -> dict[str, Any]:
    """An earning rule, as the spec's examples show one (what is set, in their order)."""
    body: dict[str, Any] = {
        "id": rule.id,
        "created_at": format_timestamp(rule.created_at),
        "updated_at": timestamp_or_none(rule.updated_at),
        "validation_rule_id": rule.validation_rule_id,
        "loyalty": rule.loyalty,
    }
    if rule.pending_points is not None:
        body["pending_points"] = dict(rule.pending_points)
    if rule.schema_id is not None:
        body["custom_event"] = {"schema_id": rule.schema_id}
    if rule.segment_id is not None:
        body["segment"] = {"id": rule.segment_id}
    body["event"] = rule.event
    if rule.loyalty_tier_id is not None:
        body["loyalty_tier"] = {"id": rule.loyalty_tier_id}
    source: dict[str, Any] = {}
    if rule.banner is not None:
        source["banner"] = rule.banner
    body["source"] = {**source, "object_id": rule.campaign_id, "object_type": "campaign"}
    body["active"] = rule.active
    if rule.start_date is not None:
        body["start_date"] = format_timestamp(rule.start_date)
    if rule.expiration_date is not None:
        body["expiration_date"] = format_timestamp(rule.expiration_date)
    body.update(rule.validity or {})
    if rule.expiration_rules is not None:
        body["expiration_rules"] = rule.expiration_rules.to_json()
    body["object"] = "earning_rule"
    body["automation_id"] = rule.automation_id
    body["metadata"] = dict(rule.metadata or {})
    return body


_COUNT_OF: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_POINTS}
_PENDING_POINTS = obj(
    {"period_value": {"type": "integer", "minimum": 1, "maximum": 90}},
    {"period_type": enum("DAY")},
)
_TARGET = obj({"object": enum("products_collection", "product", "sku"), "id": NON_EMPTY})


def _ratio(kind: str) -> Schema:
    where, what = PROPORTIONAL_PLACES[kind]
    required: dict[str, Schema] = {"every": _COUNT_OF, "points": _COUNT_OF}
    optional: dict[str, Schema] = {}
    if kind.endswith("_METADATA"):
        required["property"] = NON_EMPTY
    if where == "order_items":
        optional = {
            "object": _TARGET["properties"]["object"],
            "id": NON_EMPTY,
            "applicable_to": {"type": "array", "items": _TARGET},
        }
    return obj(
        {
            "type": const("PROPORTIONAL"),
            "calculation_type": const(kind),
            where: obj({what: obj(required, optional)}),
        }
    )


LOYALTY: Schema = {
    "oneOf": [
        obj({"points": _COUNT_OF, "type": const("FIXED")}),
        *(_ratio(kind) for kind in PROPORTIONAL_PLACES),
    ]
}
_VALIDITY: dict[str, Schema] = {
    "validity_timeframe": obj(
        {"duration": STRING},
        {"interval": STRING},
    ),
    "validity_day_of_week": DAYS_OF_WEEK,
    "validity_hours": obj(
        {
            "daily": {
                "type": "array",
                "items": obj(
                    {"start_time": STRING, "expiration_time": STRING},
                    {"days_of_week": DAYS_OF_WEEK},
                ),
            }
        }
    ),
}

# What a request gives for one rule (create: event and loyalty required).
RULE_REQUEST: Schema = {
    "type": "object",
    "required": ["event", "loyalty"],
    "properties": {
        # order.paid, customer.segment.entered, a tier event or a custom event's name.
        "event": NON_EMPTY,
        # A tier event's tier (customer.loyalty.tier.*): an ltr_ ID or __ANY__.
        "loyalty_tier": obj({"id": NON_EMPTY}),
        "loyalty": LOYALTY,
        "custom_event": obj({"schema_id": NON_EMPTY}),
        # customer.segment.entered: the segment (required for that event).
        "segment": obj({"id": NON_EMPTY}),
        "source": {"type": "object", "properties": {"banner": STRING}},
        "active": BOOLEAN,
        "start_date": TIMESTAMP,
        "expiration_date": TIMESTAMP,
        **_VALIDITY,
        "expiration_rules": EXPIRATION_RULES,
        "metadata": FREE_OBJECT,
        # A validation rule (val_) that must hold for the rule to award; unknown: 404.
        "validation_rule_id": nullable(NON_EMPTY),
        # order.paid rules only; null (on update) removes them.
        "pending_points": nullable(_PENDING_POINTS),
    },
}

SCHEMAS: dict[str, Schema] = {
    "EarningRuleLoyalty": LOYALTY,
    "EarningRule": obj(
        {
            "id": STRING,
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "validation_rule_id": nullable(STRING),
            "loyalty": ref("EarningRuleLoyalty"),
            "event": STRING,
            "source": obj(
                {"object_id": STRING, "object_type": const("campaign")}, {"banner": STRING}
            ),
            "active": BOOLEAN,
            "object": const("earning_rule"),
            "automation_id": STRING,
            "metadata": FREE_OBJECT,
        },
        {
            "custom_event": obj({"schema_id": STRING}),
            "segment": obj({"id": STRING}),
            "start_date": TIMESTAMP,
            "expiration_date": TIMESTAMP,
            **_VALIDITY,
            "expiration_rules": ref("ExpirationRules"),
            "pending_points": obj(
                {
                    "period_type": const("DAY"),
                    "period_value": _PENDING_POINTS["properties"]["period_value"],
                }
            ),
        },
    ),
    "EarningRulesCreated": {"type": "array", "items": ref("EarningRule")},
    "EarningRulesList": page_list("data", ref("EarningRule")),
}
