"""The server over raw sockets: HTTP/1.1 as clients and proxies speak it, and what it refuses.

Each test of issue 16's point 8 sends bytes a client (or an attacker) could send and reads
the answer byte for byte: keep-alive, chunked bodies, ``Content-Length`` checks,
pipelining, malformed requests, timeouts, many clients at once. Every answer, the server's
own errors included, is Voucherify's JSON envelope.
"""

from __future__ import annotations

import json
import logging
import selectors
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.server import LiveServer, ServerApp
from loyalty_fake.server.live import AccessLog, HostPolicy

if TYPE_CHECKING:
    from collections.abc import Iterator

AUTH = b"X-App-Id: loyalty-fake-app-id\r\nX-App-Token: loyalty-fake-app-token\r\n"
ENVELOPE = {"code", "key", "message", "details", "request_id"}


@attrs.frozen
class Answer:
    """One HTTP response as read off the socket."""

    version: str
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def envelope(self) -> dict[str, Any]:
        """The body as Voucherify's error envelope, checked."""
        assert self.headers["content-type"].startswith("application/json")
        body = self.json()
        assert set(body) >= ENVELOPE, body
        assert body["code"] == self.status
        assert body["request_id"].startswith("v-")
        return dict(body)


@attrs.define
class Served:
    """A fake behind a ``LiveServer`` with short timeouts, and what its access log heard."""

    fake: LoyaltyFake
    server: LiveServer
    logged: list[tuple[str, str, int, float]]

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.url.removeprefix("http://").rsplit(":", 1)
        return host, int(port)

    @property
    def host(self) -> bytes:
        return self.server.url.removeprefix("http://").encode()

    def connect(self) -> socket.socket:
        connection = socket.create_connection(self.address, timeout=10)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def exchange(self, data: bytes, answers: int = 1) -> list[Answer]:
        """Send ``data`` on a new connection and read ``answers`` responses."""
        with self.connect() as connection:
            connection.sendall(data)
            reader = Reader(connection)
            return [reader.answer() for _ in range(answers)]

    def get(self, path: str, extra: bytes = b"") -> bytes:
        return b"GET %s HTTP/1.1\r\nHost: %s\r\n%s%s\r\n" % (path.encode(), self.host, AUTH, extra)

    def post(self, path: str, body: bytes, extra: bytes = b"") -> bytes:
        return b"POST %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %d\r\n%s\r\n%s" % (
            path.encode(),
            self.host,
            AUTH,
            len(body),
            extra,
            body,
        )


@attrs.define
class Reader:
    """Reads responses one after another off one connection."""

    connection: socket.socket
    buffer: bytes = b""

    def _fill(self) -> None:
        chunk = self.connection.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed, having sent {self.buffer[:300]!r}")
        self.buffer += chunk

    def answer(self) -> Answer:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, status, *_ = status_line.split(" ", 2)
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Answer(version, int(status), headers, body)

    def closed(self, within: float) -> bool:
        """Whether the server closes the connection within ``within`` seconds."""
        self.connection.settimeout(within)
        try:
            return self.connection.recv(1) == b""
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True


@pytest.fixture
def served() -> Iterator[Served]:
    """A fake with a program of three cards, served with 1 s timeouts."""
    fake = LoyaltyFake(seed=7, now="2024-05-01T12:00:00Z")
    fake.create_loyalty_program("Club", vouchers_count=3)
    logged: list[tuple[str, str, int, float]] = []
    server = LiveServer(
        ServerApp(fake, control_plane=True),
        idle_timeout=1,
        request_timeout=1,
        access_log=lambda *line: logged.append(line),
    ).start()
    try:
        yield Served(fake, server, logged)
    finally:
        server.stop()


def _members(fake: LoyaltyFake) -> list[str]:
    """The source_ids of the program's members, in the order they joined."""
    cards = fake.list_members("Club", order="created_at")["vouchers"]
    return [fake.customer(card["holder_id"])["source_id"] for card in cards]


# -- bodies -------------------------------------------------------------------------------------


