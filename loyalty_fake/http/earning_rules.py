"""``/v1/loyalties/{campaignId}/earning-rules``: create, list, get, update, delete, enable, disable.

Rules for ``order.paid``, custom events and ``customer.segment.entered`` (``segment.id``),
awarding ``FIXED`` or ``PROPORTIONAL`` points (every ``calculation_type``), ``order.paid`` ones
optionally as pending points, and the tier events ``customer.loyalty.tier.*`` (``loyalty_tier.id``);
points formulas answer 501.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http import paging
from loyalty_fake.http.campaigns import read_expiration_rules
from loyalty_fake.http.declare import Operation, Route, orders, query
from loyalty_fake.http.earning_rules_json import RULE_REQUEST, earning_rule_json
from loyalty_fake.http.params import Body, Query, parse_json_body, parse_json_objects
from loyalty_fake.ledger.cards import MAX_POINTS
from loyalty_fake.ledger.earning_rules import EARNING_RULE_ORDERS, PROPORTIONAL_PLACES, RuleSpec
from loyalty_fake.ledger.validity import clock_minutes, parse_duration

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {"earningRuleId": "An earning rule's ID (ern_)."}

_RULES = "/v1/loyalties/{campaignId}/earning-rules"
_RULE = f"{_RULES}/{{earningRuleId}}"
_NOT_YET = "points_formula"
# pending_points.period_value: "The minimum value is 1, maximum is 90" (days).
_PENDING_DAYS = (1, 90)
_ITEM_OBJECTS = ("products_collection", "product", "sku")


def _not_yet(what: str) -> errors.VoucherifyError:
    return errors.not_implemented(
        "earning_rule",
        f"loyalty-fake does not implement {what} in earning rules yet; order.paid, custom "
        "events, customer.segment.entered and tier events with FIXED or PROPORTIONAL points work",
    )


def _event(body: Body, *, required: bool) -> str | None:
    if required:
        body.require("event")
    return body.string("event", non_empty=True)


def _positive(body: Body, key: str) -> int:
    body.require(key)
    value = body.integer(key, minimum=1, maximum=MAX_POINTS)
    assert value is not None  # noqa: S101 - require() and integer() leave nothing else
    return value


def _targets(ratio: Body) -> dict[str, Any]:
    """What lines an ORDER_ITEMS ratio covers: ``object`` and ``id``, or ``applicable_to``."""
    found: dict[str, Any] = {}
    kind = ratio.choice("object", _ITEM_OBJECTS)
    ident = ratio.string("id", non_empty=True)
    if (kind is None) != (ident is None):
        ratio.require("id" if ident is None else "object")
    targets: list[tuple[str | None, str | None]] = [(kind, ident)] if kind is not None else []
    raw = ratio.data.get("applicable_to")
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
            ratio.fail("applicable_to", "must be array of objects")
        applicable = []
        for index, entry in enumerate(raw):
            target = Body(entry, f"{ratio.path}.applicable_to[{index}]")
            target.require("object")
            target.require("id")
            pair = (target.choice("object", _ITEM_OBJECTS), target.string("id", non_empty=True))
            applicable.append({"object": pair[0], "id": pair[1]})
            targets.append(pair)
        found["applicable_to"] = applicable
    for target_kind, target_id in targets:
        if target_kind == "products_collection":
            raise errors.not_found("products_collection", str(target_id))
    if kind is not None:
        found = {"object": kind, "id": ident, **found}
    return found


def _ratio(loyalty: Body, kind: str) -> dict[str, Any]:
    """A PROPORTIONAL rule's ``{<where>: {<what>: {every, points, ...}}}``."""
    where, what = PROPORTIONAL_PLACES[kind]
    outer = loyalty.obj(where)
    inner = outer.obj(what) if outer is not None else None
    if inner is None:
        # Voucherify's own wording (the spec's 400 example for create).
        raise errors.invalid_payload(
            f"Loyalty {where} rules must contain one of the following properties - '{what}'"
        )
    if inner.data.get("points_formula") is not None:
        raise _not_yet("points_formula")
    ratio: dict[str, Any] = {
        "every": _positive(inner, "every"),
        "points": _positive(inner, "points"),
    }
    if kind.endswith("_METADATA"):
        inner.require("property")
        ratio["property"] = inner.string("property", non_empty=True)
    if where == "order_items":
        ratio.update(_targets(inner))
    return {where: {what: ratio}}


