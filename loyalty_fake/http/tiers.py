"""``/v1/loyalties/{campaignId}/tiers``: a program's loyalty tiers, and a member's tier.

Create in bulk (an array), list, get; a tier's earning rules and rewards as its mappings
make them; a member's tiers (``/v1/loyalties/members/{memberId}/tiers``). A program's
``loyalty_tiers_expiration`` (``read_tiers_expiration``) is read by the programs' create
and update.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http import paging
from loyalty_fake.http.declare import Operation, Route, orders, query
from loyalty_fake.http.imports import json_array
from loyalty_fake.http.params import Body, Query
from loyalty_fake.http.tiers_json import (
    TIER_REQUEST,
    tier_earning_rule_json,
    tier_json,
    tier_reward_json,
)
from loyalty_fake.ledger.cards import MAX_POINTS
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.rewards import assignments_of
from loyalty_fake.ledger.tier_rules import QUALIFICATION_PERIODS, valid_duration

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES", "read_tiers_expiration"]

PATH_PARAMETERS = {"loyaltyTierId": "A loyalty tier's ID (ltr_)."}

_TIERS = "/v1/loyalties/{campaignId}/tiers"
_TIER = f"{_TIERS}/{{loyaltyTierId}}"
_MEMBER_TIERS = "/v1/loyalties/members/{memberId}/tiers"
_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at")


def _mapping(body: Body) -> dict[str, Any]:
    """A ``MappingPoints``: ``{type: MULTIPLY, multiplier}`` or ``{type: CUSTOM, points}``."""
    body.require("type")
    kind = body.choice("type", ("MULTIPLY", "CUSTOM"))
    if kind == "CUSTOM":
        body.require("points")
        return {"type": "CUSTOM", "points": body.integer("points", minimum=0, maximum=MAX_POINTS)}
    body.require("multiplier")
    multiplier = body.data["multiplier"]
    if (
        isinstance(multiplier, bool)
        or not isinstance(multiplier, int | float)
        or not math.isfinite(multiplier)
        or multiplier <= 0
    ):
        body.fail("multiplier", "must be a number > 0")
    return {"type": "MULTIPLY", "multiplier": multiplier}


def _mappings(body: Body, key: str) -> dict[str, dict[str, Any]]:
    raw = body.mapping(key)
    found = {}
    for ident, mapping in (raw or {}).items():
        if not isinstance(mapping, dict):
            body.fail(f"{key}.{ident}", "must be object")
        found[ident] = _mapping(Body(mapping, f"{body.path}.{key}.{ident}"))
    return found


def _tier_spec(body: Body) -> dict[str, Any]:
    """One tier of a create request: its name, range, mappings and metadata."""
    body.require("name")
    body.require("points")
    points = body.obj("points")
    assert points is not None  # noqa: S101 - require() and obj() leave nothing else
    low = points.integer("from", minimum=0, maximum=MAX_POINTS)
    high = points.integer("to", minimum=0, maximum=MAX_POINTS)
    if low is not None and high is not None and high < low:
        points.fail("to", f"must be >= {low} (points.from)")
    return {
        "name": body.string("name", non_empty=True),
        "points_from": low,
        "points_to": high,
        "earning_rules": _mappings(body, "earning_rules"),
        "rewards": _mappings(body, "rewards"),
        "metadata": body.mapping("metadata"),
    }


def read_tiers_expiration(body: Body) -> dict[str, Any]:
    """A program's ``loyalty_tiers_expiration``, checked and kept as given.

    ``BALANCE`` tiers start at once and end on a balance drop or after ``extend``
    (``CUSTOM``); ``POINTS_IN_PERIOD`` ones need a ``qualification_period``.
    """
    kind = body.choice("qualification_type", ("BALANCE", "POINTS_IN_PERIOD")) or "BALANCE"
    found: dict[str, Any] = {"qualification_type": kind}
    if kind == "POINTS_IN_PERIOD":
        body.require("qualification_period")
        found["qualification_period"] = body.choice("qualification_period", QUALIFICATION_PERIODS)
    start = body.obj("start_date")
    if start is not None:
        start.require("type")
        allowed = ("IMMEDIATE",) if kind == "BALANCE" else ("IMMEDIATE", "NEXT_PERIOD")
        found["start_date"] = {"type": start.choice("type", allowed)}
    expiration = body.obj("expiration_date")
    if expiration is not None:
        found["expiration_date"] = _expiration(expiration, kind)
    return found


def _expiration(body: Body, kind: str) -> dict[str, Any]:
    body.require("type")
    allowed = (
        ("BALANCE_DROP", "CUSTOM")
        if kind == "BALANCE"
        else ("END_OF_PERIOD", "END_OF_NEXT_PERIOD", "CUSTOM")
    )
    expiration_type = body.choice("type", allowed)
    found: dict[str, Any] = {"type": expiration_type}
    # LoyaltyTiersExpirationAll requires extend beside type (P0D: none).
    body.require("extend")
    extend = body.string("extend") or ""
    if not valid_duration(extend):
        body.fail("extend", "must be an ISO 8601 duration of years, months, weeks or days")
    found["extend"] = extend
    rounding = body.obj("rounding")
    if rounding is not None:
        rounding_type = rounding.choice("type", ("MONTH", "QUARTER", "HALF_YEAR", "YEAR", "CUSTOM"))
        kept: dict[str, Any] = {"type": rounding_type or "MONTH"}
        kept["strategy"] = rounding.choice("strategy", ("START", "END")) or "END"
        if rounding_type == "CUSTOM":
            rounding.require("value")
            kept["unit"] = rounding.choice("unit", ("MONTH",)) or "MONTH"
            kept["value"] = rounding.integer("value", minimum=0, maximum=11)
        found["rounding"] = kept
    return found


def create_tiers(call: Call) -> tuple[int, Any]:
    """``POST …/tiers``: an array of tiers, all created or none."""
    items = json_array(call)
    if not items:
        raise errors.invalid_payload("Payload must NOT have fewer than 1 items")
    specs = [_tier_spec(Body(item, f"[{index}]")) for index, item in enumerate(items)]
    made = call.session.tiers.create(call.params["campaignId"], specs)
    return 200, [tier_json(tier) for tier in made]


def list_tiers(call: Call) -> tuple[int, Any]:
    """``GET …/tiers``: a program's tiers, oldest first unless ``order`` says."""
    query = Query(call.request.query)
    limit = query.integer("limit", minimum=1, maximum=100, default=10)
    tiers = call.session.tiers.page(
        call.params["campaignId"], order=query.choice("order", _ORDERS, "created_at")
    )
    data = [tier_json(tier) for tier in tiers[:limit]]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(tiers)}


