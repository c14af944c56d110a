"""Loyalty tiers, per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/category_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "MEMBER_TIERS",
    "TIER",
    "TIERS",
    "RequestsTiers",
    "SdkTiers",
    "TierClient",
]

TIERS = "/v1/loyalties/{campaignId}/tiers"
TIER = "/v1/loyalties/{campaignId}/tiers/{loyaltyTierId}"
MEMBER_TIERS = "/v1/loyalties/members/{memberId}/tiers"


def _at(ref: str) -> str:
    return quote(ref, safe="")


class TierClient(Protocol):
    """Loyalty tiers, as one client library calls them."""

    def create_tiers(self, campaign: str, body: list[dict[str, Any]]) -> Reply: ...
    def list_tiers(self, campaign: str, params: dict[str, Any] | None = None) -> Reply: ...
    def get_tier(self, campaign: str, tier: str) -> Reply: ...
    def list_member_tiers(self, code: str) -> Reply: ...
    def list_tier_earning_rules(
        self, campaign: str, tier: str, params: dict[str, Any] | None = None
    ) -> Reply: ...
    def list_tier_rewards(self, campaign: str, tier: str) -> Reply: ...


class RequestsTiers:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def create_tiers(self, campaign: str, body: list[dict[str, Any]]) -> Reply:
        return self.call("POST", f"/v1/loyalties/{_at(campaign)}/tiers", TIERS, json=body)

    def list_tiers(self, campaign: str, params: dict[str, Any] | None = None) -> Reply:
        path = f"/v1/loyalties/{_at(campaign)}/tiers"
        return self.call("GET", path, TIERS, params=params)

    def get_tier(self, campaign: str, tier: str) -> Reply:
        return self.call("GET", f"/v1/loyalties/{_at(campaign)}/tiers/{_at(tier)}", TIER)

    def list_member_tiers(self, code: str) -> Reply:
        return self.call("GET", f"/v1/loyalties/members/{_at(code)}/tiers", MEMBER_TIERS)

    def list_tier_earning_rules(
        self, campaign: str, tier: str, params: dict[str, Any] | None = None
    ) -> Reply:
        path = f"/v1/loyalties/{_at(campaign)}/tiers/{_at(tier)}/earning-rules"
        return self.call("GET", path, f"{TIER}/earning-rules", params=params)

    def list_tier_rewards(self, campaign: str, tier: str) -> Reply:
        path = f"/v1/loyalties/{_at(campaign)}/tiers/{_at(tier)}/rewards"
        return self.call("GET", path, f"{TIER}/rewards")


class SdkTiers:
    """Through the official SDK (6.x)."""

    api: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def create_tiers(self, campaign: str, body: list[dict[str, Any]]) -> Reply:
        return self._run(
            "POST",
            TIERS,
            lambda: self.api.create_in_bulk_loyalty_tiers_with_http_info(campaign, body),
        )

    def list_tiers(self, campaign: str, params: dict[str, Any] | None = None) -> Reply:
        return self._run(
            "GET",
            TIERS,
            lambda: self.api.list_loyalty_tiers_with_http_info(campaign, **(params or {})),
        )

    def get_tier(self, campaign: str, tier: str) -> Reply:
        return self._run(
            "GET", TIER, lambda: self.api.get_loyalty_tier_with_http_info(campaign, tier)
        )

    def list_member_tiers(self, code: str) -> Reply:
        return self._run(
            "GET", MEMBER_TIERS, lambda: self.api.list_member_loyalty_tier_with_http_info(code)
        )

    def list_tier_earning_rules(
        self, campaign: str, tier: str, params: dict[str, Any] | None = None
    ) -> Reply:
        return self._run(
            "GET",
            f"{TIER}/earning-rules",
            lambda: self.api.list_loyalty_tier_earning_rules_with_http_info(
                campaign, tier, **(params or {})
            ),
        )

    def list_tier_rewards(self, campaign: str, tier: str) -> Reply:
        return self._run(
            "GET",
            f"{TIER}/rewards",
            lambda: self.api.list_loyalty_tier_rewards_with_http_info(campaign, tier),
        )
