"""What discount and gift requests carry: a ``discount``, a ``gift``, a voucher's own fields.

Read into plain values for the ledger: a discount stays Voucherify's ``Discount`` JSON
object (validated, known keys only) so that ``ledger/discounts.py`` reads one shape.
The request schemas beside the readers go into the fake's OpenAPI document.
"""

from __future__ import annotations

import math
from typing import Any

from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, STRING, TIMESTAMP, Schema, enum
from loyalty_fake.http.params import MAX_INTEGER, Body

__all__ = [
    "DISCOUNT_REQUEST",
    "GIFT_REQUEST",
    "VOUCHER_OWN_FIELDS",
    "read_discount",
    "read_gift",
    "read_voucher_own",
]

# Effects per discount type (the spec's Discount*VouchersEffectTypes).
_EFFECTS = {
    "AMOUNT": (
        "APPLY_TO_ORDER",
        "APPLY_TO_ITEMS",
        "APPLY_TO_ITEMS_PROPORTIONALLY",
        "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY",
        "APPLY_TO_ITEMS_BY_QUANTITY",
    ),
    "PERCENT": ("APPLY_TO_ORDER", "APPLY_TO_ITEMS"),
    "FIXED": ("APPLY_TO_ORDER", "APPLY_TO_ITEMS"),
    "UNIT": ("ADD_MISSING_ITEMS", "ADD_NEW_ITEMS", "ADD_MANY_ITEMS"),
}
# The number each type needs (or its formula instead), and its upper bound.
_VALUE = {
    "AMOUNT": ("amount_off", MAX_INTEGER),
    "PERCENT": ("percent_off", 100),
    "FIXED": ("fixed_amount", MAX_INTEGER),
}
_GIFT_EFFECTS = ("APPLY_TO_ORDER", "APPLY_TO_ITEMS")
_NUMBER: Schema = {"type": "number", "minimum": 0}

DISCOUNT_REQUEST: Schema = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": enum(*_EFFECTS),
        "amount_off": _NUMBER,
        "percent_off": {"type": "number", "minimum": 0, "maximum": 100},
        "fixed_amount": _NUMBER,
        "amount_limit": _NUMBER,
        "aggregated_amount_limit": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
        "unit_off": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
        "unit_type": STRING,
        "units": {"type": "array", "items": FREE_OBJECT},
        "effect": enum(*dict.fromkeys(e for effects in _EFFECTS.values() for e in effects)),
        "is_dynamic": BOOLEAN,
        "amount_off_formula": STRING,
        "percent_off_formula": STRING,
        "fixed_amount_formula": STRING,
        "unit_off_formula": STRING,
        "product": FREE_OBJECT,
        "sku": FREE_OBJECT,
    },
}

GIFT_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "amount": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
        "effect": enum(*_GIFT_EFFECTS),
    },
}

# What a voucher may say for itself instead of its campaign (create, update, add).
VOUCHER_OWN_FIELDS: dict[str, Schema] = {
    "additional_info": STRING,
    "start_date": TIMESTAMP,
    "expiration_date": TIMESTAMP,
    "validity_timeframe": {
        "type": "object",
        "properties": {"duration": STRING, "interval": STRING},
    },
    "validity_day_of_week": {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 6},
    },
    "validity_hours": FREE_OBJECT,
}


def _number(body: Body, key: str, maximum: float) -> float | int | None:
    """A non-negative finite number property (integers stay integers), or ``None``."""
    value = body.data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        body.fail(key, "must be number")
    if value < 0:
        body.fail(key, "must be >= 0")
    if value > maximum:
        body.fail(key, f"must be <= {maximum}")
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _unit(body: Body, *, many: bool) -> dict[str, Any]:
    """One unit discount (``unit_type`` and ``unit_off``), as a single or a ``units`` item."""
    unit: dict[str, Any] = {}
    body.require("unit_type")
    unit_off = body.integer("unit_off", minimum=0)
    if unit_off is not None:
        unit["unit_off"] = unit_off
    unit["unit_type"] = body.string("unit_type", non_empty=True)
    effects = ("ADD_MISSING_ITEMS", "ADD_NEW_ITEMS") if many else _EFFECTS["UNIT"]
    unit["effect"] = body.choice("effect", effects) or "ADD_MISSING_ITEMS"
    for key in ("unit_off_formula",):
        text = body.string(key)
        if text is not None:
            unit[key] = text
    for key in ("product", "sku"):
        found = body.mapping(key)
        if found is not None:
            unit[key] = found
    return unit