def test_a_chunked_body_is_read_whole(served: Served) -> None:
    """Transfer-Encoding: chunked: the body arrives in pieces, the member named in it is added."""
    body = b'{"customer": {"source_id": "chunked-alice"}}'
    pieces = [body[:10], body[10:25], body[25:]]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"
    request = b"POST /v1/loyalties/Club/members HTTP/1.1\r\nHost: %s\r\n%s" % (served.host, AUTH)
    request += b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    (answer,) = served.exchange(request)
    assert answer.status == 200, answer.body
    assert served.fake.customer(answer.json()["holder_id"])["source_id"] == "chunked-alice"
    assert _members(served.fake) == ["chunked-alice"]


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1e3", b"3, 4"])
def test_an_invalid_content_length_is_400_and_changes_nothing(
    served: Served, length: bytes
) -> None:
    """A Content-Length that is not one length is a 400 envelope; the body is not guessed at."""
    body = b'{"customer": {"source_id": "alice"}}'
    request = b"POST /v1/loyalties/Club/members HTTP/1.1\r\nHost: %s\r\n%s" % (served.host, AUTH)
    request += b"Content-Type: application/json\r\nContent-Length: %s\r\n\r\n%s" % (length, body)
    (answer,) = served.exchange(request)
    assert answer.status == 400
    assert answer.envelope()["key"] == "invalid_request"
    assert answer.headers["connection"] == "close"
    assert _members(served.fake) == []


def test_content_length_beside_chunked_is_400(served: Served) -> None:
    """Both Content-Length and Transfer-Encoding (request smuggling's shape) is refused."""
    request = b"POST /v1/loyalties/Club/members HTTP/1.1\r\nHost: %s\r\n%s" % (served.host, AUTH)
    request += b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    (answer,) = served.exchange(request)
    assert (answer.status, answer.envelope()["key"]) == (400, "invalid_request")
    assert "Transfer-Encoding" in answer.envelope()["details"]


def test_a_malformed_chunk_is_400(served: Served) -> None:
    """A chunk size that is not hexadecimal is a 400 envelope."""
    request = b"POST /v1/loyalties/Club/members HTTP/1.1\r\nHost: %s\r\n%s" % (served.host, AUTH)
    request += b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    (answer,) = served.exchange(request)
    assert (answer.status, answer.envelope()["key"]) == (400, "invalid_request")


# -- connections --------------------------------------------------------------------------------


def test_keep_alive_answers_many_requests_on_one_connection(served: Served) -> None:
    """HTTP/1.1 keeps the connection open: three requests, one after another, on one socket."""
    with served.connect() as connection:
        reader = Reader(connection)
        for number in range(3):
            body = b'{"customer": {"source_id": "kept-%d"}}' % number
            connection.sendall(
                served.post(
                    "/v1/loyalties/Club/members", body, b"Content-Type: application/json\r\n"
                )
            )
            answer = reader.answer()
            assert answer.status == 200
            assert "connection" not in answer.headers
    assert _members(served.fake) == ["kept-0", "kept-1", "kept-2"]


def test_pipelined_requests_are_all_answered_in_order(served: Served) -> None:
    """Requests sent back to back before any answer are each answered, in order."""
    json_type = b"Content-Type: application/json\r\n"
    requests = [
        served.post("/v1/loyalties/Club/members", b'{"customer": "piped-%d"}' % n, json_type)
        for n in range(3)
    ]
    answers = served.exchange(b"".join([*requests, served.get("/v1/nothing")]), answers=4)
    assert [answer.status for answer in answers] == [200, 200, 200, 404]
    holders = [answer.json()["holder_id"] for answer in answers[:3]]
    assert [served.fake.customer(holder)["source_id"] for holder in holders] == [
        "piped-0",
        "piped-1",
        "piped-2",
    ]
    assert answers[3].envelope()["key"] == "not_found"


def test_an_idle_connection_is_closed_after_the_idle_timeout(served: Served) -> None:
    """A kept-alive connection that sends nothing more is closed (idle_timeout=1 s here)."""
    with served.connect() as connection:
        connection.sendall(served.get("/v1/loyalties"))
        reader = Reader(connection)
        assert reader.answer().status == 200
        began = time.monotonic()
        assert not reader.closed(within=0.3)  # kept alive for the next request
        assert reader.closed(within=5)
        assert time.monotonic() - began < 4


