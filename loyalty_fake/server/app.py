"""``ServerApp``: Voucherify's API and the control plane as one WSGI app, optionally durable.

It serves Voucherify's API with the same handler the in-process fixture uses, and
``/_fake/`` only when ``control_plane=True`` (off by default: it resets and dumps every
project without credentials); with a ``Store`` every accepted mutating request is
committed to the state directory inside its own unit of work, before it is answered: a
write that cannot be committed is undone and answered 503.
"""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from loyalty_fake.errors import VoucherifyError, bad_request, no_such_path
from loyalty_fake.http.app import MAX_BODY_BYTES, FakeVoucherifyApp, payload_too_large
from loyalty_fake.http.messages import Request, Response, is_json_media_type
from loyalty_fake.ledger.bulk import no_gc
from loyalty_fake.server.control import PREFIX, ControlPlane
from loyalty_fake.server.journal import NotWrittenError, Record, StateError, state_not_written
from loyalty_fake.server.served import Served, served

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable

    from loyalty_fake.server.store import Store

__all__ = ["MAX_BODY_BYTES", "Environ", "ServerApp", "StartResponse"]

_LOG = logging.getLogger("loyalty_fake.server")
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})
# Control-plane state kept in memory only (the call journal, the faults): never written to
# the state directory, so a restart does not bring a fault back.
_IN_MEMORY = frozenset({f"{PREFIX}journal", f"{PREFIX}faults"})

