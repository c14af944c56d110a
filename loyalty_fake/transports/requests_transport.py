"""Intercept ``requests`` through ``responses``.

The fake runs its own ``responses.RequestsMock`` that claims Voucherify's URLs and
passes every other URL on to whatever ``HTTPAdapter.send`` was in place when it
started (the network, or a test's own mock). When a test starts its own
``responses`` mock after the fake, that mock sits on top; a small hook then hands
it Voucherify's URLs, unless the test registered a response for that URL itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs
import responses
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from responses.registries import FirstMatchRegistry
from urllib3 import HTTPHeaderDict

from loyalty_fake.transports.base import Serve, read_body

if TYPE_CHECKING:
    from collections.abc import Callable

    from requests import PreparedRequest
    from urllib3.response import HTTPResponse

__all__ = ["RequestsTransport"]

_OWNED = "_loyalty_fake_owned"
_EVERYTHING = re.compile(r".*", re.DOTALL)


def _bytes_io(data: bytes) -> Any:
    import io  # noqa: PLC0415

    return io.BytesIO(data)


@attrs.define
class RequestsTransport:
    """A started ``responses`` mock for Voucherify's URLs, plus the hook for a test's own mocks."""

    serve: Serve
    claims: Callable[[str], bool]
    _mock: responses.RequestsMock | None = attrs.field(default=None, init=False)
    _hook: Callable[..., Any] | None = attrs.field(default=None, init=False)
    _previous_hook: Callable[..., Any] | None = attrs.field(default=None, init=False)

    def start(self) -> None:
        """Begin answering ``requests`` calls to Voucherify."""
        if self._mock is not None:
            return
        mock = responses.RequestsMock(
            assert_all_requests_are_fired=False,
            registry=FirstMatchRegistry,
            passthru_prefixes=(_EVERYTHING,),  # type: ignore[arg-type] # regexes are documented
            real_adapter_send=HTTPAdapter.send,
        )
        setattr(mock, _OWNED, True)
        mock.add(_ClaimingResponse(self.serve, self.claims))
        mock.start()
        self._mock = mock
        self._install_hook(mock)

    def _install_hook(self, ours: responses.RequestsMock) -> None:
        previous = responses.RequestsMock._on_request  # noqa: SLF001
        claims = self.claims

        def _on_request(
            mock_self: responses.RequestsMock,
            adapter: HTTPAdapter,
            request: PreparedRequest,
            **kwargs: Any,
        ) -> Any:
            if (
                self._hook is _on_request
                and not getattr(mock_self, _OWNED, False)
                and claims(str(request.url))
                and not _has_own_match(mock_self, request, kwargs)
            ):
                return previous(ours, adapter, request, **kwargs)
            return previous(mock_self, adapter, request, **kwargs)

        self._previous_hook = previous
        self._hook = _on_request
        responses.RequestsMock._on_request = _on_request  # type: ignore[method-assign,assignment] # noqa: SLF001

    def stop(self) -> None:
        """Stop answering; safe to call twice."""
        if self._mock is None:
            return
        self._mock.stop(allow_assert=False)
        self._mock = None
        if responses.RequestsMock._on_request is self._hook:  # noqa: SLF001
            responses.RequestsMock._on_request = self._previous_hook  # type: ignore[method-assign,assignment] # noqa: SLF001
        self._hook = None
        self._previous_hook = None


def _has_own_match(
    mock: responses.RequestsMock, request: PreparedRequest, kwargs: dict[str, Any]
) -> bool:
    """Whether a test's own mock registered a response for this very request."""
    request.params = mock._parse_request_params(request.path_url)  # type: ignore[attr-defined] # noqa: SLF001
    request.req_kwargs = kwargs  # type: ignore[attr-defined]
    return any(entry.matches(request)[0] for entry in mock.registered())


class _ClaimingResponse(responses.BaseResponse):
    """A ``responses`` entry that matches every URL the fake claims, for any method."""

    passthrough = False

    def __init__(self, serve: Serve, claims: Callable[[str], bool]) -> None:
        super().__init__(method="GET", url=_EVERYTHING)
        self._serve = serve
        self._claims = claims

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        if self._claims(str(request.url)):
            return True, ""
        return False, "not a URL loyalty-fake serves"

    def get_response(self, request: PreparedRequest) -> HTTPResponse:
        headers = {str(k): str(v) for k, v in request.headers.items()}
        answer = self._serve(
            str(request.method), str(request.url), headers, read_body(request.body)
        )
        if answer is None:  # pragma: no cover - matches() claimed it a moment ago
            raise RequestsConnectionError(f"loyalty-fake does not serve {request.url}")
        return responses._form_response(  # noqa: SLF001 - how responses itself builds bodies
            _bytes_io(answer.body),
            HTTPHeaderDict(list(answer.headers)),
            answer.status,
            request.method,
        )
