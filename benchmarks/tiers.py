"""What a night of tier recalculation costs, and that it never holds requests up for long.

Issue 20's figures: a ``POINTS_IN_PERIOD`` program of ``members`` members, every one in a
tier that ends with January; the clock moves to 1 February and ``Ledger.catch_up`` does
the night in chunks (``tier_nights.TIER_CHUNK`` members a session). One figure is the
whole night's time (target: a million members in 30 s); the other the slowest of the
requests another thread makes meanwhile (``GET`` a member, in-process), which must
never wait more than 100 ms: the lock is free between chunks. Run from the repository
root: ``python -m benchmarks.tiers [--members N]``.
"""

from __future__ import annotations

import argparse
import gc
import threading
import time
from typing import TYPE_CHECKING

import attrs
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.seeding import create_program_with_cards

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["TierFigure", "figures", "main", "measure_tiers"]

BASE_URL = "https://api.voucherify.io"
NIGHT_SECONDS_PER_MILLION = 30.0
MAX_WAIT_MS = 100.0
_TIERS = [
    {"name": "Silver", "points": {"from": 100, "to": 499}},
    {"name": "Gold", "points": {"from": 500}},
]
_EXPIRATION = {
    "qualification_type": "POINTS_IN_PERIOD",
    "qualification_period": "MONTH",
    "start_date": {"type": "IMMEDIATE"},
    "expiration_date": {"type": "END_OF_PERIOD", "extend": "P0D"},
}


@attrs.frozen
class TierFigure:
    """The night's seconds for ``members`` members, and the slowest request meanwhile."""

    members: int
    night_seconds: float
    slowest_request_ms: float
    requests_made: int

    @property
    def ok(self) -> bool:
        """Within the night's budget (30 s a million) and no request held over 100 ms."""
        budget = NIGHT_SECONDS_PER_MILLION * max(self.members, 1) / 1_000_000
        return self.night_seconds <= budget and self.slowest_request_ms <= MAX_WAIT_MS

    def line(self) -> str:
        """The figure as one line."""
        verdict = "ok" if self.ok else "OVER"
        return (
            f"tiers/night/{self.members}: {self.night_seconds:.2f} s "
            f"(target {NIGHT_SECONDS_PER_MILLION * self.members / 1_000_000:.2f} s); slowest of "
            f"{self.requests_made} requests meanwhile {self.slowest_request_ms:.1f} ms "
            f"(target {MAX_WAIT_MS:.0f} ms) {verdict}"
        )


def _fake(members: int) -> tuple[LoyaltyFake, str]:
    """A program of ``members`` members, each in Silver or Gold until the end of January."""
    fake = LoyaltyFake(seed=3, now="2024-01-15T10:00:00Z").start()
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        program = create_program_with_cards(session, members + 1, name="Tiers")
        session.campaigns.update(program.id, {"loyalty_tiers_expiration": _EXPIRATION})
    made = fake.request("POST", "/v1/loyalties/Tiers/tiers", json_body=_TIERS)
    assert made.status == 200, made.json()
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        with session.campaigns.bulk_load(program.id):
            for number in range(members):
                card = session.members.add(program.id, customer=CustomerRef(source_id=f"c{number}"))
                session.points.change_balance(card.code, 150 if number % 2 else 600)
        first = card.code
    return fake, first


def measure_tiers(members: int) -> TierFigure:
    """Run one night for ``members`` members while another thread reads a member."""
    fake, code = _fake(members)
    http = requests.Session()
    http.headers.update(fake.headers)
    waits: list[float] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            start = time.perf_counter()
            reply = http.get(f"{BASE_URL}/v1/loyalties/members/{code}")
            waits.append((time.perf_counter() - start) * 1e3)
            assert reply.status_code == 200, reply.text

    try:
        gc.collect()
        fake.clock.set("2024-02-01T00:00:01Z")
        reader = threading.Thread(target=read)
        start = time.perf_counter()
        reader.start()
        fake.ledger.catch_up(fake.app_id)
        night = time.perf_counter() - start
        done.set()
        reader.join()
        left = fake.request("GET", f"/v1/loyalties/members/{code}/tiers").json()
        assert left["total"] == 0, left
    finally:
        http.close()
        fake.stop()
    return TierFigure(members, night, max(waits, default=0.0), len(waits))


def figures(members: int, report: Callable[[TierFigure], None]) -> list[TierFigure]:
    """The figure for ``benchmarks/run.py``: measured, reported, returned."""
    figure = measure_tiers(members)
    report(figure)
    return [figure]


def main() -> None:
    """Print the figure against its targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=20_000)
    options = parser.parse_args()
    print(measure_tiers(options.members).line())


if __name__ == "__main__":
    main()
