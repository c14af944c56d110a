"""The state directory: one owner, a refused write leaves nothing, checked and private files.

Most tests drive ``loyalty-fake serve`` as a process and look only at what a user sees:
answers, exit codes, the one line a refused start prints, and the files in the directory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import pickle
import random
import re
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import Request
from loyalty_fake.ledger import snapshot
from loyalty_fake.server import LiveServer, ServerApp, database, journal_file
from loyalty_fake.server.control import ControlPlane
from loyalty_fake.server.journal import Record, StateError
from loyalty_fake.server.journal_file import JournalFile
from loyalty_fake.server.store import Store
from tests.test_server import DEMO_MEMBERS, HEADERS, Server

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="flock, rlimits and modes")

JSON = "application/json"


class Attached(Server):
    """A ``loyalty-fake serve`` process started by the test itself (with limits, say)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:  # noqa: D107 - see class
        self.process = process
        self.lines: list[str] = []
        self.url: str | None = None  # None: it never served
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)
            found = re.search(r"serving (http://[\d.]+:\d+)", line)
            if found:
                self.url = found.group(1)
                return


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A state directory for one test."""
    return tmp_path / "state"


def _start(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Start a server on ``state`` that must refuse to run; its exit and output."""
    process = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            *("-m", "loyalty_fake.cli", "serve", "--port", "0", "--state", str(state)),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode != 0, process.stdout
    return process


def _one_line(process: subprocess.CompletedProcess[str]) -> str:
    """The refusal: exit 1 and one line on stderr, no traceback; that line."""
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr
    lines = [line for line in process.stderr.splitlines() if not line.startswith("loading ")]
    assert len(lines) == 1, process.stderr
    return lines[0]


def _join(url: str, source_id: str, session: requests.Session | None = None) -> requests.Response:
    return (session or requests).post(
        url + DEMO_MEMBERS, json={"customer": {"source_id": source_id}}, headers=HEADERS, timeout=10
    )


def _holder_codes(url: str) -> dict[str, str]:
    """Every member's code by their customer's source_id (the demo program's members)."""
    state = requests.get(url + "/_fake/state", timeout=10).json()
    project = state["projects"]["loyalty-fake-app-id"]
    source = {c["id"]: c["source_id"] for c in project["customers"]}
    return {source[c["holder_id"]]: c["code"] for c in project["cards"] if c.get("holder_id")}


# -- one owner -------------------------------------------------------------------------------


def test_a_second_server_on_the_same_directory_is_refused_naming_the_first(state: Path) -> None:
    """A second `serve` or a `seed` on a directory in use exits 1 naming it; kill -9 frees it."""
    first = Server("--state", str(state))
    try:
        refused = _one_line(_start(state))
        assert f"{state} is in use by another loyalty-fake (pid {first.process.pid} on " in refused
        assert "since 20" in refused
        assert f"serving {first.url}" in refused
        seeding = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "loyalty_fake.cli", "seed", "--state", str(state)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert seeding.returncode == 1
        assert f"in use by another loyalty-fake (pid {first.process.pid} " in seeding.stderr
        assert _join(first.url, "still-served").status_code == 200
    finally:
        first.stop(signal.SIGKILL)
    second = Server("--state", str(state), "--control-plane")
    try:
        assert "still-served" in _holder_codes(second.url)
    finally:
        second.stop(signal.SIGKILL)


# -- a refused or failed write leaves nothing ------------------------------------------------


