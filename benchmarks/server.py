"""Requests per second of ``loyalty-fake serve`` beside a bare WSGI app on the same server.

Both servers run as subprocesses (so neither shares a GIL with the clients) on the server
``loyalty-fake serve`` ships (``LiveServer``, waitress); several client threads, each on a
kept-alive connection, call one of them at a time, in alternating rounds. Run as a
script, this module serves the floor app: ``python benchmarks/server.py --floor POST_BYTES
GET_BYTES``.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = ["FloorApp", "Throughput", "floor_app", "measure_server", "spawn"]

REPOSITORY = Path(__file__).resolve().parents[1]
HEADERS = {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": "loyalty-fake-app-token"}
CLIENTS = 4
WARMUP_SECONDS = 0.3
US = "\N{MICRO SIGN}s"
_RESET_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, zero seconds
_SERVING = re.compile(r"serving (http://[\d.]+:\d+)")
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)[ \t]*\r?$")
_CLOSE = re.compile(rb"(?im)^connection:[ \t]*close")


@attrs.frozen
class Throughput:
    """One printed throughput figure: median requests per second of the fake and the floor."""

    name: str
    fake_rps: float
    floor_rps: float
    clients: int
    max_ratio: float

    @property
    def ratio(self) -> float:
        """How many times slower the fake is: the floor's rate over the fake's."""
        return self.floor_rps / self.fake_rps

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        return self.ratio <= self.max_ratio

    def line(self) -> str:
        """The figure as one human-readable line."""
        return (
            f"{self.name:<26} ratio {self.ratio:5.2f}x floor  "
            f"(fake {self.fake_rps:,.0f} rps, floor {self.floor_rps:,.0f} rps, "
            f"{self.clients} clients)  target <= {self.max_ratio:g}x  "
            f"{'OK' if self.ok else 'EXCEEDED'}"
        )


# -- processes ----------------------------------------------------------------------------


@attrs.define
class Spawned:
    """A server subprocess, how long it took to print its URL, and what it printed by then."""

    process: subprocess.Popen[str]
    url: str
    seconds: float
    output: list[str]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Send ``sig`` and wait for the process to end (its output is discarded)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.process.communicate(timeout=60)


def spawn(command: Sequence[str], timeout: float = 120, stderr: IO[str] | None = None) -> Spawned:
    """Start ``command`` and wait for its "serving http://..." line.

    Raises ``RuntimeError`` when the process ends, or ``timeout`` passes, before that line.
    """
    began = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPOSITORY
    )
    assert process.stdout is not None
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    output: list[str] = []
    try:
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            found = _SERVING.search(line)
            if found:
                return Spawned(process, found.group(1), time.perf_counter() - began, output)
    finally:
        watchdog.cancel()
    process.kill()
    process.communicate()
    shown = "\n".join(output)
    raise RuntimeError(f"{' '.join(command)} did not start serving:\n{shown}")


# -- the floor ----------------------------------------------------------------------------


@attrs.frozen
class FloorApp:
    """A WSGI app that reads the request body and answers a fixed JSON body.

    It answers at once, as the fake says it does when no fault is configured: the server
    then serves both on its loop's thread (``loyalty_fake.server.http11``), the same way.
    """

    post_body: bytes
    get_body: bytes

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., object]
    ) -> Iterable[bytes]:
        """Read the body, answer the fixed one."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            environ["wsgi.input"].read(length)
        body = self.get_body if environ["REQUEST_METHOD"] == "GET" else self.post_body
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]

    def answers_at_once(self) -> bool:
        """Always: see the class."""
        return True


def floor_app(post_bytes: int, get_bytes: int) -> FloorApp:
    """The floor app, answering bodies of those sizes to POST and to GET."""

    def body(size: int) -> bytes:
        return b'{"x":"' + b"x" * max(size - 8, 0) + b'"}'

    return FloorApp(body(post_bytes), body(get_bytes))


def _serve_floor(post_bytes: int, get_bytes: int) -> None:
    """Serve the floor app on a free port, on the fake's own server, until killed."""
    from loyalty_fake.server import LiveServer  # noqa: PLC0415

    server = LiveServer(floor_app(post_bytes, get_bytes)).start()
    print(f"floor serving {server.url}", flush=True)
    while True:
        time.sleep(3600)


