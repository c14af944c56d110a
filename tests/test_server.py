"""``loyalty-fake serve`` as a process: demo data, signals, and state that survives kill -9."""

from __future__ import annotations

import contextlib
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

import pytest
import requests

from loyalty_fake.server import database, journal_file
from loyalty_fake.server.journal import Record, StateError
from loyalty_fake.server.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

HEADERS = {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": "loyalty-fake-app-token"}
DEMO_MEMBERS = "/v1/loyalties/Demo%20Coffee%20Club/members"


class Server:
    """A ``loyalty-fake serve`` subprocess on a free port."""

    def __init__(self, *args: str) -> None:
        """Start the server and wait until it prints its URL."""
        command = [sys.executable, "-m", "loyalty_fake.cli", "serve", "--port", "0", *args]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            found = re.search(r"serving (http://[\d.]+:\d+)", line)
            if found:
                self.url = found.group(1)
                return
        stderr = self.process.stderr.read() if self.process.stderr else ""
        pytest.fail(f"server did not start: {''.join(self.lines)} {stderr}")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``sig``, wait, and return the exit code and what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, "".join(self.lines) + out + err


def _refused_start(state: Path) -> subprocess.CompletedProcess[str]:
    """Start a server on ``state`` that must refuse to run; its exit and output."""
    process = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "loyalty_fake.cli", "serve", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert process.returncode != 0
    return process


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A state directory for one test."""
    return tmp_path / "state"


@pytest.fixture
def server(state: Path) -> Iterator[Server]:
    """A durable server with the demo data."""
    running = Server("--state", str(state))
    yield running
    running.stop(signal.SIGKILL)


def test_first_request_returns_demo_members(server: Server) -> None:
    """A newcomer's first call lists the seeded demo program's members."""
    assert server.url.startswith("http://127.0.0.1:")
    response = requests.get(server.url + DEMO_MEMBERS, headers=HEADERS, timeout=5)
    assert response.status_code == 200
    assert response.json()["total"] == 5


def test_sigterm_stops_cleanly(server: Server) -> None:
    """SIGTERM shuts the server down with exit code 0."""
    code, output = server.stop(signal.SIGTERM)
    assert code == 0
    assert "loyalty-fake stopped" in output


def test_state_survives_sigkill_during_writes(server: Server, state: Path) -> None:
    """Every write acknowledged before kill -9 is there after a restart, with the same IDs."""
    acknowledged: list[dict[str, str]] = []
    stop = threading.Event()

    def write() -> None:
        session = requests.Session()
        number = 0
        while not stop.is_set():
            number += 1
            try:
                response = session.post(
                    server.url + DEMO_MEMBERS,
                    json={"customer": {"source_id": f"writer-{number}"}},
                    headers=HEADERS,
                    timeout=5,
                )
            except requests.RequestException:
                return
            if response.status_code == 200:
                body = response.json()
                acknowledged.append({"code": body["code"], "id": body["id"]})

    writer = threading.Thread(target=write)
    writer.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.stop(signal.SIGKILL)
    stop.set()
    writer.join(timeout=10)
    assert len(acknowledged) >= 60
    restarted = Server("--state", str(state))
    try:
        for card in acknowledged:
            response = requests.get(
                f"{restarted.url}/v1/loyalties/members/{card['code']}", headers=HEADERS, timeout=5
            )
            assert response.status_code == 200, card
            assert response.json()["id"] == card["id"]
        assert any("journal records" in line for line in restarted.lines)
    finally:
        restarted.stop(signal.SIGKILL)


def test_restart_gives_the_same_state(state: Path) -> None:
    """A replayed journal rebuilds byte-identical state: IDs, codes, timestamps."""
    server = Server("--state", str(state), "--control-plane")
    session = requests.Session()
    for number in range(5):
        session.post(
            server.url + DEMO_MEMBERS,
            json={"customer": {"source_id": f"s-{number}"}},
            headers=HEADERS,
            timeout=5,
        )
    session.post(server.url + "/_fake/clock", json={"advance": {"days": 400}}, timeout=5)
    before = session.get(server.url + "/_fake/state", timeout=5).json()
    server.stop(signal.SIGKILL)
    restarted = Server("--state", str(state), "--control-plane")
    try:
        after = requests.get(restarted.url + "/_fake/state", timeout=5).json()
        assert after == before
    finally:
        restarted.stop(signal.SIGKILL)


def _rows(state: Path) -> list[tuple[int, bytes]]:
    """The journal entries of ``state``: (seq, body)."""
    path = state / "journal.log"
    frames, _ = journal_file.decode(path.read_bytes(), path)
    return [(seq, record.body) for seq, record in frames]


def _append(state: Path, *records: Record) -> None:
    """Add journal entries to a state directory, as the server does."""
    store = Store(state)
    store.open(fresh_seed=42)
    try:
        for record in records:
            store.append(record)
    finally:
        store.close()


def test_a_damaged_journal_entry_refuses_to_start(server: Server, state: Path) -> None:
    """A journal entry changed on disk stops the start, naming it, never silently."""
    for name in ("a", "b"):
        requests.post(
            server.url + DEMO_MEMBERS,
            json={"customer": {"source_id": name}},
            headers=HEADERS,
            timeout=5,
        )
    server.stop(signal.SIGKILL)
    rows = _rows(state)
    assert len(rows) == 2
    path = state / "journal.log"
    path.write_bytes(path.read_bytes().replace(rows[0][1], rows[0][1].replace(b"_id", b"_iD"), 1))
    process = _refused_start(state)
    assert f"journal entry {rows[0][0]} fails its checksum" in process.stderr
    assert "Traceback" not in process.stderr


def test_control_plane_is_off_by_default(server: Server) -> None:
    """Without --control-plane, /_fake/ is any unknown path's 404 and the API still works."""
    response = requests.get(server.url + "/_fake/state", timeout=5)
    assert response.status_code == 404
    assert set(response.json()) == {"code", "key", "message", "details", "request_id"}
    assert response.json()["details"] == "Voucherify's API has no path /_fake/state"
    assert requests.get(server.url + DEMO_MEMBERS, headers=HEADERS, timeout=5).ok


def test_control_plane_answers_when_enabled() -> None:
    """With --control-plane, /_fake/state dumps the demo data."""
    running = Server("--control-plane")
    try:
        state = requests.get(running.url + "/_fake/state", timeout=5).json()
        assert state["projects"]["loyalty-fake-app-id"]["programs"][0]["name"] == (
            "Demo Coffee Club"
        )
    finally:
        running.stop(signal.SIGKILL)


def test_binds_to_loopback_only_by_default(server: Server) -> None:
    """The default server listens on 127.0.0.1: the machine's other addresses refuse."""
    import socket  # noqa: PLC0415

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: picks the outgoing interface, sends nothing
        address = probe.getsockname()[0]
    except OSError:
        pytest.skip("this machine has no address besides loopback")
    finally:
        probe.close()
    if address.startswith("127."):
        pytest.skip("this machine has no address besides loopback")
    port = int(server.url.rsplit(":", 1)[1])
    assert server.url.startswith("http://127.0.0.1:")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{address}:{port}{DEMO_MEMBERS}", headers=HEADERS, timeout=5)


def test_configured_credentials_are_enforced() -> None:
    """--credentials makes the server accept only that pair."""
    running = Server("--credentials", "app:secret", "--no-demo")
    try:
        wrong = requests.get(running.url + "/v1/loyalties/x", headers=HEADERS, timeout=5)
        assert wrong.status_code == 401
        right = requests.get(
            running.url + "/v1/loyalties/x",
            headers={"X-App-Id": "app", "X-App-Token": "secret"},
            timeout=5,
        )
        assert right.status_code == 404
    finally:
        running.stop(signal.SIGKILL)


def test_snapshot_of_another_layout_refuses_to_start(server: Server, state: Path) -> None:
    """A snapshot written by code with other record layouts is refused, never misread."""
    server.stop(signal.SIGTERM)
    with contextlib.closing(sqlite3.connect(state / "state.sqlite")) as db, db:
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key != 'sha256'").fetchall())
        # What another version writes: its own layout, with a checksum that holds.
        database.put_meta(db, {**meta, "layout": "0000000000000000"})
    process = _refused_start(state)
    assert "laid out by another version" in process.stderr


def test_a_record_that_no_longer_replays_refuses_to_start(server: Server, state: Path) -> None:
    """A journal entry the fake would now reject stops the start instead of being skipped."""
    import datetime as dt  # noqa: PLC0415

    from loyalty_fake.http.messages import Request  # noqa: PLC0415

    server.stop(signal.SIGKILL)
    rejected = Request.from_url(
        "POST", "/v1/loyalties/No%20Such%20Program/members", HEADERS, b'{"customer": "x"}'
    )
    _append(state, Record.of(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), rejected))
    process = _refused_start(state)
    assert "replayed as 404" in process.stderr


