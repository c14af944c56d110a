"""``ServerApp``: Voucherify's API and the control plane as one WSGI app, optionally durable.

It serves Voucherify's API with the same handler the in-process fixture uses, and
``/_fake/`` only when ``control_plane=True`` (off by default: it resets and dumps every
project without credentials); with a ``Journal`` every accepted mutating request is
written down before it is answered.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from loyalty_fake.errors import VoucherifyError, bad_request, no_such_path
from loyalty_fake.http.app import MAX_BODY_BYTES, payload_too_large
from loyalty_fake.http.messages import Request, Response, is_json_media_type
from loyalty_fake.server.control import PREFIX, ControlPlane
from loyalty_fake.server.journal import Journal, JournalError, Record
from loyalty_fake.server.served import Served, served

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MAX_BODY_BYTES", "Environ", "ServerApp", "StartResponse"]

_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})

StartResponse = Any  # WSGI's start_response callable
Environ = dict[str, Any]


def _answer(response: Response) -> str:
    """A refusal as one line: ``400 invalid_payload (details)``."""
    try:
        envelope = response.json()
        return f"{response.status} {envelope['key']} ({envelope.get('details', '')})"
    except (ValueError, TypeError, KeyError):
        return str(response.status)


def _not_json(request: Request) -> VoucherifyError:
    """The 415 for a state-changing control-plane request not sent as JSON."""
    sent = request.header("content-type")
    return VoucherifyError(
        code=415,
        key="unsupported_media_type",
        message="Unsupported Media Type",
        details=f"{request.method} {PREFIX}... changes the fake's state and must be sent with "
        f"Content-Type: application/json (got {'none' if sent is None else repr(sent)}): "
        "a web page on another site cannot send that",
    )


def _is_control(request: Request) -> bool:
    return request.path.startswith(PREFIX) or request.path == PREFIX.rstrip("/")


@attrs.define
class ServerApp:
    """Voucherify's API over one ledger, the control plane when enabled, optionally durable.

    Built on a ``Served`` (the ledger and the HTTP app over it); ``ServerApp(fake)`` takes
    a ``LoyaltyFake`` apart into one. With ``control_plane`` off (the default),
    ``/_fake/...`` answers the same Voucherify-shaped 404 as any unknown resource and
    reveals nothing.
    """

    # The ledger and the HTTP app (a LoyaltyFake is accepted and taken apart: see served()).
    served: Served = attrs.field(converter=served)
    journal: Journal | None = None
    control_plane: bool = False
    # A snapshot every this many journal records bounds what a restart after kill -9
    # replays (~0.7 s for 10,000 records here) at the price of a pause while it is written.
    compact_every: int = 10_000
    _control: ControlPlane = attrs.field(init=False)
    _since_snapshot: int = attrs.field(default=0, init=False)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False)

    def __attrs_post_init__(self) -> None:
        self._control = ControlPlane(self.served)

    def handle(self, request: Request) -> Response:
        """Answer a request; journal it first when it changed state.

        A control-plane request that changes state must be sent as JSON: a page on another
        site cannot send that without a CORS preflight, which this server never grants.
        """
        if _is_control(request):
            if not self.control_plane:
                return self._control_plane_off(request)
            if request.method not in _READ_ONLY and not is_json_media_type(
                request.header("content-type") or ""
            ):
                return self.served.app.error_response(_not_json(request))
        if request.method in _READ_ONLY:
            return self._dispatch(request)
        return self.apply(request)

    def apply(self, request: Request) -> Response:
        """Run a mutating request at one pinned instant; journal it if it changed state.

        A request changed state when it succeeded, or when its refusal left a record
        (a failed redemption): that one is journaled with its status.
        """
        # One at a time: the journal's order is then the order the ledger applied them.
        with self._lock, self.served.ledger.clock.pinned() as now:
            response = self._dispatch(request)
            accepted = HTTPStatus.OK <= response.status < HTTPStatus.MULTIPLE_CHOICES
            if self.journal is not None and (accepted or response.recorded):
                status = None if accepted else response.status
                self.journal.append(Record.of(now, request, status))
                self._since_snapshot += 1
                if self._since_snapshot >= self.compact_every:
                    self.compact()
            return response

    def _dispatch(self, request: Request) -> Response:
        if _is_control(request):
            return self._control.handle(request)
        return self.served.app.handle(request)

    def _control_plane_off(self, request: Request) -> Response:
        # Nothing about the state or the control plane itself: a scanner learns no more
        # than from any other address the API does not have.
        return self.served.app.error_response(no_such_path(request.path))

    # -- durability -------------------------------------------------------------------------

    def recover(self) -> int:
        """Load the snapshot and replay the journal; returns how many records were replayed."""
        if self.journal is None:
            return 0
        snapshot, records = self.journal.load()
        if snapshot is not None:
            try:
                self.served.ledger.restore(snapshot)
            except ValueError as error:
                raise JournalError(f"{self.journal.snapshot_path}: {error}") from error
        for number, record in enumerate(records, start=1):
            with self.served.ledger.clock.pinned(record.at):
                replayed = self._dispatch(
                    Request.from_url(record.method, record.url, record.headers, record.body)
                )
            # Every record was accepted once (or refused with a record); the same request must
            # be answered the same way again, or the state would silently differ from what
            # clients were told.
            if record.status is None:
                same = HTTPStatus.OK <= replayed.status < HTTPStatus.MULTIPLE_CHOICES
                expected = "accepted"
            else:
                same = replayed.status == record.status and replayed.recorded
                expected = f"refused with a record ({record.status})"
            if not same:
                msg = (
                    f"{self.journal.journal_path} record {number} ({record.method} {record.url}) "
                    f"replayed as {_answer(replayed)}, not as {expected}; refusing to start"
                )
                raise JournalError(msg)
        self.journal.open()
        self._since_snapshot = len(records)
        return len(records)

    @property
    def records_since_snapshot(self) -> int:
        """Accepted writes the last snapshot does not hold (the journal replays them)."""
        return self._since_snapshot

    def compact(self) -> None:
        """Snapshot the state and empty the journal (a quick restart)."""
        if self.journal is not None:
            with self._lock:
                self.journal.compact(self.served.ledger.snapshot())
                self._since_snapshot = 0

    # -- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI application."""
        response = self._wsgi_response(environ)
        reason = (
            HTTPStatus(response.status).phrase
            if response.status in HTTPStatus._value2member_map_
            else ""
        )
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {reason}", headers)
        # HEAD: the length of what GET would send, and no body (RFC 9110, 9.3.2).
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [response.body]

    def _wsgi_response(self, environ: Environ) -> Response:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        # RAW_URI keeps %2F inside a code; PATH_INFO would have decoded it into a slash.
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not raw:
            path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
            query = environ.get("QUERY_STRING", "")
            raw = f"{path}?{query}" if query else path
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        body = _read_body(environ)
        if isinstance(body, VoucherifyError):
            return self.served.app.error_response(body)
        return self.handle(Request.from_url(method, str(raw), headers, body))


def _read_body(environ: Environ) -> bytes | VoucherifyError:
    """The whole request body, or the error that refuses it (before reading what is too long).

    The server de-chunks a chunked body and says its length; a server that passes the
    stream on unmeasured says ``wsgi.input_terminated``, and it is read to its end.
    """
    declared = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if declared in (None, ""):
        if not environ.get("wsgi.input_terminated"):
            return b""
        body: bytes = stream.read(MAX_BODY_BYTES + 1)
        return payload_too_large(len(body)) if len(body) > MAX_BODY_BYTES else body
    text = str(declared).strip()
    if not text.isascii() or not text.isdigit():
        return bad_request(
            "invalid_request", "Invalid request", f"Content-Length {text!r} is not a length"
        )
    length = int(text)
    if length > MAX_BODY_BYTES:
        # Refused before reading: the body never reaches memory.
        return payload_too_large(length)
    return bytes(stream.read(length)) if length else b""
