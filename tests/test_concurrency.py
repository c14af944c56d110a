"""Many threads, one fake: no card held twice, no lost or doubled writes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from loyalty_fake import LoyaltyFake
from tests.conftest import RequestsClient

if TYPE_CHECKING:
    from loyalty_fake.server import LiveServer

THREADS = 8
JOINS_PER_THREAD = 40


def test_parallel_joins_get_distinct_cards() -> None:
    """Concurrent joins of distinct customers each get one card, none shared, none lost."""
    with LoyaltyFake() as fake:
        fake.create_loyalty_program("P", type="AUTO_UPDATE", vouchers_count=100)
        client = RequestsClient(fake.headers)

        def join(worker: int) -> list[str]:
            return [
                client.add_member("P", {"customer": {"source_id": f"w{worker}-{i}"}}).body["code"]
                for i in range(JOINS_PER_THREAD)
            ]

        with ThreadPoolExecutor(THREADS) as pool:
            codes = [code for chunk in pool.map(join, range(THREADS)) for code in chunk]
        assert len(codes) == len(set(codes)) == THREADS * JOINS_PER_THREAD
        assert fake.list_members("P", limit=1)["total"] == THREADS * JOINS_PER_THREAD
        assert len(fake.publications()) == THREADS * JOINS_PER_THREAD
        assert len(fake.customers()) == THREADS * JOINS_PER_THREAD


def test_same_customer_racing_gets_one_card() -> None:
    """The same customer joining from many threads at once ends up with exactly one card."""
    with LoyaltyFake() as fake:
        fake.create_loyalty_program("P", vouchers_count=50)
        client = RequestsClient(fake.headers)
        barrier = threading.Barrier(THREADS)

        def join(_: int) -> str:
            barrier.wait()
            reply = client.add_member("P", {"customer": {"source_id": "alice"}})
            assert reply.status == 200
            code: str = reply.body["code"]
            return code

        with ThreadPoolExecutor(THREADS) as pool:
            codes = set(pool.map(join, range(THREADS)))
        assert len(codes) == 1
        assert len(fake.publications()) == 1
        assert len(fake.customers()) == 1


def test_parallel_balance_changes_lose_nothing() -> None:
    """Threads adding and removing points on one card: the balance is the exact sum."""
    with LoyaltyFake() as fake:
        fake.create_loyalty_program("P", vouchers_count=1)
        code = fake.add_member("P", {"source_id": "alice"})["code"]
        client = RequestsClient(fake.headers)

        def change(worker: int) -> tuple[int, int]:
            moved = accepted = 0
            for i in range(JOINS_PER_THREAD):
                points = 7 if (worker + i) % 3 else -2
                # A removal may meet an empty card and be refused: that is fine, it must
                # then leave no trace.
                if client.change_balance(code, {"points": points}).status == 200:
                    moved += points
                    accepted += 1
            return moved, accepted

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(change, range(THREADS)))
        moved = sum(m for m, _ in results)
        accepted = sum(a for _, a in results)
        card = fake.get_member(code)["loyalty_card"]
        assert card["balance"] == moved
        assert card["points"] - card.get("subtracted_points", 0) == moved
        transactions = fake.transactions(code, limit=100)
        count = len(transactions["data"])
        while transactions["has_more"]:
            transactions = fake.transactions(
                code, limit=100, starting_after_id=transactions["more_starting_after"]
            )
            count += len(transactions["data"])
        assert count == accepted


@pytest.mark.parametrize("transport", ["in-process", "live-server"])
def test_sixteen_threads_of_joins_and_balance_changes(
    transport: str, loyalty_fake: LoyaltyFake, loyalty_fake_live_server: LiveServer
) -> None:
    """16 threads x 500 calls: no card held twice, no lost or doubled points, the formula holds."""
    from loyalty_fake.server import ServerApp, SwappableApp  # noqa: PLC0415

    loyalty_fake.create_loyalty_program("P", type="AUTO_UPDATE", vouchers_count=50)
    base_url = "https://api.voucherify.io"
    slot = loyalty_fake_live_server.app
    assert isinstance(slot, SwappableApp)
    if transport == "live-server":
        slot.current = ServerApp(loyalty_fake)
        base_url = loyalty_fake_live_server.url
    client = RequestsClient(loyalty_fake.headers, base_url=base_url)

    def work(worker: int) -> tuple[list[str], int]:
        codes: list[str] = []
        added = 0
        for i in range(250):
            reply = client.add_member("P", {"customer": {"source_id": f"w{worker}-{i}"}})
            codes.append(reply.body["code"])
            change = client.change_balance(reply.body["code"], {"points": 1 + i % 7})
            assert change.status == 200
            added += 1 + i % 7
        return codes, added

    try:
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(work, range(16)))
    finally:
        if transport == "live-server":
            slot.current = None
    codes = [code for chunk, _ in results for code in chunk]
    assert len(codes) == len(set(codes)) == 16 * 250
    members = loyalty_fake.list_members("P", limit=1)
    assert members["total"] == 16 * 250
    balances = 0
    for code in codes:
        card = loyalty_fake.get_member(code)["loyalty_card"]
        assert card["balance"] == card["points"] - card.get("expired_points", 0) - card.get(
            "subtracted_points", 0
        )
        balances += card["balance"]
    assert balances == sum(added for _, added in results)
    assert not loyalty_fake.app.internal_errors