# -- the clients --------------------------------------------------------------------------


def _connect(address: tuple[str, int]) -> socket.socket:
    connection = socket.create_connection(address, timeout=30)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # Close with a reset, leaving no TIME_WAIT behind, should a server close often.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_ON_CLOSE)
    return connection


def _call(connection: socket.socket, request: bytes) -> tuple[bytes, bool]:
    """Send one request on a kept-alive connection; the response body, and if it stays open.

    The body is read up to its ``Content-Length``, as HTTP clients do. Raises
    ``RuntimeError`` unless the status is 200.
    """
    connection.sendall(request)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            raise RuntimeError(f"connection closed mid-response: {received!r}")
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = _CONTENT_LENGTH.search(head)
    if not head.startswith(b"HTTP/1.1 200 ") or length is None:
        raise RuntimeError(f"benchmark call failed: {received[:500]!r}")
    size = int(length.group(1))
    while len(body) < size:
        chunk = connection.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed mid-body")
        body += chunk
    return body, _CLOSE.search(head) is None


@attrs.frozen
class Load:
    """One kind of request against one server: ``request(n)`` is the n-th request's bytes."""

    address: tuple[str, int]
    request: Callable[[int], bytes]
    pid: int


def _request_bytes(method: str, path: str, host: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in HEADERS.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


def _load(
    server: Spawned, method: str, path: str, body: Callable[[int], bytes] | None = None
) -> Load:
    parts = urlsplit(server.url)
    pid = server.process.pid
    assert parts.hostname is not None
    assert parts.port is not None
    host = parts.netloc
    if body is None:
        fixed = _request_bytes(method, path, host)
        return Load((parts.hostname, parts.port), lambda _number: fixed, pid)
    make_body = body
    return Load(
        (parts.hostname, parts.port),
        lambda number: _request_bytes(method, path, host, make_body(number)),
        pid,
    )


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of process ``pid`` so far (Linux only, else ``None``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@attrs.frozen
class Rate:
    """One timed round: requests per second, and the server's CPU time per request."""

    rps: float
    cpu_us: float | None


def _calls_until(load: Load, numbers: itertools.count[int], deadline: float) -> int:
    """Call ``load`` one request at a time on a kept-alive connection until ``deadline``."""
    done = 0
    connection: socket.socket | None = None
    try:
        while time.perf_counter() < deadline:
            if connection is None:
                connection = _connect(load.address)
            _, open_still = _call(connection, load.request(next(numbers)))
            if not open_still:
                connection.close()
                connection = None
            done += 1
    finally:
        if connection is not None:
            connection.close()
    return done


def _rate(load: Load, numbers: itertools.count[int], clients: int, seconds: float) -> Rate:
    """What ``clients`` threads calling ``load`` complete in about ``seconds``."""
    done = [0] * clients
    failures: list[BaseException] = []
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        try:
            done[index] = _calls_until(load, numbers, deadline)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            failures.append(error)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    cpu_before = _cpu_seconds(load.pid)
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu_after = _cpu_seconds(load.pid)
    if failures:
        raise failures[0]
    calls = sum(done)
    cpu_us = None
    if cpu_before is not None and cpu_after is not None:
        cpu_us = (cpu_after - cpu_before) * 1e6 / calls
    return Rate(calls / elapsed, cpu_us)


def _interleaved(
    fake: Load, floor: Load, rounds: int, seconds: float, clients: int
) -> tuple[list[Rate], list[Rate]]:
    """Each side's rate in ``rounds`` alternating rounds, after a warm-up of both."""
    numbers = itertools.count()
    _rate(fake, numbers, clients, WARMUP_SECONDS)
    _rate(floor, numbers, clients, WARMUP_SECONDS)
    fake_rates: list[Rate] = []
    floor_rates: list[Rate] = []
    for number in range(rounds):
        # Alternate which side goes first, so neither always follows the same neighbour.
        if number % 2:
            floor_rates.append(_rate(floor, numbers, clients, seconds))
            fake_rates.append(_rate(fake, numbers, clients, seconds))
        else:
            fake_rates.append(_rate(fake, numbers, clients, seconds))
            floor_rates.append(_rate(floor, numbers, clients, seconds))
    return fake_rates, floor_rates


# -- the figures --------------------------------------------------------------------------


def _prepare_fake(url: str) -> tuple[str, str, int, int]:
    """An AUTO_UPDATE program on the fake server; its ID, a member's code, both body sizes."""
    import requests  # noqa: PLC0415 - the floor's process runs this file without it

    program = requests.post(
        f"{url}/v1/loyalties",
        json={"name": "bench server", "type": "AUTO_UPDATE"},
        headers=HEADERS,
        timeout=30,
    )
    program.raise_for_status()
    program_id = str(program.json()["id"])
    member = requests.post(
        f"{url}/v1/loyalties/{program_id}/members",
        json={"customer": {"source_id": "bench-sample"}},
        headers=HEADERS,
        timeout=30,
    )
    member.raise_for_status()
    code = str(member.json()["code"])
    fetched = requests.get(f"{url}/v1/loyalties/members/{code}", headers=HEADERS, timeout=30)
    fetched.raise_for_status()
    if fetched.json()["code"] != code:
        raise RuntimeError("get-member benchmark did not see the member it added")
    return program_id, code, len(member.content), len(fetched.content)


def _details(name: str, fake: list[Rate], floor: list[Rate]) -> None:
    """Per-round ratios, and the servers' CPU time per request, on stderr."""
    ratios = ", ".join(f"{b.rps / a.rps:.2f}" for a, b in zip(fake, floor, strict=True))
    cpu = ""
    fake_cpu = [rate.cpu_us for rate in fake if rate.cpu_us is not None]
    floor_cpu = [rate.cpu_us for rate in floor if rate.cpu_us is not None]
    if fake_cpu and floor_cpu:
        fake_us, floor_us = statistics.median(fake_cpu), statistics.median(floor_cpu)
        cpu = (
            f"; server CPU per request: fake {fake_us:,.0f} {US}, floor {floor_us:,.0f} {US} "
            f"({fake_us / floor_us:.2f}x)"
        )
    print(f"# {name}: ratio per round {ratios}{cpu}", file=sys.stderr)


def _customer_body(number: int) -> bytes:
    return b'{"customer":{"source_id":"bench-customer-%d"}}' % number


def measure_server(
    rounds: int,
    seconds: float,
    targets: dict[str, float],
    report: Callable[[Throughput], None],
    clients: int = CLIENTS,
) -> list[Throughput]:
    """Add-member and get-member rates of the fake's server and the floor's, interleaved."""
    python = sys.executable
    fake = spawn(
        [python, "-m", "loyalty_fake.cli", "serve", "--port", "0", "--no-demo", "--no-access-log"]
    )
    floor: Spawned | None = None
    try:
        program_id, code, post_bytes, get_bytes = _prepare_fake(fake.url)
        floor_command = [python, str(Path(__file__).resolve()), "--floor"]
        floor = spawn([*floor_command, str(post_bytes), str(get_bytes)])
        members = f"/v1/loyalties/{program_id}/members"
        member = f"/v1/loyalties/members/{code}"
        loads = {
            "add_member/server": (
                _load(fake, "POST", members, _customer_body),
                _load(floor, "POST", members, _customer_body),
            ),
            "get_member/server": (
                _load(fake, "GET", member),
                _load(floor, "GET", member),
            ),
        }
        figures = []
        for name, (fake_load, floor_load) in loads.items():
            fake_rates, floor_rates = _interleaved(fake_load, floor_load, rounds, seconds, clients)
            _details(name, fake_rates, floor_rates)
            figure = Throughput(
                name,
                statistics.median(rate.rps for rate in fake_rates),
                statistics.median(rate.rps for rate in floor_rates),
                clients,
                targets[name],
            )
            report(figure)
            figures.append(figure)
        return figures
    finally:
        fake.stop()
        if floor is not None:
            floor.stop()


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "--floor":
        sys.exit("usage: python benchmarks/server.py --floor POST_BYTES GET_BYTES")
    _serve_floor(int(sys.argv[2]), int(sys.argv[3]))