def _redeem_and_roll_back(url: str) -> dict[str, dict[str, object]]:
    """On the demo program: a reward, a redemption and the rollback of a second one."""
    session = requests.Session()
    session.headers.update(HEADERS)
    code = session.get(url + DEMO_MEMBERS, timeout=5).json()["vouchers"][0]["code"]
    session.post(f"{url}/v1/loyalties/members/{code}/balance", json={"points": 500}, timeout=5)
    reward = session.post(
        url + "/v1/rewards",
        json={"name": "Mug", "parameters": {"product": {"id": "prod_mug"}}},
        timeout=5,
    ).json()
    session.post(
        url + "/v1/loyalties/Demo%20Coffee%20Club/rewards",
        json={"reward": reward["id"], "parameters": {"loyalty": {"points": 100}}},
        timeout=5,
    )
    redeem = f"{url}/v1/loyalties/members/{code}/redemption"
    kept = session.post(redeem, json={"reward": {"id": reward["id"]}}, timeout=5).json()
    undone = session.post(redeem, json={"reward": {"id": reward["id"]}}, timeout=5).json()
    rollback = session.post(f"{url}/v1/redemptions/{undone['id']}/rollback", timeout=5).json()
    return {
        "kept": session.get(f"{url}/v1/redemptions/{kept['id']}", timeout=5).json(),
        "undone": session.get(f"{url}/v1/redemptions/{undone['id']}", timeout=5).json(),
        "rollback": rollback,
        "member": session.get(f"{url}/v1/loyalties/members/{code}", timeout=5).json(),
    }


