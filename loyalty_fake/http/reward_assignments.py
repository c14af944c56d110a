"""A reward's assignments (``/v1/rewards/{rewardId}/assignments``) and an assignment's reward.

The same assignments as a program's (``/v1/loyalties/{campaignId}/rewards``, assignments.py),
seen from the reward: one made either way is read, changed and removed either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.http import paging
from loyalty_fake.http.assignments import REWARD_ASSIGNMENTS, assigned_points, auto_redeem
from loyalty_fake.http.common_json import BOOLEAN, STRING, Schema, nullable
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.paging import LIMIT, PAGE
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.rewards_json import assignment_json, reward_json

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_ASSIGNMENTS = "/v1/rewards/{rewardId}/assignments"
_ASSIGNMENT = f"{_ASSIGNMENTS}/{{assignmentId}}"

_PRICE: Schema = {
    "type": "object",
    "properties": {
        "loyalty": {
            "type": "object",
            "properties": {
                "points": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
                "auto_redeem": nullable(BOOLEAN),
            },
        }
    },
}

_CREATE: Schema = {
    "type": "object",
    "properties": {
        "campaign": NON_EMPTY,
        "parameters": _PRICE,
        "validation_rules": {"type": "array", "items": STRING},
    },
}

_UPDATE: Schema = {"type": "object", "properties": {"parameters": _PRICE}}

_REWARD_ERRORS = " 404 an unknown reward, or an assignment of another reward."


def _missing_campaign() -> VoucherifyError:
    # What Voucherify answers for a body without a campaign (the spec's example).
    return VoucherifyError(
        code=404,
        key="not_found",
        message="Resource not found",
        details="Cannot find campaign with id null",
        resource_type="campaign",
    )


def create_reward_assignment(call: Call) -> tuple[int, Any]:
    """``POST /v1/rewards/{rewardId}/assignments``: offer the reward in a program at a price."""
    body = Body(parse_json_body(call.request))
    campaign = body.string("campaign", non_empty=True)
    points = assigned_points(body)
    reward_id = call.params["rewardId"]
    call.session.rewards.get(reward_id)
    if campaign is None:
        raise _missing_campaign()
    (created,) = call.session.rewards.assign(campaign, [(reward_id, points, auto_redeem(body))])
    return 200, assignment_json(created)


def list_reward_assignments(call: Call) -> tuple[int, Any]:
    """``GET /v1/rewards/{rewardId}/assignments``: page-based, oldest first."""
    page = paging.page(Query(call.request.query))
    assignments = call.session.rewards.of_reward(call.params["rewardId"])
    data = [assignment_json(a) for a in page.of(assignments)]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(assignments)}


def get_reward_assignment(call: Call) -> tuple[int, Any]:
    """``GET /v1/rewards/{rewardId}/assignments/{assignmentId}``: one of the reward's."""
    found = call.session.rewards.reward_assignment(
        call.params["rewardId"], call.params["assignmentId"]
    )
    return 200, assignment_json(found)


def update_reward_assignment(call: Call) -> tuple[int, Any]:
    """``PUT /v1/rewards/{rewardId}/assignments/{assignmentId}``: a new price in points."""
    body = Body(parse_json_body(call.request))
    points = assigned_points(body)
    rewards = call.session.rewards
    found = rewards.reward_assignment(call.params["rewardId"], call.params["assignmentId"])
    updated = rewards.update_assignment(found.campaign_id, found.id, points, auto_redeem(body))
    return 200, assignment_json(updated)


def delete_reward_assignment(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/rewards/{rewardId}/assignments/{assignmentId}``: 204."""
    rewards = call.session.rewards
    found = rewards.reward_assignment(call.params["rewardId"], call.params["assignmentId"])
    rewards.delete_assignment(found.campaign_id, found.id)
    return 204, None


def get_reward_details(call: Call) -> tuple[int, Any]:
    """``GET …/reward-assignments/{assignmentId}/reward``: the reward the assignment offers."""
    rewards = call.session.rewards
    found = rewards.get_assignment(call.params["campaignId"], call.params["assignmentId"])
    return 200, reward_json(rewards.get(found.reward_id))


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        _ASSIGNMENTS,
        create_reward_assignment,
        Operation(
            "create_reward_assignment_of_reward",
            "Offer a reward in a program at a price in points",
            "RewardAssignment",
            body=_CREATE,
            errors=" 404 an unknown reward or program (or none given); 400 a missing price"
            " for a priced reward; 409 a reward the program already offers.",
        ),
    ),
    Route(
        "GET",
        _ASSIGNMENTS,
        list_reward_assignments,
        Operation(
            "list_reward_assignments_of_reward",
            "A reward's assignments, oldest first",
            "RewardAssignmentsList",
            query=[LIMIT, PAGE],
            errors=" 404 an unknown reward.",
        ),
    ),
    Route(
        "GET",
        _ASSIGNMENT,
        get_reward_assignment,
        Operation(
            "get_reward_assignment_of_reward",
            "Get a reward's assignment",
            "RewardAssignment",
            errors=_REWARD_ERRORS,
        ),
    ),
    Route(
        "PUT",
        _ASSIGNMENT,
        update_reward_assignment,
        Operation(
            "update_reward_assignment_of_reward",
            "Change a reward's assignment price in points",
            "RewardAssignment",
            body=_UPDATE,
            errors=_REWARD_ERRORS,
        ),
    ),
    Route(
        "DELETE",
        _ASSIGNMENT,
        delete_reward_assignment,
        Operation(
            "delete_reward_assignment_of_reward",
            "Stop offering a reward in a program",
            None,
            errors=_REWARD_ERRORS,
        ),
    ),
    Route(
        "GET",
        f"{REWARD_ASSIGNMENTS}/{{assignmentId}}/reward",
        get_reward_details,
        Operation(
            "get_reward_details",
            "The reward of a program's reward assignment",
            "Reward",
            errors=" 404 an assignment of another program.",
        ),
    ),
)
