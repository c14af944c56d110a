"""``/management/v1/projects/{projectId}/stacking-rules``: the project's stacking rules.

A project has Voucherify's default rules until the Management API gives it its own (one set
at most: a second create is 409); the stacked validations and redemptions then follow
them (``ledger/settings.stacking_rules``). Deleting them brings the defaults back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http.common_json import (
    COUNT,
    STRING,
    TIMESTAMP,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.declare import Route
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.http.projects import managed
from loyalty_fake.ledger.settings import Settings, stacking_rules

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.settings import Setting

__all__ = ["PATH_PARAMETERS", "ROUTES", "SCHEMAS"]

PATH_PARAMETERS = {"stackingRulesId": "The project's stacking rules' ID (stk_)."}

_CATEGORY_LISTS = (
    "exclusive_categories",
    "joint_categories",
    "initial_amount_mode_categories",
    "discounted_amount_mode_categories",
    "no_effect_skip_categories",
    "no_effect_redeem_anyway_categories",
)
# (minimum, maximum, nullable): the reference's bounds (StackingRules, the management base).
_LIMITS = {
    "redeemables_limit": (1, 30, False),
    "applicable_redeemables_limit": (1, 30, False),
    "applicable_redeemables_per_category_limit": (1, 5, True),
    "applicable_exclusive_redeemables_limit": (1, 5, False),
    "applicable_exclusive_redeemables_per_category_limit": (1, 5, True),
}
_MODES = {
    "discount_calculation_mode": ("INITIAL_AMOUNT", "DISCOUNTED_AMOUNT"),
    "redeemables_application_mode": ("ALL", "PARTIAL"),
    "redeemables_sorting_rule": ("CATEGORY_HIERARCHY", "REQUESTED_ORDER"),
    "redeemables_products_application_mode": ("STACK", "ONCE"),
    "redeemables_no_effect_rule": ("REDEEM_ANYWAY", "SKIP"),
    "redeemables_rollback_order_mode": ("WITH_ORDER", "WITHOUT_ORDER"),
}
# What the Management API shows beside the validations' rules (those have no such fields):
# a stack's discounts each work on the amount the ones before left, as the fake calculates.
_MANAGEMENT_DEFAULTS: dict[str, Any] = {
    "discount_calculation_mode": "DISCOUNTED_AMOUNT",
    "initial_amount_mode_categories": [],
    "discounted_amount_mode_categories": [],
}
_STRINGS: Schema = {"type": "array", "items": STRING}
_BODY: Schema = {
    "type": "object",
    "properties": {
        **dict.fromkeys(_CATEGORY_LISTS, _STRINGS),
        **{
            name: {"type": ["integer", "null"] if empty else "integer", "minimum": low}
            | {"maximum": high}
            for name, (low, high, empty) in _LIMITS.items()
        },
        **{name: {"enum": list(values)} for name, values in _MODES.items()},
    },
}


def _rules_body(call: Call) -> dict[str, Any]:
    """The rules a create or update body sets, checked; 400 ``invalid_payload`` else."""
    body = Body(parse_json_body(call.request))
    fields: dict[str, Any] = {}
    for name in _CATEGORY_LISTS:
        value = body.data.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
            body.fail(name, "must be array of strings")
        fields[name] = list(value)
    for name, (low, high, _) in _LIMITS.items():
        limit = body.integer(name, minimum=low, maximum=high)
        if limit is not None:
            fields[name] = limit
    for name, values in _MODES.items():
        mode = body.choice(name, values)
        if mode is not None:
            fields[name] = mode
    return fields


def stacking_rules_json(call: Call, found: Setting) -> dict[str, Any]:
    """The project's stacking rules, ``found`` over the defaults, as the Management API shows."""
    body: dict[str, Any] = {"id": found.id}
    body.update(_MANAGEMENT_DEFAULTS)
    body.update(stacking_rules(call.session))
    body["created_at"] = format_timestamp(found.created_at)
    if found.updated_at is not None:
        body["updated_at"] = format_timestamp(found.updated_at)
    return body


