"""``fake.serve`` alone for add-member and a balance change, in a tight loop (issue 21).

No client and no floor: what the fake itself spends on one write, at 1,000 members by
default. Run from the repository root with the tree to measure first on ``PYTHONPATH``
(another checkout's, to compare before and after, interleaved):
``python -m benchmarks.serve_loop [--members N] [--calls N] [--profile add|balance]``.
Prints the median and the lowest of 15 rounds, in wall and CPU time (the CPU time moves
less on a loaded machine); ``--profile`` prints cProfile's function calls per request
(which load does not move) and the hot spots.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import pstats
import statistics
import time
from typing import TYPE_CHECKING

from benchmarks.clients import members_program

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

BASE_URL = "https://api.voucherify.io"
ROUNDS = 15


def writes(members: int) -> dict[str, Callable[[], object]]:
    """Add-member (a new customer each call) and ``{"points": 1}`` on the first member."""
    fake, program, code = members_program(members)
    headers = {**fake.headers, "Content-Type": "application/json", "Accept": "application/json"}
    add_url = f"{BASE_URL}/v1/loyalties/{program}/members"
    balance_url = f"{BASE_URL}/v1/loyalties/members/{code}/balance"
    numbers = itertools.count()

    def add() -> object:
        body = json.dumps({"customer": {"source_id": f"loop-{next(numbers)}"}}).encode()
        return fake.serve("POST", add_url, headers, body)

    def balance() -> object:
        return fake.serve("POST", balance_url, headers, b'{"points": 1}')

    return {"add": add, "balance": balance}


def measure(call: Callable[[], object], calls: int) -> dict[str, float]:
    """Microseconds a call: median and lowest of ``ROUNDS`` rounds, wall and CPU."""
    walls, cpus = [], []
    per_round = max(calls // ROUNDS, 1)
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(per_round):
            call()
        walls.append((time.perf_counter_ns() - wall) / per_round / 1_000)
        cpus.append((time.process_time_ns() - cpu) / per_round / 1_000)
    return {
        "wall_median": round(statistics.median(walls), 1),
        "wall_min": round(min(walls), 1),
        "cpu_median": round(statistics.median(cpus), 1),
    }


def profile(call: Callable[[], object], calls: int) -> None:
    """Print the function calls per request (cProfile), and the hot spots by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"{stats.total_calls / calls:.0f} function calls per request")  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(25)


def main(argv: Sequence[str] | None = None) -> None:
    """Time (or profile) both writes."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_loop", description=__doc__)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--calls", type=int, default=3_000)
    parser.add_argument("--profile", choices=["add", "balance"])
    options = parser.parse_args(argv)
    calls = writes(options.members)
    for call in calls.values():  # warm up, and fail loudly on a refused request
        answer = call()
        assert getattr(answer, "status", None) == 200, answer
    if options.profile:
        profile(calls[options.profile], options.calls)
        return
    print(json.dumps({name: measure(call, options.calls) for name, call in calls.items()}))


if __name__ == "__main__":
    main()
