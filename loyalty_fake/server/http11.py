"""HTTP/1.1 on waitress, with every answer of the server's own a Voucherify error envelope.

waitress parses requests (keep-alive, pipelining, chunked bodies, ``Content-Length``
checks) and buffers each one whole before a worker thread runs the app, so a slow client
holds a socket, never a thread. These subclasses add what the fake needs on top: JSON
envelopes instead of waitress's plain-text errors, 414 for an over-long request line,
505 for an HTTP version other than 1.0 and 1.1, 400 for requests a proxy could read
differently (``Content-Length`` beside ``Transfer-Encoding``, no ``Host`` in HTTP/1.1,
two ``Host`` headers), 408 for a request that takes too long to arrive, a lingering close
so that an error answer is read before the connection resets, an access log line, the
unanswered requests of timeout and drop faults, and each answer's header and body in one
send (``one_send.py``).

A request the app answers at once (``answers_at_once``: no fault configured) is served on
the loop's own thread, right after the poll round that completed it; only the others go
to a worker thread. The app holds the interpreter's lock while it runs either way, and a
hand-off to a worker costs a wake-up, a trigger and, while other requests arrive, the
interpreter's lock going back and forth between the loop and the workers: a third of
what a served get-member costs.
"""

from __future__ import annotations

import collections
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import Error

from loyalty_fake.faults import FaultDropError, FaultTimeoutError
from loyalty_fake.http.app import encode_json
from loyalty_fake.server.keep_alive import BodilessKeepsAlive
from loyalty_fake.server.one_send import OneSend

if TYPE_CHECKING:
    from loyalty_fake.ids import IdGenerator

__all__ = ["MAX_REQUEST_LINE_BYTES", "AccessLine", "Server"]

# Voucherify's paths and queries are short; a longer request line is a client's mistake
# (or an attack) and gets 414 before the rest of it is read.
MAX_REQUEST_LINE_BYTES = 16 * 1024
# After an error answer the server stops reading requests but keeps draining what the
# client still sends, this long at most, so that closing does not reset the connection
# (and destroy the answer) while the client is still writing.
_LINGER_SECONDS = 2.0
# How often a request a timeout fault holds looks whether its client went away.
_POLL_SECONDS = 0.05

# What each of the server's own errors is called in the envelope: (key, message).
_ENVELOPES: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "Invalid request"),
    408: ("request_timeout", "Request Timeout"),
    413: ("payload_too_large", "Payload too large"),
    414: ("uri_too_long", "URI Too Long"),
    431: ("request_header_fields_too_large", "Request Header Fields Too Large"),
    500: ("internal_error", "Internal error in loyalty-fake"),
    501: ("not_implemented", "Not Implemented"),
    505: ("http_version_not_supported", "HTTP Version Not Supported"),
}

AccessLine = Callable[[str, str, int, float], None]
_LOG = logging.getLogger("loyalty_fake.server")


class _UriTooLongError(Error):  # type: ignore[misc] # waitress is untyped
    code = 414
    reason = "URI Too Long"


class _VersionNotSupportedError(Error):  # type: ignore[misc] # waitress is untyped
    code = 505
    reason = "HTTP Version Not Supported"


class _RequestTimeoutError(Error):  # type: ignore[misc] # waitress is untyped
    code = 408
    reason = "Request Timeout"


class _BadRequestError(Error):  # type: ignore[misc] # waitress is untyped
    code = 400
    reason = "Bad Request"


class _Parser(HTTPRequestParser):  # type: ignore[misc] # waitress is untyped
    """waitress's parser, stricter where a lenient reading could be read two ways."""

    def __init__(self, adj: Any) -> None:
        super().__init__(adj)
        self.started = time.monotonic()

    def received(self, data: bytes) -> int:
        if self.body_rcv is None and not self.completed:
            head = self.header_plus + data
            line_end = head.find(b"\n")
            if line_end > MAX_REQUEST_LINE_BYTES or (
                line_end < 0 and len(head) > MAX_REQUEST_LINE_BYTES
            ):
                limit = MAX_REQUEST_LINE_BYTES
                self._fail(_UriTooLongError(f"The request line is longer than {limit} bytes"))
                return len(data)
        return int(super().received(data))

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        problem = self._problem()
        if problem is not None:
            self._fail(problem)

    def _problem(self) -> Error | None:
        headers = self.headers
        if self.version not in {"1.0", "1.1"}:
            return _VersionNotSupportedError(
                f"HTTP/{self.version} is not supported; send HTTP/1.1 (or HTTP/1.0)"
            )
        if self.chunked and "CONTENT_LENGTH" in headers:
            # RFC 9112, 6.3: a message with both may be an attempt at request smuggling.
            return _BadRequestError(
                "A request must not carry both Content-Length and Transfer-Encoding"
            )
        if self.version == "1.0" and "TRANSFER_ENCODING" in headers:
            return _BadRequestError("HTTP/1.0 requests cannot use Transfer-Encoding")
        host = headers.get("HOST")
        if host is None and self.version == "1.1":
            return _BadRequestError("An HTTP/1.1 request must carry a Host header (RFC 9112, 3.2)")
        if host is not None and "," in host:
            return _BadRequestError("A request must carry one Host header")
        return None

    def _fail(self, error: Error) -> None:
        """End this request here with ``error``; its body, if any, is not read."""
        self.error = error
        self.body_rcv = None
        self.chunked = False
        self.content_length = 0
        self.completed = True
        self.headers_finished = True


