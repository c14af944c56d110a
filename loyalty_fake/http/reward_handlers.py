"""Handlers for rewards, reward assignments, redemptions and rollbacks."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.http.params import Body, Query, parse_json_body, parse_json_objects
from loyalty_fake.http.serialize_rewards import (
    assignment_json,
    failed_redemption_json,
    redemption_json,
    reward_json,
    rollback_json,
)
from loyalty_fake.ledger.orders import OrderItem, OrderRequest
from loyalty_fake.ledger.redemptions import Redemption
from loyalty_fake.ledger.rewards import PARAMETERS_KEY

if TYPE_CHECKING:
    from loyalty_fake.http.handlers import Call
    from loyalty_fake.ledger.redemptions import FailedRedemption
    from loyalty_fake.ledger.rewards import RewardType

__all__ = [
    "create_reward",
    "create_reward_assignment",
    "delete_reward",
    "delete_reward_assignment",
    "get_redemption",
    "get_reward",
    "get_reward_assignment",
    "list_member_rewards",
    "list_reward_assignments",
    "list_rewards",
    "redeem_reward",
    "rollback_redemption",
    "update_reward",
    "update_reward_assignment",
]

_REWARD_TYPES: tuple[RewardType, ...] = ("CAMPAIGN", "COIN", "MATERIAL")
_TYPE_OF_PARAMETERS: dict[str, RewardType] = {key: kind for kind, key in PARAMETERS_KEY.items()}
_ORDER_STATUSES = ("CREATED", "PAID", "CANCELED", "FULFILLED")


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
    rewards, total = call.session.rewards.page(
        limit=query.limit(),
        page=query.page(),
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


# -- assignments ---------------------------------------------------------------------------


def _assignment_items(call: Call) -> list[tuple[str, int | None]]:
    """``(reward, points)`` per assignment in the body (an object or an array of them)."""
    objects, many = parse_json_objects(call.request)
    items = []
    for index, data in enumerate(objects):
        body = Body(data, f"[{index}]" if many else "")
        body.require("reward")
        reward = body.string("reward", non_empty=True)
        assert reward is not None  # noqa: S101 - require() and string() leave nothing else
        items.append((reward, _assigned_points(body)))
    return items


def _assigned_points(body: Body) -> int | None:
    parameters = body.obj("parameters")
    loyalty = parameters.obj("loyalty") if parameters is not None else None
    return loyalty.integer("points", minimum=1) if loyalty is not None else None


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
    limit = query.limit()
    page = query.page()
    # The two listings spell the filter differently in the spec.
    wanted = query.string("assignment_id") or query.string("assignmentId")
    assignments = call.session.rewards.assignments(call.params["campaignId"])
    if wanted is not None:
        assignments = [a for a in assignments if a.id == wanted]
    start = (page - 1) * limit
    data = [assignment_json(a) for a in assignments[start : start + limit]]
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
    points = _assigned_points(body)
    updated = call.session.rewards.update_assignment(
        call.params["campaignId"], call.params["assignmentId"], points
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


# -- redemptions ---------------------------------------------------------------------------


def _order_item(item: Body) -> OrderItem:
    quantity = item.integer("quantity", minimum=0)
    price = item.integer("price", minimum=0)
    amount = item.integer("amount", minimum=0)
    if amount is None and price is not None and quantity is not None:
        amount = price * quantity
    return OrderItem(
        product_id=item.string("product_id"),
        sku_id=item.string("sku_id"),
        source_id=item.string("source_id"),
        related_object=item.choice("related_object", ("product", "sku")),
        quantity=quantity,
        price=price,
        amount=amount,
    )


def _order(body: Body) -> OrderRequest | None:
    order = body.obj("order")
    if order is None:
        return None
    raw_items = order.data.get("items")
    items: list[OrderItem] = []
    if raw_items is not None:
        if not isinstance(raw_items, list) or not all(isinstance(i, dict) for i in raw_items):
            order.fail("items", "must be array of objects")
        items = [_order_item(Body(item, f".order.items[{n}]")) for n, item in enumerate(raw_items)]
    return OrderRequest(
        source_id=order.string("source_id"),
        status=order.choice("status", _ORDER_STATUSES),
        amount=order.integer("amount", minimum=0),
        items=tuple(items),
        metadata=order.mapping("metadata"),
    )


def redeem_reward(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties/[{campaignId}/]members/{memberId}/redemption``: spend points.

    A malformed body is 400 ``invalid_payload`` and records nothing; the ledger records a
    redemption refused at the card (``missing_reward`` among them) as failed.
    """
    body = Body(parse_json_body(call.request))
    reward = body.obj("reward")
    reward_id = (reward.string("id") if reward is not None else None) or None
    points = reward.integer("points", minimum=1) if reward is not None else None
    order = _order(body)
    metadata = body.mapping("metadata")
    redemption = call.session.redemptions.redeem(
        call.params["memberId"],
        reward_id=reward_id,
        campaign_ref=call.params.get("campaignId"),
        points=points,
        order=order,
        metadata=metadata,
    )
    return 200, _redemption_body(call, redemption, rollback=False)


def _redemption_body(call: Call, redemption: Redemption, *, rollback: bool) -> dict[str, Any]:
    card = call.session.cards.get(redemption.card_code)
    campaign = call.session.campaigns.get(redemption.campaign_id)
    customer = call.session.customers.get(redemption.customer_id)
    if rollback:
        return rollback_json(redemption, card, campaign, customer)
    return redemption_json(redemption, card, campaign, customer)


def failed_redemption_body(call: Call, failed: FailedRedemption) -> dict[str, Any]:
    """A failed redemption or rollback with its card, program and customers looked up."""
    card = call.session.cards.get(failed.card_code)
    campaign = call.session.campaigns.get(failed.campaign_id)
    customer = (
        call.session.customers.get(failed.customer_id) if failed.customer_id is not None else None
    )
    holder = call.session.customers.get(card.holder_id) if card.holder_id is not None else None
    return failed_redemption_json(failed, card, campaign, customer, holder)


def get_redemption(call: Call) -> tuple[int, Any]:
    """``GET /v1/redemptions/{redemptionId}``: ``r_``, ``rr_``, or a failure (``rf_``, ``rrf_``)."""
    wanted = call.params["redemptionId"]
    found = call.session.redemptions.get(wanted)
    if isinstance(found, Redemption):
        return 200, _redemption_body(call, found, rollback=found.id != wanted)
    return 200, failed_redemption_body(call, found)


def rollback_redemption(call: Call) -> tuple[int, Any]:
    """``POST /v1/redemptions/{redemptionId}/rollback``: give the points back.

    ``tracking_id`` (query or body) or the body's ``customer``, and the body's ``order``,
    must be the redemption's own; the body's other fields are not applied.
    """
    query = Query(call.request.query)
    body = Body(parse_json_body(call.request))
    reason = query.string("reason") or body.string("reason")
    customer = query.string("tracking_id") or body.string("tracking_id")
    given = body.obj("customer")
    if given is not None:
        customer = given.string("id", non_empty=True) or given.string("source_id", non_empty=True)
    order_body = body.obj("order")
    order = None
    if order_body is not None:
        order = order_body.string("id", non_empty=True) or order_body.string(
            "source_id", non_empty=True
        )
    redemption = call.session.redemptions.rollback(
        call.params["redemptionId"], reason=reason, customer=customer, order=order
    )
    return 200, _redemption_body(call, redemption, rollback=True)