def _reread(url: str, before: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    session = requests.Session()
    session.headers.update(HEADERS)
    return {
        name: session.get(
            f"{url}/v1/loyalties/members/{body['code']}"
            if name == "member"
            else f"{url}/v1/redemptions/{body['id']}",
            timeout=5,
        ).json()
        for name, body in before.items()
    }


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_redemptions_and_rollbacks_survive_a_restart(server: Server, state: Path, sig: int) -> None:
    """Redemptions, rollbacks and the points they moved are the same after kill -9 or a stop."""
    before = _redeem_and_roll_back(server.url)
    assert before["rollback"]["object"] == "redemption_rollback"
    server.stop(sig)
    restarted = Server("--state", str(state))
    try:
        assert _reread(restarted.url, before) == before
    finally:
        restarted.stop(signal.SIGKILL)


def test_live_server_binds_to_loopback_by_default() -> None:
    """LiveServer (the pytest fixture's server) listens on 127.0.0.1 unless told otherwise."""
    from loyalty_fake.server import LiveServer, SwappableApp  # noqa: PLC0415

    live = LiveServer(SwappableApp()).start()
    try:
        assert live.url.startswith("http://127.0.0.1:")
    finally:
        live.stop()


def test_shared_server_between_fakes_answers_a_voucherify_503() -> None:
    """With no fake plugged in, the session server answers Voucherify's envelope, request_id too."""
    from loyalty_fake.server import LiveServer, SwappableApp  # noqa: PLC0415 - waitress

    server = LiveServer(SwappableApp()).start()
    try:
        replies = [
            requests.get(server.url + DEMO_MEMBERS, headers=HEADERS, timeout=5) for _ in "ab"
        ]
    finally:
        server.stop()
    bodies = [reply.json() for reply in replies]
    assert [reply.status_code for reply in replies] == [503, 503]
    assert replies[0].headers["Content-Type"] == "application/json"
    assert {(body["code"], body["key"]) for body in bodies} == {(503, "no_fake")}
    assert all(re.fullmatch(r"v-[0-9a-f]{18}", body["request_id"]) for body in bodies)
    assert bodies[0]["request_id"] != bodies[1]["request_id"]
    assert "between tests" in bodies[0]["details"]


def _refuse_and_record(url: str) -> dict[str, dict[str, object]]:
    """On the demo program: a redemption refused for points and a second rollback, both failed."""
    session = requests.Session()
    session.headers.update(HEADERS)
    code = session.get(url + DEMO_MEMBERS, timeout=5).json()["vouchers"][0]["code"]
    session.post(f"{url}/v1/loyalties/members/{code}/balance", json={"points": 150}, timeout=5)
    reward = session.post(
        url + "/v1/rewards",
        json={"name": "Mug", "parameters": {"product": {"id": "prod_mug"}}},
        timeout=5,
    ).json()
    session.post(
        url + "/v1/loyalties/Demo%20Coffee%20Club/rewards",
        json={"reward": reward["id"], "parameters": {"loyalty": {"points": 100}}},
        timeout=5,
    )
    redeem = f"{url}/v1/loyalties/members/{code}/redemption"
    made = session.post(redeem, json={"reward": {"id": reward["id"]}}, timeout=5).json()
    refused = session.post(redeem, json={"reward": {"id": reward["id"]}}, timeout=5)
    assert (refused.status_code, refused.json()["key"]) == (400, "loyalty_card_points_exceeded")
    session.post(f"{url}/v1/redemptions/{made['id']}/rollback", timeout=5)
    again = session.post(f"{url}/v1/redemptions/{made['id']}/rollback", timeout=5)
    assert (again.status_code, again.json()["key"]) == (400, "already_rolled_back")
    return {
        "failed": session.get(
            f"{url}/v1/redemptions/{refused.json()['resource_id']}", timeout=5
        ).json(),
        "failed_rollback": session.get(
            f"{url}/v1/redemptions/{again.json()['resource_id']}", timeout=5
        ).json(),
        "listed": session.get(f"{url}/v1/vouchers/{code}/redemption", timeout=5).json(),
    }


def test_failed_redemptions_survive_a_restart(state: Path) -> None:
    """After kill -9, failed redemptions and rollbacks are there, IDs and all.

    A refusal that left a record is journaled like an accepted request, and replayed.
    """
    server = Server("--state", str(state), "--control-plane")
    try:
        before = _refuse_and_record(server.url)
        assert before["failed"]["result"] == before["failed_rollback"]["result"] == "FAILURE"
        state_before = requests.get(server.url + "/_fake/state", timeout=5).json()["projects"]
    finally:
        server.stop(signal.SIGKILL)
    restarted = Server("--state", str(state), "--control-plane")
    try:
        session = requests.Session()
        session.headers.update(HEADERS)
        for name in ("failed", "failed_rollback"):
            body = before[name]
            reread = session.get(f"{restarted.url}/v1/redemptions/{body['id']}", timeout=5)
            assert reread.json() == body
        state_after = requests.get(restarted.url + "/_fake/state", timeout=5).json()["projects"]
        assert state_after == state_before
    finally:
        restarted.stop(signal.SIGKILL)


def test_only_refusals_that_left_a_record_are_journaled(tmp_path: Path) -> None:
    """A refused redemption that recorded a failure is journaled with its status; a 404 is not."""
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415
    from loyalty_fake.http.messages import Request  # noqa: PLC0415
    from loyalty_fake.server import ServerApp  # noqa: PLC0415

    fake = LoyaltyFake(now="2024-01-25T10:00:00Z")
    fake.create_loyalty_program("Club")
    code = fake.add_member("Club", {"source_id": "alice"})["code"]
    store = Store(tmp_path)
    app = ServerApp(fake, store=store)
    app.recover()
    redeem = f"/v1/loyalties/members/{code}/redemption"
    try:
        missing = app.handle(Request.from_url("POST", redeem, HEADERS, b"{}"))
        unknown = app.handle(
            Request.from_url("POST", "/v1/loyalties/members/NOPE/redemption", HEADERS)
        )
    finally:
        store.close()
    assert (missing.status, missing.json()["key"]) == (400, "missing_reward")
    assert unknown.status == 404
    reopened = Store(tmp_path)
    records = reopened.open(fresh_seed=0).records
    reopened.close()
    assert [(record.url, record.status) for _, record in records] == [(redeem, 400)]


def test_a_refusal_that_no_longer_records_refuses_to_start(tmp_path: Path) -> None:
    """A journaled refusal must replay as the same refusal with its record, or the start stops."""
    import datetime as dt  # noqa: PLC0415

    from loyalty_fake import LoyaltyFake  # noqa: PLC0415
    from loyalty_fake.http.messages import Request  # noqa: PLC0415
    from loyalty_fake.server import ServerApp  # noqa: PLC0415

    unknown = Request.from_url("POST", "/v1/loyalties/members/NOPE/redemption", HEADERS, b"{}")
    at = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    _append(tmp_path, Record.of(at, unknown, 400))
    app = ServerApp(LoyaltyFake(seed=42), store=Store(tmp_path))
    with pytest.raises(
        StateError, match=r"replayed as 404 not_found .*, not as refused with a record \(400\)"
    ):
        app.recover()


def test_a_record_with_a_lone_surrogate_refuses_to_start_and_says_why(
    server: Server, state: Path
) -> None:
    """A record an earlier version accepted, with half an emoji, stops the start, naming why."""
    import datetime as dt  # noqa: PLC0415

    from loyalty_fake.http.messages import Request  # noqa: PLC0415

    server.stop(signal.SIGKILL)
    accepted_once = Request.from_url("POST", "/v1/loyalties", HEADERS, b'{"name": "Cut \\ud83d"}')
    _append(state, Record.of(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), accepted_once))
    process = _refused_start(state)
    assert "replayed as 400 invalid_payload" in process.stderr
    assert "lone UTF-16 surrogate" in process.stderr
    assert "refusing to start" in process.stderr


