"""Kill ``loyalty-fake serve --state`` at random instants under concurrent writers, and count.

Each round starts the server on the same state directory, checks that every write
acknowledged so far is there exactly once (and every refused one absent), then lets
writer threads hammer it and kills it with SIGKILL at a random instant. Compaction runs
every few writes, so kills land inside it too.

Writers own one card each and add 1 point at a time: after a restart a card's balance
must be what was acknowledged, plus at most the one write that was in flight when the
server died (which may or may not have been committed). Some writes are refused by
design (spending more than the card holds); they must leave no trace. Some writes join a
new member; each acknowledged one must be found by its code, and the program's member
count must match.

``tests/test_durability.py`` runs a few rounds; for the figures in a closing note:
``python -m tests.crash --rounds 300``.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import attrs
import requests

HEADERS = {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": "loyalty-fake-app-token"}
PROGRAM = "/v1/loyalties/Demo%20Coffee%20Club"
_TIMEOUT = 30


class StartFailedError(RuntimeError):
    """The server exited or printed no URL."""


@attrs.define
class Process:
    """A ``loyalty-fake serve`` subprocess on a free port."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str]

    @classmethod
    def start(cls, state: Path, *args: str) -> Process:
        """Start a server on ``state`` and wait for its URL."""
        command = [
            sys.executable,
            "-m",
            "loyalty_fake.cli",
            "serve",
            "--port",
            "0",
            "--state",
            str(state),
            *args,
        ]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        lines: list[str] = []
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"serving (http://[\d.]+:\d+)", line)
            if found:
                # Keep draining stdout (an access log could fill the pipe and block it).
                threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
                return cls(process, found.group(1), lines)
        process.kill()
        _, err = process.communicate(timeout=_TIMEOUT)
        msg = f"server did not start: {''.join(lines)}{err}"
        raise StartFailedError(msg)

    def kill(self) -> None:
        """SIGKILL, and reap."""
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=_TIMEOUT)


def _drain(stream: Any) -> None:
    try:
        for _ in stream:
            pass
    except (ValueError, OSError):  # closed when the process was reaped
        return


@attrs.define
class Card:
    """A writer's card: what was acknowledged, and the write in doubt when the server died."""

    code: str
    # The balance at the last check; +1 writes acknowledged, and in doubt, since.
    base: int
    acknowledged: int = 0
    in_doubt: int = 0


@attrs.define
class Counts:
    """What the rounds saw."""

    kills: int = 0
    acknowledged: int = 0
    refused: int = 0
    in_doubt: int = 0
    found: int = 0
    doubled: int = 0
    lost: int = 0
    problems: list[str] = attrs.field(factory=list)

    def line(self) -> str:
        """The counts as one line."""
        return (
            f"kills {self.kills}, acknowledged {self.acknowledged}, found {self.found}, "
            f"doubled {self.doubled}, lost {self.lost}; refused {self.refused} (all absent "
            f"unless a problem says so), in flight at a kill {self.in_doubt}"
        )


