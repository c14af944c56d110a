"""The route table: every operation the fake implements, readable top to bottom.

Beside it, every operation of Voucherify's API (``VOUCHERIFY_OPERATIONS``, generated from its
OpenAPI reference), so that a request the fake does not serve gets Voucherify's answer.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.http import handlers, reward_handlers

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ASSIGNMENTS",
    "MEMBER",
    "MEMBER_BY_CODE",
    "REWARD_ASSIGNMENTS",
    "ROUTES",
    "VOUCHERIFY_OPERATIONS",
    "VOUCHERIFY_OPERATIONS_FILE",
    "Route",
    "VoucherifyOperation",
    "allowed_methods",
    "match",
    "voucherify_operation",
]


def _segments(template: str) -> tuple[str, ...]:
    return tuple(template.strip("/").split("/"))


@attrs.frozen
class Route:
    """One operation: method, Voucherify path template, handler."""

    method: str
    template: str
    handler: Callable[[handlers.Call], tuple[int, Any]]
    segments: tuple[str, ...] = attrs.field(init=False)

    @segments.default
    def _split(self) -> tuple[str, ...]:
        return _segments(self.template)

    @property
    def operation(self) -> str:
        """``METHOD /path/{template}``."""
        return f"{self.method} {self.template}"

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """Path parameters when ``segments`` fit this template, else ``None``."""
        return _bind(self.segments, segments)


def _bind(template: tuple[str, ...], segments: tuple[str, ...]) -> dict[str, str] | None:
    if len(segments) != len(template):
        return None
    params: dict[str, str] = {}
    for pattern, actual in zip(template, segments, strict=True):
        if pattern.startswith("{"):
            if not actual:
                return None
            params[pattern[1:-1]] = actual
        elif pattern != actual:
            return None
    return params


# Path templates several routes share (the OpenAPI document keys operations by them).
MEMBER = "/v1/loyalties/{campaignId}/members/{memberId}"
MEMBER_BY_CODE = "/v1/loyalties/members/{memberId}"
ASSIGNMENTS = "/v1/loyalties/{campaignId}/rewards"
REWARD_ASSIGNMENTS = "/v1/loyalties/{campaignId}/reward-assignments"

ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/loyalties", handlers.list_programs),
    Route("POST", "/v1/loyalties", handlers.create_loyalty_program),
    Route("GET", "/v1/loyalties/{campaignId}", handlers.get_loyalty_program),
    Route("PUT", "/v1/loyalties/{campaignId}", handlers.update_loyalty_program),
    Route("DELETE", "/v1/loyalties/{campaignId}", handlers.delete_loyalty_program),
    Route("POST", "/v1/loyalties/{campaignId}/members", handlers.add_member),
    Route("GET", "/v1/loyalties/{campaignId}/members", handlers.list_members),
    Route("GET", MEMBER, handlers.get_member),
    Route("GET", MEMBER_BY_CODE, handlers.get_member),
    Route("POST", f"{MEMBER}/balance", handlers.change_balance),
    Route("POST", f"{MEMBER_BY_CODE}/balance", handlers.change_balance),
    Route("GET", f"{MEMBER}/transactions", handlers.list_transactions),
    Route("GET", f"{MEMBER_BY_CODE}/transactions", handlers.list_transactions),
    Route("GET", f"{MEMBER}/points-expiration", handlers.list_points_expiration),
    Route("GET", f"{MEMBER}/activity", handlers.list_activity),
    Route("GET", f"{MEMBER_BY_CODE}/activity", handlers.list_activity),
    Route("GET", "/v1/customers/{customerId}", handlers.get_customer),
    Route("POST", "/v1/campaigns/{campaignId}/vouchers", handlers.add_vouchers),
    Route("POST", "/v1/campaigns/{campaignId}/vouchers/{code}", handlers.add_voucher_with_code),
    Route("GET", "/v1/vouchers/{code}", handlers.get_voucher),
    Route("GET", "/v1/vouchers/{code}/publications", handlers.list_publications),
    Route("GET", "/v1/vouchers/{code}/redemption", handlers.list_voucher_redemptions),
    Route("GET", "/v1/vouchers/{code}/redemptions", handlers.list_voucher_redemptions),
    Route("POST", "/v1/publications", handlers.create_publication),
    Route("GET", "/v1/publications", handlers.list_publications),
    Route("POST", "/v1/rewards", reward_handlers.create_reward),
    Route("GET", "/v1/rewards", reward_handlers.list_rewards),
    Route("GET", "/v1/rewards/{rewardId}", reward_handlers.get_reward),
    Route("PUT", "/v1/rewards/{rewardId}", reward_handlers.update_reward),
    Route("DELETE", "/v1/rewards/{rewardId}", reward_handlers.delete_reward),
    Route("POST", ASSIGNMENTS, reward_handlers.create_reward_assignment),
    Route("GET", ASSIGNMENTS, reward_handlers.list_reward_assignments),
    Route("GET", f"{ASSIGNMENTS}/{{assignmentId}}", reward_handlers.get_reward_assignment),
    Route("PUT", f"{ASSIGNMENTS}/{{assignmentId}}", reward_handlers.update_reward_assignment),
    Route("DELETE", f"{ASSIGNMENTS}/{{assignmentId}}", reward_handlers.delete_reward_assignment),
    Route("GET", REWARD_ASSIGNMENTS, reward_handlers.list_reward_assignments),
    Route("GET", f"{REWARD_ASSIGNMENTS}/{{assignmentId}}", reward_handlers.get_reward_assignment),
    Route("GET", f"{MEMBER_BY_CODE}/rewards", reward_handlers.list_member_rewards),
    Route("POST", f"{MEMBER}/redemption", reward_handlers.redeem_reward),
    Route("POST", f"{MEMBER_BY_CODE}/redemption", reward_handlers.redeem_reward),
    Route("GET", "/v1/redemptions/{redemptionId}", reward_handlers.get_redemption),
    Route("POST", "/v1/redemptions/{redemptionId}/rollback", reward_handlers.rollback_redemption),
)


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
        return _segments(self.path)

    @property
    def operation(self) -> str:
        """``METHOD /path/{template}``."""
        return f"{self.method} {self.path}"

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """Path parameters when ``segments`` fit this template, else ``None``."""
        return _bind(self.segments, segments)


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
    """The route for ``method`` and the decoded path ``segments``, with its parameters."""
    for route in _BY_SPECIFICITY:
        if route.method != method:
            continue
        params = route.bind(segments)
        if params is not None:
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
