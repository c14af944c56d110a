"""The client-side operations (``/client/v1/...``) per client, with client-side keys.

``tests/conftest.py``'s clients take these mixins: ``RequestsClientSide`` for ``requests``,
httpx and the live server, ``SdkClientSide`` for the official SDK, whose ``ClientSideApi``
sends ``X-Client-Application-Id``/``X-Client-Token``. ``client.client_side(headers)`` is the
same client with the project's client-side keys (and a browser's ``Origin``) instead of its
server keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "CLIENT_EVENTS",
    "CLIENT_PUBLISH",
    "ORIGIN",
    "ClientSideClient",
    "RequestsClientSide",
    "SdkClientSide",
]

CLIENT_EVENTS = "/client/v1/events"
CLIENT_PUBLISH = "/client/v1/publish"
# The storefront a browser's client-side calls come from.
ORIGIN = "https://shop.example"


class ClientSideClient(Protocol):
    """The client-side operations, as one client library performs them."""

    def client_side(self, headers: dict[str, str]) -> Any: ...
    def client_track_event(self, body: dict[str, Any]) -> Reply: ...
    def client_publish(self, body: dict[str, Any], join_once: bool | None = None) -> Reply: ...


def _with_origin(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Origin": ORIGIN}


class RequestsClientSide:
    """The client-side operations over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def client_side(self, headers: dict[str, str]) -> Any:
        """The same client with ``headers`` (client-side keys) and a browser's ``Origin``."""
        return attrs.evolve(self, headers=_with_origin(headers))  # type: ignore[misc]

    def client_track_event(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", CLIENT_EVENTS, CLIENT_EVENTS, json=body)

    def client_publish(self, body: dict[str, Any], join_once: bool | None = None) -> Reply:
        params = None if join_once is None else {"join_once": str(join_once).lower()}
        return self.call("POST", CLIENT_PUBLISH, CLIENT_PUBLISH, json=body, params=params)


class SdkClientSide:
    """The client-side operations through the official SDK's ``ClientSideApi``."""

    api: Any
    _run: Callable[..., Reply]

    def client_side(self, headers: dict[str, str]) -> Any:
        """The same client, configured with ``headers`` (client-side keys) instead."""
        return attrs.evolve(self, headers=_with_origin(headers))  # type: ignore[misc]

    def _client_side_api(self) -> Any:
        import voucherify  # noqa: PLC0415 - a test dependency only this client needs

        return voucherify.ClientSideApi(self.api.api_client)

    def client_track_event(self, body: dict[str, Any]) -> Reply:
        api = self._client_side_api()
        return self._run(
            "POST",
            CLIENT_EVENTS,
            lambda: api.track_custom_event_client_side_with_http_info(ORIGIN, body),
        )

    def client_publish(self, body: dict[str, Any], join_once: bool | None = None) -> Reply:
        # The SDK's ClientSideApi has no publish (nor a ClientPublications model): its own
        # ApiClient sends it, with the client-side keys it was configured with, and reads
        # the answer as the server-side publication it is.
        client = self.api.api_client
        query = [] if join_once is None else [("join_once", str(join_once).lower())]

        def call() -> Any:
            serialized = client.param_serialize(
                "POST",
                CLIENT_PUBLISH,
                query_params=query,
                header_params={"Content-Type": "application/json", "origin": ORIGIN},
                body=body,
                auth_settings=["X-Client-Application-Id", "X-Client-Token"],
            )
            response = client.call_api(*serialized)
            response.read()
            return client.response_deserialize(response, {"200": "PublicationsCreateResponseBody"})

        return self._run("POST", CLIENT_PUBLISH, call)
