"""Each answer leaves the server in one send: its header and body together.

waitress sent the header, then the body, and the header alone woke the client, which found
the answer incomplete and slept again until the body came (``one_send.py``). These tests
record every ``send`` the server makes on a real served connection, and check that what
the client reads is what waitress's own write produces, whatever the app answers.
"""

from __future__ import annotations

import re
import socket
import time
from typing import TYPE_CHECKING, Any

import pytest
from waitress.task import Task

from loyalty_fake import LoyaltyFake
from loyalty_fake.server import LiveServer, ServerApp
from loyalty_fake.server.http11 import _Channel
from loyalty_fake.server.one_send import ONE_SEND_MOST_BYTES, OneSend
from tests.served_apps import SERVED_ON, served_on

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

AUTH = b"X-App-Id: loyalty-fake-app-id\r\nX-App-Token: loyalty-fake-app-token\r\n"
_DATE = re.compile(rb"\r\nDate: [^\r]*")


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What each ``send`` of the server put on the wire, in order, while a test runs."""
    sent: list[bytes] = []
    send = _Channel.send

    def recording(channel: _Channel, data: bytes, do_close: bool = True) -> int:
        count = int(send(channel, data, do_close))
        if count:
            sent.append(bytes(data[:count]))
        return count

    monkeypatch.setattr(_Channel, "send", recording)
    return sent


@pytest.fixture(params=SERVED_ON)
def server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A fake with a program of three cards, served on the loop's thread or by workers."""
    fake = LoyaltyFake(seed=7, now="2024-05-01T12:00:00Z")
    fake.create_loyalty_program("Club", vouchers_count=3)
    yield from served_on(request.param, ServerApp(fake))


