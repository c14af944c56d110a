"""A reward's assignments (/v1/rewards/{rewardId}/assignments) and their rewards, per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/segment_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "OF_REWARD",
    "OF_REWARD_ONE",
    "REWARD_DETAILS",
    "RequestsRewardAssignments",
    "RewardAssignmentsClient",
    "SdkRewardAssignments",
]

OF_REWARD = "/v1/rewards/{rewardId}/assignments"
OF_REWARD_ONE = "/v1/rewards/{rewardId}/assignments/{assignmentId}"
REWARD_DETAILS = "/v1/loyalties/{campaignId}/reward-assignments/{assignmentId}/reward"


def _at(ref: str) -> str:
    return quote(ref, safe="")


class RewardAssignmentsClient(Protocol):
    """A reward's assignments and an assignment's reward, as one client library calls them."""

    def create_assignment_of_reward(self, reward_id: str, body: dict[str, Any]) -> Reply: ...
    def list_assignments_of_reward(
        self, reward_id: str, params: dict[str, Any] | None = None
    ) -> Reply: ...
    def get_assignment_of_reward(self, reward_id: str, assignment_id: str) -> Reply: ...
    def update_assignment_of_reward(
        self, reward_id: str, assignment_id: str, body: dict[str, Any]
    ) -> Reply: ...
    def delete_assignment_of_reward(self, reward_id: str, assignment_id: str) -> Reply: ...
    def get_reward_details(self, campaign: str, assignment_id: str) -> Reply: ...


class RequestsRewardAssignments:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def create_assignment_of_reward(self, reward_id: str, body: dict[str, Any]) -> Reply:
        path = f"/v1/rewards/{_at(reward_id)}/assignments"
        return self.call("POST", path, OF_REWARD, json=body)

    def list_assignments_of_reward(
        self, reward_id: str, params: dict[str, Any] | None = None
    ) -> Reply:
        path = f"/v1/rewards/{_at(reward_id)}/assignments"
        return self.call("GET", path, OF_REWARD, params=params)

    def get_assignment_of_reward(self, reward_id: str, assignment_id: str) -> Reply:
        path = f"/v1/rewards/{_at(reward_id)}/assignments/{_at(assignment_id)}"
        return self.call("GET", path, OF_REWARD_ONE)

    def update_assignment_of_reward(
        self, reward_id: str, assignment_id: str, body: dict[str, Any]
    ) -> Reply:
        path = f"/v1/rewards/{_at(reward_id)}/assignments/{_at(assignment_id)}"
        return self.call("PUT", path, OF_REWARD_ONE, json=body)

    def delete_assignment_of_reward(self, reward_id: str, assignment_id: str) -> Reply:
        path = f"/v1/rewards/{_at(reward_id)}/assignments/{_at(assignment_id)}"
        return self.call("DELETE", path, OF_REWARD_ONE)

    def get_reward_details(self, campaign: str, assignment_id: str) -> Reply:
        path = f"/v1/loyalties/{_at(campaign)}/reward-assignments/{_at(assignment_id)}/reward"
        return self.call("GET", path, REWARD_DETAILS)


class SdkRewardAssignments:
    """Through the official SDK (6.x)."""

    api: Any
    rewards: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def create_assignment_of_reward(self, reward_id: str, body: dict[str, Any]) -> Reply:
        call = self.rewards.create_reward_assignment_with_http_info
        return self._run("POST", OF_REWARD, lambda: call(reward_id, body))

    def list_assignments_of_reward(
        self, reward_id: str, params: dict[str, Any] | None = None
    ) -> Reply:
        call = self.rewards.list_reward_assignments_with_http_info
        return self._run("GET", OF_REWARD, lambda: call(reward_id, **(params or {})))

    def get_assignment_of_reward(self, reward_id: str, assignment_id: str) -> Reply:
        call = self.rewards.get_reward_assignment_with_http_info
        return self._run("GET", OF_REWARD_ONE, lambda: call(reward_id, assignment_id))

    def update_assignment_of_reward(
        self, reward_id: str, assignment_id: str, body: dict[str, Any]
    ) -> Reply:
        call = self.rewards.update_reward_assignment_with_http_info
        return self._run("PUT", OF_REWARD_ONE, lambda: call(reward_id, assignment_id, body))

    def delete_assignment_of_reward(self, reward_id: str, assignment_id: str) -> Reply:
        call = self.rewards.delete_reward_assignment_with_http_info
        return self._run("DELETE", OF_REWARD_ONE, lambda: call(reward_id, assignment_id))

    def get_reward_details(self, campaign: str, assignment_id: str) -> Reply:
        call = self.api.get_reward_details_with_http_info
        return self._run("GET", REWARD_DETAILS, lambda: call(campaign, assignment_id))
