"""How much slower the fake is than the bare libraries it is built on.

In-process: the fake beside a bare stand-in for the network that answers the same bytes
at once (the fake's own socket plug, without the fake). Served: ``loyalty-fake serve``
beside a bare WSGI app on the same server, what ``--state`` adds to a write, and its
restart on a large state beside a start on an empty one. Run from the repository root:
``python -m benchmarks.run [--quick] [--check]``. Each figure is a ratio against a floor
measured in the same run, fake and floor interleaved round by round; see
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time
from typing import TYPE_CHECKING, Protocol

import attrs
import responses

from benchmarks.clients import ADDED_TARGETS_US, CLIENTS, OPERATIONS, AddedFigure, client_sides
from benchmarks.dashboard import figures as dashboard_figures
from benchmarks.durability import measure_durability
from benchmarks.imports import measure_imports
from benchmarks.journal import figures as journal_figures
from benchmarks.qualifications import figures as qualification_figures
from benchmarks.restart import measure_restart
from benchmarks.scale import measure_scale
from benchmarks.server import measure_server
from benchmarks.tiers import figures as tier_figures
from loyalty_fake import LoyaltyFake

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["Figure", "main"]

BASE_URL = "https://api.voucherify.io"
LIST_MEMBERS = 1_000
LIST_PARAMS = {"limit": "10"}
US = "\N{MICRO SIGN}s"


# The served figures' targets: the floor's requests per second over the fake's.
# Over keep-alive on waitress (issue 16) a bare app costs the server ~130 µs a request, so
# the fake's own work is most of a request; before, werkzeug's ~500 µs a request hid it.
# Issue 21: at least 0.6x the bare app's requests a second, i.e. at most 1/0.6 = 1.67x.
SERVER_TARGETS = {"add_member/server": 1 / 0.6, "get_member/server": 1 / 0.6}


@attrs.frozen
class Plan:
    """How long to measure: ``rounds`` interleaved rounds of ``calls`` calls per figure.

    Served: ``server_rounds`` rounds of ``server_seconds`` per side; restarts on a state
    of ``restart_members`` members, ``restart_rounds`` times each.
    """

    rounds: int
    warmup: int
    add_calls: int
    list_calls: int
    # Per call on every client: 16 figures, so fewer calls each than the others.
    client_calls: int
    fixture_calls: int
    server_rounds: int
    server_seconds: float
    restart_members: int
    restart_rounds: int
    scale_members: int
    seed_members: int
    seed_runs: int
    tier_members: int


FULL = Plan(
    rounds=9,
    warmup=200,
    add_calls=1_500,
    list_calls=1_200,
    client_calls=1_000,
    fixture_calls=3_000,
    server_rounds=7,
    server_seconds=1.0,
    restart_members=100_000,
    restart_rounds=3,
    scale_members=1_000_000,
    seed_members=1_000_000,
    seed_runs=2,
    tier_members=1_000_000,
)
QUICK = Plan(
    rounds=5,
    warmup=100,
    add_calls=800,
    list_calls=500,
    client_calls=300,
    fixture_calls=2_000,
    server_rounds=5,
    server_seconds=0.4,
    restart_members=20_000,
    restart_rounds=2,
    scale_members=20_000,
    seed_members=20_000,
    # A one-second seeding is at the mercy of whatever else the machine does just then
    # (78 s per million once in CI, 48 s a minute later): the fastest of three. The full
    # run seeds a million twice (about a minute each).
    seed_runs=3,
    tier_members=20_000,
)


class Result(Protocol):
    """Any printed figure."""

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""

    def line(self) -> str:
        """The figure as one human-readable line."""


@attrs.frozen
class Side:
    """One side of a comparison: how to switch it on and off, and one measured call."""

    call: Callable[[], object]
    start: Callable[[], object] = lambda: None
    stop: Callable[[], object] = lambda: None


@attrs.frozen
class Figure:
    """One printed figure: the fake's and the floor's median time per call, and the target."""

    name: str
    fake_ns: float
    floor_ns: float
    unit: str
    max_ratio: float | None = None
    max_fake_us: float | None = None

    @property
    def ratio(self) -> float:
        """The fake's median time over the floor's."""
        return self.fake_ns / self.floor_ns

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        if self.max_ratio is not None and self.ratio > self.max_ratio:
            return False
        return self.max_fake_us is None or self.fake_ns / 1_000 <= self.max_fake_us

    def line(self) -> str:
        """The figure as one human-readable line."""
        if self.max_ratio is not None:
            target = f"target <= {self.max_ratio:g}x"
        else:
            target = f"target <= {self.max_fake_us:g} {US} (fake)"
        return (
            f"{self.name:<26} ratio {self.ratio:5.2f}x floor  "
            f"(fake {self.fake_ns / 1_000:,.0f} {US}, floor {self.floor_ns / 1_000:,.0f} {US} "
            f"per {self.unit})  {target}  {'OK' if self.ok else 'EXCEEDED'}"
        )


# -- measuring ----------------------------------------------------------------------------


def _per_call_ns(side: Side, calls: int) -> float:
    """Mean time of ``calls`` calls with ``side`` switched on; switching is not timed."""
    side.start()
    try:
        gc.collect()
        call = side.call
        began = time.perf_counter_ns()
        for _ in range(calls):
            call()
        elapsed = time.perf_counter_ns() - began
    finally:
        side.stop()
    return elapsed / calls


def _interleaved(fake: Side, floor: Side, plan: Plan, calls: int) -> tuple[float, float]:
    """Median per-call time of each side over ``plan.rounds`` alternating rounds."""
    _per_call_ns(fake, plan.warmup)
    _per_call_ns(floor, plan.warmup)
    fake_times: list[float] = []
    floor_times: list[float] = []
    for number in range(plan.rounds):
        # Alternate which side goes first, so neither always runs on a warmer cache.
        if number % 2:
            floor_times.append(_per_call_ns(floor, calls))
            fake_times.append(_per_call_ns(fake, calls))
        else:
            fake_times.append(_per_call_ns(fake, calls))
            floor_times.append(_per_call_ns(floor, calls))
    return statistics.median(fake_times), statistics.median(floor_times)


def _fixture_sides() -> tuple[Side, Side]:
    def fixture() -> object:
        # What the loyalty_fake fixture does around a test.
        fake = LoyaltyFake()
        fake.start()
        fake.stop()
        return fake

    def bare_responses() -> object:
        mock = responses.RequestsMock()
        mock.start()
        mock.stop()
        return mock

    return Side(fixture), Side(bare_responses)


def measure_clients(plan: Plan, clients: Sequence[str] = CLIENTS) -> list[Result]:
    """What the fake adds per call on every client (issue 21), each beside its floor."""
    figures: list[Result] = []
    for client in clients:
        for name, (call, (start, stop, floor_start, floor_stop)) in client_sides(
            client, LIST_MEMBERS
        ).items():
            fake, floor = Side(call, start, stop), Side(call, floor_start, floor_stop)
            fake_ns, floor_ns = _interleaved(fake, floor, plan, plan.client_calls)
            figure = AddedFigure(f"{name}/{client}", fake_ns, floor_ns, ADDED_TARGETS_US[name])
            figures.append(figure)
            _report(figure)
    return figures


def _fixture_figure(plan: Plan) -> AddedFigure:
    """Issue 21: the fixture adds at most 50 µs a test to what responses' own mock costs."""
    fake, floor = _fixture_sides()
    fake_ns, floor_ns = _interleaved(fake, floor, plan, plan.fixture_calls)
    figure = AddedFigure("fixture/setup+teardown", fake_ns, floor_ns, 50.0, "test")
    _report(figure)
    return figure


