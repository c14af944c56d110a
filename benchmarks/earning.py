"""What earning costs: a paid order against a program of 20 active earning rules, beside a join.

Issue 17's figure: ``POST /v1/orders`` with ``status: PAID`` for a member of a program with 20
active earning rules (half ``FIXED``, half ``PROPORTIONAL``), at most 2x an add-member call,
in-process (``requests`` through the fake's transport), the two interleaved round by round in
one run. Run from the repository root: ``python -m benchmarks.earning [--rounds N]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import TYPE_CHECKING, Any

import requests

from loyalty_fake import LoyaltyFake

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["TARGET", "main", "measure_earning"]

BASE_URL = "https://api.voucherify.io"
RULES = 20
TARGET = 2.0


def _rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for number in range(RULES):
        if number % 2:
            loyalty: dict[str, Any] = {"type": "FIXED", "points": number + 1}
        else:
            ratio = {"every": 100 + number, "points": 1}
            loyalty = {
                "type": "PROPORTIONAL",
                "calculation_type": "ORDER_AMOUNT",
                "order": {"amount": ratio},
            }
        rules.append({"event": "order.paid", "loyalty": loyalty})
    return rules


def measure_earning(rounds: int = 7, calls: int = 300) -> tuple[float, float]:
    """Median microseconds per call: an add-member call, and a paid order that earns."""
    fake = LoyaltyFake(seed=1, now="2024-01-25T10:00:00Z").start()
    session = requests.Session()
    session.headers.update(fake.headers)
    try:
        fake.create_loyalty_program("Club")
        made = session.post(f"{BASE_URL}/v1/loyalties/Club/earning-rules", json=_rules())
        assert made.status_code == 200, made.text
        fake.add_member("Club", {"source_id": "payer"})
        counts = {"members": 0, "orders": 0}

        def add_member() -> None:
            counts["members"] += 1
            body = {"customer": {"source_id": f"member-{counts['members']}"}}
            reply = session.post(f"{BASE_URL}/v1/loyalties/Club/members", json=body)
            assert reply.status_code == 200

        def pay() -> None:
            counts["orders"] += 1
            body = {
                "source_id": f"order-{counts['orders']}",
                "status": "PAID",
                "amount": 2599,
                "customer": {"source_id": "payer"},
            }
            reply = session.post(f"{BASE_URL}/v1/orders", json=body)
            assert reply.status_code == 200

        sides: dict[str, Callable[[], None]] = {"add_member": add_member, "pay": pay}
        for call in sides.values():  # warm up
            for _ in range(50):
                call()
        times: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(rounds):
            for name, call in sides.items():
                gc.collect()
                start = time.perf_counter()
                for _ in range(calls):
                    call()
                times[name].append((time.perf_counter() - start) / calls * 1e6)
    finally:
        session.close()
        fake.stop()
    return statistics.median(times["add_member"]), statistics.median(times["pay"])


def main() -> None:
    """Print the two figures and their ratio against the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300)
    options = parser.parse_args()
    member, order = measure_earning(options.rounds, options.calls)
    ratio = order / member
    verdict = "within" if ratio <= TARGET else "over"
    print(
        f"add member {member:.0f} us/call; paid order, {RULES} rules: {order:.0f} us/call; "
        f"ratio {ratio:.2f} ({verdict} the target {TARGET})"
    )


if __name__ == "__main__":
    main()
