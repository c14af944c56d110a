"""The route table: every operation the fake implements, area by area.

Each area module (``campaigns``, ``members``, …) declares its routes and what the OpenAPI
document says of them (``declare.Route``); ``ROUTES`` joins them.

Beside it, every operation of Voucherify's API (``VOUCHERIFY_OPERATIONS``, generated from its
OpenAPI reference), so that a request the fake does not serve gets Voucherify's answer.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Generic, TypeVar

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
    customer_redeemables,
    customers,
    earning_rules,
    events,
    exports,
    imports,
    members,
    metadata_schemas,
    orders,
    pending_points,
    point_estimates,
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
    tiers,
    transfers,
    trash_bin,
    validation_rules,
    voucher_csv,
    voucher_imports,
    vouchers,
    vouchers_api,
    webhooks_api,
)
from loyalty_fake.http.assignments import ASSIGNMENTS, REWARD_ASSIGNMENTS
from loyalty_fake.http.client_side import client_routes
from loyalty_fake.http.declare import Operation, PathPattern, Route, split
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
    customer_redeemables,
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
    webhooks_api,
    trash_bin,
    point_estimates,
    tiers,
    exports,
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
    pattern: PathPattern = attrs.field(init=False, eq=False, repr=False)

    @segments.default
    def _split(self) -> tuple[str, ...]:
        return split(self.path)

    @pattern.default
    def _pattern(self) -> PathPattern:
        return PathPattern.of(self.segments)

    @property
    def operation(self) -> str:
        """``METHOD /path/{template}``."""
        return f"{self.method} {self.path}"

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """Path parameters when ``segments`` fit this template, else ``None``."""
        return self.pattern.bind(segments)


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


_Template = TypeVar("_Template", Route, VoucherifyOperation)


@attrs.frozen
class _Index(Generic[_Template]):
    """Templates by method, length and second segment, each list in the table's order.

    A lookup then tries the one or two templates that can fit instead of every one: a
    template with a parameter second (none today) is among the candidates of every key.
    """

    by_key: dict[tuple[str, int, str], tuple[_Template, ...]]
    by_length: dict[tuple[str, int], tuple[_Template, ...]]

    @classmethod
    def of(cls, templates: tuple[_Template, ...]) -> _Index[_Template]:
        """The index of ``templates`` (in the order lookups should try them)."""
        by_length: dict[tuple[str, int], list[_Template]] = {}
        for template in templates:
            by_length.setdefault((template.method, len(template.segments)), []).append(template)
        by_key: dict[tuple[str, int, str], tuple[_Template, ...]] = {}
        wild: dict[tuple[str, int], tuple[_Template, ...]] = {}
        for (method, length), group in by_length.items():
            if length < 2:  # noqa: PLR2004 - no second segment to tell them apart
                wild[method, length] = tuple(group)
                continue
            wild[method, length] = tuple(t for t in group if t.segments[1].startswith("{"))
            for second in {t.segments[1] for t in group if not t.segments[1].startswith("{")}:
                by_key[method, length, second] = tuple(
                    t for t in group if t.segments[1] == second or t.segments[1].startswith("{")
                )
        return cls(by_key, wild)

    def candidates(self, method: str, segments: tuple[str, ...]) -> tuple[_Template, ...]:
        """The templates that may fit ``segments``, in order (the others cannot)."""
        length = len(segments)
        if length >= 2:  # noqa: PLR2004
            found = self.by_key.get((method, length, segments[1]))
            if found is not None:
                return found
        return self.by_length.get((method, length), ())


_ROUTE_INDEX = _Index.of(_BY_SPECIFICITY)
_VOUCHERIFY_INDEX = _Index.of(_VOUCHERIFY_BY_SPECIFICITY)


def _may_meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one path could fit both templates (same length, no two literals differ)."""
    return len(a) == len(b) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(a, b, strict=True)
    )


# For each route, Voucherify's more specific operations (which the fake does not serve) that
# could take a path from it: ``POST /v1/vouchers/import`` from ``POST /v1/vouchers/{code}``.
# 13 routes have any; ``match`` binds only those few, not every operation of the path's shape.
# Keyed by the route's object identity: a route's own hash would hash all its fields.
_SHADOWS: dict[int, tuple[VoucherifyOperation, ...]] = {
    id(route): shadows
    for route in ROUTES
    if (
        shadows := tuple(
            operation
            for operation in _VOUCHERIFY_BY_SPECIFICITY
            if operation.method == route.method
            and operation.path != route.template
            and _specificity(operation) < _specificity(route)
            and _may_meet(operation.segments, route.segments)
        )
    )
}


def match(method: str, segments: tuple[str, ...]) -> tuple[Route, dict[str, str]] | None:
    """The route for ``method`` and the decoded path ``segments``, with its parameters.

    ``None`` as well when a more specific operation of Voucherify's, which the fake does
    not serve, fits: ``POST /v1/vouchers/import`` is not ``POST /v1/vouchers/{code}``.
    """
    for route in _ROUTE_INDEX.candidates(method, segments):
        params = route.bind(segments)
        if params is not None:
            for shadow in _SHADOWS.get(id(route), ()):
                if shadow.bind(segments) is not None:
                    return None
            return route, params
    return None


def voucherify_operation(method: str, segments: tuple[str, ...]) -> VoucherifyOperation | None:
    """Voucherify's operation for ``method`` on the decoded path ``segments``, if it has one."""
    for operation in _VOUCHERIFY_INDEX.candidates(method, segments):
        if operation.bind(segments) is not None:
            return operation
    return None


def allowed_methods(segments: tuple[str, ...]) -> list[str]:
    """Every method Voucherify or the fake answers on this path (empty: no such path)."""
    templates: tuple[Route | VoucherifyOperation, ...] = (*ROUTES, *VOUCHERIFY_OPERATIONS)
    return sorted({each.method for each in templates if each.bind(segments) is not None})
