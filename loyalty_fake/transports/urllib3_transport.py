"""Intercept ``urllib3`` (the official ``voucherify`` SDK's client, and ``requests``' too).

The fake stands in for the socket. Every urllib3 request, from a ``PoolManager``, a
bare pool or ``requests``' adapter, reaches ``HTTPConnectionPool._make_request`` with
the connection it will use; for a URL the fake claims, that connection gets a socket
whose far end is the fake instead of a network connection. Everything else is
urllib3's own: ``urlopen``'s retries and redirects, header checks and encoding in
``HTTPConnection.request`` (a ``None`` value raises ``TypeError`` as it would against
Voucherify), body framing, response parsing and ``preload_content``. The socket is
dropped after each answer, as a server closing the connection would be, so the next
request decides afresh whether it is the fake's.

A connection through a tunnelling proxy to a host the fake claims is not tunnelled:
the fake answers in the proxy's place.
"""

from __future__ import annotations

import io
import ssl
from typing import TYPE_CHECKING, Any

import attrs
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.proxy import connection_requires_http_tunnel
from urllib3.util.ssl_ import resolve_cert_reqs

from loyalty_fake.transports.base import Claims, Patch, Serve
from loyalty_fake.transports.wire import Exchange, origin_of

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["Urllib3Transport"]


class _FakeSocket:
    """The connection's socket while the fake answers: what is sent goes to one exchange."""

    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self._timeout: float | None = None

    def sendall(self, data: bytes) -> None:
        self._exchange.receive(bytes(data))

    def send(self, data: bytes) -> int:
        self.sendall(data)
        return len(data)

    def makefile(self, *_args: Any, **_kwargs: Any) -> io.BytesIO:
        # http.client reads the response through this file once the request is sent.
        return io.BytesIO(self._exchange.answer())

    def settimeout(self, value: float | None) -> None:
        self._timeout = value

    def gettimeout(self) -> float | None:
        return self._timeout

    def setsockopt(self, *_args: Any) -> None:
        """Socket options mean nothing to an in-memory connection."""

    def shutdown(self, _how: int) -> None:
        """Nothing to shut down."""

    def close(self) -> None:
        """Nothing to close."""


def _sender(headers: Mapping[str, str]) -> str:
    """``requests`` when its adapter sent the call (its User-Agent says so), else ``urllib3``."""
    agent = headers.get("user-agent", "")
    return "requests" if agent.startswith("python-requests/") else "urllib3"


def _absolute_url(pool: HTTPConnectionPool, url: str) -> str:
    if not url.startswith("/"):
        return url  # a forwarding proxy's request names its URL in full
    return origin_of(pool.scheme, pool.host, pool.port) + url


def _verifies_certificate(conn: Any) -> bool:
    """Whether urllib3 would have verified Voucherify's certificate on this connection.

    As ``HTTPSConnection.connect`` decides it: ``cert_reqs`` (``CERT_REQUIRED`` unless
    the caller turned verification off) or a pinned fingerprint.
    """
    mode = resolve_cert_reqs(getattr(conn, "cert_reqs", None))
    return mode == ssl.CERT_REQUIRED or bool(getattr(conn, "assert_fingerprint", None))


def _plug(conn: Any, exchange: Exchange) -> None:
    if conn.sock is not None and not isinstance(conn.sock, _FakeSocket):
        conn.close()  # a network connection to a host the fake shares with another service
    # A connection the fake answered before is reused as a kept-alive one would be: closing
    # it would also close the response it last carried (http.client does), which the thread
    # that pooled it may still be closing: under load, "I/O operation on closed file".
    conn.sock = _FakeSocket(exchange)
    if isinstance(conn, HTTPSConnection):
        conn.is_verified = _verifies_certificate(conn)


def _unplug(conn: Any) -> None:
    """Drop the fake's socket after its answer, as a server that closes the connection would.

    Such a server leaves its answer to whoever reads it: http.client forgets an answer that
    will close the connection. It remembers any other until the connection's next
    ``close()``, which urllib3 calls when its pool hands the connection out again (without
    a socket it looks dropped): that closed an answer the thread that got it may be closing
    at the same moment, "I/O operation on closed file" (tests/test_concurrency.py).
    """
    conn.sock = None
    conn._HTTPConnection__response = None  # noqa: SLF001 - http.client's, see above


def _needs_tunnel(pool: HTTPConnectionPool, conn: Any) -> bool:
    proxy = getattr(pool, "proxy", None)
    return (
        proxy is not None
        and getattr(conn, "sock", None) is None
        and connection_requires_http_tunnel(proxy, getattr(pool, "proxy_config", None), pool.scheme)
    )


@attrs.define
class Urllib3Transport:
    """Plugs the fake into urllib3's connections for the URLs it claims, while started."""

    serve: Serve
    claims: Claims
    claims_origin: Callable[[str, str, int | None], bool]
    _patches: tuple[Patch, ...] = attrs.field(init=False)
    _prepare_proxy: Callable[..., Any] | None = attrs.field(default=None, init=False)

    @_patches.default
    def _make_patches(self) -> tuple[Patch, ...]:
        return (
            Patch(HTTPSConnectionPool, "_prepare_proxy", self._wrap_prepare_proxy),
            Patch(HTTPConnectionPool, "_make_request", self._wrap_make_request),
        )

    def start(self) -> None:
        """Route urllib3's requests for Voucherify to the fake."""
        for patch in self._patches:
            patch.start()

    def stop(self) -> None:
        """Put urllib3 back as start() found it; safe to call twice."""
        for patch in reversed(self._patches):
            patch.stop()

    def _wrap_prepare_proxy(
        self, previous: Callable[..., Any], live: Callable[[], bool]
    ) -> Callable[..., Any]:
        self._prepare_proxy = previous
        claims_origin = self.claims_origin

        def _prepare_proxy(pool: HTTPSConnectionPool, conn: Any) -> Any:
            # The tunnel is opened in _make_request, once the path shows whose it is.
            if live() and claims_origin(pool.scheme, pool.host, pool.port):
                return None
            return previous(pool, conn)

        return _prepare_proxy

    def _wrap_make_request(
        self, previous: Callable[..., Any], live: Callable[[], bool]
    ) -> Callable[..., Any]:
        serve, claims = self.serve, self.claims

        def _make_request(
            pool: HTTPConnectionPool, conn: Any, method: str, url: str, *args: Any, **kwargs: Any
        ) -> Any:
            # A fake started later (nested) may have plugged this connection already.
            if live() and not isinstance(conn.sock, _FakeSocket):
                if claims(_absolute_url(pool, url)):
                    _plug(
                        conn, Exchange(serve, origin_of(pool.scheme, pool.host, pool.port), _sender)
                    )
                elif self._prepare_proxy is not None and _needs_tunnel(pool, conn):
                    self._prepare_proxy(pool, conn)
            try:
                return previous(pool, conn, method, url, *args, **kwargs)
            finally:
                if isinstance(conn.sock, _FakeSocket):
                    _unplug(conn)

        return _make_request
