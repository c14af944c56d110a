"""Loyalty tiers as Voucherify's JSON (``LoyaltyTier``), with their schemas.

A tier shows its range twice (``points`` and ``config.points``), as the spec's examples
do; a member's tier adds its ``expiration`` (the dates the member holds it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    COUNT,
    DATE,
    FREE_OBJECT,
    INTEGER,
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
from loyalty_fake.http.earning_rules_json import earning_rule_json
from loyalty_fake.http.rewards_json import assignment_json, reward_json
from loyalty_fake.ledger.cards import MAX_POINTS
from loyalty_fake.ledger.tier_rules import QUALIFICATION_PERIODS, map_points

if TYPE_CHECKING:
    from loyalty_fake.ledger.earning_rules import EarningRule
    from loyalty_fake.ledger.rewards import Reward, RewardAssignment
    from loyalty_fake.ledger.tier_records import LoyaltyTier, MemberTier

__all__ = [
    "MAPPING",
    "SCHEMAS",
    "TIERS_EXPIRATION",
    "tier_earning_rule_json",
    "tier_json",
    "tier_reward_json",
]


def _range(tier: LoyaltyTier) -> dict[str, int]:
    found = {}
    if tier.points_from is not None:
        found["from"] = tier.points_from
    if tier.points_to is not None:
        found["to"] = tier.points_to
    return found


def tier_json(tier: LoyaltyTier, member: MemberTier | None = None) -> dict[str, Any]:
    """A tier, as the spec's examples show one; a member's, with its ``expiration``."""
    body: dict[str, Any] = {
        "id": tier.id,
        "name": tier.name,
        "campaign_id": tier.campaign_id,
        "metadata": dict(tier.metadata or {}),
        "created_at": format_timestamp(tier.created_at),
        "updated_at": timestamp_or_none(tier.updated_at),
        "earning_rules": {key: dict(value) for key, value in tier.earning_rules.items()},
        "rewards": {key: dict(value) for key, value in tier.rewards.items()},
        "config": {"points": _range(tier)},
        "points": _range(tier),
    }
    if member is not None and member.current is not None:
        current = member.current
        expiration: dict[str, Any] = {
            "customer_id": member.customer_id,
            "campaign_id": member.campaign_id,
            "tier_id": tier.id,
            "start_date": current.start_date.isoformat(),
        }
        if current.expiration_date is not None:
            expiration["expiration_date"] = current.expiration_date.isoformat()
        expiration["created_at"] = format_timestamp(member.created_at)
        expiration["updated_at"] = format_timestamp(member.updated_at or member.created_at)
        body["expiration"] = expiration
    body["object"] = "loyalty_tier"
    return body


def tier_earning_rule_json(rule: EarningRule, tier: LoyaltyTier) -> dict[str, Any]:
    """An earning rule as a tier sees it: its points as the tier's mapping makes them.

    "If a specific multiplier was used to calculate points for a given tier, then the
    ``loyalty.points`` parameter will account for this calculation": a ``FIXED`` rule's
    points are the mapped ones; a ``PROPORTIONAL`` one's ratio is multiplied.
    """
    body = earning_rule_json(rule)
    mapping = tier.earning_rules.get(rule.id)
    if mapping is None:
        return body
    loyalty = dict(rule.loyalty)
    if loyalty.get("type") == "FIXED":
        loyalty["points"] = map_points(int(loyalty.get("points") or 0), mapping)
    elif mapping.get("type") == "MULTIPLY":
        loyalty = _multiplied_ratio(loyalty, mapping)
    body["loyalty"] = loyalty
    return body


def _multiplied_ratio(loyalty: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    for where, inner in loyalty.items():
        if isinstance(inner, dict):
            for what, ratio in inner.items():
                if isinstance(ratio, dict) and "points" in ratio:
                    points = map_points(int(ratio["points"]), mapping)
                    loyalty[where] = {**inner, what: {**ratio, "points": points}}
    return loyalty


def tier_reward_json(
    reward: Reward, assignment: RewardAssignment, tier: LoyaltyTier
) -> dict[str, Any]:
    """A reward the tier's program offers, its price as the tier's mapping makes it."""
    shown = assignment_json(assignment)
    mapping = tier.rewards.get(reward.id)
    if mapping is not None and assignment.points is not None:
        shown["parameters"] = {"loyalty": {"points": map_points(assignment.points, mapping)}}
    return {"reward": reward_json(reward), "assignment": shown, "object": "loyalty_tier_reward"}


_POINTS: Schema = {"type": "integer", "minimum": 0, "maximum": MAX_POINTS}
MAPPING: Schema = {
    "oneOf": [
        obj({"type": const("MULTIPLY"), "multiplier": {"type": "number", "exclusiveMinimum": 0}}),
        obj({"type": const("CUSTOM"), "points": _POINTS}),
    ]
}
_RANGE: Schema = {"type": "object", "properties": {"from": INTEGER, "to": INTEGER}}
_REQUEST_RANGE: Schema = {"type": "object", "properties": {"from": _POINTS, "to": _POINTS}}
_ROUNDING: Schema = {
    "type": "object",
    "properties": {
        "type": enum("MONTH", "QUARTER", "HALF_YEAR", "YEAR", "CUSTOM"),
        "strategy": enum("START", "END"),
        "unit": enum("MONTH"),
        "value": {"type": "integer", "minimum": 0, "maximum": 11},  # 0: January
    },
}
TIERS_EXPIRATION: Schema = {
    "type": "object",
    "properties": {
        "qualification_type": enum("BALANCE", "POINTS_IN_PERIOD"),
        "qualification_period": enum(*QUALIFICATION_PERIODS),
        "start_date": obj({"type": enum("IMMEDIATE", "NEXT_PERIOD")}),
        "expiration_date": obj(
            {
                "type": enum("END_OF_PERIOD", "END_OF_NEXT_PERIOD", "BALANCE_DROP", "CUSTOM"),
                "extend": STRING,
            },
            {"rounding": _ROUNDING},
        ),
    },
}
TIER_REQUEST: Schema = obj(
    {"name": STRING, "points": _REQUEST_RANGE},
    {
        "earning_rules": {"type": "object", "additionalProperties": MAPPING},
        "rewards": {"type": "object", "additionalProperties": MAPPING},
        "metadata": FREE_OBJECT,
    },
)

SCHEMAS: dict[str, Schema] = {
    "LoyaltyTier": obj(
        {
            "id": STRING,
            "name": STRING,
            "campaign_id": STRING,
            "metadata": nullable(FREE_OBJECT),
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "earning_rules": {"type": "object", "additionalProperties": MAPPING},
            "rewards": {"type": "object", "additionalProperties": MAPPING},
            "config": obj({"points": _RANGE}),
            "points": _RANGE,
            "object": const("loyalty_tier"),
        },
        {
            "expiration": obj(
                {
                    "customer_id": STRING,
                    "campaign_id": STRING,
                    "tier_id": STRING,
                    "start_date": DATE,
                    "created_at": TIMESTAMP,
                    "updated_at": TIMESTAMP,
                },
                {"expiration_date": DATE},
            )
        },
    ),
    "LoyaltyTiersCreated": {"type": "array", "items": ref("LoyaltyTier")},
    "LoyaltyTiersList": page_list("data", ref("LoyaltyTier")),
    "LoyaltyTierEarningRulesList": page_list("data", ref("EarningRule")),
    "LoyaltyTierReward": obj(
        {
            "reward": ref("Reward"),
            "assignment": ref("RewardAssignment"),
            "object": const("loyalty_tier_reward"),
        }
    ),
    "LoyaltyTierRewardsList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("LoyaltyTierReward")},
            "total": COUNT,
        }
    ),
}
