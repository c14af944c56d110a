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
