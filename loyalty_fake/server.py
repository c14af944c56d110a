"""The fake at a URL: a threaded HTTP server, durable state, and the control plane.

``ServerApp`` serves Voucherify's API with the same handler the in-process fixture
uses, and ``/_fake/`` only when ``control_plane=True`` (off by default: it resets and
dumps every project without credentials); with a ``Journal`` every accepted mutating
request is written down before it is answered. ``LiveServer`` runs it in a background thread
(the pytest fixture); ``serve`` runs it in the foreground (``loyalty-fake serve``).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from loyalty_fake.control import PREFIX, ControlPlane
from loyalty_fake.errors import no_such_path
from loyalty_fake.http.app import MAX_BODY_BYTES, encode_json, payload_too_large
from loyalty_fake.http.messages import Request, Response
from loyalty_fake.ids import IdGenerator
from loyalty_fake.journal import Journal, JournalError, Record

if TYPE_CHECKING:
    from types import FrameType

    from loyalty_fake.fake import LoyaltyFake

__all__ = [
    "MAX_BODY_BYTES",
    "Interrupted",
    "LiveServer",
    "ServerApp",
    "SwappableApp",
    "serve",
]

_LOG = logging.getLogger("loyalty_fake.server")
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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C before the server was up; says what it interrupted and what became of the state."""


def _is_control(request: Request) -> bool:
    return request.path.startswith(PREFIX) or request.path == PREFIX.rstrip("/")


@attrs.define
class ServerApp:
    """Voucherify's API over one fake, the control plane when enabled, optionally durable.

    With ``control_plane`` off (the default), ``/_fake/...`` answers the same
    Voucherify-shaped 404 as any unknown resource and reveals nothing.
    """

    fake: LoyaltyFake
    journal: Journal | None = None
    control_plane: bool = False
    # A snapshot every this many journal records bounds what a restart after kill -9
    # replays (~0.7 s for 10,000 records here) at the price of a pause while it is written.
    compact_every: int = 10_000
    _control: ControlPlane = attrs.field(init=False)
    _since_snapshot: int = attrs.field(default=0, init=False)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False)

    def __attrs_post_init__(self) -> None:
        self._control = ControlPlane(self.fake)

    def handle(self, request: Request) -> Response:
        """Answer a request; journal it first when it changed state."""
        if _is_control(request) and not self.control_plane:
            return self._control_plane_off(request)
        if request.method in _READ_ONLY:
            return self._dispatch(request)
        return self.apply(request)

    def apply(self, request: Request) -> Response:
        """Run a mutating request at one pinned instant; journal it if it changed state.

        A request changed state when it succeeded, or when its refusal left a record
        (a failed redemption): that one is journaled with its status.
        """
        # One at a time: the journal's order is then the order the ledger applied them.
        with self._lock, self.fake.clock.pinned() as now:
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
        return self.fake.app.handle(request)

    def _control_plane_off(self, request: Request) -> Response:
        # Nothing about the state or the control plane itself: a scanner learns no more
        # than from any other address the API does not have.
        return self.fake.app.error_response(no_such_path(request.path))

    # -- durability -------------------------------------------------------------------------

    def recover(self) -> int:
        """Load the snapshot and replay the journal; returns how many records were replayed."""
        if self.journal is None:
            return 0
        snapshot, records = self.journal.load()
        current = True
        if snapshot is not None:
            try:
                current = self.fake.ledger.restore(snapshot)
            except ValueError as error:
                raise JournalError(f"{self.journal.snapshot_path}: {error}") from error
        for number, record in enumerate(records, start=1):
            with self.fake.clock.pinned(record.at):
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
        if not current:
            self.compact()  # in this version's format: checked once, not at every start
        return len(records)

    @property
    def records_since_snapshot(self) -> int:
        """Accepted writes the last snapshot does not hold (the journal replays them)."""
        return self._since_snapshot

    def compact(self) -> None:
        """Snapshot the state and empty the journal (a quick restart)."""
        if self.journal is not None:
            with self._lock:
                self.journal.compact(self.fake.ledger.snapshot())
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
        return [response.body]

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
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            # Refused before reading: the body never reaches memory.
            return self.fake.app.error_response(payload_too_large(length))
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        return self.handle(Request.from_url(method, str(raw), headers, body))


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without a log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        _LOG.debug("%s %s %s %s", self.command, self.path, code, size)

    def make_environ(self) -> Environ:
        """Werkzeug's environ, with the path exactly as the client sent it."""
        environ: Environ = super().make_environ()
        # http.server reduces a leading // to / (gh-87389, against open redirects in file
        # servers); the fake answers the path the client sent, as in process, where a
        # //v1/... typo is a 404.
        words = self.requestline.split()
        target = words[1] if len(words) > 1 else ""
        leading = len(target) - len(target.lstrip("/"))
        if leading > 1 and not self.path.startswith("//"):
            for key in ("RAW_URI", "REQUEST_URI"):
                environ[key] = "/" * (leading - 1) + environ[key]
        return environ


WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


