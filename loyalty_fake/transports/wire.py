"""The fake as the far end of a connection: it reads the bytes a client sent and answers in bytes.

urllib3 (and so ``requests`` and the official SDK) and httpx keep every step of their own
work (header validation and encoding, body framing, retries, response parsing) because
the fake stands where the network would: in place of the socket. A header the client
library refuses never reaches it; one it sends as bytes arrives as a server reads it
(Latin-1); a chunked body arrives chunked.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from loyalty_fake.http.messages import Response
    from loyalty_fake.transports.base import Serve

__all__ = ["Exchange", "IncompleteRequestError", "origin_of", "render_response"]

_CRLF = b"\r\n"
_HEAD_END = b"\r\n\r\n"
_NO_BODY_STATUSES = frozenset({204, 304})
_OWS = " \t"


class IncompleteRequestError(TimeoutError):
    """The client declared more body than it sent: a server would wait, the client time out."""


def origin_of(scheme: str, host: str, port: int | None) -> str:
    """``scheme://host:port`` for a connection's far end (IPv6 hosts bracketed)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{scheme}://{shown}:{port}" if port else f"{scheme}://{shown}"


_STATUS_LINES = {
    status.value: f"HTTP/1.1 {status.value} {status.phrase}\r\n" for status in HTTPStatus
}


def render_response(response: Response, method: str) -> bytes:
    """``response`` as HTTP/1.1 bytes, framed by ``Content-Length`` (none for 204 and 304)."""
    status = response.status
    head = _STATUS_LINES.get(status) or f"HTTP/1.1 {status} \r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in response.headers)
    bodiless = status in _NO_BODY_STATUSES or status < 200  # noqa: PLR2004
    if not bodiless and not any(name.lower() == "content-length" for name, _ in response.headers):
        head += f"Content-Length: {len(response.body)}\r\n"
    wire = (head + "\r\n").encode("latin-1")
    if bodiless or method == "HEAD":
        return wire
    return wire + response.body


def _dechunk(data: bytes) -> bytes:
    """A ``Transfer-Encoding: chunked`` body, without its framing (trailers dropped)."""
    body = bytearray()
    position = 0
    while True:
        line_end = data.find(_CRLF, position)
        if line_end < 0:
            raise IncompleteRequestError("a chunked request body ended before its last chunk")
        size = int(data[position:line_end].split(b";", 1)[0].strip() or b"0", 16)
        position = line_end + 2
        if size == 0:
            return bytes(body)
        if len(data) < position + size:
            raise IncompleteRequestError("a chunked request body ended inside a chunk")
        body += data[position : position + size]
        position += size + 2


@attrs.frozen
class _Received:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


def _parse(data: bytes) -> _Received:
    """One request as a server reads it: header bytes as Latin-1, the body as framed."""
    head, found, rest = data.partition(_HEAD_END)
    if not found:
        raise IncompleteRequestError("the request ended inside its headers")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    last = ""
    for line in lines[1:]:
        if line[:1] in {" ", "\t"} and last:  # an obsolete folded continuation line
            headers[last] = headers[last] + " " + line.strip(_OWS)
            continue
        name, _, value = line.partition(":")
        last = name.lower()
        value = value.strip(_OWS)
        # Repeated fields are one comma-separated list (RFC 9110, section 5.3).
        headers[last] = f"{headers[last]}, {value}" if last in headers else value
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(rest)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if len(rest) < length:
            raise IncompleteRequestError(
                f"the request declared Content-Length {length} but sent {len(rest)} bytes"
            )
        body = rest[:length]
    else:
        body = b""
    return _Received(method, target, headers, body)


@attrs.define
class Exchange:
    """One connection's worth of HTTP/1.1 with the fake: bytes in, one answer out.

    ``origin`` is the URL of the connection's far end; a request whose target is an
    absolute URL (through a forwarding proxy) names its own. A ``CONNECT`` (a proxy
    tunnel) is accepted, and the requests that follow it go to the tunnel's host.
    """

    serve: Serve
    origin: str | None
    # Who sent the request, told from its headers: a name of loyalty_fake.journal.CLIENTS.
    sender: Callable[[Mapping[str, str]], str]
    _inbound: bytearray = attrs.field(factory=bytearray, init=False)
    answered: bool = attrs.field(default=False, init=False)

    @property
    def pending(self) -> bool:
        """Whether bytes were received that have not been answered yet."""
        return bool(self._inbound)

    def receive(self, data: bytes) -> None:
        """Bytes the client sent."""
        self._inbound += data

    def answer(self) -> bytes:
        """The response to the request received so far, as bytes."""
        received = _parse(bytes(self._inbound))
        self._inbound.clear()
        if received.method == "CONNECT":
            self.origin = f"https://{received.target}"
            return b"HTTP/1.1 200 Connection established\r\n\r\n"
        url = received.target
        if not url.startswith(("http://", "https://")):
            url = f"{self.origin}{received.target}"
        client = self.sender(received.headers)
        response = self.serve(received.method, url, received.headers, received.body, client)
        if response is None:
            # Only through a proxy tunnel to a host the fake shares with other services.
            raise ConnectionRefusedError(f"loyalty-fake does not serve {url}")
        self.answered = True
        return render_response(response, received.method)