@attrs.define
class Crash:
    """The state directory under attack, and what every writer was told."""

    state: Path
    writers: int = 6
    compact_every: int = 5
    args: tuple[str, ...] = ()
    rng: random.Random = attrs.field(factory=lambda: random.Random(16))  # noqa: S311
    cards: list[Card] = attrs.field(factory=list)
    # Codes of acknowledged joins, and how many joins were in doubt at kills.
    joined: list[str] = attrs.field(factory=list)
    joins_in_doubt: int = 0
    members: int = 0
    counts: Counts = attrs.field(factory=Counts)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def start(self) -> Process:
        """A server on the state directory, compacting every few writes."""
        return Process.start(self.state, "--compact-every", str(self.compact_every), *self.args)

    def setup(self) -> None:
        """First start: one card per writer, then a clean stop."""
        server = self.start()
        try:
            session = requests.Session()
            for number in range(self.writers):
                response = session.post(
                    f"{server.url}{PROGRAM}/members",
                    json={"customer": {"source_id": f"writer-{number}"}},
                    headers=HEADERS,
                    timeout=_TIMEOUT,
                )
                response.raise_for_status()
                self.cards.append(
                    Card(response.json()["code"], response.json()["loyalty_card"]["balance"])
                )
            self.members = self._total(session, server.url)
        finally:
            server.kill()

    def round(self) -> None:
        """Restart, check, write under fire, kill."""
        server = self.start()
        try:
            self.check(server.url)
            stop = threading.Event()
            threads = [
                threading.Thread(target=self._write, args=(server.url, card, number, stop))
                for number, card in enumerate(self.cards)
            ]
            for thread in threads:
                thread.start()
            time.sleep(self.rng.uniform(0.02, 0.6))
        finally:
            server.kill()
        self.counts.kills += 1
        stop.set()
        for thread in threads:
            thread.join(timeout=_TIMEOUT)

    def check(self, url: str) -> None:
        """Every acknowledged write once, every refused one absent; then settle the doubts."""
        session = requests.Session()
        for card in self.cards:
            response = session.get(
                f"{url}/v1/loyalties/members/{card.code}", headers=HEADERS, timeout=_TIMEOUT
            )
            response.raise_for_status()
            balance = response.json()["loyalty_card"]["balance"]
            added = balance - card.base
            self.counts.found += max(0, min(added, card.acknowledged))
            if added < card.acknowledged:
                self.counts.lost += card.acknowledged - added
                self.counts.problems.append(
                    f"{card.code}: +{added}, acknowledged +{card.acknowledged}"
                )
            elif added > card.acknowledged + card.in_doubt:
                self.counts.doubled += added - card.acknowledged - card.in_doubt
                self.counts.problems.append(
                    f"{card.code}: +{added}, acknowledged +{card.acknowledged}"
                    f" and {card.in_doubt} in doubt"
                )
            card.base, card.acknowledged, card.in_doubt = balance, 0, 0
        for code in self.joined:
            response = session.get(
                f"{url}/v1/loyalties/members/{code}", headers=HEADERS, timeout=_TIMEOUT
            )
            if response.status_code == requests.codes.ok:
                self.counts.found += 1
            else:
                self.counts.lost += 1
                self.counts.problems.append(f"joined {code}: {response.status_code}")
        self.joined.clear()
        total = self._total(session, url)
        if not self.members <= total <= self.members + self.joins_in_doubt:
            self.counts.problems.append(
                f"{total} members, expected {self.members} + at most {self.joins_in_doubt}"
            )
            if total > self.members + self.joins_in_doubt:
                self.counts.doubled += total - self.members - self.joins_in_doubt
        self.members, self.joins_in_doubt = total, 0

    def _total(self, session: requests.Session, url: str) -> int:
        response = session.get(
            f"{url}{PROGRAM}/members", params={"limit": 1}, headers=HEADERS, timeout=_TIMEOUT
        )
        response.raise_for_status()
        return int(response.json()["total"])

    def _write(self, url: str, card: Card, number: int, stop: threading.Event) -> None:
        session = requests.Session()
        rng = random.Random(f"{number}-{self.counts.kills}")  # noqa: S311 - not crypto
        joins = 0
        while not stop.is_set():
            kind = rng.random()
            body: dict[str, Any]
            if kind < 0.8:
                path, body = f"/v1/loyalties/members/{card.code}/balance", {"points": 1}
            elif kind < 0.9:
                # More than any card holds: refused, and must change nothing.
                path, body = f"/v1/loyalties/members/{card.code}/balance", {"points": -(10**9)}
            else:
                joins += 1
                source = f"j-{number}-{self.counts.kills}-{joins}"
                path, body = f"{PROGRAM}/members", {"customer": {"source_id": source}}
            try:
                response = session.post(url + path, json=body, headers=HEADERS, timeout=_TIMEOUT)
            except requests.RequestException:
                # The server died with this write in flight: it may or may not be there.
                with self._lock:
                    if "balance" in path and body["points"] == 1:
                        card.in_doubt += 1
                    elif "balance" not in path:
                        self.joins_in_doubt += 1
                    self.counts.in_doubt += 1
                return
            with self._lock:
                if response.status_code != requests.codes.ok:
                    self.counts.refused += 1
                    continue
                self.counts.acknowledged += 1
                if "balance" in path:
                    card.acknowledged += 1
                else:
                    self.joined.append(response.json()["code"])
                    self.members += 1

    def run(self, rounds: int) -> Counts:
        """Set up, then ``rounds`` kills, then a last check."""
        self.setup()
        for _ in range(rounds):
            self.round()
        server = self.start()
        try:
            self.check(server.url)
        finally:
            server.kill()
        return self.counts


def _say(*parts: object) -> None:
    sys.stdout.write(" ".join(map(str, parts)) + "\n")


def main() -> int:
    """``python -m tests.crash --rounds N``: print the counts."""
    import tempfile  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--compact-every", type=int, default=5)
    parsed = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        crash = Crash(
            Path(directory) / "state", writers=parsed.writers, compact_every=parsed.compact_every
        )
        started = time.monotonic()
        try:
            counts = crash.run(parsed.rounds)
        except StartFailedError as error:
            _say(f"after {crash.counts.kills} kills: {error}")
            _say(crash.counts.line())
            return 1
        _say(counts.line())
        for problem in counts.problems[:20]:
            _say("  ", problem)
        _say(f"in {time.monotonic() - started:.0f} s")
    return 1 if counts.problems else 0


if __name__ == "__main__":
    sys.exit(main())
