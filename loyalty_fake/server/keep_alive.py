"""A kept-alive connection stays open after an answer that has no body (204, 304).

waitress closes an HTTP/1.1 connection after any answer with no ``Content-Length``, for
want of a way to tell where its body ends; a 204 or 304 has no body to end (RFC 9112,
6.3), and ``Content-Length`` is dropped from it. So every ``DELETE`` cost a client a new
connection. ``BodilessKeepsAlive`` keeps the connection, unless the client asked to
close it or speaks HTTP/1.0 (whose keep-alive needs a length).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BodilessKeepsAlive"]


class BodilessKeepsAlive:
    """A task mixin: a bodiless answer on HTTP/1.1 leaves the connection open."""

    close_on_finish: bool
    has_body: bool
    request: Any
    version: str

    def build_response_header(self) -> bytes:
        """Waitress's header, minus the close it adds to a bodiless answer for want of a length."""
        asked_to_close = self.request.headers.get("CONNECTION", "").lower() == "close"
        if self.has_body or self.close_on_finish or self.version != "1.1" or asked_to_close:
            return super().build_response_header()  # type: ignore[misc, no-any-return]
        # Already closing, as far as waitress can tell: it adds no ``Connection: close``.
        self.close_on_finish = True
        try:
            return super().build_response_header()  # type: ignore[misc, no-any-return]
        finally:
            self.close_on_finish = False