def _limited(size: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

    return limit


def test_a_full_disk_refuses_writes_in_an_envelope_and_keeps_none_of_them(state: Path) -> None:
    """Out of space, writes get 503 state_not_written and leave nothing, live or after a restart."""
    Server("--state", str(state)).stop(signal.SIGTERM)  # the demo data, written whole
    largest = max(path.stat().st_size for path in state.iterdir())
    command = [sys.executable, "-m", "loyalty_fake.cli", "serve", "--port", "0"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, "--state", str(state), "--control-plane"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limited(largest + 16 * 1024),  # noqa: PLW1509 - no threads yet
    )
    server = Attached(process)
    assert server.url is not None, server.lines
    session = requests.Session()
    acknowledged: list[str] = []
    refused: list[str] = []
    try:
        for number in range(400):
            reply = _join(server.url, f"full-{number}", session)
            assert reply.headers["Content-Type"].startswith(JSON), reply.text
            if reply.status_code == 200:
                acknowledged.append(f"full-{number}")
                continue
            assert reply.status_code == 503, reply.text
            envelope = reply.json()
            assert envelope["key"] == "state_not_written"
            assert str(state) in envelope["details"]
            assert "nothing was changed" in envelope["details"]
            refused.append(f"full-{number}")
            if len(refused) == 20:
                break
        assert refused, "the file size limit never refused a write"
        assert acknowledged
        live = _holder_codes(server.url)
        assert not set(refused) & set(live)
        # Space is back: writes are taken again, and a refused one can be retried.
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (-1, -1))
        retried = _join(server.url, refused[0], session)
        assert retried.status_code == 200, retried.text
        acknowledged.append(refused.pop(0))
        live = _holder_codes(server.url)
    finally:
        _, output = server.stop(signal.SIGKILL)
    assert "Traceback" not in output
    restarted = Server("--state", str(state), "--control-plane")
    try:
        assert _holder_codes(restarted.url) == live
    finally:
        restarted.stop(signal.SIGKILL)
    assert set(acknowledged) <= set(live)
    assert not set(refused) & set(live)


def test_a_failed_write_undoes_its_request_and_what_depended_on_it_follows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row that cannot be written undoes the request (503); later writes and a restart agree."""
    fake = LoyaltyFake(seed=3, now="2024-06-01T00:00:00Z")
    store = Store(tmp_path / "state")
    app = ServerApp(fake, store=store, control_plane=True)
    app.recover()
    server = LiveServer(app).start()
    session = requests.Session()
    session.headers.update(HEADERS)
    try:
        session.post(server.url + "/_fake/seed", json={"seed": 3}, timeout=10)
        before = ControlPlane(fake).dump()
        append = JournalFile.append

        def full(*_args: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(JournalFile, "append", full)
        failed = session.post(
            server.url + DEMO_MEMBERS, json={"customer": {"source_id": "x"}}, timeout=10
        )
        monkeypatch.setattr(JournalFile, "append", append)
        assert failed.status_code == 503
        assert failed.json()["key"] == "state_not_written"
        assert "No space left on device" in failed.json()["details"]
        assert ControlPlane(fake).dump() == before
        # The client never got a card: a write on the customer finds none, and the retry
        # gets the card the failed request would have had.
        again = session.post(
            server.url + DEMO_MEMBERS, json={"customer": {"source_id": "x"}}, timeout=10
        )
        assert again.status_code == 200
        code = again.json()["code"]
        moved = session.post(
            f"{server.url}/v1/loyalties/members/{code}/balance", json={"points": 7}, timeout=10
        )
        assert moved.status_code == 200
        live = ControlPlane(fake).dump()
    finally:
        server.stop()
        store.close()
    restarted = LoyaltyFake(seed=3, now="2024-06-01T00:00:00Z")
    reopened = Store(tmp_path / "state")
    ServerApp(restarted, store=reopened).recover()
    reopened.close()
    assert ControlPlane(restarted).dump() == live


def test_a_refusal_with_a_record_that_cannot_be_written_keeps_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed redemption whose row cannot be written is undone too: 503, and no rf_ record."""
    fake = LoyaltyFake(seed=3, now="2024-06-01T00:00:00Z")
    program = fake.create_loyalty_program("Club")
    code = fake.add_member(program["id"], {"source_id": "alice"})["code"]
    store = Store(tmp_path)
    app = ServerApp(fake, store=store)
    app.recover()
    before = ControlPlane(fake).dump()

    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(JournalFile, "append", full)
    try:
        redeem = Request.from_url(
            "POST", f"/v1/loyalties/members/{code}/redemption", HEADERS, b"{}"
        )
        answer = app.handle(redeem)
    finally:
        store.close()
    assert (answer.status, answer.json()["key"]) == (503, "state_not_written")
    assert "No space left on device" in answer.json()["details"]
    assert ControlPlane(fake).dump() == before


