"""Intercept ``urllib3`` (the official ``voucherify`` SDK's HTTP client).

Every urllib3 request, whether from a ``PoolManager`` or a bare connection pool,
passes through ``HTTPConnectionPool.urlopen``; the patch answers Voucherify's URLs
there and hands every other URL to whatever ``urlopen`` was installed before it.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import attrs
from urllib3 import HTTPHeaderDict
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.response import HTTPResponse

from loyalty_fake.transports.base import Serve, read_body

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Urllib3Transport"]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _absolute_url(pool: HTTPConnectionPool, url: str) -> str:
    if not url.startswith("/"):
        return url
    port = f":{pool.port}" if pool.port else ""
    return f"{pool.scheme}://{pool.host}{port}{url}"


@attrs.define
class Urllib3Transport:
    """Patches ``HTTPConnectionPool.urlopen`` while started; stacks with other patches."""

    serve: Serve
    _previous: Callable[..., Any] | None = attrs.field(default=None, init=False)
    _installed: Callable[..., Any] | None = attrs.field(default=None, init=False)

    def start(self) -> None:
        """Route urllib3's requests for Voucherify to the fake."""
        if self._installed is not None:
            return
        previous = HTTPConnectionPool.urlopen
        serve = self.serve
        transport = self

        def urlopen(
            pool: HTTPConnectionPool,
            method: str,
            url: str,
            body: Any = None,
            headers: Any = None,
            *args: Any,
            **kwargs: Any,
        ) -> Any:
            # Stopped while another patch still sits on top of ours: step aside.
            if transport._installed is not urlopen:
                return previous(pool, method, url, body, headers, *args, **kwargs)
            absolute = _absolute_url(pool, url)
            response = serve(method, absolute, dict(headers or {}), read_body(body))
            if response is None:
                return previous(pool, method, url, body, headers, *args, **kwargs)
            return HTTPResponse(
                body=io.BytesIO(response.body),
                headers=HTTPHeaderDict(
                    [*response.headers, ("Content-Length", str(len(response.body)))]
                ),
                status=response.status,
                reason=_reason(response.status),
                preload_content=kwargs.get("preload_content", True),
                decode_content=kwargs.get("decode_content", True),
                request_method=method,
                request_url=absolute,
                enforce_content_length=True,
            )

        self._previous = previous
        self._installed = urlopen
        HTTPConnectionPool.urlopen = urlopen  # type: ignore[method-assign,assignment]

    def stop(self) -> None:
        """Put back the ``urlopen`` found at start; safe to call twice."""
        if self._installed is None:
            return
        if HTTPConnectionPool.urlopen is self._installed:
            HTTPConnectionPool.urlopen = self._previous  # type: ignore[method-assign,assignment]
        self._installed = None
        self._previous = None