def test_a_request_that_arrives_too_slowly_is_408(served: Served) -> None:
    """Half a request, then nothing: 408 envelope after request_timeout (1 s here), then closed."""
    with served.connect() as connection:
        connection.sendall(b"POST /v1/loyalties/Club/members HTTP/1.1\r\nHost: x\r\nContent-Le")
        reader = Reader(connection)
        answer = reader.answer()
        assert (answer.status, answer.envelope()["key"]) == (408, "request_timeout")
        assert reader.closed(within=5)
    assert _members(served.fake) == []


# -- malformed requests -------------------------------------------------------------------------


MALFORMED = {
    "a 64 KiB URI": (
        b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        414,
        "uri_too_long",
    ),
    "HTTP/9.9": (
        b"GET /v1/loyalties HTTP/9.9\r\nHost: x\r\n\r\n",
        505,
        "http_version_not_supported",
    ),
    "HTTP/2.0's preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "http_version_not_supported"),
    "a garbage request line": (b"\x00\x01\x02 garbage\r\n\r\n", 400, "invalid_request"),
    "a lowercase method": (b"get / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_request"),
    "a header without a colon": (
        b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
        400,
        "invalid_request",
    ),
    "oversized headers": (
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 100_000 + b"\r\n\r\n",
        431,
        "request_header_fields_too_large",
    ),
    "HTTP/1.1 without Host": (b"GET /v1/loyalties HTTP/1.1\r\n\r\n", 400, "invalid_request"),
    "two Host headers": (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "invalid_request"),
    "an unknown transfer coding": (
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        501,
        "not_implemented",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_request_gets_an_envelope_and_no_traceback(
    served: Served, case: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each malformed request is answered with its status in Voucherify's envelope, then closed."""
    data, status, key = MALFORMED[case]
    caplog.set_level(logging.INFO)
    with served.connect() as connection:
        connection.sendall(data)
        reader = Reader(connection)
        answer = reader.answer()
        assert (answer.status, answer.envelope()["key"]) == (status, key)
        assert answer.headers["connection"] == "close"
        assert reader.closed(within=5)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "Traceback" not in capsys.readouterr().err
    deadline = time.monotonic() + 5  # the line is written once the answer is out
    while not served.logged and time.monotonic() < deadline:
        time.sleep(0.01)
    assert served.logged[-1][2] == status


def test_the_server_errors_draw_no_request_id_from_the_fake(served: Served) -> None:
    """A malformed request's request_id is the server's own: the fake's IDs do not move."""
    before = served.fake.ledger.ids.state()
    served.exchange(b"GET / HTTP/9.9\r\n\r\n")
    assert served.fake.ledger.ids.state() == before


def test_head_answers_headers_only(served: Served) -> None:
    """HEAD gets the status and length a GET would, and no body: the next answer is not shifted."""
    head = served.get("/v1/nothing").replace(b"GET", b"HEAD", 1)
    with served.connect() as connection:
        connection.sendall(head + served.get("/v1/loyalties"))
        data = b""
        deadline = time.monotonic() + 5
        while data.count(b"HTTP/1.1 ") < 2 and time.monotonic() < deadline:
            data += connection.recv(65536)
    first, second = data.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"404 ")
    assert first.endswith(b"\r\n\r\n")  # no body
    assert second.startswith(b"200 ")


# -- many clients -------------------------------------------------------------------------------


@pytest.mark.parametrize("clients", [1, 64, 512])
def test_many_concurrent_clients_are_all_answered(served: Served, clients: int) -> None:
    """N clients connect at the same instant and each sends a request: all answered within 10 s."""
    selector = selectors.DefaultSelector()
    pending: dict[socket.socket, bytes] = {}
    began = time.monotonic()
    try:
        for number in range(clients):  # a burst of connects, none waiting for the last
            connection = socket.socket()
            connection.setblocking(False)  # noqa: FBT003 - socket's own API
            connection.connect_ex(served.address)
            selector.register(connection, selectors.EVENT_WRITE)
            pending[connection] = served.get(f"/v1/loyalties?page={1 + number % 3}")
        answered = 0
        replies: dict[socket.socket, bytes] = {}
        while answered < clients and time.monotonic() - began < 10:
            for key, events in selector.select(timeout=1):
                ready = key.fileobj
                assert isinstance(ready, socket.socket)
                if events & selectors.EVENT_WRITE:
                    ready.sendall(pending[ready])
                    selector.modify(ready, selectors.EVENT_READ)
                    continue
                replies[ready] = replies.get(ready, b"") + ready.recv(65536)
                if replies[ready].startswith(b"HTTP/1.1 200 ") and replies[ready].endswith(b"}"):
                    selector.unregister(ready)
                    answered += 1
        assert answered == clients, f"{answered} of {clients} answered in 10 s"
    finally:
        selector.close()
        for connection in pending:
            connection.close()
    # The server still answers afterwards.
    (answer,) = served.exchange(served.get("/v1/loyalties"))
    assert answer.status == 200


def test_clients_over_the_connection_limit_wait_their_turn() -> None:
    """Past max_connections, new connections queue (not refused, not lost) until one closes."""
    fake = LoyaltyFake(seed=7)
    server = LiveServer(ServerApp(fake), max_connections=8).start()
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    request = b"GET /v1/loyalties HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n" % (
        f"{host}:{port}".encode(),
        AUTH,
    )
    try:
        connections = [socket.create_connection((host, int(port)), timeout=10) for _ in range(40)]
        for connection in connections:
            connection.sendall(request)
        statuses = []
        for connection in connections:  # each closes once answered, as clients do
            with connection:
                statuses.append(Reader(connection).answer().status)
    finally:
        server.stop()
    assert statuses == [200] * 40


def test_idle_connections_hold_no_threads(served: Served) -> None:
    """200 connections that send nothing cost the server sockets, not threads; all are closed."""
    before = threading.active_count()
    idle = [served.connect() for _ in range(200)]
    try:
        (answer,) = served.exchange(served.get("/v1/loyalties"))
        assert answer.status == 200
        assert threading.active_count() <= before + 1
        assert all(Reader(connection).closed(within=5) for connection in idle)
    finally:
        for connection in idle:
            connection.close()


# -- hosts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "served_here"),
    [
        (b"127.0.0.1", True),
        (b"localhost:1234", True),
        (b"app.localhost", True),
        (b"[::1]:80", True),
        (b"10.1.2.3:8080", True),
        (b"evil.example", False),
        (b"evil.example:8080", False),
        (b"loyalty-fake:8080", False),
        (b"127.0.0.1.evil.example", False),
        (b"localhost.evil.example", False),
    ],
)
def test_only_the_host_names_served_are_answered(
    served: Served, host: bytes, served_here: bool
) -> None:
    """A Host that names another site (DNS rebinding) is 421; loopback names and IPs are served."""
    before = served.fake.ledger.ids.state()
    request = b"GET /v1/loyalties HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (host, AUTH)
    (answer,) = served.exchange(request)
    if served_here:
        assert answer.status == 200
    else:
        assert (answer.status, answer.envelope()["key"]) == (421, "misdirected_request")
        assert "--allow-host" in answer.envelope()["details"]
        assert served.fake.ledger.ids.state() == before


def test_host_policy_allows_named_hosts_and_service_names_on_a_wildcard() -> None:
    """--allow-host adds names; bound to 0.0.0.0, single-label (Docker service) names are served."""
    assert HostPolicy("127.0.0.1", ("fake.test",)).allows("FAKE.test:8080")
    assert not HostPolicy("127.0.0.1").allows("loyalty-fake")
    assert HostPolicy("0.0.0.0").allows("loyalty-fake:8080")  # noqa: S104
    assert not HostPolicy("0.0.0.0").allows("evil.example")  # noqa: S104
    assert HostPolicy("::").allows("voucherify")
    assert HostPolicy("127.0.0.1", ("*",)).allows("anything.example")
    assert HostPolicy("fake.internal").allows("fake.internal:80")
    assert HostPolicy("127.0.0.1").allows(None)  # HTTP/1.0 without a Host
    assert not HostPolicy("127.0.0.1").allows("user@localhost")
    assert not HostPolicy("127.0.0.1").allows("localhost:notaport")


# -- the control plane from a web page ---------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [None, b"text/plain", b"application/x-www-form-urlencoded", b"multipart/form-data; boundary=x"],
)
@pytest.mark.parametrize("operation", ["reset", "seed", "clock"])
def test_a_control_plane_write_a_web_page_could_send_is_refused(
    served: Served, content_type: bytes | None, operation: str
) -> None:
    """A form or text/plain POST (no CORS preflight needed) to /_fake/ is 415; nothing changes."""
    body = b'{"advance": {"days": 400}}' if operation == "clock" else b"{}"
    extra = b"" if content_type is None else b"Content-Type: %s\r\n" % content_type
    now = served.fake.clock.now()
    (answer,) = served.exchange(served.post(f"/_fake/{operation}", body, extra))
    assert (answer.status, answer.envelope()["key"]) == (415, "unsupported_media_type")
    assert len(served.fake.cards("Club")) == 3
    assert served.fake.clock.now() == now


