"""Stacked validations, redemptions and rollbacks, and the redemptions list, per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/earning_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "REDEMPTIONS",
    "ROLLBACKS",
    "SESSION",
    "VALIDATIONS",
    "RequestsStacking",
    "SdkStacking",
    "StackingClient",
    "check_stacked_parts",
    "split_results",
]

VALIDATIONS = "/v1/validations"
REDEMPTIONS = "/v1/redemptions"
ROLLBACKS = "/v1/redemptions/{parentRedemptionId}/rollbacks"
SESSION = "/v1/vouchers/{code}/sessions/{sessionKey}"


def _at(ref: str) -> str:
    return quote(ref, safe="")


class StackingClient(Protocol):
    """Stacked validations and redemptions, as one client library calls them."""

    def validate_stacked(self, body: dict[str, Any]) -> Reply: ...
    def redeem_stacked(self, body: dict[str, Any]) -> Reply: ...
    def rollback_stacked(
        self, parent: str, body: dict[str, Any] | None = None, reason: str | None = None
    ) -> Reply: ...
    def list_redemptions(self, params: dict[str, Any] | None = None) -> Reply: ...
    def release_session(self, code: str, key: str) -> Reply: ...


class RequestsStacking:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def validate_stacked(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", VALIDATIONS, VALIDATIONS, json=body)

    def redeem_stacked(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", REDEMPTIONS, REDEMPTIONS, json=body)

    def rollback_stacked(
        self, parent: str, body: dict[str, Any] | None = None, reason: str | None = None
    ) -> Reply:
        params = {"reason": reason} if reason is not None else None
        path = f"{REDEMPTIONS}/{_at(parent)}/rollbacks"
        return self.call("POST", path, ROLLBACKS, json=body or {}, params=params)

    def list_redemptions(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", REDEMPTIONS, REDEMPTIONS, params=params)

    def release_session(self, code: str, key: str) -> Reply:
        return self.call("DELETE", f"/v1/vouchers/{_at(code)}/sessions/{_at(key)}", SESSION)


class SdkStacking:
    """Through the official SDK (6.x): ``ValidationsApi``, ``RedemptionsApi``, ``VouchersApi``."""

    redemptions: Any
    vouchers: Any
    validations: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def validate_stacked(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST",
            VALIDATIONS,
            lambda: self.validations.validate_stacked_discounts_with_http_info(body),
        )

    def redeem_stacked(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST",
            REDEMPTIONS,
            lambda: self.redemptions.redeem_stacked_discounts_with_http_info(body),
        )

    def rollback_stacked(
        self, parent: str, body: dict[str, Any] | None = None, reason: str | None = None
    ) -> Reply:
        return self._run(
            "POST",
            ROLLBACKS,
            lambda: self.redemptions.rollback_stacked_redemptions_with_http_info(
                parent, reason=reason, redemptions_rollbacks_create_request_body=body or {}
            ),
        )

    def list_redemptions(self, params: dict[str, Any] | None = None) -> Reply:
        # The SDK takes created_at as one object; the tests filter by date over plain HTTP.
        keywords = dict(params or {})
        return self._run(
            "GET",
            REDEMPTIONS,
            lambda: self.redemptions.list_redemptions_with_http_info(**keywords),
        )

    def release_session(self, code: str, key: str) -> Reply:
        return self._run(
            "DELETE",
            SESSION,
            lambda: self.vouchers.release_validation_session_with_http_info(code, key),
        )


def split_results(body: Any) -> tuple[Any, list[tuple[str, Any]]]:
    """The body without its applicable redeemables, and their parts by schema name.

    The spec's ``result`` is a oneOf whose branches all match any object (no branch
    requires anything; docs/spec-errata.md), so no applicable redeemable can pass it: its
    parts are checked one by one instead (``result`` against
    ``RedeemableResultLoyaltyCard``), the rest of the body as the spec says.
    """
    parts: list[tuple[str, Any]] = []
    if not isinstance(body, dict):
        return body, parts
    copied = dict(body)
    for key in ("redeemables", "skipped_redeemables", "inapplicable_redeemables"):
        items = copied.get(key)
        if not isinstance(items, list):
            continue
        kept = []
        for item in items:
            if isinstance(item, dict) and item.get("status") == "APPLICABLE":
                parts.append(("RedeemableResultLoyaltyCard", item["result"]))
                parts.append(("ApplicableToResultList", item["applicable_to"]))
                parts.append(("InapplicableToResultList", item["inapplicable_to"]))
                if "order" in item:
                    parts.append(("OrderCalculated", item["order"]))
                continue
            kept.append(item)
        copied[key] = kept
    return copied, parts


def check_stacked_parts(body: Any) -> Any:
    """Validate an answer's applicable redeemables part by part; the body without them."""
    from tests.spec import validate_schema  # noqa: PLC0415 - conftest imports this module

    rest, parts = split_results(body)
    for name, part in parts:
        validate_schema(name, part, spec="full")
    return rest
