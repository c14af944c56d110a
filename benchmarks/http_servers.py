"""Which WSGI server should serve the fake: requests per second of each, with keep-alive.

For each candidate server (werkzeug's development server, waitress, cheroot, granian, and
``live``: loyalty-fake's own ``LiveServer`` as shipped), two subprocesses serve the same
app on it: the fake (``ServerApp`` over a fresh ``LoyaltyFake``, as ``loyalty-fake serve
--no-demo`` serves it) and the floor (a bare WSGI app that reads the body and answers a
fixed JSON body of the same size). Clients in this process keep their connections open
(a server that answers ``Connection: close`` makes them reconnect) and send one request
at a time each. Run from the repository root::

    python benchmarks/http_servers.py                       # every server, 16 clients
    python benchmarks/http_servers.py --servers waitress,live --clients 1,16,64
    python benchmarks/http_servers.py --serve SERVER fake   # internal: one server process

Each line: the server, the operation, the number of clients, the fake's and the floor's
median requests per second over alternating rounds, the ratio (floor over fake), the
fake's 99th-percentile latency, and each server's CPU time per request (Linux).
"""

from __future__ import annotations

import argparse
import itertools
import os
import selectors
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if __package__ in {None, ""}:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.server import HEADERS, Spawned, floor_app, spawn

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["SERVERS", "measure"]

SERVERS = ("werkzeug", "waitress", "cheroot", "granian", "live")
US = "\N{MICRO SIGN}s"
# Worker threads for the servers that take a number (waitress, cheroot, live): as shipped.
THREADS = int(os.environ.get("BENCH_THREADS", "8"))


# -- the servers (run in a subprocess: ``--serve SERVER APP``) ------------------------------


def _fake_app() -> Callable[..., Iterable[bytes]]:
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415 - only the serving process
    from loyalty_fake.server import ServerApp  # noqa: PLC0415

    return ServerApp(LoyaltyFake(seed=42))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _announce(port: int) -> None:
    print(f"serving http://127.0.0.1:{port}", flush=True)


def _serve(server: str, app: Callable[..., Iterable[bytes]]) -> None:
    """Serve ``app`` on ``server`` on a free loopback port until killed."""
    if server == "werkzeug":
        from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: PLC0415

        class Quiet(WSGIRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                """No line per request."""

        wz = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        _announce(wz.server_port)
        wz.serve_forever()
    elif server == "waitress":
        import waitress  # noqa: PLC0415

        served: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=THREADS)
        _announce(served.socket.getsockname()[1])
        served.run()
    elif server == "cheroot":
        from cheroot.wsgi import Server  # noqa: PLC0415

        # cheroot's default listen backlog (5) drops connections from 16 clients at once.
        cheroot: Any = Server(("127.0.0.1", 0), app, numthreads=THREADS, request_queue_size=1024)
        cheroot.prepare()
        _announce(cheroot.bind_addr[1])
        cheroot.serve()
    elif server == "granian":
        from granian.constants import Interfaces  # noqa: PLC0415
        from granian.server import Server as Granian  # noqa: PLC0415

        port = _free_port()
        granian = Granian("app:app", address="127.0.0.1", port=port, interface=Interfaces.WSGI)
        _announce(port)
        granian.serve(target_loader=lambda *_args, **_kwargs: app, wrap_loader=False)
    elif server == "live":
        from loyalty_fake.server import LiveServer  # noqa: PLC0415

        live = LiveServer(app, threads=THREADS).start()
        _announce(int(live.url.rsplit(":", 1)[1]))
        while True:
            time.sleep(3600)
    else:
        sys.exit(f"unknown server {server!r}; known: {', '.join(SERVERS)}")


# -- the clients ---------------------------------------------------------------------------


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in HEADERS.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


