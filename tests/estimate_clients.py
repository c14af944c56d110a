"""Estimating loyalty points (``POST /v1/loyalties/{campaignId}/qualifications``), per client.

``tests/conftest.py``'s clients take these mixins. The official SDK 6.x has no method for
it: its own ApiClient sends the request, with the server-side keys, as it sends any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = ["ESTIMATE", "EstimateClient", "RequestsEstimates", "SdkEstimates"]

ESTIMATE = "/v1/loyalties/{campaignId}/qualifications"


class EstimateClient(Protocol):
    """Point estimates, as one client library calls them."""

    def estimate_points(self, campaign: str, body: dict[str, Any]) -> Reply: ...


class RequestsEstimates:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def estimate_points(self, campaign: str, body: dict[str, Any]) -> Reply:
        path = f"/v1/loyalties/{quote(campaign, safe='')}/qualifications"
        return self.call("POST", path, ESTIMATE, json=body)


class SdkEstimates:
    """Through the official SDK's ApiClient (6.x has no method for the operation)."""

    api: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def estimate_points(self, campaign: str, body: dict[str, Any]) -> Reply:
        client = self.api.api_client

        def call() -> Any:
            serialized = client.param_serialize(
                "POST",
                ESTIMATE,
                path_params={"campaignId": campaign},
                header_params={"Content-Type": "application/json", "Accept": "application/json"},
                body=body,
                auth_settings=["X-App-Id", "X-App-Token"],
            )
            response = client.call_api(*serialized)
            response.read()
            return client.response_deserialize(response, {"200": "object"})

        return self._run("POST", ESTIMATE, call)
