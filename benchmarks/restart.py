"""How long ``loyalty-fake serve --state DIR`` takes to start serving a large state.

A state directory with many members is built once per run, in-process, then the server
is started on a fresh copy of it, from spawning the process to its "serving" line.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import requests

from benchmarks.server import HEADERS, spawn
from loyalty_fake import LoyaltyFake, Request
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.server import ServerApp
from loyalty_fake.server.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["Restart", "measure_restart"]

SEED = 7
# Issue 4: "Restart with 100,000 members takes under 5 s here."
TARGET_MEMBERS = 100_000
MAX_SECONDS = 5.0
_RECOVERED = re.compile(r"recovered \S+ (\(\d+ journal records.*?\) in [\d.]+ s)")


@attrs.frozen
class Restart:
    """One printed restart figure: median seconds to serving, beside an empty state's."""

    name: str
    seconds: float
    baseline_seconds: float
    note: str = ""
    max_seconds: float = MAX_SECONDS

    @property
    def ratio(self) -> float:
        """How many times longer than starting on an empty state directory."""
        return self.seconds / self.baseline_seconds

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        return self.seconds <= self.max_seconds

    def line(self) -> str:
        """The figure as one human-readable line."""
        note = f", {self.note}" if self.note else ""
        return (
            f"{self.name:<26} ratio {self.ratio:5.2f}x empty  "
            f"({self.seconds:.2f} s, empty state {self.baseline_seconds:.2f} s{note})  "
            f"target <= {self.max_seconds:g} s  {'OK' if self.ok else 'EXCEEDED'}"
        )


@attrs.frozen
class States:
    """Template state directories: a snapshot only, and the same plus a journal after it."""

    snapshot: Path
    journal: Path
    program_id: str
    members: int
    records: int


def build_states(root: Path, members: int) -> States:
    """Write both template state directories under ``root``.

    ``snapshot``: one AUTO_UPDATE program with ``members`` members, compacted, as after a
    clean shutdown. ``journal``: the same snapshot followed by as many add-member records
    as the server journals before it compacts again (one fewer than ``compact_every``),
    as after ``kill -9`` at the worst moment.
    """
    started = time.perf_counter()
    directory = root / "build"
    fake = LoyaltyFake(seed=SEED)
    store = Store(directory)
    app = ServerApp(fake, store=store)
    app.recover()
    program_id = str(fake.create_loyalty_program("bench restart", type="AUTO_UPDATE")["id"])
    # The ledger's own method: the HTTP layer would triple the build time for the same state.
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        for number in range(members):
            session.members.add(program_id, customer=CustomerRef(source_id=f"member-{number}"))
    app.compact()
    store.close()
    snapshot = root / "snapshot"
    shutil.copytree(directory, snapshot)
    app.recover()
    records = app.compact_every - 1
    headers = {**fake.headers, "Content-Type": "application/json"}
    path = f"/v1/loyalties/{program_id}/members"
    for number in range(records):
        body = b'{"customer":{"source_id":"journal-%d"}}' % number
        app.apply(Request.from_url("POST", path, headers, body))
    store.close()
    journal = root / "journal"
    directory.rename(journal)
    took = time.perf_counter() - started
    print(f"# built {members:,} members + {records:,} records in {took:.1f} s", file=sys.stderr)
    return States(snapshot, journal, program_id, members, records)


def _time_start(
    template: Path | None, work: Path, program_id: str, members: int
) -> tuple[float, list[str]]:
    """Seconds from spawning the server on a fresh copy of ``template`` to its "serving" line.

    Checks afterwards that the server holds ``members`` members (raises ``RuntimeError``
    when not), so that a broken recovery cannot pass for a fast one.
    """
    if work.exists():
        shutil.rmtree(work)
    if template is None:
        work.mkdir()
    else:
        shutil.copytree(template, work)
    command = [sys.executable, "-m", "loyalty_fake.cli", "serve", "--port", "0"]
    log = work.with_suffix(".log")
    with log.open("w") as errors:
        started = spawn(
            [*command, "--state", str(work), "--no-demo", "--seed", str(SEED)], stderr=errors
        )
        try:
            if template is not None:
                _check_members(started.url, program_id, members, log)
        finally:
            # No clean shutdown: it would write another snapshot, and the copy is thrown away.
            started.stop(signal.SIGKILL)
    shutil.rmtree(work)
    return started.seconds, started.output


def _check_members(url: str, program_id: str, members: int, log: Path) -> None:
    response = requests.get(
        f"{url}/v1/loyalties/{program_id}/members",
        params={"limit": "1"},
        headers=HEADERS,
        timeout=60,
    )
    total = response.json().get("total") if response.ok else None
    if total != members:
        server_said = log.read_text()[-2_000:]
        raise RuntimeError(
            f"the restarted server holds {total} members, not {members}: "
            f"{response.status_code} {response.text[:500]}\n{server_said}"
        )


def measure_restart(members: int, rounds: int, report: Callable[[Restart], None]) -> list[Restart]:
    """Restart times on a snapshot and on a snapshot plus a full journal, beside an empty one.

    The target is for ``TARGET_MEMBERS`` members; with fewer the figures say they are scaled.
    """
    with tempfile.TemporaryDirectory(prefix="loyalty-fake-bench-") as temporary:
        root = Path(temporary)
        states = build_states(root, members)
        sides: dict[str, tuple[Path | None, int]] = {
            "empty": (None, 0),
            "snapshot": (states.snapshot, states.members),
            "journal": (states.journal, states.members + states.records),
        }
        times: dict[str, list[float]] = {side: [] for side in sides}
        recovered: dict[str, str] = {}
        order = list(sides)
        for number in range(rounds):
            # Rotate the order so that no side always runs right after the same one.
            shift = number % len(order)
            for side in order[shift:] + order[:shift]:
                template, expected = sides[side]
                seconds, output = _time_start(template, root / "work", states.program_id, expected)
                times[side].append(seconds)
                found = _RECOVERED.search("\n".join(output))
                recovered[side] = found.group(1) if found else "?"
        for side in ("snapshot", "journal"):
            shown = ", ".join(f"{x:.2f}" for x in times[side])
            print(
                f"# restart {side}: {shown} s per round; the server's own log of the last: "
                f"recovered {recovered[side]}",
                file=sys.stderr,
            )

    baseline = statistics.median(times["empty"])
    thousands = f"{members // 1000}k"
    note = f"scaled: {members:,} members" if members < TARGET_MEMBERS else ""
    figures = [
        Restart(
            f"restart/{thousands} snapshot",
            statistics.median(times["snapshot"]),
            baseline,
            note,
        ),
        Restart(
            f"restart/{thousands}+{states.records} journal",
            statistics.median(times["journal"]),
            baseline,
            note,
        ),
    ]
    for figure in figures:
        report(figure)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Print the restart figures; exit 1 when one misses its target."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.restart", description=__doc__)
    parser.add_argument(
        "--members", type=int, default=TARGET_MEMBERS, help="members in the state (100000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="restarts of each kind (3)")
    options = parser.parse_args(argv)
    figures = measure_restart(
        options.members, options.rounds, lambda figure: print(figure.line(), flush=True)
    )
    return 0 if all(figure.ok for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
