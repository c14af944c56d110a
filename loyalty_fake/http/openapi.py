"""The OpenAPI 3.1 document of exactly what the fake implements, assembled, not restated.

One operation per row of the route table (``loyalty_fake.http.routes.ROUTES``), from the
declaration each area module gives its routes (``Operation``: parameters, request body,
response, error statuses); components from the ``SCHEMAS`` each ``*_json`` module writes
beside its serializers, key for key: a property the fake always sends is required, a
``null`` it sends is allowed (including the nulls of docs/spec-errata.md), and nothing it
never sends is promised. Schemas are named and shaped after Voucherify's own definitions
but written for the fake. Served at ``/_fake/openapi.json`` when the control plane is on,
and from Python by ``openapi_document()``; schemathesis drives the live server from it
(tests/test_fuzz.py).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from loyalty_fake.http import (
    activity_json,
    async_actions_json,
    campaigns_json,
    cards_json,
    common_json,
    custom_event_schemas,
    customer_activity_json,
    customer_redeemables,
    customers_json,
    earning_rules_json,
    events_json,
    exports_json,
    metadata_schemas,
    order_amounts_json,
    orders_json,
    pending_points_json,
    point_estimates,
    points_json,
    products_json,
    projects_json,
    publications_json,
    qualifications_json,
    redemptions_json,
    rewards_json,
    segments_json,
    stacking_json,
    stacking_rules,
    tiers_json,
    trash_bin,
    validation_rules_json,
    voucher_redemptions_json,
    vouchers_json,
    webhooks_json,
)
from loyalty_fake.http.app import MAX_BODY_BYTES
from loyalty_fake.http.common_json import Schema, ref
from loyalty_fake.http.routes import AREAS, ROUTES

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Operation

__all__ = ["openapi_document"]

_VERSION = "0.1.0"

# Every object the fake writes: a new one adds its module here.
_JSON_MODULES = (
    common_json,
    campaigns_json,
    cards_json,
    points_json,
    customers_json,
    activity_json,
    publications_json,
    rewards_json,
    redemptions_json,
    orders_json,
    earning_rules_json,
    events_json,
    products_json,
    segments_json,
    customer_activity_json,
    pending_points_json,
    async_actions_json,
    stacking_json,
    order_amounts_json,
    validation_rules_json,
    vouchers_json,
    qualifications_json,
    voucher_redemptions_json,
    webhooks_json,
    trash_bin,
    point_estimates,
    tiers_json,
    exports_json,
    projects_json,
    stacking_rules,
    metadata_schemas,
    custom_event_schemas,
    customer_redeemables,
)


# The client-side operations' keys, and the header a browser sends them with.
_CLIENT_SECURITY: dict[str, list[str]] = {"X-Client-Application-Id": [], "X-Client-Token": []}
_MANAGEMENT_SECURITY: dict[str, list[str]] = {"X-Management-Id": [], "X-Management-Token": []}
_ORIGIN: Schema = {
    "name": "origin",
    "in": "header",
    "required": False,
    "description": "Where a browser's request comes from; checked against client_origins "
    "when the project has any (Voucherify's spec requires it; mobile apps send none).",
    "schema": {"type": "string"},
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _success(spec: Operation) -> Schema:
    """The 200: the response's JSON, or a file's text in one of ``spec.files``."""
    success = _json(ref(spec.response or ""), "Success.")
    for media_type in spec.files:
        success["content"][media_type] = {"schema": {"type": "string"}}
    return success


def _unauthorized(spec: Operation) -> Schema:
    """The 401 an operation answers: which keys it takes."""
    if spec.client_side:
        return _json(
            ref("Unauthorized"),
            "Missing or wrong X-Client-Application-Id / X-Client-Token (server keys open "
            "nothing here), or an Origin the project does not allow.",
        )
    if spec.management:
        return _json(ref("Error"), "Missing or wrong X-Management-Id / X-Management-Token.")
    return _json(ref("Unauthorized"), "Missing or wrong X-App-Id / X-App-Token.")


def _operation(spec: Operation) -> Schema:
    """One operation, with the 200 (or 204), 401 and error envelope every one answers."""
    responses: Schema = {}
    if spec.response is not None:
        responses["200"] = _success(spec)
    elif spec.accepted is None:
        responses["204"] = {"description": "Deleted: no content."}
    if spec.accepted is not None and spec.response is None:
        responses["202"] = _json(ref(spec.accepted), "Accepted: an async action, already done.")
    elif spec.accepted is not None:
        responses["202"] = _json(ref(spec.accepted), "Accepted: several cards, already added.")
    if spec.not_implemented is not None:
        responses["501"] = _json(ref("Error"), f"not_implemented: {spec.not_implemented}")
    responses["401"] = _unauthorized(spec)
    responses["default"] = _json(
        ref("Error"),
        "Voucherify's error envelope: 400 invalid input, 404 not found, 409 duplicate, "
        f"413 a body over {MAX_BODY_BYTES} bytes.{spec.errors}",
    )
    operation: Schema = {"operationId": spec.operation_id, "summary": spec.summary}
    if spec.client_side:
        operation["security"] = [_CLIENT_SECURITY]
    elif spec.management:
        operation["security"] = [_MANAGEMENT_SECURITY]
    parameters = [*spec.query, _ORIGIN] if spec.client_side else list(spec.query)
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        # The SDK sends empty bodies for some POSTs: an absent body counts as {}.
        operation["requestBody"] = {
            "required": "required" in spec.body,
            "content": {spec.media_type: {"schema": spec.body}},
        }
    operation["responses"] = responses
    return operation


def _path_parameters(template: str, descriptions: dict[str, str]) -> list[Schema]:
    names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": descriptions[name],
            "schema": {"type": "string", "minLength": 1},
        }
        for name in names
    ]


# The order /_fake/openapi.json has listed its schemas in since before they moved beside
# their serializers: kept, so that the served bytes did not change with the move (the golden
# transcript digests them). A schema added since follows these, in _JSON_MODULES' order.
_PUBLISHED_ORDER = (
    *("Category", "LoyaltyCardPoints", "NoValidationRules", "LoyaltyMember", "Voucher"),
    *("ExpirationRules", "CodeConfig", "Campaign", "Balance", "Transaction", "PointsBucket"),
    *("Customer", "SimpleCustomer", "SimpleCampaign", "SimpleVoucher", "PublicationRecord"),
    *("MemberActivity", "ShortVoucher", "Publication", "ListedPublication", "AsyncAction"),
    *("Redemptions", "Reward", "RewardAssignment", "RewardAssignmentCreated", "LoyaltyReward"),
    *("LoyaltyRewardsList", "ActivityReward", "RedemptionReward", "OrderItem", "Order"),
    *("Redemption", "RedemptionRollback", "FailedRedemption", "FailedRedemptionRollback"),
    *("RedemptionOrRollback", "Error", "Unauthorized", "RewardsList", "RewardAssignmentsList"),
    *("CampaignsList", "MembersList", "PublicationsList", "PointsBucketsList"),
    *("TransactionsList", "MemberActivityList"),
)


def _schemas() -> dict[str, Schema]:
    """Every ``*_json`` module's schemas, each name declared once."""
    declared: dict[str, Schema] = {}
    for module in _JSON_MODULES:
        for name, schema in module.SCHEMAS.items():
            if name in declared:
                msg = f"{module.__name__} declares the schema {name} a second time"
                raise ValueError(msg)
            declared[name] = schema
    published = {name: declared.pop(name) for name in _PUBLISHED_ORDER if name in declared}
    return {**published, **declared}


