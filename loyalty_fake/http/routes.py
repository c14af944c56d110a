"""The route table: every operation the fake implements, readable top to bottom."""

from __future__ import annotations

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
    "VOUCHERIFY_ALSO",
    "Route",
    "allowed_methods",
    "match",
    "voucherify_has",
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


# Voucherify's operations (from its OpenAPI document) that the fake does not implement on
# paths that can also match a route above (POST /v1/customers/importCSV could be
# /v1/customers/{customerId}): they answer 501 not_implemented. Any other method on a path
# the fake serves names no Voucherify operation and answers 405. tests/test_openapi.py
# checks this table against Voucherify's document.
VOUCHERIFY_ALSO: dict[str, tuple[str, ...]] = {
    "/v1/customers/importCSV": ("POST",),
    "/v1/customers/{customerId}": ("PUT", "DELETE"),
    "/v1/loyalties/members/{memberId}/pending-points": ("GET",),
    "/v1/loyalties/members/{memberId}/tiers": ("GET",),
    "/v1/loyalties/{campaignId}/earning-rules": ("GET", "POST"),
    "/v1/loyalties/{campaignId}/earning-rules/{earningRuleId}": ("GET", "PUT", "DELETE"),
    "/v1/loyalties/{campaignId}/pending-points": ("GET",),
    "/v1/loyalties/{campaignId}/tiers": ("GET", "POST"),
    "/v1/loyalties/{campaignId}/tiers/{loyaltyTierId}": ("GET",),
    "/v1/loyalties/{campaignId}/transactions": ("GET",),
    "/v1/vouchers/import": ("POST",),
    "/v1/vouchers/importCSV": ("POST",),
    "/v1/vouchers/qualification": ("POST",),
    "/v1/vouchers/{code}": ("POST", "PUT", "DELETE"),
    "/v1/vouchers/{code}/redemption": ("POST",),
}
_ALSO_SEGMENTS = tuple(
    (_segments(template), methods) for template, methods in VOUCHERIFY_ALSO.items()
)


def allowed_methods(segments: tuple[str, ...]) -> list[str]:
    """The methods the fake answers on this path (empty when it has no such path)."""
    return sorted({route.method for route in ROUTES if route.bind(segments) is not None})


def voucherify_has(method: str, segments: tuple[str, ...]) -> bool:
    """Whether ``method`` on this path is a Voucherify operation the fake lacks."""
    return any(
        method in methods and _bind(template, segments) is not None
        for template, methods in _ALSO_SEGMENTS
    )


def _specificity(route: Route) -> tuple[bool, ...]:
    return tuple(part.startswith("{") for part in route.segments)


# A literal segment wins over a parameter in the same place, left to right:
# /v1/loyalties/members/{memberId} before /v1/loyalties/{campaignId}/members.
_BY_SPECIFICITY = tuple(sorted(ROUTES, key=_specificity))


def match(method: str, segments: tuple[str, ...]) -> tuple[Route, dict[str, str]] | None:
    """The route for ``method`` and the decoded path ``segments``, with its parameters."""
    for route in _BY_SPECIFICITY:
        if route.method != method:
            continue
        params = route.bind(segments)
        if params is not None:
            return route, params
    return None
