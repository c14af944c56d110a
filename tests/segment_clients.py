"""Segments and a customer's segments, activity and redeemables, per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/earning_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import pytest

from tests.earning_clients import CUSTOMER

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "CUSTOMER_ACTIVITIES",
    "CUSTOMER_ACTIVITY",
    "CUSTOMER_REDEEMABLES",
    "CUSTOMER_SEGMENTS",
    "SEGMENT",
    "SEGMENTS",
    "RequestsSegments",
    "SdkSegments",
    "SegmentClient",
]

SEGMENTS = "/v1/segments"
SEGMENT = "/v1/segments/{segmentId}"
CUSTOMER_SEGMENTS = f"{CUSTOMER}/segments"
CUSTOMER_ACTIVITY = f"{CUSTOMER}/activity"
CUSTOMER_ACTIVITIES = f"{CUSTOMER}/activities"
CUSTOMER_REDEEMABLES = f"{CUSTOMER}/redeemables"


def _at(ref: str) -> str:
    return quote(ref, safe="")


class SegmentClient(Protocol):
    """Segments and a customer's segments, activity and redeemables, as one client calls them."""

    def create_segment(self, body: dict[str, Any]) -> Reply: ...
    def get_segment(self, segment_id: str) -> Reply: ...
    def delete_segment(self, segment_id: str) -> Reply: ...
    def list_customer_segments(self, ref: str) -> Reply: ...
    def list_customer_activity(self, ref: str, params: dict[str, Any] | None = None) -> Reply: ...
    def list_customer_activities(self, ref: str, params: dict[str, Any] | None = None) -> Reply: ...
    def list_customer_redeemables(
        self, ref: str, params: dict[str, Any] | None = None
    ) -> Reply: ...


class RequestsSegments:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def create_segment(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", SEGMENTS, SEGMENTS, json=body)

    def get_segment(self, segment_id: str) -> Reply:
        return self.call("GET", f"{SEGMENTS}/{_at(segment_id)}", SEGMENT)

    def delete_segment(self, segment_id: str) -> Reply:
        return self.call("DELETE", f"{SEGMENTS}/{_at(segment_id)}", SEGMENT)

    def list_customer_segments(self, ref: str) -> Reply:
        return self.call("GET", f"/v1/customers/{_at(ref)}/segments", CUSTOMER_SEGMENTS)

    def list_customer_activity(self, ref: str, params: dict[str, Any] | None = None) -> Reply:
        path = f"/v1/customers/{_at(ref)}/activity"
        return self.call("GET", path, CUSTOMER_ACTIVITY, params=params)

    def list_customer_activities(self, ref: str, params: dict[str, Any] | None = None) -> Reply:
        path = f"/v1/customers/{_at(ref)}/activities"
        return self.call("GET", path, CUSTOMER_ACTIVITIES, params=params)

    def list_customer_redeemables(self, ref: str, params: dict[str, Any] | None = None) -> Reply:
        path = f"/v1/customers/{_at(ref)}/redeemables"
        return self.call("GET", path, CUSTOMER_REDEEMABLES, params=params)


class SdkSegments:
    """Through the official SDK (6.x)."""

    customers: Any
    segments: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def create_segment(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", SEGMENTS, lambda: self.segments.create_segment_with_http_info(body)
        )

    def get_segment(self, segment_id: str) -> Reply:
        return self._run(
            "GET", SEGMENT, lambda: self.segments.get_segment_with_http_info(segment_id)
        )

    def delete_segment(self, segment_id: str) -> Reply:
        return self._run(
            "DELETE", SEGMENT, lambda: self.segments.delete_segment_with_http_info(segment_id)
        )

    def list_customer_segments(self, ref: str) -> Reply:
        return self._run(
            "GET",
            CUSTOMER_SEGMENTS,
            lambda: self.customers.list_customer_segments_with_http_info(ref),
        )

    def list_customer_activity(self, ref: str, params: dict[str, Any] | None = None) -> Reply:
        keywords = dict(params or {})
        return self._run(
            "GET",
            CUSTOMER_ACTIVITY,
            lambda: self.customers.list_customer_activity_with_http_info(ref, **keywords),
        )

    def list_customer_activities(
        self,
        ref: str,  # noqa: ARG002
        params: dict[str, Any] | None = None,  # noqa: ARG002
    ) -> Reply:
        pytest.skip("the official SDK 6.x has no method for the deprecated /activities")

    def list_customer_redeemables(self, ref: str, params: dict[str, Any] | None = None) -> Reply:
        # conftest imports this module: its helper is imported when a test calls.
        from tests.conftest import sdk_filters  # noqa: PLC0415

        keywords = dict(params or {})
        sdk_filters("ParameterFiltersListCustomerRedeemables", keywords.get("filters"))
        return self._run(
            "GET",
            CUSTOMER_REDEEMABLES,
            lambda: self.customers.list_customer_redeemables_with_http_info(ref, **keywords),
        )
