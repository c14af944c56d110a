"""Intercept ``httpx`` (sync and async clients) for Voucherify's URLs.

The fake stands in for the network connection. httpx sends through httpcore, whose
``HTTPConnection._connect`` (and ``AsyncHTTPConnection._connect``) opens the stream a
request travels on; for a URL the fake claims, that stream's far end is the fake.
Everything above it is httpx's and httpcore's own: header validation, h11 framing,
proxies, response parsing. The stream is kept alive like any other, until a fake
starts or stops (or, on a host the fake shares with another service, after each
answer): it then reports itself closed by the server, so that the next request
decides afresh whose it is.

Mock libraries sit above the stream, so a route a test registers for a Voucherify URL
(respx, pytest-httpx) answers first. A request for a Voucherify URL that no route of
theirs matches is passed on to the fake instead of failing as unmocked.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.faults import FaultDropError, FaultTimeoutError
from loyalty_fake.transports.base import Claims, Patch, Serve
from loyalty_fake.transports.wire import Exchange, origin_of

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import httpx

__all__ = ["HttpxTransport"]

_MISSING: dict[str, bool] = {}
# Bumped whenever a fake starts or stops: a kept-alive stream to a fake is not reused
# after that, so the next request is answered by whichever fake is current (or none).
_generation = [0]


def _optional_module(name: str) -> Any:
    """The module ``name`` if it is installed (imported on first use), else ``None``."""
    found = sys.modules.get(name)
    if found is not None:  # already imported: import_module's locking costs a fixture ~5%
        return found
    if _MISSING.get(name):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        _MISSING[name] = True
        return None


class _FakeStream:
    """A network stream whose far end is the fake (httpcore's ``NetworkStream`` interface)."""

    def __init__(self, exchange: Exchange, *, reusable: bool) -> None:
        self._exchange = exchange
        self._outbound = memoryview(b"")
        self._reusable = reusable
        self._generation = _generation[0]

    def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ARG002
        self._exchange.receive(buffer)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ARG002
        if not self._outbound and self._exchange.pending:
            self._outbound = memoryview(_answer(self._exchange))
        chunk, self._outbound = self._outbound[:max_bytes], self._outbound[max_bytes:]
        return bytes(chunk)

    def close(self) -> None:
        """Nothing to close."""

    def start_tls(self, *_args: Any, **_kwargs: Any) -> _FakeStream:
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Readable while idle means "the server closed the connection" to httpcore,
            # which then opens a new one, and so asks the fakes again, for the next
            # request: after a fake started or stopped, or on a host the fake shares.
            if not self._exchange.answered or self._outbound:
                return False
            return not self._reusable or self._generation != _generation[0]
        return None


def _answer(exchange: Exchange) -> bytes:
    """The exchange's answer; a fault's timeout or drop as httpcore's own exception.

    httpx then raises ``httpx.ReadTimeout`` or ``httpx.ConnectError``, as over a network.
    """
    try:
        return exchange.answer()
    except FaultTimeoutError as fault:
        import httpcore  # noqa: PLC0415 - installed whenever an httpx stream is faked

        raise httpcore.ReadTimeout(str(fault)) from fault
    except FaultDropError as fault:
        import httpcore  # noqa: PLC0415

        raise httpcore.ConnectError(str(fault)) from fault


class _AsyncFakeStream(_FakeStream):
    """The same, for httpcore's ``AsyncNetworkStream`` interface."""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # type: ignore[override]
        super().write(buffer, timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # type: ignore[override]
        return super().read(max_bytes, timeout)

    async def aclose(self) -> None:
        """Nothing to close."""

    async def start_tls(self, *_args: Any, **_kwargs: Any) -> _AsyncFakeStream:  # type: ignore[override]
        return self


class _NotReused:
    """A network stream to a host the fake shares: never reused for the next request."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return True  # the next request on this origin may be the fake's
        return self._stream.get_extra_info(info)


def _sync_sender(_headers: Mapping[str, str]) -> str:
    return "httpx"


def _async_sender(_headers: Mapping[str, str]) -> str:
    return "httpx-async"


def _where(request: Any) -> tuple[str, str, int | None, str | None]:
    """An httpcore request's (scheme, host, port) and full URL (``None`` for a tunnel)."""
    url = request.url
    scheme, host, port = url.scheme.decode("ascii"), url.host.decode("ascii"), url.port
    target = url.target.decode("ascii")
    if request.method == b"CONNECT":  # a tunnel through a proxy to target, "host:port"
        tunnel_host, _, tunnel_port = target.rpartition(":")
        return "https", tunnel_host.strip("[]"), int(tunnel_port), None
    if target.startswith(("http://", "https://")):  # through a forwarding proxy
        return scheme, host, port, target
    return scheme, host, port, origin_of(scheme, host, port) + target


def _cell_contents(closure: tuple[Any, ...] | None) -> list[Any]:
    """What a function's closure holds, skipping cells not yet filled."""
    contents = []
    for cell in closure or ():
        try:
            contents.append(cell.cell_contents)
        except ValueError:  # noqa: PERF203 - an empty cell; closures are a few cells long
            continue
    return contents


def _original_method(owner: type, name: str) -> Callable[..., Any] | None:
    """``owner.name`` as its library defines it, found beneath wrappers patched over it."""
    qualname = f"{owner.__name__}.{name}"
    # httpx re-exports its classes with __module__ "httpx"; their functions keep the
    # defining module's name (httpx._transports.default).
    package = owner.__module__.partition(".")[0]
    pending: list[Any] = [owner.__dict__[name]]
    seen: set[int] = set()
    while pending:
        candidate = pending.pop()
        if not isinstance(candidate, types.FunctionType) or id(candidate) in seen:
            continue
        seen.add(id(candidate))
        if candidate.__qualname__ == qualname and candidate.__module__.partition(".")[0] == package:
            return candidate
        pending.extend(_cell_contents(candidate.__closure__))
        pending.extend(v for v in [getattr(candidate, "__wrapped__", None)] if v is not None)
    return None


_ORIGINALS: dict[str, Callable[..., Any]] = {}


def _original_send(transport: str, name: str) -> Callable[..., Any] | None:
    """The ``HTTPTransport.handle_request`` (or async) httpx defines, beneath pytest-httpx's."""
    found = _ORIGINALS.get(name)
    if found is None:
        import httpx  # noqa: PLC0415 - pytest-httpx is installed, so httpx is

        found = _original_method(getattr(httpx, transport), name)
        if found is not None:
            _ORIGINALS[name] = found
    return found


@attrs.define
class HttpxTransport:
    """Plugs the fake into httpcore's connections while started; a no-op without httpx."""

    serve: Serve
    claims: Claims
    claims_origin: Callable[[str, str, int | None], bool]
    claims_whole_origin: Callable[[str, str, int | None], bool]
    _patches: list[Patch] = attrs.field(factory=list, init=False)

    def start(self) -> None:
        """Route httpx's requests for Voucherify to the fake."""
        if self._patches:
            return
        httpcore = _optional_module("httpcore")
        if httpcore is None:
            return
        self._patches = [
            Patch(httpcore.HTTPConnection, "_connect", self._wrap_connect(_FakeStream)),
            Patch(httpcore.AsyncHTTPConnection, "_connect", self._wrap_async_connect()),
        ]
        respx = _optional_module("respx.mocks")
        if respx is not None:
            self._patches += [
                Patch(respx.Mocker, "handler", self._wrap_respx),
                Patch(respx.Mocker, "async_handler", self._wrap_async_respx),
            ]
        pytest_httpx = _optional_module("pytest_httpx")
        if pytest_httpx is not None:
            self._patches += [
                Patch(pytest_httpx.HTTPXMock, "_handle_request", self._wrap_httpx_mock),
                Patch(pytest_httpx.HTTPXMock, "_handle_async_request", self._wrap_async_httpx_mock),
            ]
        for patch in self._patches:
            patch.start()
        _generation[0] += 1

    def stop(self) -> None:
        """Put httpcore, respx and pytest-httpx back as start() found them; safe to call twice."""
        if not self._patches:
            return
        for patch in reversed(self._patches):
            patch.stop()
        self._patches = []
        _generation[0] += 1

    # -- the connection ------------------------------------------------------------------

    def _fake_stream(self, request: Any, stream_type: type[_FakeStream]) -> _FakeStream | None:
        scheme, host, port, url = _where(request)
        if url is None:  # a tunnel: the path shows only once the tunnel is open
            claimed = self.claims_origin(scheme, host, port)
            origin = None
        else:
            claimed = self.claims(url)
            origin = origin_of(scheme, host, port)
        if not claimed:
            return None
        reusable = self.claims_whole_origin(scheme, host, port)
        sender = _async_sender if stream_type is _AsyncFakeStream else _sync_sender
        return stream_type(Exchange(self.serve, origin, sender), reusable=reusable)

    def _shared(self, request: Any) -> bool:
        """Whether the fake claims other paths of this unclaimed request's origin."""
        scheme, host, port, _url = _where(request)
        return self.claims_origin(scheme, host, port)

    def _wrap_connect(
        self, stream_type: type[_FakeStream]
    ) -> Callable[[Callable[..., Any], Callable[[], bool]], Callable[..., Any]]:
        def wrap(previous: Callable[..., Any], live: Callable[[], bool]) -> Callable[..., Any]:
            def _connect(connection: Any, request: Any) -> Any:
                if not live():
                    return previous(connection, request)
                stream = self._fake_stream(request, stream_type)
                if stream is not None:
                    return stream
                stream = previous(connection, request)
                return _NotReused(stream) if self._shared(request) else stream

            return _connect

        return wrap

    def _wrap_async_connect(
        self,
    ) -> Callable[[Callable[..., Any], Callable[[], bool]], Callable[..., Any]]:
        def wrap(previous: Callable[..., Any], live: Callable[[], bool]) -> Callable[..., Any]:
            async def _connect(connection: Any, request: Any) -> Any:
                if not live():
                    return await previous(connection, request)
                stream = self._fake_stream(request, _AsyncFakeStream)
                if stream is not None:
                    return stream
                stream = await previous(connection, request)
                return _NotReused(stream) if self._shared(request) else stream

            return _connect

        return wrap

    # -- respx: its routes first, then the fake, for Voucherify's URLs -------------------

    def _respx_passes(self, mocker: Any, request: httpx.Request) -> bool:
        """Whether respx should hand ``request`` to the fake: ours, and no route matches it."""
        if not self.claims(str(request.url)):
            return False
        return not any(
            route.pattern.match(request) for router in mocker.routers for route in router.routes
        )

    def _pass_through(self, request: httpx.Request) -> BaseException:
        from respx.models import PassThrough  # noqa: PLC0415 - respx is optional

        return PassThrough(
            "no respx route matches this Voucherify URL: loyalty-fake answers it",
            request=request,
            origin=None,  # type: ignore[arg-type] # no route of the test's own
        )

    def _wrap_respx(self, previous: Any, live: Callable[[], bool]) -> Any:
        def handler(mocker: Any, request: httpx.Request) -> Any:
            if live() and self._respx_passes(mocker, request):
                raise self._pass_through(request)
            return previous.__func__(mocker, request)

        return classmethod(handler)

    def _wrap_async_respx(self, previous: Any, live: Callable[[], bool]) -> Any:
        async def async_handler(mocker: Any, request: httpx.Request) -> Any:
            if live() and self._respx_passes(mocker, request):
                raise self._pass_through(request)
            return await previous.__func__(mocker, request)

        return classmethod(async_handler)

    # -- pytest-httpx: its responses first, then the fake, for Voucherify's URLs ---------

    def _httpx_mock_passes(self, mock: Any, transport: Any, request: httpx.Request) -> bool:
        """Whether ``httpx_mock`` should hand ``request`` to the fake: ours, and unmatched."""
        callbacks = getattr(mock, "_callbacks", None)
        if callbacks is None or not self.claims(str(request.url)):
            return False
        return not any(matcher.match(transport, request) for matcher, _callback in callbacks)

    def _wrap_httpx_mock(
        self, previous: Callable[..., Any], live: Callable[[], bool]
    ) -> Callable[..., Any]:
        def _handle_request(mock: Any, transport: Any, request: httpx.Request) -> Any:
            if live():
                request.read()
                if self._httpx_mock_passes(mock, transport, request):
                    send = _original_send("HTTPTransport", "handle_request")
                    if send is not None:
                        return send(transport, request)
            return previous(mock, transport, request)

        return _handle_request

    def _wrap_async_httpx_mock(
        self, previous: Callable[..., Any], live: Callable[[], bool]
    ) -> Callable[..., Any]:
        async def _handle_async_request(mock: Any, transport: Any, request: httpx.Request) -> Any:
            if live():
                await request.aread()
                if self._httpx_mock_passes(mock, transport, request):
                    send = _original_send("AsyncHTTPTransport", "handle_async_request")
                    if send is not None:
                        return await send(transport, request)
            return await previous(mock, transport, request)

        return _handle_async_request