@attrs.define
class _Connection:
    """One client: a socket, what it has received of the current answer, when it asked."""

    address: tuple[str, int]
    sock: socket.socket | None = None
    received: bytearray = attrs.field(factory=bytearray)
    sent_at: float = 0.0
    closes: bool = False

    def open(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)  # noqa: FBT003 - socket's own API
        self.sock = sock
        return sock

    def complete(self) -> bool:
        """Whether ``received`` holds a whole answer; raises unless it is a 200."""
        head_end = self.received.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        head = bytes(self.received[:head_end]).lower()
        if not head.startswith(b"http/1.1 200 "):
            raise RuntimeError(f"benchmark call failed: {bytes(self.received[:300])!r}")
        length = int(head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        if len(self.received) < head_end + 4 + length:
            return False
        self.closes = b"connection: close" in head
        return True


@attrs.frozen
class Rate:
    """One timed round: requests per second, latencies, the server's CPU per request."""

    rps: float
    latencies: tuple[float, ...]
    cpu_us: float | None


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU of ``pid`` and its descendants (granian's workers are processes)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(child) or 0.0 for child in children)


def _rate(  # noqa: C901
    server: Spawned, request: Callable[[], bytes], clients: int, seconds: float
) -> Rate:
    """What ``clients`` connections, one request in flight each, complete in ``seconds``."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    address = (host, int(port))
    selector = selectors.DefaultSelector()
    connections = [_Connection(address) for _ in range(clients)]
    latencies: list[float] = []

    def send(connection: _Connection) -> None:
        if connection.sock is None:
            selector.register(connection.open(), selectors.EVENT_READ, connection)
        assert connection.sock is not None
        connection.received.clear()
        connection.sent_at = time.perf_counter()
        connection.sock.setblocking(True)  # noqa: FBT003
        connection.sock.sendall(request())
        connection.sock.setblocking(False)  # noqa: FBT003

    cpu_before = _cpu_seconds(server.process.pid)
    began = time.perf_counter()
    deadline = began + seconds
    for connection in connections:
        send(connection)
    busy = clients
    while busy:
        for key, _ in selector.select(timeout=30):
            connection = key.data
            chunk = connection.sock.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed a connection mid-answer")
            connection.received += chunk
            if not connection.complete():
                continue
            latencies.append(time.perf_counter() - connection.sent_at)
            if connection.closes:
                selector.unregister(connection.sock)
                connection.sock.close()
                connection.sock = None
            if time.perf_counter() < deadline:
                send(connection)
            else:
                busy -= 1
    elapsed = time.perf_counter() - began
    cpu_after = _cpu_seconds(server.process.pid)
    for connection in connections:
        if connection.sock is not None:
            connection.sock.close()
    selector.close()
    cpu_us = None
    if cpu_before is not None and cpu_after is not None:
        cpu_us = (cpu_after - cpu_before) * 1e6 / len(latencies)
    return Rate(len(latencies) / elapsed, tuple(latencies), cpu_us)


# -- the measurement -----------------------------------------------------------------------


def _prepare(url: str) -> tuple[str, str, int, int]:
    """An AUTO_UPDATE program on the fake: its ID, a member's code, both answers' sizes."""
    import requests  # noqa: PLC0415

    with requests.Session() as session:
        session.headers.update(HEADERS)
        program = session.post(
            f"{url}/v1/loyalties", json={"name": "bench", "type": "AUTO_UPDATE"}, timeout=30
        )
        program.raise_for_status()
        program_id = str(program.json()["id"])
        member = session.post(
            f"{url}/v1/loyalties/{program_id}/members",
            json={"customer": {"source_id": "bench-sample"}},
            timeout=30,
        )
        member.raise_for_status()
        code = str(member.json()["code"])
        fetched = session.get(f"{url}/v1/loyalties/members/{code}", timeout=30)
        fetched.raise_for_status()
    return program_id, code, len(member.content), len(fetched.content)


@attrs.frozen
class Figure:
    """One line: a server, an operation, a number of clients, both sides' medians."""

    server: str
    operation: str
    clients: int
    fake: tuple[Rate, ...]
    floor: tuple[Rate, ...]

    def line(self) -> str:
        fake_rps = statistics.median(r.rps for r in self.fake)
        floor_rps = statistics.median(r.rps for r in self.floor)
        latencies = sorted(itertools.chain.from_iterable(r.latencies for r in self.fake))
        p99 = latencies[int(len(latencies) * 0.99)] * 1e3 if latencies else float("nan")
        cpu = ""
        fake_cpu = [r.cpu_us for r in self.fake if r.cpu_us is not None]
        floor_cpu = [r.cpu_us for r in self.floor if r.cpu_us is not None]
        if fake_cpu and floor_cpu:
            cpu = (
                f"  CPU/req fake {statistics.median(fake_cpu):4.0f} {US}, "
                f"floor {statistics.median(floor_cpu):4.0f} {US}"
            )
        return (
            f"{self.server:<9} {self.operation:<11} {self.clients:>3} clients  "
            f"fake {fake_rps:6,.0f} rps  floor {floor_rps:6,.0f} rps  "
            f"ratio {floor_rps / fake_rps:4.2f}x  p99 {p99:6.1f} ms{cpu}"
        )


def _spawn(server: str, *app: str) -> Spawned:
    """Start one server process; wait until its port takes connections."""
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", server, *app]
    with Path(os.devnull).open("w") as quiet:  # waitress's queue-depth warnings, granian's log
        spawned = spawn(command, stderr=quiet)
    host, port = spawned.url.removeprefix("http://").rsplit(":", 1)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
        except OSError:  # noqa: PERF203 - polling until the port answers
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        else:
            return spawned


def measure(server: str, clients: Iterable[int], rounds: int, seconds: float) -> Iterable[Figure]:
    """The fake's and the floor's rates on ``server``, per operation and number of clients."""
    fake = _spawn(server, "fake")
    floor: Spawned | None = None
    try:
        program_id, code, post_size, get_size = _prepare(fake.url)
        floor = _spawn(server, "floor", str(post_size), str(get_size))
        numbers = itertools.count()
        add = f"/v1/loyalties/{program_id}/members"
        operations: dict[str, Callable[[], bytes]] = {
            "add-member": lambda: _request(
                "POST", add, b'{"customer":{"source_id":"bench-%d"}}' % next(numbers)
            ),
            "get-member": lambda: _request("GET", f"/v1/loyalties/members/{code}"),
        }
        for count in clients:
            for operation, request in operations.items():
                _rate(fake, request, count, 0.2)
                _rate(floor, request, count, 0.2)
                fakes: list[Rate] = []
                floors: list[Rate] = []
                for number in range(rounds):
                    sides = [(fake, fakes), (floor, floors)]
                    for side, rates in sides[:: 1 if number % 2 else -1]:
                        rates.append(_rate(side, request, count, seconds))
                yield Figure(server, operation, count, tuple(fakes), tuple(floors))
    finally:
        fake.stop()
        if floor is not None:
            floor.stop()


def main(argv: list[str] | None = None) -> int:
    """Measure the servers named on the command line (or serve one app: ``--serve``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated")
    parser.add_argument("--clients", default="16", help="comma-separated counts (default 16)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.serve:
        server, app, *sizes = args.serve
        _serve(server, _fake_app() if app == "fake" else floor_app(*map(int, sizes)))
        return 0
    clients = [int(count) for count in args.clients.split(",")]
    for server in args.servers.split(","):
        try:
            for figure in measure(server, clients, args.rounds, args.seconds):
                print(figure.line(), flush=True)
        except (RuntimeError, ImportError) as error:  # noqa: PERF203 - one line per server
            print(f"{server:<9} failed: {error}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