StartResponse = Any  # WSGI's start_response callable
Environ = dict[str, Any]
# Each status's WSGI status line (``404 Not Found``), made once; a status without a phrase
# gets an empty one.
_STATUS_LINES = {int(status): f"{int(status)} {status.phrase}" for status in HTTPStatus}


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
    store: Store | None = None
    control_plane: bool = False
    # A snapshot every this many journal entries bounds what a restart after kill -9
    # replays (about 1 s for 10,000 rows here) at the price of a pause while it is written.
    compact_every: int = 10_000
    _control: ControlPlane = attrs.field(init=False)
    # Rows after which the next snapshot is due (later than compact_every after a failed one).
    _due: int = attrs.field(default=0, init=False)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False)

    def __attrs_post_init__(self) -> None:
        self._control = ControlPlane(self.served)
        self._due = self.compact_every
        # Served, webhooks go to their URLs too (loyalty_fake.webhooks).
        self.served.app.webhooks.deliver = True

    def answers_at_once(self) -> bool:
        """Whether every request is answered without waiting: no fault, no ``--fsync``.

        Then the server serves requests on its loop's own thread (``http11.Server``); a
        fault that delays or holds an answer needs a worker thread of its own, and reads
        go on in other workers while a write waits for its flush.
        """
        return not self.served.app.faults and (self.store is None or not self.store.fsync)

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
        if request.method in _READ_ONLY or request.path.rstrip("/") in _IN_MEMORY:
            return self._dispatch(request)
        return self.apply(request)

    def apply(self, request: Request) -> Response:
        """Run a mutating request at one pinned instant; keep it if it changed state.

        A request changed state when it succeeded, or when its refusal left a record (a
        failed redemption): its journal entry is written inside the request's unit of
        work, so that an entry that cannot be written undoes the request (503
        ``state_not_written``), and a request that fails writes no entry.
        """
        # One at a time: the journal's order is then the order the ledger applied them.
        with self._lock, self.served.ledger.clock.pinned() as now:
            if self.store is None:
                return self._dispatch(request)
            response = self._dispatch(request, self._keeper(now, request, self.store))
            if self.store.rows_since_snapshot >= self._due:
                self._compact_or_warn()
            return response

    @staticmethod
    def _keeper(now: dt.datetime, request: Request, store: Store) -> Callable[[Response], None]:
        def keep(response: Response) -> None:
            accepted = HTTPStatus.OK <= response.status < HTTPStatus.MULTIPLE_CHOICES
            if accepted or response.recorded:
                try:
                    store.append(Record.of(now, request, None if accepted else response.status))
                except NotWrittenError as failure:
                    _LOG.warning("%s; the request was undone and answered 503", failure)
                    raise state_not_written(failure) from failure

        return keep

    def _dispatch(
        self, request: Request, keep: Callable[[Response], None] | None = None
    ) -> Response:
        if _is_control(request):
            return self._control.handle(request, keep)
        return self.served.app.handle(request, keep, client="server")

    def _control_plane_off(self, request: Request) -> Response:
        # Nothing about the state or the control plane itself: a scanner learns no more
        # than from any other address the API does not have.
        return self.served.app.error_response(no_such_path(request.path))

    # -- durability -------------------------------------------------------------------------

    def recover(self) -> int:
        """Open the state directory, load its snapshot, replay its journal; how many rows replayed.

        Raises ``StateError`` (one line) for a directory that is taken, damaged, foreign
        or unsafe, or whose journal no longer replays as it was answered.
        """
        if self.store is None:
            return 0
        ledger = self.served.ledger
        loaded = self.store.open(fresh_seed=ledger.ids.seed)
        try:
            if ledger.ids.seed != loaded.seed:
                ledger.ids.reseed(loaded.seed)
            if loaded.snapshot is not None:
                try:
                    ledger.restore(loaded.snapshot)
                except ValueError as error:
                    raise StateError(f"{self.store.path}: {error}; refusing to start") from error
            # Each row was authorized when it was accepted (no token is stored), and its body
            # read under the settings of then: the replay runs on the same ledger through an
            # app that checks no credentials and reads a body without a type as JSON.
            replay = attrs.evolve(
                self.served.app,
                credentials={},
                management_credentials={},
                strict_content_type=False,
                check_client_tokens=False,
                client_origins=(),
            )
            control = ControlPlane(Served(ledger, replay, self.served.app_id))
            # What was sent before a restart is not sent again: the replay tells no one,
            # and numbers the events as they were numbered.
            listener, ledger.listener = ledger.listener, self.served.app.webhooks.recount
            try:
                with no_gc():  # collections over a large state cost more than the replay
                    self._replay(loaded.records, replay, control)
            finally:
                ledger.listener = listener
        except BaseException:
            self.store.close()
            raise
        self._due = self.compact_every
        return len(loaded.records)

    def _replay(
        self, records: list[tuple[int, Record]], app: FakeVoucherifyApp, control: ControlPlane
    ) -> None:
        ledger = self.served.ledger
        for seq, record in records:
            request = record.request()
            with ledger.clock.pinned(record.at):
                replayed = control.handle(request) if _is_control(request) else app.handle(request)
            self._check_replayed(seq, record, replayed)

    def _check_replayed(self, seq: int, record: Record, replayed: Response) -> None:
        # Every row was accepted once (or refused with a record); the same request must be
        # answered the same way again, or the state would silently differ from what
        # clients were told.
        if record.status is None:
            same = HTTPStatus.OK <= replayed.status < HTTPStatus.MULTIPLE_CHOICES
            expected = "accepted"
        else:
            same = replayed.status == record.status and replayed.recorded
            expected = f"refused with a record ({record.status})"
        if not same:
            assert self.store is not None  # noqa: S101 - replaying one
            msg = (
                f"{self.store.path} journal entry {seq} ({record.method} {record.url}) "
                f"replayed as {_answer(replayed)}, not as {expected}; refusing to start"
            )
            raise StateError(msg)

    @property
    def records_since_snapshot(self) -> int:
        """Accepted writes the last snapshot does not hold (the journal replays them)."""
        return 0 if self.store is None else self.store.rows_since_snapshot

    def compact(self) -> None:
        """Snapshot the state, then empty the journal: the snapshot holds every entry.

        Raises ``NotWrittenError`` when it cannot be written: then nothing changed.
        """
        if self.store is not None:
            with self._lock:
                self.store.compact(self.served.ledger.snapshot())
                self._due = self.compact_every

    def _compact_or_warn(self) -> None:
        """Compact after an acknowledged write: a failure must not turn it into an error."""
        try:
            self.compact()
        except NotWrittenError as failure:
            self._due = self.records_since_snapshot + self.compact_every
            _LOG.warning(
                "%s: no snapshot written; the journal keeps every write, and the next "
                "snapshot is tried after %d more",
                failure,
                self.compact_every,
            )

    # -- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI application."""
        response = self._wsgi_response(environ)
        status = response.status
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(_STATUS_LINES.get(status) or f"{status} ", headers)
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
        return self.handle(Request.from_url(method, str(raw), headers, body, base=_base(environ)))


def _base(environ: Environ) -> str:
    """The URL the client reached the server at, from its ``Host`` header (PEP 3333)."""
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    host = environ.get("HTTP_HOST")
    if not host:
        host = f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{scheme}://{host}{quote(str(environ.get('SCRIPT_NAME', '')))}"


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