def _loyalty(body: Body) -> dict[str, Any]:
    """How many points a rule awards: ``FIXED`` or ``PROPORTIONAL`` (as Voucherify shows it)."""
    body.require("loyalty")
    loyalty = body.obj("loyalty")
    assert loyalty is not None  # noqa: S101 - require() and obj() leave nothing else
    loyalty.require("type")
    kind = loyalty.choice("type", ("FIXED", "PROPORTIONAL"))
    if loyalty.data.get("points_formula") is not None:
        raise _not_yet("points_formula")
    if kind == "FIXED":
        return {"points": _positive(loyalty, "points"), "type": "FIXED"}
    loyalty.require("calculation_type")
    calculation = loyalty.choice("calculation_type", tuple(PROPORTIONAL_PLACES))
    assert calculation is not None  # noqa: S101 - require() and choice() leave nothing else
    return {"type": "PROPORTIONAL", "calculation_type": calculation, **_ratio(loyalty, calculation)}


def _validity(body: Body) -> dict[str, Any] | None:
    """``validity_timeframe``, ``validity_day_of_week`` and ``validity_hours``, checked."""
    found: dict[str, Any] = {}
    timeframe = body.obj("validity_timeframe")
    if timeframe is not None:
        timeframe.require("duration")
        kept = {}
        for key in ("duration", "interval"):
            value = timeframe.string(key)
            if value is not None:
                if parse_duration(value) is None:
                    timeframe.fail(key, "must be an ISO 8601 duration of weeks, days or time")
                kept[key] = value
        found["validity_timeframe"] = kept
    days = _days(body, "validity_day_of_week")
    if days is not None:
        found["validity_day_of_week"] = days
    hours = body.obj("validity_hours")
    if hours is not None:
        found["validity_hours"] = {"daily": _daily(hours)}
    return found or None


def _days(body: Body, key: str) -> list[int] | None:
    days = body.data.get(key)
    if days is None:
        return None
    if not isinstance(days, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6  # noqa: PLR2004
        for day in days
    ):
        body.fail(key, "must be array of integers from 0 to 6")
    return list(days)


def _daily(hours: Body) -> list[dict[str, Any]]:
    raw = hours.data.get("daily")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        hours.fail("daily", "must be array of objects")
    periods = []
    for index, entry in enumerate(raw):
        period = Body(entry, f"{hours.path}.daily[{index}]")
        kept: dict[str, Any] = {}
        for key in ("start_time", "expiration_time"):
            period.require(key)
            value = period.string(key)
            if value is None or clock_minutes(value) is None:
                period.fail(key, "must be a time of day, HH:mm")
            kept[key] = value
        days = _days(period, "days_of_week")
        if days is not None:
            kept["days_of_week"] = days
        periods.append(kept)
    return periods


def _pending_points(body: Body) -> dict[str, Any] | None:
    """``pending_points``: ``{period_type: DAY, period_value: 1..90}``, a whole number of days."""
    pending = body.obj("pending_points")
    if pending is None:
        return None
    period_type = pending.choice("period_type", ("DAY",)) or "DAY"
    pending.require("period_value")
    days = pending.integer("period_value", minimum=_PENDING_DAYS[0], maximum=_PENDING_DAYS[1])
    return {"period_type": period_type, "period_value": days}


def _spec(body: Body, *, create: bool) -> RuleSpec:
    """What a create (or update) request sets on a rule; 400 or 501 for what it cannot."""
    event = _event(body, required=create) if create else None
    tier = body.obj("loyalty_tier") if create else None
    if tier is not None:
        tier.require("id")
    segment = body.obj("segment") if create else None
    segment_id = segment.string("id", non_empty=True) if segment is not None else None
    loyalty = _loyalty(body) if create or body.data.get("loyalty") is not None else None
    source = body.obj("source")
    custom_event = body.obj("custom_event")
    rules = body.obj("expiration_rules")
    start_date = body.timestamp("start_date")
    validity = _validity(body)
    if create and validity and "validity_timeframe" in validity and start_date is None:
        body.fail("start_date", "is required when validity_timeframe is given")
    return RuleSpec(
        event=event,
        loyalty=loyalty,
        banner=source.string("banner") if source is not None else None,
        active=body.boolean("active"),
        start_date=start_date,
        expiration_date=body.timestamp("expiration_date"),
        validity=validity,
        schema_id=custom_event.string("schema_id", non_empty=True) if custom_event else None,
        metadata=body.mapping("metadata"),
        expiration_rules=read_expiration_rules(rules) if rules is not None else None,
        validation_rule_id=body.string("validation_rule_id"),
        segment_id=segment_id,
        loyalty_tier_id=tier.string("id", non_empty=True) if tier is not None else None,
        pending_points=_pending_points(body),
        # "Pass null to remove pending points from the earning rule."
        remove_pending_points=not create
        and "pending_points" in body.data
        and body.data["pending_points"] is None,
    )


