"""``LiveServer``: a WSGI app at a URL, in a thread; ``SwappableApp``: the fake of each test.

The server is waitress (see ``http11.py`` and ``docs/server.md``): HTTP/1.1 with
keep-alive, pipelining and chunked bodies, idle and slow connections timed out, and every
answer of its own a Voucherify error envelope. It answers only the ``Host`` names it
serves (``HostPolicy``), against DNS rebinding.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import attrs
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.task import ThreadedTaskDispatcher

from loyalty_fake.http.app import encode_json
from loyalty_fake.ids import IdGenerator
from loyalty_fake.server.app import Environ, StartResponse
from loyalty_fake.server.http11 import Server

__all__ = ["AccessLog", "CannotServeError", "HostPolicy", "LiveServer", "SwappableApp", "WSGIApp"]

WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - names, not a bind
_MAX_LOGGED_TARGET = 200
# The access log writes what has come in, then waits this long before it looks again: a
# busy server's lines go out in a few writes a second instead of waking the log's thread
# (and handing it the interpreter's lock) once a request. A person reads no faster.
_LINGER = 0.02
_BATCH = 1000
# waitress's per-task queue warnings would print a line per burst of load.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


class CannotServeError(RuntimeError):
    """The server could not listen: the port is taken, or the host is not this machine's."""


def _envelope(
    start_response: StartResponse, status: str, error: tuple[str, str, str], rid: str
) -> list[bytes]:
    """Answer a Voucherify error envelope: ``error`` is (key, message, details)."""
    key, message, details = error
    code = int(status.split(" ", 1)[0])
    body = encode_json(
        {"code": code, "key": key, "message": message, "details": details, "request_id": rid}
    )
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


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
            return _envelope(
                start_response,
                "503 Service Unavailable",
                (
                    "no_fake",
                    "No fake is plugged into this server",
                    (
                        "This server serves each test's own fake while the test runs; "
                        "a request between tests has none to answer it"
                    ),
                ),
                self._ids.request_id(),
            )
        return app(environ, start_response)

    def answers_at_once(self) -> bool:
        """Whether the current app answers without waiting (see ``ServerApp``)."""
        app = self.current
        quick = getattr(app, "answers_at_once", None)
        return app is None or (quick is not None and bool(quick()))


@attrs.frozen(cache_hash=True)  # hashed for every request, by _allows' cache
class HostPolicy:
    """Which ``Host`` names a server answers: a page elsewhere cannot rebind its name to it.

    Always: IP literals and ``localhost`` (and ``*.localhost``), which no one else's DNS
    name can be; the name the server is bound to; the ``allow`` names (``*``: any). Bound
    to a wildcard address, also single-label names (Docker Compose service names) and the
    machine's host name.
    """

    bound: str = "127.0.0.1"
    allow: tuple[str, ...] = ()

    def allows(self, host: str | None) -> bool:
        """Whether ``host`` (a ``Host`` header, with or without a port) is served."""
        if host is None:
            return True  # HTTP/1.0 without one: no browser sends that (HTTP/1.1 needs one)
        return _allows(self, host)

    def _decide(self, host: str) -> bool:
        name = _hostname(host)
        if name is None:
            return False
        allowed = {_hostname(n) for n in (*self.allow, self.bound)} - {None}
        if "*" in self.allow or name in allowed or _is_loopback_name_or_address(name):
            return True
        if self.bound in _WILDCARDS:
            return "." not in name or name == socket.gethostname().lower()
        return False

    def served(self) -> str:
        """The names served, in words, for a refusal's details."""
        names = ["localhost", "IP addresses"]
        if self.bound not in _WILDCARDS:
            names.append(self.bound)
        else:
            names.append("single-label names (Docker service names)")
        names += [name for name in self.allow if name not in names]
        return ", ".join(names)


@functools.lru_cache(maxsize=1024)
def _allows(policy: HostPolicy, host: str) -> bool:
    """``policy``'s answer for ``host``, parsed once: a client sends the same Host each time."""
    return policy._decide(host)  # noqa: SLF001 - the policy's own helper, cached here