@attrs.define
class SwappableApp:
    """A WSGI app that forwards to whichever app is plugged in (503 when none is).

    Lets one long-lived server serve each test's own fake in turn.
    """

    current: WSGIApp | None = None
    # Request IDs for the 503s answered between fakes: a generator of their own, so that
    # they move no fake's IDs.
    _ids: IdGenerator = attrs.field(factory=IdGenerator, init=False, repr=False)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Forward to the current app."""
        app = self.current
        if app is None:
            body = encode_json(
                {
                    "code": 503,
                    "key": "no_fake",
                    "message": "No fake is plugged into this server",
                    "details": "This server serves each test's own fake while the test runs; "
                    "a request between tests has none to answer it",
                    "request_id": self._ids.request_id(),
                }
            )
            start_response(
                "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return app(environ, start_response)


@attrs.define
class LiveServer:
    """A threaded HTTP server for a WSGI app (a ``ServerApp``), in a background thread."""

    app: WSGIApp
    host: str = "127.0.0.1"
    port: int = 0
    _server: BaseWSGIServer | None = attrs.field(default=None, init=False)
    _thread: threading.Thread | None = attrs.field(default=None, init=False)

    @property
    def url(self) -> str:
        """The base URL to send requests to."""
        if self._server is None:
            raise RuntimeError("the server is not started")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self._server.server_port}"

    def start(self) -> LiveServer:
        """Bind and serve in a daemon thread; returns ``self``."""
        server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler
        )
        server.daemon_threads = True  # type: ignore[attr-defined] # ThreadingMixIn's
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="loyalty-fake-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None


def _state_size(journal: Journal) -> str | None:
    """``snapshot 53.3 MB, journal 0.1 MB`` for what is there to load, or None when empty."""
    parts = [
        f"{name} {path.stat().st_size / 1e6:.1f} MB"
        for name, path in (("snapshot", journal.snapshot_path), ("journal", journal.journal_path))
        if path.is_file() and path.stat().st_size
    ]
    return ", ".join(parts) or None


def _silent(_line: str) -> None:
    pass


def _start_state(
    app: ServerApp, *, demo: bool, out: Callable[[str], None], say: Callable[[str], None]
) -> None:
    """Load the state directory (saying so when there is much), or seed the demo data."""
    fake, journal = app.fake, app.journal
    started = time.perf_counter()
    size = _state_size(journal) if journal is not None else None
    if journal is not None and size is not None:
        say(f"loading {journal.directory} ({size}) ...")
    try:
        replayed = app.recover()
        had_state = bool(fake.ledger.app_ids()) or replayed
        if journal is not None and had_state:
            took = time.perf_counter() - started
            out(f"recovered {journal.directory} ({replayed} journal records) in {took:.2f} s")
        if demo and not had_state:
            seeded = app.apply(
                Request.from_url("POST", f"{PREFIX}seed", {}, b'{"seed": %d}' % fake.seed)
            )
            out(f"seeded the demo data: {seeded.json()}")
        if replayed or (demo and not had_state):
            app.compact()
    except KeyboardInterrupt:
        if journal is None:
            raise Interrupted("while starting") from None
        # A replayed journal is compacted into a snapshot of the same state, whole or not
        # at all (Journal.compact): either way the next start finds a whole state.
        raise Interrupted(
            f"while loading {journal.directory}; it is whole: the next start loads it"
        ) from None


def _stop_state(app: ServerApp, say: Callable[[str], None]) -> None:
    """Snapshot what the last snapshot lacks (saying so), then close the journal."""
    journal = app.journal
    if journal is None:
        return
    try:
        if app.records_since_snapshot:
            # The journal already holds every write: the snapshot only makes the next
            # start quick, so a second Ctrl-C may skip it and lose nothing.
            say(
                f"stopping: writing a snapshot of {journal.directory} "
                f"({app.records_since_snapshot} writes since the last) ..."
            )
            app.compact()
    except KeyboardInterrupt:
        raise Interrupted(
            f"while writing the snapshot; {journal.directory}'s journal keeps every write"
        ) from None
    finally:
        journal.close()


def serve(  # noqa: PLR0913 - the command line's options
    fake: LoyaltyFake,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    state: str | None = None,
    demo: bool = True,
    control_plane: bool = False,
    out: Callable[[str], None] = print,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Serve ``fake`` until Ctrl-C or SIGTERM; recover and keep ``state`` when given.

    Binds to loopback unless ``host`` says otherwise; ``/_fake/`` answers only with
    ``control_plane=True``. ``progress`` hears about long work (loading the state, the
    snapshot on the way out). Raises ``Interrupted`` for Ctrl-C while the state loads,
    ``JournalError`` for a damaged state directory.
    """
    say = progress or _silent
    journal = Journal(state) if state is not None else None
    app = ServerApp(fake, journal=journal, control_plane=control_plane)
    _start_state(app, demo=demo, out=out, say=say)
    # Werkzeug words a taken port or an unknown host itself, in one line, and exits 1.
    server = LiveServer(app, host=host, port=port).start()
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    url = server.url
    out(f"loyalty-fake serving {url}  (Ctrl-C to stop)")
    out(
        f"  try: curl -H 'X-App-Id: {fake.app_id}' -H 'X-App-Token: {fake.app_token}' "
        f"'{url}/v1/loyalties/Demo%20Coffee%20Club/members'"
    )
    if control_plane:
        out(f"  control plane and dashboard: {url}{PREFIX}  (no credentials: keep it local)")
    else:
        out("  control plane off: --control-plane serves /_fake/ (dashboard, clock, reset)")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        _stop_state(app, say)
        out("loyalty-fake stopped")
    return 0