@lru_cache(maxsize=1)
def _document() -> Schema:
    descriptions = {name: text for area in AREAS for name, text in area.PATH_PARAMETERS.items()}
    paths: dict[str, Schema] = {}
    for route in ROUTES:
        path_item = paths.setdefault(route.template, {})
        parameters = _path_parameters(route.template, descriptions)
        if parameters:
            path_item["parameters"] = parameters
        # Shared, not copied: openapi_document() hands out a deep copy of the whole.
        path_item[route.method.lower()] = _operation(route.spec)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "loyalty-fake",
            "version": _VERSION,
            "description": (
                "Exactly the Voucherify operations loyalty-fake implements, with the "
                "responses it sends. Any other of Voucherify's operations answers 501 "
                "not_implemented naming it; a method no operation has on a path, 405 with an "
                "Allow header; a path Voucherify does not have, 404 not_found."
            ),
        },
        "servers": [{"url": "https://api.voucherify.io"}],
        "security": [{"X-App-Id": [], "X-App-Token": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                name: {"type": "apiKey", "in": "header", "name": name}
                for name in ("X-App-Id", "X-App-Token", *_CLIENT_SECURITY, *_MANAGEMENT_SECURITY)
            },
            "schemas": _schemas(),
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every operation the fake implements (a fresh copy)."""
    return copy.deepcopy(_document())