def test_a_bug_while_writing_down_a_request_undoes_it_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug after the request ran, as it is written down, is a 500 that changed nothing."""
    fake = LoyaltyFake(seed=3, now="2024-06-01T00:00:00Z")
    store = Store(tmp_path)
    app = ServerApp(fake, store=store)
    app.recover()
    app.apply(Request.from_url("POST", "/v1/loyalties", HEADERS, b'{"name": "Club"}'))
    before = ControlPlane(fake).dump()

    def broken(*_args: Any) -> Record:
        raise RuntimeError("a bug in the journal")

    join = Request.from_url(
        "POST", "/v1/loyalties/Club/members", HEADERS, b'{"customer": {"source_id": "b"}}'
    )
    with monkeypatch.context() as patched:
        patched.setattr(Record, "of", broken)
        answer = app.handle(join)
    assert (answer.status, answer.json()["key"]) == (500, "internal_error")
    fake.app.internal_errors.clear()
    assert ControlPlane(fake).dump() == before
    assert app.handle(join).status == 200
    store.close()
    restarted = LoyaltyFake(seed=3, now="2024-06-01T00:00:00Z")
    reopened = Store(tmp_path)
    ServerApp(restarted, store=reopened).recover()
    reopened.close()
    assert ControlPlane(restarted).dump() == ControlPlane(fake).dump()


# -- compaction is one transaction -----------------------------------------------------------

_CRASH = """
import os, sys
from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import Request
from loyalty_fake.server import ServerApp
from loyalty_fake.server.store import Store

