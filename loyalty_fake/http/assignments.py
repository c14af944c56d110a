"""A program's reward assignments (``/v1/loyalties/{campaignId}/rewards``), a member's rewards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import BOOLEAN, STRING, Schema, nullable
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.members import MEMBER_BY_CODE
from loyalty_fake.http.paging import LIMIT, PAGE
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body, parse_json_objects
from loyalty_fake.http.rewards_json import assignment_json, reward_json

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = [
    "ASSIGNMENTS",
    "PATH_PARAMETERS",
    "REWARD_ASSIGNMENTS",
    "ROUTES",
    "assigned_points",
    "auto_redeem",
]

# A program's reward assignments, under both of the paths Voucherify gives them.
ASSIGNMENTS = "/v1/loyalties/{campaignId}/rewards"
REWARD_ASSIGNMENTS = "/v1/loyalties/{campaignId}/reward-assignments"

PATH_PARAMETERS = {"assignmentId": "The reward assignment's ID."}

_ASSIGNMENT_PRICE: Schema = {
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

# The two listings spell the filter differently in the spec; the fake takes either.
_ASSIGNMENTS_QUERY = [
    LIMIT,
    PAGE,
    query("assignment_id", STRING, "Only this assignment."),
    query("assignmentId", STRING, "Only this assignment."),
]

_ASSIGNMENT_ERRORS = " 404 an assignment of another program."
_ASSIGNMENT = f"{ASSIGNMENTS}/{{assignmentId}}"


def _assignment_items(call: Call) -> list[tuple[str, int | None, bool | None]]:
    """``(reward, points, auto_redeem)`` per assignment in the body (an object or an array)."""
    objects, many = parse_json_objects(call.request)
    items = []
    for index, data in enumerate(objects):
        body = Body(data, f"[{index}]" if many else "")
        body.require("reward")
        reward = body.string("reward", non_empty=True)
        assert reward is not None  # noqa: S101 - require() and string() leave nothing else
        items.append((reward, assigned_points(body), auto_redeem(body)))
    return items


def assigned_points(body: Body) -> int | None:
    """An assignment body's price, ``parameters.loyalty.points``, if given (at least 1)."""
    parameters = body.obj("parameters")
    loyalty = parameters.obj("loyalty") if parameters is not None else None
    return loyalty.integer("points", minimum=1) if loyalty is not None else None


def auto_redeem(body: Body) -> bool | None:
    """An assignment body's ``parameters.loyalty.auto_redeem``, if given (``null``: not)."""
    parameters = body.obj("parameters")
    loyalty = parameters.obj("loyalty") if parameters is not None else None
    return loyalty.boolean("auto_redeem") if loyalty is not None else None


def create_reward_assignment(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties/{campaignId}/rewards``: offer rewards in a program at a price.

    The spec's request is an array and its example answers an array, but its response
    schema (and the official SDK, which sends a one-item array) is one assignment: one
    reward, as an object or a one-item array, answers its assignment; several answer
    the array.
    """
    items = _assignment_items(call)
    created = call.session.rewards.assign(call.params["campaignId"], items)
    answers = [assignment_json(assignment) for assignment in created]
    return 200, answers if len(answers) > 1 else answers[0]


def list_reward_assignments(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/rewards`` and ``.../reward-assignments``: page-based."""
    query = Query(call.request.query)
    page = paging.page(query)
    # The two listings spell the filter differently in the spec.
    wanted = query.string("assignment_id") or query.string("assignmentId")
    assignments = call.session.rewards.assignments(call.params["campaignId"])
    if wanted is not None:
        assignments = [a for a in assignments if a.id == wanted]
    data = [assignment_json(a) for a in page.of(assignments)]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(assignments)}


def get_reward_assignment(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/rewards/{assignmentId}`` (and reward-assignments)."""
    found = call.session.rewards.get_assignment(
        call.params["campaignId"], call.params["assignmentId"]
    )
    return 200, assignment_json(found)


def update_reward_assignment(call: Call) -> tuple[int, Any]:
    """``PUT /v1/loyalties/{campaignId}/rewards/{assignmentId}``: a new price in points."""
    body = Body(parse_json_body(call.request))
    points = assigned_points(body)
    updated = call.session.rewards.update_assignment(
        call.params["campaignId"], call.params["assignmentId"], points, auto_redeem(body)
    )
    return 200, assignment_json(updated)


def delete_reward_assignment(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/loyalties/{campaignId}/rewards/{assignmentId}``: 204."""
    call.session.rewards.delete_assignment(call.params["campaignId"], call.params["assignmentId"])
    return 204, None


def list_member_rewards(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/members/{memberId}/rewards``: what the member can spend points on."""
    query = Query(call.request.query)
    affordable_only = query.choice("affordable_only", ("true", "false"), "false") == "true"
    offered = call.session.rewards.of_member(
        call.params["memberId"],
        campaign_ref=call.params.get("campaignId"),
        affordable_only=affordable_only,
    )
    data = [
        {
            "reward": reward_json(reward),
            "assignment": assignment_json(assignment),
            "object": "loyalty_reward",
        }
        for reward, assignment in offered
    ]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        ASSIGNMENTS,
        create_reward_assignment,
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
        list_reward_assignments,
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
        get_reward_assignment,
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
        update_reward_assignment,
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
        delete_reward_assignment,
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
        list_reward_assignments,
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
        get_reward_assignment,
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
        list_member_rewards,
        Operation(
            "list_member_rewards",
            "The rewards a member's program offers, with their assignments",
            "LoyaltyRewardsList",
            query=[query("affordable_only", BOOLEAN, "Only rewards the card's balance pays for.")],
        ),
    ),
)
