"""What the call journal costs an add-member call: the same calls with it on and off.

Issue 19's figure: ``POST /v1/loyalties/{id}/members`` through ``requests`` to a started
``LoyaltyFake`` with the default journal (1,000 calls kept, full before timing starts)
beside one with ``journal_size=0``, interleaved round by round (the side that goes first
alternates); the figure is the median of each round's ratio, at most 1.05 (the journal
costs at most 5% of the call). Run from the repository root:
``python -m benchmarks.journal [--rounds N] [--calls N]``; ``benchmarks/run.py`` runs it too.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import time
from typing import TYPE_CHECKING

import attrs
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.journal import DEFAULT_JOURNAL_SIZE

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MAX_RATIO", "JournalFigure", "figures", "main", "measure_journal"]

BASE_URL = "https://api.voucherify.io"
MAX_RATIO = 1.05


@attrs.frozen
class JournalFigure:
    """Median time per add-member call with the journal on and off, and their ratio."""

    name: str
    on_us: float
    off_us: float
    ratio: float
    max_ratio: float = MAX_RATIO

    @property
    def ok(self) -> bool:
        """Whether the journal's cost is within the target."""
        return self.ratio <= self.max_ratio

    def line(self) -> str:
        """One line, as ``benchmarks/run.py`` prints its figures."""
        verdict = "OK" if self.ok else "EXCEEDED"
        return (
            f"{self.name:<26} ratio {self.ratio:5.3f}x off  (on {self.on_us:,.0f} \N{MICRO SIGN}s, "
            f"off {self.off_us:,.0f} \N{MICRO SIGN}s per call)  target <= {self.max_ratio:g}x  "
            f"{verdict}"
        )


def _side(journal_size: int) -> tuple[LoyaltyFake, Callable[[], object]]:
    fake = LoyaltyFake(journal_size=journal_size)
    program = fake.create_loyalty_program(f"bench journal {journal_size}")
    url = f"{BASE_URL}/v1/loyalties/{program['id']}/members"
    session = requests.Session()
    session.headers.update(fake.headers)
    numbers = itertools.count()

    def add_member() -> object:
        customer = {"source_id": f"bench-customer-{next(numbers)}"}
        reply = session.post(url, json={"customer": customer})
        if reply.status_code != 200:
            raise RuntimeError(f"benchmark call failed: {reply.status_code} {reply.text}")
        return reply.json()

    return fake, add_member


def _per_call_us(fake: LoyaltyFake, call: Callable[[], object], calls: int) -> float:
    fake.start()
    try:
        gc.collect()
        began = time.perf_counter_ns()
        for _ in range(calls):
            call()
        elapsed = time.perf_counter_ns() - began
    finally:
        fake.stop()
    return elapsed / calls / 1_000


def measure_journal(rounds: int = 9, calls: int = 1_000) -> JournalFigure:
    """Add-member calls with the journal on (full) and off, interleaved; the figure."""
    on, on_call = _side(DEFAULT_JOURNAL_SIZE)
    off, off_call = _side(0)
    # Warm both up; the journal fills, so every timed call also drops the oldest one.
    _per_call_us(on, on_call, DEFAULT_JOURNAL_SIZE + 100)
    _per_call_us(off, off_call, DEFAULT_JOURNAL_SIZE + 100)
    on_times: list[float] = []
    off_times: list[float] = []
    for number in range(rounds):
        if number % 2:
            off_times.append(_per_call_us(off, off_call, calls))
            on_times.append(_per_call_us(on, on_call, calls))
        else:
            on_times.append(_per_call_us(on, on_call, calls))
            off_times.append(_per_call_us(off, off_call, calls))
    ratio = statistics.median(a / b for a, b in zip(on_times, off_times, strict=True))
    return JournalFigure(
        "journal/add_member",
        statistics.median(on_times),
        statistics.median(off_times),
        ratio,
    )


def figures(
    rounds: int, calls: int, report: Callable[[JournalFigure], None]
) -> list[JournalFigure]:
    """The figure for ``benchmarks/run.py``: measured, reported, returned."""
    figure = measure_journal(rounds, calls)
    report(figure)
    return [figure]


def main() -> None:
    """Print the figure against the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=1_000)
    options = parser.parse_args()
    print(measure_journal(options.rounds, options.calls).line())


if __name__ == "__main__":
    main()
