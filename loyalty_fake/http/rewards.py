"""``/v1/rewards``, a program's reward assignments, and the rewards a member can get."""

from __future__ import annotations

from loyalty_fake.http import reward_handlers
from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.declare import LIMIT, NON_EMPTY, PAGE, Operation, Route, query
from loyalty_fake.http.members import MEMBER_BY_CODE
from loyalty_fake.http.params import MAX_INTEGER

__all__ = ["ASSIGNMENTS", "PATH_PARAMETERS", "REWARD_ASSIGNMENTS", "ROUTES"]

# A program's reward assignments, under both of the paths Voucherify gives them.
ASSIGNMENTS = "/v1/loyalties/{campaignId}/rewards"
REWARD_ASSIGNMENTS = "/v1/loyalties/{campaignId}/reward-assignments"

PATH_PARAMETERS = {
    "rewardId": "The reward's ID.",
    "assignmentId": "The reward assignment's ID.",
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
            "properties": {"id": NON_EMPTY, "sku_id": STRING},
        },
        "coin": {
            "type": "object",
            "required": ["exchange_ratio"],
            "properties": {"exchange_ratio": _RATIO, "points_ratio": _RATIO},
        },
        # Accepted in the request, answered with 501 not_implemented.
        "campaign": FREE_OBJECT,
    },
}

_REWARD_FIELDS: dict[str, Schema] = {
    "parameters": _REWARD_PARAMETERS_REQUEST,
    "stock": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
    "attributes": {
        "type": "object",
        "properties": {"image_url": STRING, "description": STRING},
    },
    "metadata": FREE_OBJECT,
}

# The type may be left out when the parameters say it (product, coin or campaign).
_CREATE_REWARD: Schema = {
    "type": "object",
    "required": ["name", "parameters"],
    "properties": {
        "name": NON_EMPTY,
        "type": enum("CAMPAIGN", "COIN", "MATERIAL"),
        **_REWARD_FIELDS,
    },
}

_UPDATE_REWARD: Schema = {
    "type": "object",
    "properties": {"name": NON_EMPTY, **_REWARD_FIELDS},
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
    "properties": {"reward": NON_EMPTY, "parameters": _ASSIGNMENT_PRICE},
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

_REWARDS_QUERY = [
    LIMIT,
    PAGE,
    query("assignment_id", STRING, "Only the reward of this assignment."),
]

# The two listings spell the filter differently in the spec; the fake takes either.
_ASSIGNMENTS_QUERY = [
    LIMIT,
    PAGE,
    query("assignment_id", STRING, "Only this assignment."),
    query("assignmentId", STRING, "Only this assignment."),
]

_ASSIGNMENT_ERRORS = " 404 an assignment of another program."
_REWARD = "/v1/rewards/{rewardId}"
_ASSIGNMENT = f"{ASSIGNMENTS}/{{assignmentId}}"

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/rewards",
        reward_handlers.create_reward,
        Operation(
            "create_reward",
            "Create a MATERIAL or COIN reward",
            "Reward",
            body=_CREATE_REWARD,
            not_implemented="CAMPAIGN rewards (a voucher of another campaign) are not.",
        ),
    ),
    Route(
        "GET",
        "/v1/rewards",
        reward_handlers.list_rewards,
        Operation(
            "list_rewards",
            "The project's rewards, oldest first",
            "RewardsList",
            query=_REWARDS_QUERY,
        ),
    ),
    Route(
        "GET",
        _REWARD,
        reward_handlers.get_reward,
        Operation("get_reward", "Get a reward", "Reward"),
    ),
    Route(
        "PUT",
        _REWARD,
        reward_handlers.update_reward,
        Operation(
            "update_reward",
            "Update a reward's name, parameters of its type, stock, attributes or metadata",
            "Reward",
            body=_UPDATE_REWARD,
        ),
    ),
    Route(
        "DELETE",
        _REWARD,
        reward_handlers.delete_reward,
        Operation(
            "delete_reward",
            "Delete a reward no program offers",
            None,
            errors=" 400 resource_in_use while a program offers the reward.",
        ),
    ),
    Route(
        "POST",
        ASSIGNMENTS,
        reward_handlers.create_reward_assignment,
        Operation(
            "create_reward_assignment",
            "Offer rewards in a program: one answers its assignment, several the array",
            "RewardAssignmentCreated",
            body=_CREATE_REWARD_ASSIGNMENT,
            errors=" 400 a missing price for a priced reward; 409 a reward already offered.",
        ),
    ),
    Route(
        "GET",
        ASSIGNMENTS,
        reward_handlers.list_reward_assignments,
        Operation(
            "list_reward_assignments",
            "A program's reward assignments",
            "RewardAssignmentsList",
            query=_ASSIGNMENTS_QUERY,
        ),
    ),
    Route(
        "GET",
        _ASSIGNMENT,
        reward_handlers.get_reward_assignment,
        Operation(
            "get_reward_assignment",
            "Get a program's reward assignment",
            "RewardAssignment",
            errors=_ASSIGNMENT_ERRORS,
        ),
    ),
    Route(
        "PUT",
        _ASSIGNMENT,
        reward_handlers.update_reward_assignment,
        Operation(
            "update_reward_assignment",
            "Change a reward assignment's price in points",
            "RewardAssignment",
            body=_UPDATE_REWARD_ASSIGNMENT,
            errors=_ASSIGNMENT_ERRORS,
        ),
    ),
    Route(
        "DELETE",
        _ASSIGNMENT,
        reward_handlers.delete_reward_assignment,
        Operation(
            "delete_reward_assignment",
            "Stop offering a reward in a program",
            None,
            errors=_ASSIGNMENT_ERRORS,
        ),
    ),
    Route(
        "GET",
        REWARD_ASSIGNMENTS,
        reward_handlers.list_reward_assignments,
        Operation(
            "list_reward_assignments_by_assignment",
            "A program's reward assignments (the reward-assignments path)",
            "RewardAssignmentsList",
            query=_ASSIGNMENTS_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{REWARD_ASSIGNMENTS}/{{assignmentId}}",
        reward_handlers.get_reward_assignment,
        Operation(
            "get_reward_assignment_by_assignment",
            "Get a program's reward assignment (the reward-assignments path)",
            "RewardAssignment",
            errors=_ASSIGNMENT_ERRORS,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER_BY_CODE}/rewards",
        reward_handlers.list_member_rewards,
        Operation(
            "list_member_rewards",
            "The rewards a member's program offers, with their assignments",
            "LoyaltyRewardsList",
            query=[query("affordable_only", BOOLEAN, "Only rewards the card's balance pays for.")],
        ),
    ),
)
