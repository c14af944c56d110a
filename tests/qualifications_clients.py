"""Qualifications (``POST /v1/qualifications``) per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/earning_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "QUALIFICATIONS",
    "QualificationsClient",
    "RequestsQualifications",
    "SdkQualifications",
]

QUALIFICATIONS = "/v1/qualifications"


class QualificationsClient(Protocol):
    """Qualifications, as one client library calls them."""

    def qualify(self, body: dict[str, Any]) -> Reply: ...


class RequestsQualifications:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def qualify(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", QUALIFICATIONS, QUALIFICATIONS, json=body)


class SdkQualifications:
    """Through the official SDK (6.x): ``QualificationsApi.check_eligibility``."""

    api: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def qualify(self, body: dict[str, Any]) -> Reply:
        import voucherify  # noqa: PLC0415 - a test dependency only this client needs

        qualifications: Any = voucherify.QualificationsApi(self.api.api_client)
        return self._run(
            "POST",
            QUALIFICATIONS,
            lambda: qualifications.check_eligibility_with_http_info(body),
        )