def test_a_cors_preflight_is_never_granted(served: Served) -> None:
    """OPTIONS from a page elsewhere gets no Access-Control-Allow-*: the JSON POST never follows."""
    preflight = (
        b"OPTIONS /_fake/reset HTTP/1.1\r\nHost: %s\r\nOrigin: https://evil.example\r\n"
        b"Access-Control-Request-Method: POST\r\n"
        b"Access-Control-Request-Headers: content-type\r\n\r\n" % served.host
    )
    (answer,) = served.exchange(preflight)
    assert answer.status >= 400
    assert not [name for name in answer.headers if name.startswith("access-control-")]
    answer.envelope()


def test_a_control_plane_write_sent_as_json_is_served(served: Served) -> None:
    """With Content-Type: application/json (which needs a preflight cross-site), it works."""
    (answer,) = served.exchange(
        served.post("/_fake/reset", b"", b"Content-Type: application/json\r\n")
    )
    assert answer.status == 200
    assert not served.fake.ledger.app_ids()


# -- the access log -------------------------------------------------------------------------------


def test_the_access_log_hears_method_target_status_and_time(served: Served) -> None:
    """Each answered request, the server's own refusals too, is one access-log call."""
    served.exchange(served.get("/v1/loyalties?limit=1"))
    served.exchange(b"GET /x HTTP/9.9\r\n\r\n")
    # A line is written once the answer is out: the client may read it a moment earlier.
    deadline = time.monotonic() + 5
    while len(served.logged) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    lines = {target: (method, status, seconds) for method, target, status, seconds in served.logged}
    method, status, seconds = lines["/v1/loyalties?limit=1"]
    assert (method, status) == ("GET", 200)
    assert 0 < seconds < 5
    assert lines["/x"][1] == 505


