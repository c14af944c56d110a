"""Many threads, one fake: no card held twice, no lost or doubled writes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from loyalty_fake import LoyaltyFake
from tests.conftest import RequestsClient

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
