"""Rewards and reward assignments as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    COUNT,
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

if TYPE_CHECKING:
    from loyalty_fake.ledger.rewards import Reward, RewardAssignment

__all__ = [
    "COIN_PARAMETERS",
    "POSITIVE",
    "REWARD_PARAMETERS",
    "REWARD_TYPE",
    "SCHEMAS",
    "assignment_json",
    "reward_json",
]


def reward_json(reward: Reward) -> dict[str, Any]:
    """A reward object; ``redeemed`` is null until the first redemption, as the spec shows."""
    return {
        "id": reward.id,
        "name": reward.name,
        "type": reward.type,
        "parameters": reward.parameters,
        "stock": reward.stock,
        "redeemed": reward.redeemed or None,
        "attributes": dict(reward.attributes or {}),
        "created_at": format_timestamp(reward.created_at),
        "updated_at": timestamp_or_none(reward.updated_at),
        "metadata": dict(reward.metadata or {}),
        "object": "reward",
    }


def assignment_json(assignment: RewardAssignment) -> dict[str, Any]:
    """A reward assignment; a ``COIN`` reward's has no ``parameters`` (it has no price)."""
    body: dict[str, Any] = {
        "id": assignment.id,
        "reward_id": assignment.reward_id,
        "related_object_id": assignment.campaign_id,
        "related_object_type": "campaign",
    }
    if assignment.points is not None:
        body["parameters"] = {"loyalty": {"points": assignment.points}}
        if assignment.auto_redeem is not None:
            body["parameters"]["loyalty"]["auto_redeem"] = assignment.auto_redeem
    body["created_at"] = format_timestamp(assignment.created_at)
    body["updated_at"] = timestamp_or_none(assignment.updated_at)
    body["object"] = "reward_assignment"
    return body


REWARD_TYPE = enum("MATERIAL", "COIN")
POSITIVE: Schema = {"type": "integer", "minimum": 1}

# Kept as the fake normalises them: a product with its sku_id (null when unset), or a coin's
# ratios as numbers (points_ratio defaults to 1).
COIN_PARAMETERS = obj(
    {
        "coin": obj(
            {
                "exchange_ratio": {"type": "number", "exclusiveMinimum": 0},
                "points_ratio": POSITIVE,
            }
        )
    }
)
REWARD_PARAMETERS: Schema = {
    "oneOf": [
        obj({"product": obj({"id": STRING, "sku_id": nullable(STRING)})}),
        COIN_PARAMETERS,
    ]
}

SCHEMAS: dict[str, Schema] = {
    "Reward": obj(
        {
            "id": STRING,
            "name": STRING,
            # CAMPAIGN rewards answer 501: only these two exist.
            "type": REWARD_TYPE,
            "parameters": REWARD_PARAMETERS,
            "stock": nullable(COUNT),
            # null until the first redemption that is not rolled back, as the spec shows.
            "redeemed": nullable(POSITIVE),
            "attributes": obj({}, {"image_url": STRING, "description": STRING}),
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "metadata": FREE_OBJECT,
            "object": const("reward"),
        }
    ),
    "RewardAssignment": obj(
        {
            "id": STRING,
            "reward_id": STRING,
            "related_object_id": STRING,
            "related_object_type": const("campaign"),
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "object": const("reward_assignment"),
        },
        # A COIN reward's assignment has no price, so no parameters.
        {"parameters": obj({"loyalty": obj({"points": POSITIVE})})},
    ),
    # One reward assigned answers its assignment; several answer the array (assignments.py).
    "RewardAssignmentCreated": {
        "oneOf": [
            ref("RewardAssignment"),
            {"type": "array", "items": ref("RewardAssignment"), "minItems": 2},
        ]
    },
    "LoyaltyReward": obj(
        {
            "reward": ref("Reward"),
            "assignment": ref("RewardAssignment"),
            "object": const("loyalty_reward"),
        }
    ),
    # Member rewards are not paged: every reward the member's programs offer, in one list.
    "LoyaltyRewardsList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("LoyaltyReward")},
            "total": COUNT,
        }
    ),
    "RewardsList": page_list("data", ref("Reward")),
    "RewardAssignmentsList": page_list("data", ref("RewardAssignment")),
}
