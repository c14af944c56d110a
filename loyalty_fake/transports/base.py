"""What a transport needs from the fake: one function from a client's request to a response."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from loyalty_fake.http.messages import Response

__all__ = ["Serve", "read_body"]


class Serve(Protocol):
    """Answer ``method url`` when the fake claims the URL, else return ``None``."""

    def __call__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Response | None:
        """The fake's response, or ``None`` for a URL that is not Voucherify's."""


def read_body(body: object) -> bytes:
    """Whatever a client passes as a body (bytes, str, file, iterable) as bytes."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    if callable(read):
        return read_body(read())
    if isinstance(body, Iterable):
        return b"".join(read_body(chunk) for chunk in body)
    raise TypeError(f"cannot read a request body of type {type(body).__name__}")