def get_tier(call: Call) -> tuple[int, Any]:
    """``GET …/tiers/{loyaltyTierId}``."""
    tier = call.session.tiers.get(call.params["campaignId"], call.params["loyaltyTierId"])
    return 200, tier_json(tier)


def list_member_tiers(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/members/{memberId}/tiers``: the member's tier now, if any."""
    _, found = call.session.tiers.of_member(call.params["memberId"])
    data = [tier_json(tier, state) for tier, state in found]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def list_tier_earning_rules(call: Call) -> tuple[int, Any]:
    """``GET …/tiers/{loyaltyTierId}/earning-rules``: the program's rules, as the tier maps them."""
    session = call.session
    tier = session.tiers.get(call.params["campaignId"], call.params["loyaltyTierId"])
    page = paging.page(Query(call.request.query))
    rules = [r for r in session.project.earning_rules.values() if r.campaign_id == tier.campaign_id]
    data = [tier_earning_rule_json(rule, tier) for rule in Page(page.limit, page.number).of(rules)]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(rules)}


def list_tier_rewards(call: Call) -> tuple[int, Any]:
    """``GET …/tiers/{loyaltyTierId}/rewards``: the program's rewards, priced for the tier."""
    session = call.session
    tier = session.tiers.get(call.params["campaignId"], call.params["loyaltyTierId"])
    project = session.project
    data = [
        tier_reward_json(project.rewards[assignment.reward_id], assignment, tier)
        for assignment in assignments_of(project, tier.campaign_id)
        if assignment.reward_id in project.rewards
    ]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        _TIERS,
        list_tiers,
        Operation(
            "list_loyalty_tiers",
            "A program's loyalty tiers, oldest first",
            "LoyaltyTiersList",
            query=[
                paging.LIMIT,
                query("order", {"enum": orders("created_at", "updated_at")}, "Default created_at."),
            ],
        ),
    ),
    Route(
        "POST",
        _TIERS,
        create_tiers,
        Operation(
            "create_loyalty_tiers",
            "Create loyalty tiers in bulk (an array)",
            "LoyaltyTiersCreated",
            body={"type": "array", "items": TIER_REQUEST, "minItems": 1},
            errors=" 404 earning_rule or reward: a mapping names one the program lacks.",
        ),
    ),
    Route(
        "GET",
        _TIER,
        get_tier,
        Operation("get_loyalty_tier", "A loyalty tier", "LoyaltyTier"),
    ),
    Route(
        "GET",
        _MEMBER_TIERS,
        list_member_tiers,
        Operation("list_member_loyalty_tiers", "A member's loyalty tier", "LoyaltyTiersList"),
    ),
    Route(
        "GET",
        f"{_TIER}/earning-rules",
        list_tier_earning_rules,
        Operation(
            "list_loyalty_tier_earning_rules",
            "A program's earning rules, as a tier maps their points",
            "LoyaltyTierEarningRulesList",
            query=[paging.LIMIT, paging.PAGE],
        ),
    ),
    Route(
        "GET",
        f"{_TIER}/rewards",
        list_tier_rewards,
        Operation(
            "list_loyalty_tier_rewards",
            "A program's rewards, priced for a tier",
            "LoyaltyTierRewardsList",
        ),
    ),
)