def _is_loopback_name_or_address(name: str) -> bool:
    """``localhost``, a ``.localhost`` name (RFC 6761) or an IP address: no one's DNS name."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _hostname(host: str) -> str | None:
    """``Example.COM:8080`` as ``example.com``, ``[::1]:80`` as ``::1``; None if malformed."""
    if host == "*":
        return "*"
    if host.count(":") > 1 and not host.startswith("["):
        return host.lower()  # a bare IPv6 address, as --host takes one
    try:
        parts = urlsplit(f"//{host}")
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return None
    name = (parts.hostname or "").rstrip(".")
    if not name or parts.username is not None or parts.path or parts.query:
        return None
    return name


@attrs.define
class _HostChecked:
    """Answers 421 (Misdirected Request) for a ``Host`` the server does not serve."""

    app: WSGIApp
    policy: HostPolicy
    ids: IdGenerator

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if self.policy.allows(host):
            return self.app(environ, start_response)
        return _envelope(
            start_response,
            "421 Misdirected Request",
            (
                "misdirected_request",
                "Misdirected Request",
                (
                    f"This server does not answer for the host {host!r}; it answers for "
                    f"{self.policy.served()}. Add a name with "
                    "`loyalty-fake serve --allow-host NAME`"
                ),
            ),
            self.ids.request_id(),
        )


def _printable(text: str) -> str:
    """``text`` for a console line: no control characters, at most 200 characters."""
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return shown if len(shown) <= _MAX_LOGGED_TARGET else shown[:_MAX_LOGGED_TARGET] + "..."


@attrs.define
class AccessLog:
    """One console line per request, ``POST /v1/... 200 1.2 ms``, written by a thread of its own.

    A console that nobody reads (a full pipe) never holds a request up: past ``capacity``
    waiting lines, lines are dropped and counted.
    """

    write: Callable[[str], None]
    capacity: int = 10_000
    dropped: int = attrs.field(default=0, init=False)
    _lines: queue.Queue[str | None] = attrs.field(init=False)
    _thread: threading.Thread = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._lines = queue.Queue(self.capacity)
        self._thread = threading.Thread(
            target=self._run, name="loyalty-fake-access-log", daemon=True
        )
        self._thread.start()

    def __call__(self, method: str, target: str, status: int, seconds: float) -> None:
        """Log one answered request."""
        line = f"{_printable(method)} {_printable(target)} {status} {seconds * 1000:.1f} ms"
        try:
            self._lines.put_nowait(line)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        lines = self._lines
        while True:
            # One reader: what qsize() counts is there to take.
            batch = [lines.get()]
            batch += [lines.get_nowait() for _ in range(min(lines.qsize(), _BATCH))]
            end = batch.index(None) if None in batch else len(batch)
            written = [line for line in batch[:end] if line is not None]
            if written:
                self.write("\n".join(written))
            if end < len(batch):
                return  # close()
            time.sleep(_LINGER)

    def close(self, timeout: float = 2.0) -> None:
        """Write what is waiting (for ``timeout`` seconds at most) and stop."""
        try:
            self._lines.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)


@attrs.define
class LiveServer:
    """An HTTP/1.1 server for a WSGI app (a ``ServerApp``), in a background thread.

    ``idle_timeout``: seconds a kept-alive connection may wait for its next request;
    ``request_timeout``: seconds a request may take to arrive whole (then 408);
    ``max_connections``: open connections at once (more wait to be accepted);
    ``access_log``: called once per answered request (method, target, status, seconds).
    An app with an ``answers_at_once()`` method that says so has its requests served on
    the server's loop thread rather than handed to a worker (``http11.Server``).
    """

    app: WSGIApp
    host: str = "127.0.0.1"
    port: int = 0
    allow_hosts: tuple[str, ...] = ()
    access_log: Callable[[str, str, int, float], None] | None = None
    idle_timeout: float = 60.0
    request_timeout: float = 30.0
    threads: int = 8
    max_connections: int = 1000
    _server: Server | None = attrs.field(default=None, init=False)
    _thread: threading.Thread | None = attrs.field(default=None, init=False)
    _stopping: threading.Event = attrs.field(factory=threading.Event, init=False)

    @property
    def url(self) -> str:
        """The base URL to send requests to."""
        if self._server is None:
            raise RuntimeError("the server is not started")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self._server.effective_port}"

    def start(self) -> LiveServer:
        """Bind and serve in a daemon thread; returns ``self``.

        Raises ``CannotServeError`` when the address cannot be listened on.
        """
        where = f"{self.host}:{self.port}"
        try:
            adjustments = Adjustments(
                host=self.host,
                port=self.port,
                threads=self.threads,
                channel_timeout=self.idle_timeout,
                cleanup_interval=1,
                connection_limit=self.max_connections,
                asyncore_use_poll=True,
                log_socket_errors=False,
                max_request_header_size=64 * 1024,
                # The app refuses bodies over 1 MiB itself (a 413 envelope of its own).
                max_request_body_size=16 * 1024 * 1024,
                ident="loyalty-fake",
                expose_tracebacks=False,
            )
        except ValueError as error:
            raise CannotServeError(f"cannot listen on {where}: {error}") from None
        ids = IdGenerator()
        app = _HostChecked(self.app, HostPolicy(self.host, self.allow_hosts), ids)
        dispatcher = ThreadedTaskDispatcher()
        try:
            server = Server(
                app,
                map={},
                dispatcher=dispatcher,
                adj=adjustments,
                sockinfo=adjustments.listen[0],
                request_timeout=self.request_timeout,
                access_line=self.access_log,
                ids=ids,
                answers_at_once=getattr(self.app, "answers_at_once", None),
            )
        except OSError as error:
            raise CannotServeError(f"cannot listen on {where}: {error.strerror or error}") from None
        dispatcher.set_thread_count(self.threads)  # the workers, once there is a socket
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="loyalty-fake-server", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        server = self._server
        assert server is not None  # noqa: S101 - start() set it
        server.run_loop(self._stopping)
        wasyncore.close_all(server._map)  # noqa: SLF001 - waitress's socket map

    def stop(self) -> None:
        """Finish the requests in progress, stop serving, close the sockets; safe twice."""
        server = self._server
        if server is None:
            return
        server.accepting = False
        server.task_dispatcher.shutdown(timeout=5)
        self._stopping.set()
        # Wakes the loop from its poll; a loop that saw the flag first has closed the
        # trigger with every other socket, and is ending anyway.
        with contextlib.suppress(OSError):
            server.pull_trigger()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