def test_the_access_log_drops_lines_rather_than_block_a_request() -> None:
    """A console that nobody reads fills; the log then drops lines and says how many."""
    stuck: list[str] = []
    release = threading.Event()

    def write(line: str) -> None:
        stuck.append(line)
        release.wait(30)  # a full pipe

    log = AccessLog(write, capacity=2)
    log("GET", "/\x1b[31m", 200, 0.001)
    deadline = time.monotonic() + 5
    while not stuck and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    for _ in range(10):
        log("GET", "/", 200, 0.001)
    # A call that waited for the stuck console would wait its 30 s: 5 s tells the two apart
    # and leaves a loaded machine room (0.5 s was one long scheduling pause from failing).
    assert time.monotonic() - began < 5
    assert log.dropped == 8
    assert stuck == ["GET /\\x1b[31m 200 1.0 ms"]  # control characters escaped
    release.set()
    log.close()
    assert "\n".join(stuck).splitlines() == ["GET /\\x1b[31m 200 1.0 ms"] + ["GET / 200 1.0 ms"] * 2


def test_the_access_log_writes_a_burst_in_few_writes_in_order() -> None:
    """Lines that come in together go out together, in order, and close() writes them all."""
    written: list[str] = []
    log = AccessLog(written.append)
    for number in range(500):
        log("GET", f"/{number}", 200, 0.001)
    log.close()
    lines = "\n".join(written).splitlines()
    assert lines == [f"GET /{number} 200 1.0 ms" for number in range(500)]
    assert len(written) < 50
