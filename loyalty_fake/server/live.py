"""``LiveServer``: a WSGI app at a URL, in a thread; ``SwappableApp``: the fake of each test."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

import attrs
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from loyalty_fake.http.app import encode_json
from loyalty_fake.ids import IdGenerator
from loyalty_fake.server.app import Environ, StartResponse

__all__ = ["LiveServer", "SwappableApp", "WSGIApp"]

_LOG = logging.getLogger("loyalty_fake.server")


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