def _connect(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    connection = socket.create_connection((host, int(port)), timeout=10)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def _request(server: LiveServer, line: str, extra: bytes = b"") -> bytes:
    host = server.url.removeprefix("http://").encode()
    return b"%s HTTP/1.1\r\nHost: %s\r\n%s%s\r\n" % (line.encode(), host, AUTH, extra)


def _read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _read(connection: socket.socket, answers: int, *, bodiless: bool = False) -> bytes:
    """Read ``answers`` whole answers (to HEAD: ``bodiless``, whatever their length says)."""
    received = b""
    while not _complete(received, answers, bodiless=bodiless):
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def _complete(received: bytes, answers: int, *, bodiless: bool) -> bool:
    """Whether ``received`` holds ``answers`` answers, the last one whole."""
    if received.count(b"HTTP/1.1 ") < answers:
        return False
    head, separator, body = received.rpartition(b"HTTP/1.1 ")[2].partition(b"\r\n\r\n")
    length = re.search(rb"\r\nContent-Length: (\d+)", head)
    if not separator:
        return False
    return bodiless or length is None or len(body) >= int(length.group(1))


def _sent(sends: list[bytes], received: bytes) -> list[bytes]:
    """The status line each send began with, once the sends add up to ``received``.

    Each send is a whole answer (none a body alone). The server records a send once it
    returns, which may be after the client has read it: hence the wait.
    """
    deadline = time.monotonic() + 5
    while len(b"".join(sends)) < len(received) and time.monotonic() < deadline:
        time.sleep(0.001)
    assert b"".join(sends) == received
    return [data.split(b"\r\n", 1)[0] for data in sends]


def test_a_json_answer_is_one_send(server: LiveServer, sends: list[bytes]) -> None:
    """A 200 with a JSON body goes out in one send, header and body, and reads whole."""
    with _connect(server) as connection:
        connection.sendall(_request(server, "GET /v1/loyalties"))
        received = _read(connection, 1)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b'"object":"list"' in received
    assert _sent(sends, received) == [b"HTTP/1.1 200 OK"]


def test_the_servers_own_error_envelope_is_one_send(server: LiveServer, sends: list[bytes]) -> None:
    """A malformed request's envelope (the server's own answer) goes out in one send."""
    with _connect(server) as connection:
        connection.sendall(b"GET / HTTP/9.9\r\n\r\n")
        received = _read_until_closed(connection)
    assert b'"key":"http_version_not_supported"' in received
    # waitress answers a version it does not speak in HTTP/1.0.
    assert _sent(sends, received) == [b"HTTP/1.0 505 HTTP Version Not Supported"]


def test_head_and_204_answers_stay_bodiless(server: LiveServer, sends: list[bytes]) -> None:
    """HEAD answers the length a GET would, with no body; a 204 has neither, and keeps alive."""
    customer = b'{"source_id":"leaving"}'
    length = b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(customer)
    with _connect(server) as connection:
        connection.sendall(_request(server, "HEAD /v1/nothing"))
        head = _read(connection, 1, bodiless=True)
        connection.sendall(_request(server, "POST /v1/customers", length) + customer)
        created = _read(connection, 1)
        customer_id = re.search(rb'"id":"(cust_\w+)"', created)
        assert customer_id is not None
        connection.sendall(_request(server, f"DELETE /v1/customers/{customer_id[1].decode()}"))
        deleted = _read(connection, 1, bodiless=True)
        # The connection is still open: the next request is answered on it.
        connection.sendall(_request(server, "GET /v1/loyalties"))
        after = _read(connection, 1)
    assert head.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert re.search(rb"\r\nContent-Length: [1-9]\d*\r\n", head)
    assert head.endswith(b"\r\n\r\n")
    assert deleted.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert deleted.endswith(b"\r\n\r\n")
    assert b"Content-Length" not in deleted
    assert b"Connection" not in deleted
    assert after.startswith(b"HTTP/1.1 200 OK\r\n")
    assert _sent(sends, head + created + deleted + after) == [
        b"HTTP/1.1 404 Not Found",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 204 No Content",
        b"HTTP/1.1 200 OK",
    ]


def test_a_204_asked_to_close_closes(server: LiveServer) -> None:
    """A client that asks to close after a DELETE gets ``Connection: close`` and a closed socket."""
    with _connect(server) as connection:
        connection.sendall(_request(server, "POST /v1/customers", b"Content-Length: 2\r\n") + b"{}")
        created = _read(connection, 1)
        customer_id = re.search(rb'"id":"(cust_\w+)"', created)
        assert customer_id is not None
        line = f"DELETE /v1/customers/{customer_id[1].decode()}"
        connection.sendall(_request(server, line, b"Connection: close\r\n"))
        deleted = _read_until_closed(connection)
    assert deleted.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert b"\r\nConnection: close\r\n" in deleted


def test_pipelined_requests_are_one_send_each(server: LiveServer, sends: list[bytes]) -> None:
    """Two requests sent together: two answers, in order, each in one send."""
    first = _request(server, "GET /v1/loyalties")
    second = _request(server, "GET /v1/loyalties/members/nobody")
    with _connect(server) as connection:
        connection.sendall(first + second)
        received = _read(connection, 2)
    assert _sent(sends, received) == [b"HTTP/1.1 200 OK", b"HTTP/1.1 404 Not Found"]


def test_keep_alive_then_close_is_one_send_each(server: LiveServer, sends: list[bytes]) -> None:
    """Answers on a kept-alive connection, then one asked to close: one send each, then closed."""
    received = b""
    with _connect(server) as connection:
        for _ in range(3):
            connection.sendall(_request(server, "GET /v1/loyalties"))
            received += _read(connection, 1)
        connection.sendall(_request(server, "GET /v1/loyalties", b"Connection: close\r\n"))
        last = _read_until_closed(connection)
    assert last.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in last
    assert _sent(sends, received + last) == [b"HTTP/1.1 200 OK"] * 4


# -- the same bytes as waitress's own write, whatever the app answers ---------------------------

BIG = b"b" * (ONE_SEND_MOST_BYTES + 1)


def _answering(status: str, headers: list[tuple[str, str]], chunks: list[bytes]) -> Any:
    def app(_environ: dict[str, Any], start_response: Callable[..., object]) -> Iterable[bytes]:
        start_response(status, headers)
        return iter(chunks) if len(chunks) != 1 else chunks

    return app


ANSWERS: dict[str, tuple[Any, bool]] = {
    # name: (the app, whether its answer now goes in one send; else in as many as waitress's)
    "a whole body": (_answering("200 OK", [("Content-Length", "5")], [b"whole"]), True),
    "a body of one chunk, no length": (_answering("200 OK", [], [b"whole"]), True),
    "an empty body": (_answering("200 OK", [("Content-Length", "0")], [b""]), True),
    "a 304 with a body": (_answering("304 Not Modified", [], [b"ignored"]), True),
    "a body over the one-send limit": (
        _answering("200 OK", [("Content-Length", str(len(BIG)))], [BIG]),
        False,
    ),
    "a body in two chunks": (
        _answering("200 OK", [("Content-Length", "10")], [b"first", b"again"]),
        False,
    ),
    "a chunked body": (_answering("200 OK", [], [b"one", b"two"]), False),
    "more than its length": (_answering("200 OK", [("Content-Length", "3")], [b"trimmed"]), False),
    "less than its length": (_answering("200 OK", [("Content-Length", "9")], [b"short"]), False),
}


def _exchange(app: Any, request: bytes) -> bytes:
    """What a client reads from ``app`` served, for ``request`` (which asks to close)."""
    served = LiveServer(app).start()
    try:
        host = served.url.removeprefix("http://").encode()
        with _connect(served) as connection:
            connection.sendall(request % host)
            received = _read_until_closed(connection)
        # The server closes after its last send returned: every send is recorded.
        return _DATE.sub(b"", received)
    finally:
        served.stop()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("case", list(ANSWERS))
def test_the_bytes_are_waitress_own(
    case: str, method: str, sends: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the app answers, the client reads the bytes waitress's own write sends."""
    app, joined = ANSWERS[case]
    request = method.encode() + b" / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
    ours = _exchange(app, request)
    our_sends = len(sends)
    with monkeypatch.context() as waitress_own:
        waitress_own.setattr(OneSend, "write", Task.write)
        theirs = _exchange(app, request)
    their_sends = len(sends) - our_sends
    assert ours == theirs
    assert our_sends == (1 if joined else their_sends)
