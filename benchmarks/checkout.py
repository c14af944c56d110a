"""What checkout costs: a stacked redemption of 5 redeemables with an order, beside a join.

Issue 18's figure: ``POST /v1/redemptions`` of 5 redeemables with an order (a new order
``source_id`` on every call, so each redemption also creates and pays an order) costs at most 3x an
add-member call, in-process (``requests`` through the fake's transport), the two interleaved
round by round in one run. Run from the repository root:
``python -m benchmarks.checkout [--rounds N] [--calls N] [--profile]``.

The 5 redeemables are loyalty cards, the only redeemable kind when this was written: one
customer holds a card in each of 5 programs, and each card pays 1 point through the ``COIN``
reward its program offers. (A stacked request's cards pay for one order, whose customer is the
request's; cards of five different holders would make five customers of one order.)

Once discount vouchers redeem (``REDEEMABLE_KINDS`` in ``loyalty_fake/ledger/redeemables.py``
has a discount entry), switch to mixed kinds by setting ``CARDS`` below to, say, 3 and adding 2
discount vouchers in ``_redeemables``: create a discount campaign (``POST /v1/campaigns`` with
``campaign_type: DISCOUNT_COUPONS`` and ``voucher.discount``, e.g. ``AMOUNT`` 100) with
``voucher.redemption.quantity: null`` so its codes never run out, and append
``{"object": "voucher", "id": CODE}`` for each of its codes; the order's amount (5000) leaves
room for every discount and the cards' points.
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
CARDS = 5
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
    assert len(redeemables) == REDEEMABLES
    return redeemables


def _sides(session: requests.Session, fake: LoyaltyFake) -> dict[str, Callable[[], None]]:
    """The two calls measured: an add-member, and a stacked redemption with a new order."""
    fake.create_loyalty_program("Joiners")
    redeemables = _redeemables(fake)
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
            "order": {"source_id": f"order-{counts['orders']}", "amount": 5000},
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
