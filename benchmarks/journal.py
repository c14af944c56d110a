"""What the call journal costs an add-member call: the same calls with it on and off.

Issue 19's figure: ``POST /v1/loyalties/{id}/members`` through ``requests`` to a started
``LoyaltyFake`` with the default journal (1,000 calls kept, full before timing starts)
beside one with ``journal_size=0``, interleaved round by round (the side that goes first
alternates); the figure is the median of each round's ratio, at most 1.05 (the journal
costs at most 5% of the call). Run from the repository root:
``python -m benchmarks.journal [--rounds N] [--calls N]``; ``benchmarks/run.py`` runs it too.

And its memory: ``journal/memory`` sends 10,000 more calls to a fake whose journal (the
default bound) is already full, through ``requests``, and measures what Python holds
(``tracemalloc``) before and after: the calls change no state, so what grew is the journal's.
The target is flat: at most 64 KB more (a kept call is a few KB, 1,000 are kept).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import time
import tracemalloc
from typing import TYPE_CHECKING

import attrs
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.journal import DEFAULT_JOURNAL_SIZE

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "MAX_GROWTH_BYTES",
    "JournalFigure",
    "MemoryFigure",
    "figures",
    "main",
    "measure_journal",
    "measure_memory",
]

BASE_URL = "https://api.voucherify.io"
MAX_RATIO = 1.05
MAX_GROWTH_BYTES = 64 * 1024


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


@attrs.frozen
class MemoryFigure:
    """What Python held before and after ``calls`` more calls to a full journal."""

    name: str
    before: int
    after: int
    calls: int
    max_growth: int = MAX_GROWTH_BYTES

    @property
    def ok(self) -> bool:
        """Whether the memory stayed flat."""
        return self.after - self.before <= self.max_growth

    def line(self) -> str:
        """One line, as ``benchmarks/run.py`` prints its figures."""
        verdict = "OK" if self.ok else "EXCEEDED"
        return (
            f"{self.name:<26} {(self.after - self.before) / 1024:+8,.1f} KB over {self.calls:,} "
            f"calls (held {self.before / 1e6:,.1f} MB, then {self.after / 1e6:,.1f} MB)  "
            f"target <= {self.max_growth / 1024:,.0f} KB  {verdict}"
        )


def measure_memory(calls: int = 10_000) -> MemoryFigure:
    """Memory held before and after ``calls`` reads, the default journal already full."""
    fake = LoyaltyFake()
    fake.create_loyalty_program("bench journal memory")
    session = requests.Session()
    session.headers.update(fake.headers)
    url = f"{BASE_URL}/v1/loyalties"

    def read(times: int) -> None:
        for _ in range(times):
            if session.get(url).status_code != 200:
                raise RuntimeError("benchmark call failed")

    fake.start()
    tracemalloc.start()
    try:
        read(DEFAULT_JOURNAL_SIZE + 100)  # full, and every pool and cache warmed up
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        read(calls)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        fake.stop()
    return MemoryFigure("journal/memory", before, after, calls)


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
    rounds: int, calls: int, report: Callable[[JournalFigure | MemoryFigure], None]
) -> list[JournalFigure | MemoryFigure]:
    """The figures for ``benchmarks/run.py``: measured, reported, returned."""
    found: list[JournalFigure | MemoryFigure] = [
        measure_journal(rounds, calls),
        measure_memory(10 * calls),
    ]
    for figure in found:
        report(figure)
    return found


def main() -> None:
    """Print the figure against the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=1_000)
    options = parser.parse_args()
    print(measure_journal(options.rounds, options.calls).line())
    print(measure_memory(10 * options.calls).line())


if __name__ == "__main__":
    main()