state, statement = sys.argv[1], sys.argv[2]
headers = {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": "loyalty-fake-app-token"}
store = Store(state)
app = ServerApp(LoyaltyFake(seed=3), store=store, compact_every=10**9)
app.recover()
code = sys.argv[3] if len(sys.argv) > 3 else None
if code is None:
    app.apply(Request.from_url("POST", "/v1/loyalties", headers, b'{"name": "Club"}'))
    card = app.apply(Request.from_url(
        "POST", "/v1/loyalties/Club/members", headers, b'{"customer": {"source_id": "a"}}'))
    print(card.json()["code"], flush=True)
    code = card.json()["code"]
for _ in range(3):
    app.apply(Request.from_url(
        "POST", f"/v1/loyalties/members/{code}/balance", headers, b'{"points": 100}'))

def crash(sql):
    if sql.lstrip().upper().startswith(statement):
        os._exit(9)

store._db.set_trace_callback(crash)
app.compact()
"""


@pytest.mark.parametrize(
    "statement", ["INSERT OR REPLACE INTO SNAPSHOT", "DELETE FROM JOURNAL", "COMMIT", "PRAGMA"]
)
def test_a_crash_at_any_step_of_a_compaction_leaves_each_write_once(
    state: Path, statement: str
) -> None:
    """Killed anywhere in a compaction, twice over, the state holds every write exactly once."""
    run = [sys.executable, "-c", _CRASH, str(state), statement]
    first = subprocess.run(run, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert first.returncode == 9, first.stderr
    code = first.stdout.strip()
    second = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*run, code], capture_output=True, text=True, timeout=60, check=False
    )
    assert second.returncode == 9, second.stderr
    restarted = Server("--state", str(state), "--seed", "3", "--no-demo")
    try:
        member = requests.get(
            f"{restarted.url}/v1/loyalties/members/{code}", headers=HEADERS, timeout=10
        ).json()
    finally:
        restarted.stop(signal.SIGKILL)
    assert member["loyalty_card"]["balance"] == 600


def test_compact_every_bounds_the_journal(state: Path) -> None:
    """`serve --compact-every 3` snapshots every third write: the journal never holds more."""
    server = Server("--state", str(state), "--compact-every", "3")
    try:
        for number in range(7):
            assert _join(server.url, f"c-{number}").status_code == 200
    finally:
        # Killed, as a crash would: the server holds its database alone while it runs.
        server.stop(signal.SIGKILL)
    with contextlib.closing(sqlite3.connect(state / "state.sqlite")) as db:
        covers = db.execute("SELECT covers FROM snapshot").fetchone()[0]
    frames, _ = journal_file.decode((state / "journal.log").read_bytes(), state)
    rows = len(frames)
    assert rows < 3
    assert covers + rows == 8  # the demo's seeding and seven joins


# -- foreign settings ------------------------------------------------------------------------


def test_a_directory_made_with_another_seed_is_refused_naming_its_seed(state: Path) -> None:
    """A journal made with --seed 7 refuses --seed 8 (every ID would differ); no --seed takes 7."""
    server = Server("--state", str(state), "--seed", "7")
    try:
        code = _join(server.url, "kept").json()["code"]
    finally:
        server.stop(signal.SIGKILL)
    refused = _one_line(_start(state, "--seed", "8"))
    assert refused == (
        f"loyalty-fake: {state} was made with --seed 7, not --seed 8: "
        "start with --seed 7, or use another --state"
    )
    restarted = Server("--state", str(state))
    try:
        found = requests.get(
            f"{restarted.url}/v1/loyalties/members/{code}", headers=HEADERS, timeout=10
        )
        assert found.status_code == 200
    finally:
        restarted.stop(signal.SIGKILL)


def _runs_code(marker: Path) -> bytes:
    """A pickle that makes ``marker`` when loaded."""

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (f"touch {marker}",))

    return snapshot.header() + pickle.dumps(Payload())


def test_a_directory_in_the_old_layout_is_refused_and_nothing_in_it_runs(
    state: Path, tmp_path: Path
) -> None:
    """A state of an earlier version (snapshot.bin, journal.jsonl) is refused, never unpickled."""
    marker = tmp_path / "ran"
    state.mkdir()
    (state / "snapshot.bin").write_bytes(_runs_code(marker))
    (state / "journal.jsonl").write_bytes(b"")
    refused = _one_line(_start(state))
    assert "holds the state of an earlier loyalty-fake (snapshot.bin, journal.jsonl)" in refused
    assert not marker.exists()


def test_a_crafted_snapshot_is_refused_without_running_it(state: Path, tmp_path: Path) -> None:
    """A snapshot that names anything but the records a state holds is refused, unrun."""
    marker = tmp_path / "ran"
    store = Store(state)
    try:
        store.replace(_runs_code(marker), seed=42)  # checksummed: as its author would
    finally:
        store.close()
    refused = _one_line(_start(state))
    assert "the snapshot names posix.system, which no loyalty-fake state holds" in refused
    assert not marker.exists()


# -- private files, no secret ----------------------------------------------------------------


def test_state_files_are_private_and_hold_no_token(state: Path) -> None:
    """The directory is 0700, its files 0600, the token is nowhere in them; replay needs none."""
    token = "s3cret-t0ken-of-the-test"  # noqa: S105 - the secret that must not be stored
    credentials = ("--credentials", f"loyalty-fake-app-id:{token}", "--control-plane")
    headers = {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": token}
    server = Server("--state", str(state), *credentials)
    try:
        for number in range(3):
            reply = requests.post(
                server.url + DEMO_MEMBERS,
                json={"customer": {"source_id": f"p-{number}"}},
                headers=headers,
                timeout=10,
            )
            assert reply.status_code == 200
        before = _dump(server.url)
    finally:
        server.stop(signal.SIGKILL)
    files = sorted(state.iterdir())
    assert {path.name for path in files} >= {"lock", "state.sqlite", "state.sqlite-wal"}
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {
        path.name: 0o600 for path in files
    }
    assert not [path.name for path in files if token.encode() in path.read_bytes()]
    restarted = Server("--state", str(state), *credentials)
    try:
        assert _dump(restarted.url) == before
    finally:
        code, _ = restarted.stop(signal.SIGTERM)
    assert code == 0
    assert not [path.name for path in state.iterdir() if token.encode() in path.read_bytes()]


@pytest.mark.parametrize("name", ["state.sqlite", "state.sqlite-wal", "journal.log", "lock"])
def test_a_symlinked_state_file_is_refused_and_its_target_untouched(
    state: Path, tmp_path: Path, name: str
) -> None:
    """A state file that is a symbolic link is refused; the file it points to is not written."""
    Server("--state", str(state)).stop(signal.SIGTERM)
    target = tmp_path / "elsewhere"
    target.write_bytes(b"someone else's file")
    link = state / name
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    refused = _one_line(_start(state))
    assert f"{link} is a symbolic link" in refused
    assert target.read_bytes() == b"someone else's file"


# -- damaged files ---------------------------------------------------------------------------


def _dump(url: str) -> Any:
    """What the server holds (its clock runs: left out)."""
    dump = requests.get(url + "/_fake/state", timeout=10).json()
    del dump["clock"]
    return dump


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A state directory after writes and a clean stop, and its state as served."""
    state = tmp_path_factory.mktemp("written") / "state"
    server = Server("--state", str(state), "--control-plane")
    try:
        for number in range(4):
            _join(server.url, f"w-{number}")
    finally:
        server.stop(signal.SIGTERM)
    server = Server("--state", str(state), "--control-plane")
    try:
        _join(server.url, "after-the-snapshot")
        dump = _dump(server.url)
    finally:
        server.stop(signal.SIGTERM)
    return state, dump


def _refused_or_same(state: Path, dump: Any) -> str:
    """Start on ``state``: it refuses in one line, or serves exactly ``dump``; which."""
    command = [sys.executable, "-m", "loyalty_fake.cli", "serve", "--port", "0"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, "--state", str(state), "--control-plane", "--no-demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Attached(process)
    if server.url is None:
        _, err = process.communicate(timeout=30)
        _one_line(subprocess.CompletedProcess(process.args, process.wait(), "", err))
        return "refused"
    try:
        assert _dump(server.url) == dump
    finally:
        _, output = server.stop(signal.SIGKILL)
    assert "Traceback" not in output
    return "same"


@pytest.mark.parametrize("keep", [0, 50, 100, 4096, 0.5, -1])
def test_a_truncated_state_refuses_to_start_in_one_line(
    written: tuple[Path, Any], tmp_path: Path, keep: float
) -> None:
    """A state file cut short refuses to start with one line, or (cut in free space) loads whole."""
    template, dump = written
    state = tmp_path / "state"
    shutil.copytree(template, state)
    for path in state.iterdir():
        if path.name != "lock" and path.stat().st_size:
            size = path.stat().st_size
            cut = int(size * keep) if isinstance(keep, float) else keep % size
            with path.open("r+b") as handle:
                handle.truncate(cut)
    assert _refused_or_same(state, dump) in ("refused", "same")


def test_single_bit_flips_of_the_state_are_refused_or_harmless(
    written: tuple[Path, Any], tmp_path: Path
) -> None:
    """A bit flipped anywhere in the state files: a one-line refusal, or the very same state."""
    template, dump = written
    chosen = random.Random(16)  # noqa: S311 - where to flip, the same every run
    files = [p.name for p in sorted(template.iterdir()) if p.name != "lock" and p.stat().st_size]
    outcomes = []
    for number in range(10):
        state = tmp_path / f"flip-{number}"
        shutil.copytree(template, state)
        path = state / chosen.choice(files)
        data = bytearray(path.read_bytes())
        bit = chosen.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(data))
        outcomes.append(_refused_or_same(state, dump))
    assert "refused" in outcomes


def _state_files(directory: Path) -> tuple[Path, dict[str, Any]]:
    """A state directory built in-process (a snapshot, then journal entries), and its dump."""
    fake = LoyaltyFake(seed=9, now="2024-06-01T00:00:00Z")
    store = Store(directory)
    app = ServerApp(fake, store=store, control_plane=True)
    app.recover()
    app.apply(Request.from_url("POST", "/_fake/seed", {}, b'{"seed": 9, "members": 6}'))
    app.compact()
    for number in range(5):
        body = b'{"customer": {"source_id": "f-%d"}}' % number
        app.apply(Request.from_url("POST", DEMO_MEMBERS, HEADERS, body))
    store.close()
    return directory / "state.sqlite", ControlPlane(fake).dump()


@pytest.mark.parametrize(
    ("name", "flips", "least_refused"), [("state.sqlite", 400, 50), ("journal.log", 200, 200)]
)
def test_many_bit_flips_never_load_different_data(
    tmp_path: Path, name: str, flips: int, least_refused: int
) -> None:
    """Single-bit flips of a state file: each refused (StateError) or loads the same.

    Every byte of the journal is under a checksum: there, every flip is refused.
    """
    template = tmp_path / "template"
    _, dump = _state_files(template)
    original = (template / name).read_bytes()
    chosen = random.Random(4)  # noqa: S311 - where to flip, the same every run
    refused = same = 0
    lines: list[str] = []
    for number in range(flips):
        state = tmp_path / f"flip-{number}"
        state.mkdir()
        for kept in ("state.sqlite", "journal.log"):
            shutil.copyfile(template / kept, state / kept)
        data = bytearray(original)
        bit = chosen.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
        (state / name).write_bytes(bytes(data))
        fake = LoyaltyFake(seed=9, now="2024-06-01T00:00:00Z")
        store = Store(state)
        try:
            ServerApp(fake, store=store).recover()
        except StateError as error:
            lines.append(str(error))
            refused += 1
        else:
            assert ControlPlane(fake).dump() == dump, f"bit {bit} changed the state"
            same += 1
        finally:
            store.close()
            shutil.rmtree(state)
    assert refused >= least_refused
    assert same > 0 or refused == flips
    assert all("\n" not in line for line in lines)


def test_journal_entries_replay_in_strict_order(tmp_path: Path) -> None:
    """A missing journal entry in the middle is damage: the start stops, naming the gap."""
    _state_files(tmp_path / "state")
    path = tmp_path / "state" / "journal.log"
    frames, _ = journal_file.decode(path.read_bytes(), path)
    middle = frames[2][0]
    path.write_bytes(b"".join(journal_file.encode(seq, r) for seq, r in frames if seq != middle))
    store = Store(tmp_path / "state")
    with pytest.raises(StateError, match=rf"journal entry {middle + 1} where {middle} is due"):
        ServerApp(LoyaltyFake(seed=9), store=store).recover()


def test_fsync_makes_each_commit_wait_for_the_disk(tmp_path: Path) -> None:
    """`--fsync`: synchronous=FULL and a journal whose writes wait for the disk (O_DSYNC)."""
    levels = {}
    for fsync in (False, True):
        store = Store(tmp_path / str(fsync), fsync=fsync)
        store.open(fresh_seed=1)
        synchronous = store._require().execute("PRAGMA synchronous").fetchone()[0]
        flags = fcntl.fcntl(store._journal._require(), fcntl.F_GETFL)
        levels[fsync] = (synchronous, bool(flags & os.O_DSYNC))
        store.close()
    assert levels == {False: (1, False), True: (2, True)}


def test_a_record_keeps_no_token_and_replays_into_its_project() -> None:
    """A record keeps the app ID and content type, never the token; replay stands a token in."""
    request = Request.from_url(
        "POST",
        "/v1/loyalties?x=1",
        {**HEADERS, "Content-Type": JSON, "X-Other": "y"},
        b"{}",
    )
    record = Record.of(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), request)
    assert "loyalty-fake-app-token" not in repr(record)
    replayed = record.request()
    assert replayed.header("x-app-id") == "loyalty-fake-app-id"
    assert replayed.header("content-type") == JSON
    assert replayed.header("x-app-token") not in (None, "", "loyalty-fake-app-token")
    assert replayed.header("x-other") is None
    assert (replayed.path, replayed.query) == ("/v1/loyalties", (("x", "1"),))


