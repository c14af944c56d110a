"""CPU instructions the fake adds to a call, counted by valgrind's cachegrind (issue 21).

Times move with the load on the machine; the number of instructions a call executes
does not. For each operation and client of ``benchmarks/clients.py``, a child Python
runs under ``valgrind --tool=cachegrind``: set up the client's fake and floor, warm both
up, then make ``--calls`` calls of one side (or none, for the baseline). A side's count a
call is its run's count less the baseline's, over the calls; the fake adds its count less
the floor's. ``--serve`` counts ``fake.serve`` alone, as ``benchmarks/serve_loop.py``
times it. The hash seed is fixed and the garbage collector is off while counting, so
two runs of the same tree agree to a few hundred instructions a call.

Instructions are not time: a call in context runs at fewer instructions a nanosecond
than in a tight loop (the client's own code evicts the fake's from the caches and the
branch predictor), so use it to compare trees, not to read microseconds. Needs
valgrind on ``PATH``; each run takes about a minute:
``python -m benchmarks.instructions [--clients requests,sdk] [--ops get_member,...]
[--calls 300] [--jobs 2] [--serve]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import itertools
import os
import re
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

CLIENTS = ("requests", "sdk", "httpx", "httpx_async")
OPERATIONS = ("get_member", "balance", "add_member", "list_members")
WARMUP = 20
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _serve_calls(members: int) -> dict[str, Callable[[], object]]:
    """``fake.serve`` for each operation, with the headers ``requests`` sends."""
    from benchmarks.clients import BASE_URL, members_program  # noqa: PLC0415 - the child's

    fake, program, code = members_program(members)
    headers = {
        "host": "api.voucherify.io",
        "user-agent": "python-requests/2.34.2",
        "accept-encoding": "gzip, deflate",
        "accept": "*/*",
        "connection": "keep-alive",
        **{name.lower(): value for name, value in fake.headers.items()},
    }
    posted = {**headers, "content-type": "application/json"}
    member = f"{BASE_URL}/v1/loyalties/members/{code}"
    members_url = f"{BASE_URL}/v1/loyalties/{program}/members"
    numbers = itertools.count()

    def add() -> object:
        body = b'{"customer": {"source_id": "serve-%d"}}' % next(numbers)
        return fake.serve("POST", members_url, posted, body, "requests")

    return {
        "get_member": lambda: fake.serve("GET", member, headers, b"", "requests"),
        "balance": lambda: fake.serve(
            "POST", f"{member}/balance", posted, b'{"points": 1}', "requests"
        ),
        "add_member": add,
        "list_members": lambda: fake.serve(
            "GET", f"{members_url}?limit=10", headers, b"", "requests"
        ),
    }


def _child(client: str, side: str, operation: str, calls: int, members: int) -> None:
    """What runs under valgrind: set up, warm up every side, then ``calls`` calls of one."""
    if client == "serve":
        serve = _serve_calls(members)
        for call in serve.values():
            for _ in range(WARMUP):
                call()
        chosen = serve.get(operation)
    else:
        from benchmarks.clients import client_sides  # noqa: PLC0415 - the child's

        sides = client_sides(client, members)
        for call, (start, stop, floor_start, floor_stop) in sides.values():
            for begin, end in ((start, stop), (floor_start, floor_stop)):
                begin()
                for _ in range(WARMUP):
                    call()
                end()
        chosen = None
        if operation in sides:
            call, (start, stop, floor_start, floor_stop) = sides[operation]
            begin, end = (start, stop) if side == "fake" else (floor_start, floor_stop)
            begin()
            chosen = call
    gc.collect()
    gc.disable()
    if chosen is not None:
        for _ in range(calls):
            chosen()


def _count(client: str, side: str, operation: str, calls: int, members: int) -> int:
    """Instructions of one child run under cachegrind."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--child",
        client,
        side,
        operation,
        str(calls),
        str(members),
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run(  # noqa: S603 - valgrind over our own interpreter and module
        command, capture_output=True, text=True, env=environment, check=False
    )
    found = _REFS.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind run failed ({' '.join(command)}):\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def _figures(client: str, operations: Sequence[str], calls: int, members: int, jobs: int) -> None:
    """Print each operation's instructions a call through ``client`` (or ``serve``)."""
    sides = ("fake",) if client == "serve" else ("fake", "floor")
    runs = [("fake", "baseline", 0)] + [(s, op, calls) for op in operations for s in sides]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        counts = dict(
            zip(
                runs,
                pool.map(lambda run: _count(client, run[0], run[1], run[2], members), runs),
                strict=True,
            )
        )
    base = counts[("fake", "baseline", 0)]
    for operation in operations:
        fake = (counts[("fake", operation, calls)] - base) / calls
        if client == "serve":
            print(f"{operation + '/serve':<26} {fake:>10,.0f} instructions a call", flush=True)
            continue
        floor = (counts[("floor", operation, calls)] - base) / calls
        print(
            f"{operation + '/' + client:<26} adds {fake - floor:>9,.0f} instructions a call  "
            f"(fake {fake:,.0f}, floor {floor:,.0f})",
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Count, or (``--child``) be counted."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--child"]:
        client, side, operation, calls, members = arguments[1:6]
        _child(client, side, operation, int(calls), int(members))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--ops", default=",".join(OPERATIONS))
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--serve", action="store_true", help="fake.serve alone, no client")
    options = parser.parse_args(arguments)
    if shutil.which("valgrind") is None:
        sys.exit("benchmarks.instructions needs valgrind on PATH (apt install valgrind)")
    operations = [op for op in options.ops.split(",") if op]
    clients = ["serve"] if options.serve else [c for c in options.clients.split(",") if c]
    for client in clients:
        _figures(client, operations, options.calls, options.members, options.jobs)


if __name__ == "__main__":
    main()