def test_a_snapshot_in_an_earlier_format_refuses_to_start_and_says_why(state: Path) -> None:
    """A snapshot of the release before the ledger package (format /2) is refused."""
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415

    fake = LoyaltyFake()
    with fake.ledger.session(fake.app_id) as session:
        session.campaigns.create(name="Coffee", vouchers_count=1)
    header, _, body = fake.ledger.snapshot().partition(b"\n")
    assert header.startswith(b"loyalty-fake-snapshot/3 ")
    store = Store(state)
    try:
        store.replace(header.replace(b"/3 ", b"/2 ") + b"\n" + body, seed=42)
    finally:
        store.close()
    process = _refused_start(state)
    assert "written by another version" in process.stderr


def test_a_server_app_stands_on_a_ledger_and_an_http_app_alone(tmp_path: Path) -> None:
    """ServerApp serves, seeds and journals a ledger and its HTTP app, with no LoyaltyFake."""
    from loyalty_fake.clock import Clock  # noqa: PLC0415
    from loyalty_fake.http.app import FakeVoucherifyApp  # noqa: PLC0415
    from loyalty_fake.http.messages import Request  # noqa: PLC0415
    from loyalty_fake.ids import IdGenerator  # noqa: PLC0415
    from loyalty_fake.ledger import Ledger  # noqa: PLC0415
    from loyalty_fake.server import ServerApp  # noqa: PLC0415
    from loyalty_fake.server.served import Served  # noqa: PLC0415

    ledger = Ledger(clock=Clock("2024-01-25T10:00:00Z"), ids=IdGenerator(7))
    served = Served(ledger, FakeVoucherifyApp(ledger, {}), app_id="loyalty-fake-app-id")
    store = Store(tmp_path)
    app = ServerApp(served, store=store, control_plane=True)
    app.recover()
    try:
        seeded = app.apply(Request.from_url("POST", "/_fake/seed", {}, b'{"members": 2}'))
        members = app.handle(Request.from_url("GET", DEMO_MEMBERS, HEADERS))
    finally:
        store.close()
    assert seeded.status == 200
    assert members.status == 200
    assert members.json()["total"] == 2
    reopened = Store(tmp_path)
    records = reopened.open(fresh_seed=0).records
    reopened.close()
    assert [record.url for _, record in records] == ["/_fake/seed"]