class _Logged:
    """Times a task and reports its request line and status to the server's access log."""

    channel: Any
    request: Any
    status: str

    def service(self) -> None:
        started = time.perf_counter()
        try:
            super().service()  # type: ignore[misc]
        finally:
            log = self.channel.server.access_line
            if log is not None:
                request = self.request
                method = getattr(request, "command", None) or "-"
                target = getattr(request, "request_uri", None) or "-"
                status = int(self.status.split(" ", 1)[0] or 0)
                log(method, target, status, time.perf_counter() - started)


class _Unanswered:
    """Ends a request a fault leaves unanswered (``faults.py``), as the network would.

    A drop closes the connection at once, without a byte of answer; a timeout keeps it
    open, unanswered, until the client gives up (closes it: its own timeout) or the
    server's idle timeout passes, then closes it the same way. A waiting timeout holds one
    of the server's threads.
    """

    channel: Any
    status: str
    close_on_finish: bool
    unanswered = False

    def execute(self) -> None:
        # Caught here: waitress's service() takes any OSError (these are) for a broken socket.
        try:
            super().execute()  # type: ignore[misc]
        except FaultTimeoutError:
            self._wait_for_the_client(self.channel.adj.channel_timeout)
            self._close_unanswered()
        except FaultDropError:
            self._close_unanswered()

    def finish(self) -> None:
        if not self.unanswered:
            super().finish()  # type: ignore[misc]

    def _wait_for_the_client(self, limit: float) -> None:
        """Until the client closes the connection, ``limit`` seconds at most.

        The server reads no more of a connection while a request of it is served, so a
        peek here takes nothing from it.
        """
        connection = self.channel.socket
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if select.select([connection], [], [], _POLL_SECONDS)[0]:
                try:
                    if not connection.recv(1, socket.MSG_PEEK):
                        return  # the client closed its end
                except OSError:
                    return
                time.sleep(_POLL_SECONDS)  # another request is waiting behind this one

    def _close_unanswered(self) -> None:
        self.unanswered = True
        self.status = "0 No answer (a fault)"
        self.close_on_finish = True


class _AppTask(_Logged, _Unanswered, BodilessKeepsAlive, OneSend, WSGITask):  # type: ignore[misc]
    """A request for the app."""


class _ErrorTask(_Logged, OneSend, ErrorTask):  # type: ignore[misc]
    """The server's own error answer, as Voucherify's JSON envelope."""

    def execute(self) -> None:
        error = self.request.error
        key, message = _ENVELOPES.get(error.code, ("invalid_request", error.reason))
        envelope = {
            "code": error.code,
            "key": key,
            "message": message,
            "details": str(error.body),
            "request_id": self.channel.server.ids.request_id(),
        }
        if error.code == 500:  # noqa: PLR2004 - waitress's own, when an app raises
            envelope["details"] = "The server failed while answering; see its console"
        body = encode_json(envelope)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json; charset=utf-8"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):  # type: ignore[misc]
    """A connection; after an error answer, a lingering close instead of a reset."""

    task_class = _AppTask
    error_task_class = _ErrorTask
    parser_class = _Parser
    lingering_until: float | None = None
    close_when_flushed: bool
    request: Any

    def readable(self) -> bool:
        return self.lingering_until is not None or bool(super().readable())

    def writable(self) -> bool:
        if self.lingering_until is not None:
            return bool(self.will_close)  # its time is up: handle_write closes it
        if self._task_flushes_itself():
            return False
        return bool(super().writable())

    def _task_flushes_itself(self) -> bool:
        """Whether a running task sends what it wrote itself, so the loop need not watch.

        A task's thread sends each write as it makes it; waitress's loop would also poll
        the socket for writing meanwhile, and the socket being writable, spin (tens of
        rounds a request, a third of a served request's CPU) trying a lock the task holds
        while it sends. The loop takes over what is left once the task ends (it pulls the
        trigger then), or at once when the task waits for it: output over the high-water
        mark, or the connection closing. (Of pipelined requests, what an earlier answer
        could not send at once goes with the next one's writes, or after it.)
        """
        return bool(
            self.requests
            and not self.will_close
            and not self.close_when_flushed
            and self.total_outbufs_len <= self.adj.outbuf_high_watermark
        )

    def _flush_outbufs_below_high_watermark(self) -> None:
        # A request served on the loop's thread has no loop to wait for: the loop sends
        # the rest of its answer once it is done (no more of the connection is read
        # until then).
        if not self.server.on_loop():
            super()._flush_outbufs_below_high_watermark()

    def handle_read(self) -> None:
        if self.lingering_until is None:
            super().handle_read()
            return
        try:
            drained = self.recv(65536)  # closes on end of stream
        except OSError:
            self.handle_close()
            return
        if drained and time.monotonic() > self.lingering_until:
            self.handle_close()

    def handle_write(self) -> None:
        if self.lingering_until is not None:
            if self.will_close:
                self.handle_close()
            return
        if self.close_when_flushed and not self.will_close and not self.requests:
            self._flush_exception(self._flush_some)
            if self.total_outbufs_len or self.will_close:
                super().handle_write()
                return
            self.close_when_flushed = False
            try:
                self.socket.shutdown(socket.SHUT_WR)
            except OSError:
                self.handle_close()
                return
            self.lingering_until = time.monotonic() + _LINGER_SECONDS
            return
        super().handle_write()

    def time_out_request(self, now: float, limit: float) -> None:
        """Answer 408 for a request still arriving ``limit`` seconds after it began."""
        with self.requests_lock:
            request = self.request
            if request is None or request.completed or now - request.started < limit:
                return
            request.error = _RequestTimeoutError(f"The request did not arrive whole in {limit:g} s")
            request.completed = True
            self.request = None
            self.requests.append(request)
            if len(self.requests) == 1:
                self.server.add_task(self)


