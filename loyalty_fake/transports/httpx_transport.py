"""Intercept ``httpx`` (sync and async clients) for Voucherify's URLs.

``httpx.Client`` and ``httpx.AsyncClient`` send through ``HTTPTransport`` and
``AsyncHTTPTransport``; while started, their ``handle_request`` /
``handle_async_request`` answer the fake's URLs and hand every other URL to the
method that was there before (the network, or another library's patch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from loyalty_fake.http.messages import Response
    from loyalty_fake.transports.base import Serve

__all__ = ["HttpxTransport"]


def _to_httpx(answer: Response, request: httpx.Request) -> httpx.Response:
    import httpx  # noqa: PLC0415 - httpx is optional

    return httpx.Response(
        status_code=answer.status,
        headers=list(answer.headers),
        content=answer.body,
        request=request,
    )


@attrs.define
class HttpxTransport:
    """Patches httpx's default transports while started; a no-op without httpx installed."""

    serve: Serve
    _saved: tuple[Callable[..., Any], Callable[..., Any]] | None = attrs.field(
        default=None, init=False
    )
    _installed: tuple[Callable[..., Any], Callable[..., Any]] | None = attrs.field(
        default=None, init=False
    )

    def start(self) -> None:
        """Route httpx's requests for Voucherify to the fake."""
        if self._installed is not None:
            return
        try:
            import httpx  # noqa: PLC0415
        except ImportError:
            return
        sync_previous = httpx.HTTPTransport.handle_request
        async_previous = httpx.AsyncHTTPTransport.handle_async_request
        serve = self.serve
        transport = self

        def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            if transport._installed is not None and transport._installed[0] is handle_request:
                answer = serve(
                    request.method, str(request.url), dict(request.headers), request.read()
                )
                if answer is not None:
                    return _to_httpx(answer, request)
            return sync_previous(self, request)

        async def handle_async_request(
            self: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            if transport._installed is not None and transport._installed[1] is handle_async_request:
                body = await request.aread()
                answer = serve(request.method, str(request.url), dict(request.headers), body)
                if answer is not None:
                    return _to_httpx(answer, request)
            return await async_previous(self, request)

        self._saved = (sync_previous, async_previous)
        self._installed = (handle_request, handle_async_request)
        httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]

    def stop(self) -> None:
        """Put back what start() found; safe to call twice."""
        if self._installed is None or self._saved is None:
            return
        import httpx  # noqa: PLC0415

        if httpx.HTTPTransport.handle_request is self._installed[0]:
            httpx.HTTPTransport.handle_request = self._saved[0]  # type: ignore[method-assign]
        if httpx.AsyncHTTPTransport.handle_async_request is self._installed[1]:
            httpx.AsyncHTTPTransport.handle_async_request = self._saved[1]  # type: ignore[method-assign]
        self._installed = None
        self._saved = None
