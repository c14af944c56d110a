"""``requests`` beside a test's own ``responses`` mocks.

``requests`` sends through urllib3, where the fake answers (see ``urllib3_transport``):
nothing of ``requests`` itself is replaced. A ``responses`` mock a test starts sits
above that and answers first; a response registered there for a Voucherify URL wins
(an outage, say). For a Voucherify URL it has no response for, a small hook on
``RequestsMock._on_request`` passes the request through to the network, where the
fake answers it, instead of refusing it as unmocked. Other URLs are ``responses``'
business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.transports.base import Claims, Patch

if TYPE_CHECKING:
    from collections.abc import Callable

    from requests import PreparedRequest
    from requests.adapters import HTTPAdapter
    from responses import RequestsMock

__all__ = ["RequestsTransport"]


def _has_own_match(mock: RequestsMock, request: PreparedRequest, kwargs: dict[str, Any]) -> bool:
    """Whether the test's mock registered a response for this very request."""
    # What RequestsMock._on_request sets before matching, for matchers that read them.
    request.params = mock._parse_request_params(request.path_url)  # type: ignore[attr-defined] # noqa: SLF001
    request.req_kwargs = kwargs  # type: ignore[attr-defined]
    return any(entry.matches(request)[0] for entry in mock.registered())


@attrs.define
class RequestsTransport:
    """The hook that lets a test's ``responses`` mocks hand Voucherify's URLs to the fake."""

    claims: Claims
    _patch: Patch | None = attrs.field(default=None, init=False)

    def start(self) -> None:
        """Begin passing unmocked Voucherify URLs through ``responses`` mocks."""
        if self._patch is not None:
            return
        import responses  # noqa: PLC0415 - requests and responses only when a fake starts

        self._patch = Patch(responses.RequestsMock, "_on_request", self._wrap_on_request)
        self._patch.start()

    def stop(self) -> None:
        """Remove the hook; safe to call twice."""
        if self._patch is not None:
            self._patch.stop()
            self._patch = None

    def _wrap_on_request(
        self, previous: Callable[..., Any], live: Callable[[], bool]
    ) -> Callable[..., Any]:
        claims = self.claims

        def _on_request(
            mock: RequestsMock, adapter: HTTPAdapter, request: PreparedRequest, **kwargs: Any
        ) -> Any:
            if live() and claims(str(request.url)):
                # ``retries`` is responses' own (its retry emulation), not the adapter's.
                send_kwargs = {key: value for key, value in kwargs.items() if key != "retries"}
                if not _has_own_match(mock, request, send_kwargs):
                    # As responses does for a passthrough URL: on to the real adapter.
                    send = mock._real_send  # noqa: SLF001
                    return send(adapter, request, **send_kwargs)  # type: ignore[call-arg]
            return previous(mock, adapter, request, **kwargs)

        return _on_request