class Server(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server with the channel above, a request timeout and an access log."""

    channel_class = _Channel

    def __init__(
        self,
        *args: Any,
        request_timeout: float,
        access_line: AccessLine | None,
        ids: IdGenerator,
        answers_at_once: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        """Take waitress's arguments, and what the subclasses above read from their server.

        ``answers_at_once``: whether the app now answers every request without waiting
        (then requests are served on the loop's thread); ``None``: never, use workers.
        """
        self.request_timeout = request_timeout
        self.access_line = access_line
        # The server's own errors draw request IDs of their own: they move no fake's IDs.
        self.ids = ids
        self.answers_at_once = answers_at_once
        # The loop's thread (``run_loop`` sets it), and the connections whose complete
        # request it serves itself after its current poll round, in order.
        self._loop_thread: int | None = None
        self._ready: collections.deque[_Channel] = collections.deque()
        super().__init__(*args, **kwargs)

    def on_loop(self) -> bool:
        """Whether the caller runs on the loop's thread."""
        return threading.get_ident() == self._loop_thread

    def _inline(self) -> bool:
        return self.answers_at_once is not None and self.answers_at_once()

    def add_task(self, task: _Channel) -> None:
        """Serve the connection's next request, on the loop's thread when it can.

        That is when the app answers at once and the loop asks (a worker's next
        pipelined request stays with the workers).
        """
        if self.on_loop() and self._inline():
            self._ready.append(task)
        else:
            super().add_task(task)

    def pull_trigger(self) -> None:
        """Wake the loop: from another thread only, as the loop polls again anyway."""
        if not self.on_loop():
            super().pull_trigger()

    def run_loop(self, stopping: threading.Event) -> None:
        """Poll the sockets and serve what is ready, until ``stopping`` is set."""
        self._loop_thread = threading.get_ident()
        while not stopping.is_set():
            wasyncore.poll2(0.0 if self._ready else 0.5, self._map)
            self._serve_ready()

    def _serve_ready(self) -> None:
        """Serve the requests the last poll round completed (those they queue: next round).

        A fault configured meanwhile (by one of them) sends the rest to the workers.
        """
        for _ in range(len(self._ready)):
            channel = self._ready.popleft()
            if not self._inline():
                super().add_task(channel)
                continue
            try:
                channel.service()
            except Exception:  # noqa: BLE001 - as waitress's workers do: the loop goes on
                _LOG.exception("loyalty-fake failed while serving a request")

    def maintenance(self, now: float) -> None:
        """Close idle connections, time out slow requests, end lingering closes.

        waitress's own version counts a connection whose request is still arriving as
        idle; here that one gets its 408 instead, after ``request_timeout``.
        """
        cutoff = now - self.adj.channel_timeout
        monotonic = time.monotonic()
        # Channels are only marked here: this runs while the loop registers sockets with
        # poll(), and a socket closed now could have its number reused by an accept in the
        # same round, whose poll result (for the closed one) would then close the new one.
        for channel in list(self.active_channels.values()):
            if channel.lingering_until is not None:
                if monotonic > channel.lingering_until:
                    channel.will_close = True
            elif channel.request is not None:
                channel.time_out_request(monotonic, self.request_timeout)
            elif not channel.requests and channel.last_activity < cutoff:
                channel.will_close = True
