"""``GET /v1/publications/create`` (a publication asked in the query string) per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/voucher_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from loyalty_fake.http.messages import query_pairs

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "PUBLICATION_BY_QUERY",
    "PublicationQueryClient",
    "RequestsPublicationQuery",
    "SdkPublicationQuery",
]

PUBLICATION_BY_QUERY = "/v1/publications/create"


class PublicationQueryClient(Protocol):
    """The query form of creating a publication, as one client library sends it."""

    def publish_by_query(self, params: dict[str, Any]) -> Reply: ...


class RequestsPublicationQuery:
    """Over plain HTTP: objects as deepObject parameters (``customer[source_id]=...``)."""

    call: Callable[..., Reply]

    def publish_by_query(self, params: dict[str, Any]) -> Reply:
        return self.call(
            "GET", PUBLICATION_BY_QUERY, PUBLICATION_BY_QUERY, params=query_pairs(params)
        )


class SdkPublicationQuery:
    """Through the official SDK (6.x): ``PublicationsApi.create_publication1``."""

    publications: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def publish_by_query(self, params: dict[str, Any]) -> Reply:
        import voucherify  # noqa: PLC0415 - a test dependency only this client needs

        kwargs = dict(params)
        kwargs["customer"] = voucherify.Customer.from_dict(kwargs["customer"])
        if isinstance(kwargs.get("campaign"), dict):
            kwargs["campaign"] = voucherify.CreatePublicationCampaign.from_dict(kwargs["campaign"])
        if "join_once" in kwargs:
            kwargs["join_once"] = kwargs["join_once"] == "true"
        return self._run(
            "GET",
            PUBLICATION_BY_QUERY,
            lambda: self.publications.create_publication1_with_http_info(**kwargs),
        )
