"""What a qualification costs: ``POST /v1/qualifications`` over 1,000 vouchers.

Issue 18's figure: a qualification (scenario ``ALL``, an order of 2,000 cents, the default
page of 5) for a customer in a project of 1,000 discount vouchers (half ``AMOUNT``, half
``PERCENT``, in 10 campaigns) and a loyalty card, at most 5 ms, in-process (``requests``
through the fake's transport), the median of several rounds. Run from the repository root:
``python -m benchmarks.qualifications [--rounds N]``; ``benchmarks/run.py`` runs it too.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import TYPE_CHECKING, Any

import attrs
import requests

from loyalty_fake import LoyaltyFake

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["TARGET_MS", "VOUCHERS", "QualificationFigure", "main", "measure_qualifications"]

BASE_URL = "https://api.voucherify.io"
VOUCHERS = 1_000
CAMPAIGNS = 10
TARGET_MS = 5.0
BODY: dict[str, Any] = {"customer": {"source_id": "shopper"}, "order": {"amount": 2000}}


@attrs.frozen
class QualificationFigure:
    """The median milliseconds per qualification, against the target."""

    name: str
    ms: float
    target_ms: float = TARGET_MS

    @property
    def ok(self) -> bool:
        """Whether the median is within the target."""
        return self.ms <= self.target_ms

    def line(self) -> str:
        """One line, as ``benchmarks/run.py`` prints its figures."""
        verdict = "OK" if self.ok else "MISSED"
        return (
            f"{self.name:<26} fake {self.ms:.2f} ms per call  target <= {self.target_ms:g} ms"
            f"  {verdict}"
        )


def _campaign(number: int) -> dict[str, Any]:
    if number % 2:
        discount: dict[str, Any] = {"type": "AMOUNT", "amount_off": 100 + number}
    else:
        discount = {"type": "PERCENT", "percent_off": 5 + number}
    return {
        "name": f"Coupons {number}",
        "campaign_type": "DISCOUNT_COUPONS",
        "vouchers_count": VOUCHERS // CAMPAIGNS,
        "voucher": {"type": "DISCOUNT_VOUCHER", "discount": discount},
    }


def measure_qualifications(rounds: int = 7, calls: int = 20) -> float:
    """Median milliseconds per qualification over ``VOUCHERS`` vouchers."""
    fake = LoyaltyFake(seed=1, now="2024-01-25T10:00:00Z").start()
    session = requests.Session()
    session.headers.update(fake.headers)
    try:
        fake.create_loyalty_program("Club")
        fake.add_member("Club", {"source_id": "shopper"})
        for number in range(CAMPAIGNS):
            made = session.post(f"{BASE_URL}/v1/campaigns", json=_campaign(number))
            assert made.status_code == 200, made.text

        def qualify() -> None:
            reply = session.post(f"{BASE_URL}/v1/qualifications", json=BODY)
            assert reply.status_code == 200, reply.text
            assert reply.json()["redeemables"]["total"] == VOUCHERS + 1

        call: Callable[[], None] = qualify
        for _ in range(3):  # warm up
            call()
        times: list[float] = []
        for _ in range(rounds):
            gc.collect()
            start = time.perf_counter()
            for _ in range(calls):
                call()
            times.append((time.perf_counter() - start) / calls * 1e3)
    finally:
        session.close()
        fake.stop()
    return statistics.median(times)


def figures(
    rounds: int, report: Callable[[QualificationFigure], None]
) -> list[QualificationFigure]:
    """The figure for ``benchmarks/run.py``: measured, reported, returned."""
    figure = QualificationFigure(f"qualifications/{VOUCHERS}", measure_qualifications(rounds))
    report(figure)
    return [figure]


def main() -> None:
    """Print the figure against the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20)
    options = parser.parse_args()
    ms = measure_qualifications(options.rounds, options.calls)
    print(QualificationFigure(f"qualifications/{VOUCHERS}", ms).line())


if __name__ == "__main__":
    main()
