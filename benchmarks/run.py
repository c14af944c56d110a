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
import itertools
import json
import os
import pstats
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import requests
import responses

from benchmarks.durability import measure_durability
from benchmarks.journal import figures as journal_figures
from benchmarks.qualifications import figures as qualification_figures
from benchmarks.restart import measure_restart
from benchmarks.scale import measure_scale
from benchmarks.server import measure_server
from benchmarks.tiers import figures as tier_figures
from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import JSON_HEADERS, Response
from loyalty_fake.transports import Urllib3Transport

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["Figure", "main"]

BASE_URL = "https://api.voucherify.io"
LIST_MEMBERS = 1_000
LIST_PARAMS = {"limit": "10"}
US = "\N{MICRO SIGN}s"


# The served figures' targets: the floor's requests per second over the fake's.
# Over keep-alive on waitress (issue 16) a bare app costs the server ~130 µs a request, so
# the fake's own work is most of a request; before, werkzeug's ~500 µs a request hid it.
SERVER_TARGETS = {"add_member/server": 4.0, "get_member/server": 2.5}


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


def _floor_network(status: int, body: bytes) -> Urllib3Transport:
    """A bare stand-in for the network: urllib3's connections answered with a precomputed body.

    The same plug the fake uses (a socket whose far end answers), with no fake behind it:
    ``requests``, urllib3 and ``http.client`` do all their work, as against the fake.
    """
    answer = Response(status, body, JSON_HEADERS)

    def serve(
        method: str,  # noqa: ARG001 - the same answer to every request
        url: str,  # noqa: ARG001
        headers: Mapping[str, str],  # noqa: ARG001
        body: bytes,  # noqa: ARG001
        client: str | None = None,  # noqa: ARG001
    ) -> Response:
        return answer

    return Urllib3Transport(serve, lambda url: url.startswith(BASE_URL), lambda *_origin: False)


def _expect_ok(response: requests.Response) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"benchmark call failed: {response.status_code} {response.text}")
    return response.json()


def _program(fake: LoyaltyFake, name: str) -> tuple[str, str]:
    """A new loyalty program's ID and its members URL."""
    program_id = str(fake.create_loyalty_program(name)["id"])
    return program_id, f"{BASE_URL}/v1/loyalties/{program_id}/members"


# -- the figures --------------------------------------------------------------------------


def _add_member_sides() -> tuple[Side, Side]:
    fake = LoyaltyFake()
    _, url = _program(fake, "bench add-member")
    headers = fake.headers
    session = requests.Session()
    numbers = itertools.count()

    def add_member() -> object:
        customer = {"source_id": f"bench-customer-{next(numbers)}"}
        return session.post(url, json={"customer": customer}, headers=headers).json()

    # The floor answers with a body of the same size, taken from the fake itself.
    sample = fake.request("POST", url.removeprefix(BASE_URL), json_body={"customer": "sample-1"})
    floor = _floor_network(sample.status, sample.body)
    with fake:
        _expect_ok(session.post(url, json={"customer": "check-1"}, headers=headers))
    return (
        Side(add_member, fake.start, fake.stop),
        Side(add_member, floor.start, floor.stop),
    )


def _list_members_sides() -> tuple[Side, Side]:
    fake = LoyaltyFake()
    program_id, url = _program(fake, "bench list-members")
    for number in range(LIST_MEMBERS):
        fake.add_member(program_id, {"source_id": f"member-{number}"})
    headers = fake.headers
    session = requests.Session()

    def list_members() -> object:
        return session.get(url, params=LIST_PARAMS, headers=headers).json()

    sample = fake.list_members(program_id, **LIST_PARAMS)
    body = json.dumps(sample, separators=(",", ":"), ensure_ascii=False).encode()
    floor = _floor_network(200, body)
    with fake:
        checked = _expect_ok(session.get(url, params=LIST_PARAMS, headers=headers))
    if checked["total"] != LIST_MEMBERS or len(checked["vouchers"]) != 10:
        raise RuntimeError("list-members benchmark did not see the expected page")
    return (
        Side(list_members, fake.start, fake.stop),
        Side(list_members, floor.start, floor.stop),
    )


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


def _report(figure: Result) -> None:
    print(figure.line(), flush=True)


def measure(plan: Plan) -> list[Result]:
    """Every figure, measured with ``plan``."""
    figures: list[Result] = []
    fake, floor = _add_member_sides()
    fake_ns, floor_ns = _interleaved(fake, floor, plan, plan.add_calls)
    figures.append(Figure("add_member/requests", fake_ns, floor_ns, "call", max_ratio=1.5))
    print(figures[-1].line(), flush=True)

    fake, floor = _list_members_sides()
    fake_ns, floor_ns = _interleaved(fake, floor, plan, plan.list_calls)
    figures.append(Figure("list_members/requests", fake_ns, floor_ns, "call", max_ratio=1.5))
    print(figures[-1].line(), flush=True)

    fake, floor = _fixture_sides()
    fake_ns, floor_ns = _interleaved(fake, floor, plan, plan.fixture_calls)
    figures.append(Figure("fixture/setup+teardown", fake_ns, floor_ns, "test", max_fake_us=1_000))
    print(figures[-1].line(), flush=True)

    figures += measure_server(
        plan.server_rounds, plan.server_seconds, SERVER_TARGETS, report=_report
    )
    figures += measure_durability(plan.server_rounds, plan.server_seconds, _report)
    figures += measure_restart(plan.restart_members, plan.restart_rounds, _report)
    figures += measure_scale(plan.scale_members, plan.seed_members, _report, plan.seed_runs)
    figures += qualification_figures(plan.rounds, _report)
    figures += journal_figures(plan.rounds, plan.add_calls, _report)
    figures += tier_figures(plan.tier_members, _report)
    return figures


def profile(which: str, calls: int) -> None:
    """Print the cProfile hot spots inside ``loyalty_fake`` for ``calls`` calls of ``which``."""
    fake, _ = _add_member_sides() if which == "add_member" else _list_members_sides()
    _per_call_ns(fake, 100)
    fake.start()
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        for _ in range(calls):
            fake.call()
        profiler.disable()
    finally:
        fake.stop()
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
        choices=("add_member", "list_members"),
        help="instead of measuring, print cProfile hot spots of one operation",
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
    figures = measure(plan)
    return 1 if options.check and not all(figure.ok for figure in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