def test_serve_prints_an_access_line_per_request_unless_told_not_to() -> None:
    """`serve` logs method, path, status and time per request; --no-access-log does not."""
    logging_on = Server("--no-demo")
    requests.get(logging_on.url + "/v1/loyalties?limit=1", headers=HEADERS, timeout=5)
    requests.get(logging_on.url + "/v1/nothing", headers=HEADERS, timeout=5)
    code, output = logging_on.stop(signal.SIGTERM)
    assert code == 0
    assert re.search(r"^GET /v1/loyalties\?limit=1 200 \d+\.\d ms$", output, re.MULTILINE)
    assert re.search(r"^GET /v1/nothing 404 \d+\.\d ms$", output, re.MULTILINE)
    assert output.rstrip().endswith("loyalty-fake stopped")
    quiet = Server("--no-demo", "--no-access-log")
    requests.get(quiet.url + "/v1/loyalties", headers=HEADERS, timeout=5)
    code, output = quiet.stop(signal.SIGTERM)
    assert code == 0
    assert "/v1/loyalties 200" not in output


def test_serve_answers_the_hosts_it_is_told_to() -> None:
    """Another Host is 421; --allow-host NAME adds one."""
    running = Server("--no-demo", "--allow-host", "fake.test")
    try:
        url = running.url + "/v1/loyalties"
        allowed = requests.get(url, headers={**HEADERS, "Host": "fake.test:80"}, timeout=5)
        refused = requests.get(url, headers={**HEADERS, "Host": "evil.example"}, timeout=5)
    finally:
        running.stop(signal.SIGKILL)
    assert allowed.status_code == 200
    assert (refused.status_code, refused.json()["key"]) == (421, "misdirected_request")


def test_a_port_already_taken_is_one_line_and_exit_1() -> None:
    """`serve --port N` on a taken port says so in one line and exits 1."""
    import socket  # noqa: PLC0415

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "loyalty_fake.cli", "serve", "--no-demo", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert process.returncode == 1
    assert process.stderr.strip().splitlines() == [
        f"loyalty-fake: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert "serving" not in process.stdout
