"""The ``loyalty-fake`` command line: clear errors, defaults, progress, and Ctrl-C at any point."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from importlib import metadata
from typing import TYPE_CHECKING

import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.cli import main
from loyalty_fake.http.messages import Request
from loyalty_fake.server import ServerApp, database
from loyalty_fake.server.journal import CompactedThenInterrupted, Record
from loyalty_fake.server.serving import Interrupted, _start_state
from loyalty_fake.server.store import Store
from tests.test_server import DEMO_MEMBERS, HEADERS, Server

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "http"])
def test_a_port_outside_0_to_65535_is_a_usage_error(port: str) -> None:
    """`serve --port 99999` is refused with argparse's message, instead of serving elsewhere."""
    refused = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "loyalty_fake.cli", "serve", "--no-demo", "--port", port],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("usage: loyalty-fake serve")
    assert f"argument --port: {port!r} is not a port: give 0-65535" in refused.stderr


@pytest.mark.parametrize("command", ["serve", "seed"])
def test_a_state_path_that_is_a_file_is_one_line_of_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    """`--state FILE` is refused in one line with exit 2, before any work."""
    file = tmp_path / "state"
    file.write_text("not a directory", encoding="utf-8")
    assert main([command, "--state", str(file)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"loyalty-fake: error: --state {file}: is a file, not a directory\n"
    assert captured.out == ""
    assert file.read_text(encoding="utf-8") == "not a directory"


@pytest.mark.parametrize("command", ["serve", "seed"])
def test_a_state_path_that_cannot_be_made_is_one_line_of_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    """A `--state` directory that cannot be created or written in is refused in one line."""
    file = tmp_path / "file"
    file.write_text("", encoding="utf-8")
    assert main([command, "--state", str(file / "state")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"loyalty-fake: error: --state {file / 'state'}: cannot write there (")
    assert err.count("\n") == 1


def test_version_is_the_installed_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`loyalty-fake --version` prints the package's version from its metadata."""
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"loyalty-fake {metadata.version('loyalty-fake')}\n"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    """The parsers of every subcommand, caught as main builds them."""
    found: dict[str, argparse.ArgumentParser] = {}
    original = argparse.ArgumentParser.parse_args

    def catch(
        parser: argparse.ArgumentParser, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found.update(action.choices)
        return original(parser, args, namespace)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(argparse.ArgumentParser, "parse_args", catch)
        with pytest.raises(SystemExit):
            main(["--help"])
    return found


@pytest.mark.parametrize("command", ["serve", "seed", "demo", "compare"])
def test_help_shows_every_default(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """Every optional flag's help says its default (`--port ... (default: 8080)`)."""
    parser = _subcommands()[command]
    capsys.readouterr()
    without = [
        action.option_strings[0]
        for action in parser._actions
        if action.option_strings
        and not action.required
        and action.help not in (argparse.SUPPRESS, None)
        and not isinstance(action, argparse._HelpAction)
        and "(default:" not in action.help
    ]
    assert without == []
    usage = parser.format_help()
    if command == "serve":
        assert "(default: 8080)" in usage
        assert "(default: 127.0.0.1" in usage


# -- Ctrl-C, progress and the state directory, in a real process ------------------------------


class Process:
    """``loyalty-fake ARGS`` in a subprocess, its stderr read as it comes (progress bars too)."""

    def __init__(self, *args: str) -> None:
        """Start the command."""
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "loyalty_fake.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._err = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        while chunk := os.read(self.process.stderr.fileno(), 65536):
            self._err.extend(chunk)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Wait until stderr shows ``text``."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self._err:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"no {text!r} on stderr: {self._err.decode()}")
            time.sleep(0.01)

    def interrupt(self) -> tuple[int, str, str]:
        """Send SIGINT (Ctrl-C); the exit code, stdout and stderr."""
        self.process.send_signal(signal.SIGINT)
        assert self.process.stdout is not None
        out = self.process.stdout.read()
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        self.process.stdout.close()
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code, out.decode(), self._err.decode()


def _assert_one_clean_line(err: str, expected: str) -> None:
    """The last line of ``err`` is ``expected``, and nothing printed a traceback."""
    assert "Traceback" not in err
    assert err.rstrip("\n").rsplit("\n", 1)[-1] == expected


def test_ctrl_c_while_seeding_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    """Ctrl-C during `seed` exits 130 with one line, and leaves no state directory behind."""
    state = tmp_path / "state"
    seeding = Process("seed", "--state", str(state), "--members", "200000")
    seeding.wait_for("seeding [")
    code, _, err = seeding.interrupt()
    assert code == 130
    _assert_one_clean_line(err, f"loyalty-fake: interrupted; {state} is as it was")
    assert not state.exists()


def test_ctrl_c_while_seeding_over_a_state_keeps_the_old_one(tmp_path: Path) -> None:
    """Ctrl-C during `seed` into an existing state directory leaves that state byte for byte."""
    state = tmp_path / "state"
    small = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "loyalty_fake.cli", "seed", "--state", str(state), "--members", "5"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "writing the state to" in small.stderr
    before = {path.name: path.read_bytes() for path in state.iterdir()}
    seeding = Process("seed", "--state", str(state), "--members", "200000")
    seeding.wait_for("seeding [")
    code, _, err = seeding.interrupt()
    assert code == 130
    _assert_one_clean_line(err, f"loyalty-fake: interrupted; {state} is as it was")
    assert {path.name: path.read_bytes() for path in state.iterdir()} == before


def _long_journal(state: Path, members: int) -> None:
    """A state directory whose journal adds ``members`` members: seconds of replay."""
    headers = {**HEADERS, "content-type": "application/json"}
    at = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    store = Store(state)
    store.open(fresh_seed=42)
    try:
        program = {"name": "Club", "type": "AUTO_UPDATE"}
        store.append(
            Record.of(
                at, Request.from_url("POST", "/v1/loyalties", headers, json.dumps(program).encode())
            )
        )
        for number in range(members):
            body = json.dumps({"customer": {"source_id": f"c{number}"}}).encode()
            store.append(
                Record.of(at, Request.from_url("POST", "/v1/loyalties/Club/members", headers, body))
            )
    finally:
        store.close()


def test_ctrl_c_while_loading_a_state_exits_130_and_keeps_it(tmp_path: Path) -> None:
    """Ctrl-C while `serve` loads its state says so in one line, exits 130, changes nothing."""
    state = tmp_path / "state"
    _long_journal(state, 20_000)
    files = {path.name: path.read_bytes() for path in state.iterdir() if path.name != "lock"}
    assert sorted(files) == ["journal.log", "state.sqlite"]
    serving = Process("serve", "--port", "0", "--state", str(state))
    serving.wait_for(f"loading {state} (")
    code, out, err = serving.interrupt()
    assert code == 130
    _assert_one_clean_line(
        err,
        f"loyalty-fake: interrupted while loading {state}; it is whole: the next start loads it",
    )
    assert "serving" not in out
    assert sorted(path.name for path in state.iterdir()) == ["journal.log", "lock", "state.sqlite"]
    assert {name: (state / name).read_bytes() for name in files} == files


def test_ctrl_c_as_the_loading_line_prints_is_ctrl_c_while_loading(tmp_path: Path) -> None:
    """A Ctrl-C that lands inside the print of "loading ..." says the state is whole, too.

    The test above sends it as soon as the line shows, which can be before print has
    written the line's end (CI saw a bare "interrupted" once).
    """
    state = tmp_path / "state"
    _long_journal(state, 3)
    app = ServerApp(LoyaltyFake(seed=42), store=Store(state))

    def interrupted_while_saying(_line: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(Interrupted, match=r"while loading .*; it is whole"):
        _start_state(app, demo=False, out=print, say=interrupted_while_saying)
    again = Store(state)  # let go: it can be taken again
    try:
        assert len(again.open(fresh_seed=42).records) == 4
    finally:
        again.close()


def _snapshot_row(state: Path) -> tuple[int, str]:
    with contextlib.closing(sqlite3.connect(state / "state.sqlite")) as db:
        covers, sha256 = db.execute("SELECT covers, sha256 FROM snapshot").fetchone()
    return int(covers), str(sha256)


def test_shutdown_says_it_writes_the_snapshot_and_skips_an_unchanged_one(tmp_path: Path) -> None:
    """Stopping after writes says it snapshots them; stopping with none writes nothing."""
    state = tmp_path / "state"
    server = Server("--state", str(state))
    for name in ("a", "b", "c"):
        requests.post(
            server.url + DEMO_MEMBERS,
            json={"customer": {"source_id": name}},
            headers=HEADERS,
            timeout=5,
        )
    code, output = server.stop(signal.SIGTERM)
    assert code == 0
    assert f"stopping: writing a snapshot of {state} (3 writes since the last) ..." in output
    written = _snapshot_row(state)
    restarted = Server("--state", str(state))
    code, output = restarted.stop(signal.SIGTERM)
    assert code == 0
    assert f"loading {state} (" in output
    assert "stopping: writing a snapshot" not in output
    assert _snapshot_row(state) == written


# -- the state directory is never half-written -------------------------------------------------


def _store_with_state(directory: Path) -> Store:
    store = Store(directory)
    store.replace(b"old snapshot", seed=42)
    store.append(
        Record.of(
            dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
            Request.from_url("POST", "/v1/loyalties", HEADERS, b"{}"),
        )
    )
    return store


def _stored(directory: Path) -> tuple[bytes | None, list[str]]:
    store = Store(directory)
    try:
        loaded = store.open(fresh_seed=42)
    finally:
        store.close()
    return loaded.snapshot, [record.url for _, record in loaded.records]


def test_a_snapshot_write_interrupted_leaves_the_old_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while a snapshot is written leaves the old snapshot and journal."""
    store = _store_with_state(tmp_path)
    put_snapshot = database.put_snapshot

    def interrupted(*args: object) -> None:
        put_snapshot(*args)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(database, "put_snapshot", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.compact(b"new snapshot")
    store.close()
    assert _stored(tmp_path) == (b"old snapshot", ["/v1/loyalties"])


def test_ctrl_c_during_the_commit_waits_for_a_whole_new_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the new snapshot replaces the old is held until the journal is emptied too."""
    store = _store_with_state(tmp_path)
    commit = database.commit
    handler_before = signal.getsignal(signal.SIGINT)

    def commit_with_ctrl_c(db: sqlite3.Connection) -> None:
        # Ctrl-C arrives here: Python calls the SIGINT handler in force.
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        handler(signal.SIGINT, None)
        commit(db)

    monkeypatch.setattr(database, "commit", commit_with_ctrl_c)
    with pytest.raises(CompactedThenInterrupted):
        store.compact(b"new snapshot")
    store.close()
    assert _stored(tmp_path) == (b"new snapshot", [])
    assert signal.getsignal(signal.SIGINT) is handler_before