def create_earning_rules(call: Call) -> tuple[int, Any]:
    """``POST …/earning-rules``: an array of rules (or one rule), all created or none."""
    items, _ = parse_json_objects(call.request)
    specs = [
        _spec(Body(item, f"[{index}]" if len(items) > 1 else ""), create=True)
        for index, item in enumerate(items)
    ]
    made = call.session.earning_rules.create(call.params["campaignId"], specs)
    return 200, [earning_rule_json(rule) for rule in made]


def list_earning_rules(call: Call) -> tuple[int, Any]:
    """``GET …/earning-rules``: a program's earning rules, oldest first unless ``order`` says."""
    query = Query(call.request.query)
    page = paging.page(query)
    rules, total = call.session.earning_rules.page(
        call.params["campaignId"],
        limit=page.limit,
        page=page.number,
        order=query.choice("order", EARNING_RULE_ORDERS, "created_at"),
    )
    data = [earning_rule_json(rule) for rule in rules]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": total}


def get_earning_rule(call: Call) -> tuple[int, Any]:
    """``GET …/earning-rules/{earningRuleId}``."""
    rule = call.session.earning_rules.get(call.params["campaignId"], call.params["earningRuleId"])
    return 200, earning_rule_json(rule)


def update_earning_rule(call: Call) -> tuple[int, Any]:
    """``PUT …/earning-rules/{earningRuleId}``: what it gives changes; the event stays."""
    spec = _spec(Body(parse_json_body(call.request)), create=False)
    rule = call.session.earning_rules.update(
        call.params["campaignId"], call.params["earningRuleId"], spec
    )
    return 200, earning_rule_json(rule)


def delete_earning_rule(call: Call) -> tuple[int, Any]:
    """``DELETE …/earning-rules/{earningRuleId}``: 204; points it gave stay."""
    call.session.earning_rules.delete(call.params["campaignId"], call.params["earningRuleId"])
    return 204, None


def _switch(*, active: bool) -> Any:
    def handler(call: Call) -> tuple[int, Any]:
        rule = call.session.earning_rules.set_active(
            call.params["campaignId"], call.params["earningRuleId"], active=active
        )
        return 200, earning_rule_json(rule)

    handler.__doc__ = f"``POST …/{'enable' if active else 'disable'}``: the rule, active or not."
    return handler


_LIST_QUERY = [
    paging.LIMIT,
    paging.PAGE,
    query("order", {"enum": orders("created_at", "updated_at")}, "Default created_at."),
]
_CREATE_BODY = {
    "oneOf": [RULE_REQUEST, {"type": "array", "items": RULE_REQUEST, "minItems": 1}],
}

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        _RULES,
        create_earning_rules,
        Operation(
            "create_earning_rules",
            "Create earning rules for order.paid and custom events",
            "EarningRulesCreated",
            body=_CREATE_BODY,
            not_implemented=f"{_NOT_YET} is not.",
            errors=" 404 validation_rules: an unknown validation_rule_id.",
        ),
    ),
    Route(
        "GET",
        _RULES,
        list_earning_rules,
        Operation(
            "list_earning_rules",
            "A program's earning rules, oldest first",
            "EarningRulesList",
            query=_LIST_QUERY,
        ),
    ),
    Route(
        "GET",
        _RULE,
        get_earning_rule,
        Operation("get_earning_rule", "An earning rule", "EarningRule"),
    ),
    Route(
        "PUT",
        _RULE,
        update_earning_rule,
        Operation(
            "update_earning_rule",
            "Change an earning rule (not its event)",
            "EarningRule",
            body={"type": "object", "properties": RULE_REQUEST["properties"]},
            not_implemented=f"{_NOT_YET} is not.",
        ),
    ),
    Route(
        "DELETE",
        _RULE,
        delete_earning_rule,
        Operation("delete_earning_rule", "Delete an earning rule", None),
    ),
    Route(
        "POST",
        f"{_RULE}/enable",
        _switch(active=True),
        Operation("enable_earning_rule", "Enable an earning rule", "EarningRule"),
    ),
    Route(
        "POST",
        f"{_RULE}/disable",
        _switch(active=False),
        Operation("disable_earning_rule", "Disable an earning rule", "EarningRule"),
    ),
)