def list_stacking_rules(call: Call) -> tuple[int, Any]:
    """``GET .../stacking-rules``: the project's own rules (none while it has the defaults)."""
    found = Settings(call.session).records("stacking_rules")
    data = [stacking_rules_json(call, each) for each in found]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def create_stacking_rules(call: Call) -> tuple[int, Any]:
    """``POST .../stacking-rules``: the project's rules; 409 when it has its own already."""
    settings = Settings(call.session)
    fields = _rules_body(call)
    taken = settings.records("stacking_rules")
    if taken:
        raise errors.duplicate_found("stacking_rules", taken[0].id)
    return 200, stacking_rules_json(call, settings.create("stacking_rules", fields))


def get_stacking_rules(call: Call) -> tuple[int, Any]:
    """``GET .../stacking-rules/{stackingRulesId}``."""
    found = Settings(call.session).get("stacking_rules", call.params["stackingRulesId"])
    return 200, stacking_rules_json(call, found)


def update_stacking_rules(call: Call) -> tuple[int, Any]:
    """``PUT .../stacking-rules/{stackingRulesId}``: the named rules change."""
    settings = Settings(call.session)
    rules_id = call.params["stackingRulesId"]
    settings.get("stacking_rules", rules_id)  # 404 before the body's 400
    changed = settings.update_record("stacking_rules", rules_id, _rules_body(call))
    return 200, stacking_rules_json(call, changed)


def delete_stacking_rules(call: Call) -> tuple[int, Any]:
    """``DELETE .../stacking-rules/{stackingRulesId}``: 204; the defaults apply again."""
    Settings(call.session).delete("stacking_rules", call.params["stackingRulesId"])
    return 204, None


_RULES = {
    **dict.fromkeys(_CATEGORY_LISTS[:4], _STRINGS),
    **{
        name: nullable({"type": "integer"}) if empty else {"type": "integer"}
        for name, (_, _, empty) in _LIMITS.items()
    },
    **{name: enum(*values) for name, values in _MODES.items()},
}
SCHEMAS: dict[str, Schema] = {
    "ManagementStackingRules": obj(
        {"id": STRING, **_RULES, "created_at": TIMESTAMP},
        {"updated_at": TIMESTAMP, **dict.fromkeys(_CATEGORY_LISTS[4:], _STRINGS)},
    ),
    "ManagementStackingRulesList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("ManagementStackingRules"), "maxItems": 1},
            "total": COUNT,
        }
    ),
}

_MANY = "/management/v1/projects/{projectId}/stacking-rules"
_ONE = _MANY + "/{stackingRulesId}"
_RESOURCE = "project or stacking rules"


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        _MANY,
        list_stacking_rules,
        managed(
            _RESOURCE,
            "list_stacking_rules",
            "The project's own stacking rules (none: Voucherify's defaults apply)",
            "ManagementStackingRulesList",
        ),
    ),
    Route(
        "POST",
        _MANY,
        create_stacking_rules,
        managed(
            _RESOURCE,
            "create_stacking_rules",
            "Give the project its stacking rules (409 when it has its own)",
            "ManagementStackingRules",
            body=_BODY,
        ),
    ),
    Route(
        "GET",
        _ONE,
        get_stacking_rules,
        managed(
            _RESOURCE,
            "get_stacking_rules",
            "The project's stacking rules",
            "ManagementStackingRules",
        ),
    ),
    Route(
        "PUT",
        _ONE,
        update_stacking_rules,
        managed(
            _RESOURCE,
            "update_stacking_rules",
            "Change the project's stacking rules",
            "ManagementStackingRules",
            body=_BODY,
        ),
    ),
    Route(
        "DELETE",
        _ONE,
        delete_stacking_rules,
        managed(
            _RESOURCE,
            "delete_stacking_rules",
            "Delete the project's stacking rules (defaults again)",
            None,
        ),
    ),
)
