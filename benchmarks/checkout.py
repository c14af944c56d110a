"""What checkout costs: a stacked redemption of 5 redeemables with an order, beside a join.

Issue 18's figure: ``POST /v1/redemptions`` of 5 redeemables with an order (a new order
``source_id`` on every call, so each redemption also creates and pays an order) costs at most 3x an
add-member call, in-process (``requests`` through the fake's transport), the two interleaved
round by round in one run. Run from the repository root:
``python -m benchmarks.checkout [--rounds N] [--calls N] [--profile]``.

The 5 redeemables are mixed kinds, so the checkout's arithmetic (``discounts.calculate``) does
its whole job: 10% off every line (an item-level discount), $1 off the order, then 3 loyalty
cards, each paying 1 point through the ``COIN`` reward its program offers. One customer holds a
card in each of 3 programs (a stacked request's cards pay for one order, whose customer is the
request's). The order has 2 lines ($30 and $20); the discount codes never run out.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

import requests

from loyalty_fake import LoyaltyFake

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["REDEEMABLES", "TARGET", "main", "measure_checkout"]

BASE_URL = "https://api.voucherify.io"
REDEEMABLES = 5
CARDS = 3
TARGET = 3.0
# Enough for warm-up, every round and a profile: each redemption spends 1 point per card.
POINTS = 10_000_000


def _redeemables(fake: LoyaltyFake) -> list[dict[str, Any]]:
    """One customer's cards in ``CARDS`` programs, each paying 1 point through a COIN reward."""
    coin = fake.create_reward(
        "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
    )
    card = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}}
    redeemables: list[dict[str, Any]] = []
    for number in range(CARDS):
        program = f"Club {number}"
        fake.create_loyalty_program(program, voucher=card)
        fake.assign_reward(program, coin["id"])
        code = str(fake.add_member(program, {"source_id": "payer"})["code"])
        fake.add_points(code, POINTS)
        redeemables.append(
            {"object": "voucher", "id": code, "reward": {"id": coin["id"], "points": 1}}
        )
    return redeemables


# Standalone codes with no redemption limit: an item-level and an order-level discount.
_DISCOUNTS = {
    "TEN-PERCENT-ITEMS": {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ITEMS"},
    "DOLLAR-OFF": {"type": "AMOUNT", "amount_off": 100, "effect": "APPLY_TO_ORDER"},
}
_ITEMS = [
    {"product_id": "prod_tshirt", "quantity": 1, "price": 3000, "amount": 3000},
    {"product_id": "prod_mug", "quantity": 2, "price": 1000, "amount": 2000},
]


def _sides(session: requests.Session, fake: LoyaltyFake) -> dict[str, Callable[[], None]]:
    """The two calls measured: an add-member, and a stacked redemption with a new order."""
    fake.create_loyalty_program("Joiners")
    redeemables = []
    for code, discount in _DISCOUNTS.items():
        body = {"type": "DISCOUNT_VOUCHER", "discount": discount}
        made = session.post(f"{BASE_URL}/v1/vouchers/{code}", json=body)
        assert made.status_code == 200, made.text
        redeemables.append({"object": "voucher", "id": code})
    redeemables += _redeemables(fake)
    assert len(redeemables) == REDEEMABLES
    counts = {"members": 0, "orders": 0}

    def add_member() -> None:
        counts["members"] += 1
        body = {"customer": {"source_id": f"member-{counts['members']}"}}
        reply = session.post(f"{BASE_URL}/v1/loyalties/Joiners/members", json=body)
        assert reply.status_code == 200, reply.text

    def redeem() -> None:
        counts["orders"] += 1
        body = {
            "redeemables": redeemables,
            "order": {"source_id": f"order-{counts['orders']}", "items": _ITEMS},
            "customer": {"source_id": "payer"},
        }
        reply = session.post(f"{BASE_URL}/v1/redemptions", json=body)
        assert reply.status_code == 200, reply.text
        assert len(reply.json()["redemptions"]) == REDEEMABLES, reply.text

    return {"add_member": add_member, "redeem": redeem}


def measure_checkout(rounds: int = 7, calls: int = 200) -> tuple[float, float]:
    """Median microseconds per call: an add-member call, and a stacked redemption of 5."""
    fake = LoyaltyFake(seed=1, now="2024-01-25T10:00:00Z").start()
    session = requests.Session()
    session.headers.update(fake.headers)
    try:
        sides = _sides(session, fake)
        for call in sides.values():  # warm up
            for _ in range(50):
                call()
        times: dict[str, list[float]] = {name: [] for name in sides}
        order = list(sides.items())
        for number in range(rounds):
            # Alternate which side goes first, so neither always runs on a warmer cache.
            for name, call in order if number % 2 == 0 else order[::-1]:
                gc.collect()
                start = time.perf_counter()
                for _ in range(calls):
                    call()
                times[name].append((time.perf_counter() - start) / calls * 1e6)
    finally:
        session.close()
        fake.stop()
    return statistics.median(times["add_member"]), statistics.median(times["redeem"])


def profile(calls: int) -> None:
    """Print the cProfile hot spots inside ``loyalty_fake`` of ``calls`` stacked redemptions."""
    fake = LoyaltyFake(seed=1, now="2024-01-25T10:00:00Z").start()
    session = requests.Session()
    session.headers.update(fake.headers)
    try:
        redeem = _sides(session, fake)["redeem"]
        for _ in range(50):
            redeem()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            redeem()
        profiler.disable()
    finally:
        session.close()
        fake.stop()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    print(f"# stacked redemption of {REDEEMABLES}: {calls} calls, by own time")
    stats.sort_stats("tottime").print_stats(15)
    print("# functions in loyalty_fake, by cumulative time")
    stats.sort_stats("cumulative").print_stats("loyalty_fake", 25)


def main() -> None:
    """Print the two figures and their ratio against the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print cProfile hot spots instead")
    options = parser.parse_args()
    if options.profile:
        profile(options.calls)
        return
    member, redemption = measure_checkout(options.rounds, options.calls)
    ratio = redemption / member
    verdict = "within" if ratio <= TARGET else "over"
    print(
        f"add member {member:.0f} us/call; stacked redemption of {REDEEMABLES} with an order: "
        f"{redemption:.0f} us/call; ratio {ratio:.2f} ({verdict} the target {TARGET})"
    )


if __name__ == "__main__":
    main()