def _units(body: Body, units: Any) -> list[dict[str, Any]]:
    """A unit discount's ``units``: each a unit of its own; 400 unless objects."""
    if not isinstance(units, list) or not units or not all(isinstance(u, dict) for u in units):
        body.fail("units", "must be a non-empty array of objects")
    return [
        _unit(Body(unit, f"{body.path}.units[{index}]"), many=True)
        for index, unit in enumerate(units)
    ]


def _limits(body: Body, kind: str) -> dict[str, Any]:
    """An amount or percent discount's limits, and whether it is dynamic."""
    found: dict[str, Any] = {}
    if kind == "PERCENT":
        found["amount_limit"] = _number(body, "amount_limit", MAX_INTEGER)
    if kind in ("AMOUNT", "PERCENT"):
        found["aggregated_amount_limit"] = body.integer("aggregated_amount_limit", minimum=0)
    found["effect"] = body.choice("effect", _EFFECTS[kind]) or "APPLY_TO_ORDER"
    found["is_dynamic"] = body.boolean("is_dynamic")
    return {key: value for key, value in found.items() if value is not None}


def read_discount(body: Body) -> dict[str, Any]:
    """A ``discount`` object, validated per its type; 400 ``invalid_payload`` otherwise.

    Only the keys the spec gives its type are kept; ``effect`` defaults to
    ``APPLY_TO_ORDER`` (``ADD_MISSING_ITEMS`` for a unit discount), as Voucherify echoes it.
    """
    body.require("type")
    kind = body.choice("type", tuple(_EFFECTS))
    assert kind is not None  # noqa: S101 - guaranteed by require()
    discount: dict[str, Any] = {"type": kind}
    if kind == "UNIT":
        units = body.data.get("units")
        if units is None:
            return discount | _unit(body, many=False)
        discount["units"] = _units(body, units)
        discount["effect"] = body.choice("effect", ("ADD_MANY_ITEMS",)) or "ADD_MANY_ITEMS"
        return discount
    key, maximum = _VALUE[kind]
    formula = body.string(f"{key}_formula")
    value = _number(body, key, maximum)
    if value is None and formula is None:
        body.require(key)
    if value is not None:
        discount[key] = value
    if formula is not None:
        discount[f"{key}_formula"] = formula
    return discount | _limits(body, kind)


def read_gift(body: Body, *, required: bool = True) -> dict[str, Any]:
    """A ``gift``: ``amount`` in cents (required unless ``required`` is false), ``effect``."""
    if required:
        body.require("amount")
    gift: dict[str, Any] = {}
    amount = body.integer("amount", minimum=0)
    if amount is not None:
        gift["amount"] = amount
    effect = body.choice("effect", _GIFT_EFFECTS)
    if effect is not None:
        gift["effect"] = effect
    return gift


def read_voucher_own(body: Body) -> dict[str, Any]:
    """The fields a voucher may set for itself (``VOUCHER_OWN_FIELDS``, and redemption)."""
    own: dict[str, Any] = {}
    info = body.string("additional_info")
    if info is not None:
        own["additional_info"] = info
    for key in ("start_date", "expiration_date"):
        moment = body.timestamp(key)
        if moment is not None:
            own[key] = moment
    timeframe = body.obj("validity_timeframe")
    if timeframe is not None:
        own["validity_timeframe"] = {
            key: value
            for key in ("duration", "interval")
            if (value := timeframe.string(key)) is not None
        }
    days = body.data.get("validity_day_of_week")
    if days is not None:
        if not isinstance(days, list) or not all(
            isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6  # noqa: PLR2004
            for day in days
        ):
            body.fail("validity_day_of_week", "must be array of integers from 0 to 6")
        own["validity_day_of_week"] = list(days)
    hours = body.mapping("validity_hours")
    if hours is not None:
        own["validity_hours"] = hours
    redemption = body.obj("redemption")
    if redemption is not None and "quantity" in redemption.data:
        own["redemption_quantity"] = redemption.integer("quantity", minimum=1)
    return own