def _report(figure: Result) -> None:
    print(figure.line(), flush=True)


def measure(plan: Plan) -> list[Result]:
    """Every figure, measured with ``plan``."""
    figures = measure_clients(plan)
    figures += measure_imports(plan.rounds, _report)
    figures.append(_fixture_figure(plan))

    figures += measure_server(
        plan.server_rounds, plan.server_seconds, SERVER_TARGETS, report=_report
    )
    figures += measure_durability(plan.server_rounds, plan.server_seconds, _report)
    figures += measure_restart(plan.restart_members, plan.restart_rounds, _report)
    figures += measure_scale(plan.scale_members, plan.seed_members, _report, plan.seed_runs)
    figures += qualification_figures(plan.rounds, _report)
    figures += journal_figures(plan.rounds, plan.add_calls, _report)
    figures += dashboard_figures(plan.scale_members, _report)
    figures += tier_figures(plan.tier_members, _report)
    return figures


def profile(which: str, calls: int) -> None:
    """Print the cProfile hot spots inside ``loyalty_fake`` for ``calls`` calls of ``which``.

    ``which``: an operation (``add_member``), through ``requests``, or ``operation/client``.
    """
    name, _, client = which.partition("/")
    call, (start, stop, _floor_start, _floor_stop) = client_sides(
        client or "requests", LIST_MEMBERS
    )[name]
    side = Side(call, start, stop)
    _per_call_ns(side, 100)
    start()
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        for _ in range(calls):
            call()
        profiler.disable()
    finally:
        stop()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    print(f"# {which}: {calls} calls, all functions, by own time")
    stats.sort_stats("tottime").print_stats(12)
    print(f"# {which}: functions in loyalty_fake, by cumulative time")
    stats.sort_stats("cumulative").print_stats("loyalty_fake", 20)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; with ``--check`` return 1 when a figure misses its target."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a ~30 s run with fewer calls and a smaller state"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is exceeded"
    )
    parser.add_argument(
        "--profile",
        choices=[
            f"{op}{client}" for op in OPERATIONS for client in ("", *(f"/{c}" for c in CLIENTS))
        ],
        metavar="OPERATION[/CLIENT]",
        help="instead of measuring, print cProfile hot spots of one operation "
        f"({', '.join(OPERATIONS)}) through one client ({', '.join(CLIENTS)}; requests by default)",
    )
    parser.add_argument(
        "--imports",
        action="store_true",
        help="only what the pytest plugins add to an unrelated pytest run (issue 21)",
    )
    parser.add_argument(
        "--clients",
        action="store_true",
        help="only the per-call figures of every client (issue 21), a minute or two",
    )
    options = parser.parse_args(argv)
    plan = QUICK if options.quick else FULL
    if options.profile:
        profile(options.profile, plan.list_calls)
        return 0
    print(
        f"# {plan.rounds} rounds, median per call; served: {plan.server_rounds} rounds of "
        f"{plan.server_seconds:g} s per side, median rate; {os.cpu_count()} CPUs; "
        f"Python {sys.version.split()[0]}",
        file=sys.stderr,
    )
    if options.clients or options.imports:
        figures = measure_clients(plan) if options.clients else []
        figures += [_fixture_figure(plan)] if options.clients else []
        figures += measure_imports(plan.rounds, _report) if options.imports else []
    else:
        figures = measure(plan)
    return 1 if options.check and not all(figure.ok for figure in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
