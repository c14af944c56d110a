"""The route table: every operation the fake implements, area by area.

Each area module (``campaigns``, ``members``, …) declares its routes and what the OpenAPI
document says of them (``declare.Route``); ``ROUTES`` joins them.

Beside it, every operation of Voucherify's API (``VOUCHERIFY_OPERATIONS``, generated from its
OpenAPI reference), so that a request the fake does not serve gets Voucherify's answer.
"""

from __future__ import annotations

import json
from importlib import resources

import attrs

from loyalty_fake.http import (
    assignments,
    async_actions,
    campaign_transactions,
    campaigns,
    campaigns_api,
    categories,
    custom_event_schemas,
    customer_activity,
    customers,
    earning_rules,
    events,
    imports,
    members,
    metadata_schemas,
    orders,
    pending_points,
    points,
    product_imports,
    products,
    projects,
    publications,
    qualifications,
    redemptions,
    reward_assignments,
    rewards,
    segments,
    stacking,
    stacking_rules,
    transfers,
    validation_rules,
    voucher_csv,
    voucher_imports,
    vouchers,
    vouchers_api,
)
from loyalty_fake.http.assignments import ASSIGNMENTS, REWARD_ASSIGNMENTS
from loyalty_fake.http.client_side import client_routes
from loyalty_fake.http.declare import Operation, Route, bind, split
from loyalty_fake.http.members import MEMBER, MEMBER_BY_CODE

__all__ = [
    "AREAS",
    "ASSIGNMENTS",
    "MEMBER",
    "MEMBER_BY_CODE",
    "REWARD_ASSIGNMENTS",
    "ROUTES",
    "VOUCHERIFY_OPERATIONS",
    "VOUCHERIFY_OPERATIONS_FILE",
    "Operation",
    "Route",
    "VoucherifyOperation",
    "allowed_methods",
    "match",
    "voucherify_operation",
]

# Each area module declares its own routes (and what the OpenAPI document says of them);
# the table is theirs end to end, in this order. A new area adds one line here.
AREAS = (
    campaigns,
    members,
    points,
    customers,
    orders,
    vouchers,
    publications,
    rewards,
    assignments,
    reward_assignments,
    redemptions,
    earning_rules,
    events,
    products,
    segments,
    customer_activity,
    pending_points,
    async_actions,
    imports,
    product_imports,
    stacking,
    validation_rules,
    campaigns_api,
    vouchers_api,
    campaign_transactions,
    voucher_imports,
    qualifications,
    voucher_csv,
    transfers,
    categories,
    projects,
    stacking_rules,
    metadata_schemas,
    custom_event_schemas,
)

_SERVER_ROUTES = tuple(route for area in AREAS for route in area.ROUTES)
# Then the client-side operations (/client/v1/...) whose server-side twin is served.
ROUTES: tuple[Route, ...] = (*_SERVER_ROUTES, *client_routes(_SERVER_ROUTES))


@attrs.frozen
class VoucherifyOperation:
    """One operation of Voucherify's API reference: method, path template, id and summary."""

    method: str
    path: str
    operation_id: str
    summary: str
    group: str
    source: str
    segments: tuple[str, ...] = attrs.field(init=False)

    @segments.default
    def _split(self) -> tuple[str, ...]:
        return split(self.path)

    @property
    def operation(self) -> str:
        """``METHOD /path/{template}``."""
        return f"{self.method} {self.path}"

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """Path parameters when ``segments`` fit this template, else ``None``."""
        return bind(self.segments, segments)


VOUCHERIFY_OPERATIONS_FILE = "voucherify_operations.json"


def _load_voucherify_operations() -> tuple[VoucherifyOperation, ...]:
    # Generated from Voucherify's OpenAPI files by loyalty_fake.http.operations --regenerate;
    # a test compares it with the files whenever they are present.
    text = resources.files(__package__).joinpath(VOUCHERIFY_OPERATIONS_FILE).read_text("utf-8")
    return tuple(VoucherifyOperation(**entry) for entry in json.loads(text))


# Every operation of Voucherify's API, implemented by the fake or not: it decides between
# 501 (Voucherify has it, the fake does not yet), 405 (the path exists, not with this
# method) and 404 (Voucherify has no such path).
VOUCHERIFY_OPERATIONS = _load_voucherify_operations()


def _specificity(template: Route | VoucherifyOperation) -> tuple[bool, ...]:
    return tuple(part.startswith("{") for part in template.segments)


# A literal segment wins over a parameter in the same place, left to right:
# /v1/loyalties/members/{memberId} before /v1/loyalties/{campaignId}/members.
_BY_SPECIFICITY = tuple(sorted(ROUTES, key=_specificity))
# The same order for Voucherify's operations; ties keep the reference's order.
_VOUCHERIFY_BY_SPECIFICITY = tuple(sorted(VOUCHERIFY_OPERATIONS, key=_specificity))


def match(method: str, segments: tuple[str, ...]) -> tuple[Route, dict[str, str]] | None:
    """The route for ``method`` and the decoded path ``segments``, with its parameters.

    ``None`` as well when a more specific operation of Voucherify's, which the fake does
    not serve, fits: ``POST /v1/vouchers/import`` is not ``POST /v1/vouchers/{code}``.
    """
    for route in _BY_SPECIFICITY:
        if route.method != method:
            continue
        params = route.bind(segments)
        if params is not None:
            operation = voucherify_operation(method, segments)
            if (
                operation is not None
                and operation.path != route.template
                and _specificity(operation) < _specificity(route)
            ):
                return None
            return route, params
    return None


def voucherify_operation(method: str, segments: tuple[str, ...]) -> VoucherifyOperation | None:
    """Voucherify's operation for ``method`` on the decoded path ``segments``, if it has one."""
    for operation in _VOUCHERIFY_BY_SPECIFICITY:
        if operation.method == method and operation.bind(segments) is not None:
            return operation
    return None


def allowed_methods(segments: tuple[str, ...]) -> list[str]:
    """Every method Voucherify or the fake answers on this path (empty: no such path)."""
    templates: tuple[Route | VoucherifyOperation, ...] = (*ROUTES, *VOUCHERIFY_OPERATIONS)
    return sorted({each.method for each in templates if each.bind(segments) is not None})
