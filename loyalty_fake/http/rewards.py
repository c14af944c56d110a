"""``/v1/rewards``: create, list, get, update and delete rewards."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.http import paging
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.paging import LIMIT, PAGE
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.rewards_json import reward_json
from loyalty_fake.ledger.rewards import PARAMETERS_KEY

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.rewards import RewardType

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {"rewardId": "The reward's ID."}


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

_REWARDS_QUERY = [
    LIMIT,
    PAGE,
    query("assignment_id", STRING, "Only the reward of this assignment."),
]


_REWARD = "/v1/rewards/{rewardId}"

_REWARD_TYPES: tuple[RewardType, ...] = ("CAMPAIGN", "COIN", "MATERIAL")


_TYPE_OF_PARAMETERS: dict[str, RewardType] = {key: kind for kind, key in PARAMETERS_KEY.items()}


def _campaign_rewards_not_implemented() -> VoucherifyError:
    # A CAMPAIGN reward hands out a voucher of another campaign (a discount coupon, gift
    # card credits or points); the fake has no such campaigns yet.
    return VoucherifyError(
        code=501,
        key="not_implemented",
        message="Operation not implemented by loyalty-fake",
        details="loyalty-fake does not implement CAMPAIGN rewards (discount coupons, gift "
        "cards or loyalty points of another campaign) yet; MATERIAL and COIN rewards work",
        resource_type="reward",
    )


_NUMERAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _ratio(body: Body, key: str, *, integer: bool) -> int | float | None:
    """A coin ratio: a positive number, or a numeric string (the spec types them as strings)."""
    value = body.data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        # A number as JSON writes one: float() would also take " 5 ", "1_000" and "nan".
        if _NUMERAL.fullmatch(value) is None:
            body.fail(key, "must be number")
        value = float(value)
    # "inf" and 1e400 parse as infinity, which JSON cannot carry back in the reply.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not value > 0
        or not math.isfinite(value)
    ):
        body.fail(key, "must be a number > 0")
    if integer and not float(value).is_integer():
        body.fail(key, "must be integer")
    number = float(value)
    return int(number) if number.is_integer() else number


def _parameters(body: Body, reward_type: RewardType) -> dict[str, Any]:
    """A reward's ``parameters`` for its type, normalised as Voucherify returns them."""
    parameters = body.obj("parameters")
    key = PARAMETERS_KEY[reward_type]
    if parameters is None:
        body.require("parameters")
        raise AssertionError  # pragma: no cover - require() raised
    parameters.require(key)
    if reward_type == "CAMPAIGN":
        raise _campaign_rewards_not_implemented()
    inner = parameters.obj(key)
    assert inner is not None  # noqa: S101 - require() and obj() leave nothing else
    if reward_type == "MATERIAL":
        inner.require("id")
        return {
            "product": {
                "id": inner.string("id", non_empty=True),
                "sku_id": inner.string("sku_id"),
            }
        }
    inner.require("exchange_ratio")
    return {
        "coin": {
            "exchange_ratio": _ratio(inner, "exchange_ratio", integer=False),
            "points_ratio": _ratio(inner, "points_ratio", integer=True) or 1,
        }
    }


def _attributes(body: Body) -> dict[str, Any] | None:
    attributes = body.obj("attributes")
    if attributes is None:
        return None
    return {
        key: value
        for key in ("image_url", "description")
        if (value := attributes.string(key)) is not None
    }


def _reward_type(body: Body) -> RewardType:
    given = body.choice("type", _REWARD_TYPES)
    if given is not None:
        return given  # type: ignore[return-value] # checked against RewardType
    parameters = body.obj("parameters")
    for key, kind in _TYPE_OF_PARAMETERS.items():
        if parameters is not None and parameters.data.get(key) is not None:
            return kind
    body.require("type")
    raise AssertionError  # pragma: no cover - require() raised


def create_reward(call: Call) -> tuple[int, Any]:
    """``POST /v1/rewards``: a ``MATERIAL`` or ``COIN`` reward (``CAMPAIGN`` answers 501)."""
    body = Body(parse_json_body(call.request))
    body.require("name")
    name = body.string("name", non_empty=True)
    assert name is not None  # noqa: S101 - require() and string() leave nothing else
    reward_type = _reward_type(body)
    parameters = _parameters(body, reward_type)
    reward = call.session.rewards.create(
        name=name,
        type=reward_type,
        parameters=parameters,
        stock=body.integer("stock", minimum=0),
        attributes=_attributes(body),
        metadata=body.mapping("metadata"),
    )
    return 200, reward_json(reward)


def list_rewards(call: Call) -> tuple[int, Any]:
    """``GET /v1/rewards``: the project's rewards, page-based."""
    query = Query(call.request.query)
    page = paging.page(query)
    rewards, total = call.session.rewards.page(
        limit=page.limit,
        page=page.number,
        assignment_id=query.string("assignment_id"),
    )
    data = [reward_json(reward) for reward in rewards]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": total}


def get_reward(call: Call) -> tuple[int, Any]:
    """``GET /v1/rewards/{rewardId}``."""
    return 200, reward_json(call.session.rewards.get(call.params["rewardId"]))


def update_reward(call: Call) -> tuple[int, Any]:
    """``PUT /v1/rewards/{rewardId}``: name, parameters of its type, stock, attributes, metadata."""
    body = Body(parse_json_body(call.request))
    reward = call.session.rewards.get(call.params["rewardId"])
    changes: dict[str, Any] = {}
    name = body.string("name", non_empty=True)
    if name is not None:
        changes["name"] = name
    if body.data.get("parameters") is not None:
        changes["parameters"] = _parameters(body, reward.type)
    if body.data.get("stock") is not None:
        changes["stock"] = body.integer("stock", minimum=0)
    attributes = _attributes(body)
    if attributes is not None:
        changes["attributes"] = attributes
    metadata = body.mapping("metadata")
    if metadata is not None:
        changes["metadata"] = metadata
    updated = call.session.rewards.update(reward.id, changes)
    return 200, reward_json(updated)


def delete_reward(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/rewards/{rewardId}``: 204; 400 ``resource_in_use`` while a program offers it."""
    call.session.rewards.delete(call.params["rewardId"])
    return 204, None


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/rewards",
        create_reward,
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
        list_rewards,
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
        get_reward,
        Operation("get_reward", "Get a reward", "Reward"),
    ),
    Route(
        "PUT",
        _REWARD,
        update_reward,
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
        delete_reward,
        Operation(
            "delete_reward",
            "Delete a reward no program offers",
            None,
            errors=" 400 resource_in_use while a program offers the reward.",
        ),
    ),
)