def test_a_body_accepted_without_a_type_replays_under_strict_content_type(state: Path) -> None:
    """A restart with --strict-content-type replays what was accepted before it, as accepted."""
    first = ServerApp(LoyaltyFake(seed=42), store=Store(state))
    first.recover()
    members = "/v1/loyalties/Demo%20Coffee%20Club/members"
    seeded = first.apply(Request.from_url("POST", "/_fake/seed", {"content-type": JSON}, b"{}"))
    assert seeded.status == 200
    body = b'{"customer": {"source_id": "no-type"}}'
    joined = first.apply(Request.from_url("POST", members, HEADERS, body))
    assert joined.status == 200
    first.store.close()  # type: ignore[union-attr]
    strict = LoyaltyFake(seed=42, strict_content_type=True)
    second = ServerApp(strict, store=Store(state))
    try:
        assert second.recover() == 2
        again = second.handle(Request.from_url("POST", members, HEADERS, body))
        assert again.status == 415
        card = joined.json()["code"]
        read = second.handle(Request.from_url("GET", f"/v1/loyalties/members/{card}", HEADERS, b""))
        assert read.status == 200
    finally:
        second.store.close()  # type: ignore[union-attr]


def test_the_server_holds_its_database_alone(tmp_path: Path) -> None:
    """While the server has it open, the database is its alone: no -shm file, no other reader.

    The connection locks it for good (``locking_mode = EXCLUSIVE``), so a commit takes no
    file locks (docs/server.md); another program reads it once the server has stopped.
    """
    path = tmp_path / "state.sqlite"
    database.create(path, database.new_meta(7), None)
    db = database.connect(path, fsync=False)
    try:
        assert not path.with_name(f"{path.name}-shm").exists()
        other = sqlite3.connect(path, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            other.close()
    finally:
        db.close()
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    finally:
        reader.close()
