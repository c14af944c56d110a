"""Issue 19's dashboard figures: each page at a million members, and what API calls wait.

A seeded program of N members (1,000,000; ``--quick``: 20,000) with earning rules and paid
orders, and a full call journal. Each dashboard page (``GET /_fake/?view=...``: the first
and a deep page of members, transactions, customers, orders, programs, calls, and the
searches: a whole code, a ``source_id``, text no index answers) is timed through the
control plane's handler, the median of three; the target is under a second each. Then the
same pages again while another thread reads members through the API: the longest an API
call took is the most a page held it up (target: a quarter of a second). Run from the
repository root: ``python -m benchmarks.dashboard [--members N]``; ``benchmarks/run.py``
runs it too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import statistics
import threading
import time
from typing import TYPE_CHECKING

import attrs

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import Request
from loyalty_fake.seeding import seed_program
from loyalty_fake.server.control import ControlPlane

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DashboardFigure", "figures", "main", "measure_dashboard"]

MAX_PAGE_SECONDS = 1.0
MAX_API_WAIT_SECONDS = 0.25
_START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


@attrs.frozen
class DashboardFigure:
    """One page's time (or the longest API wait) against its target, in seconds."""

    name: str
    seconds: float
    target: float
    members: int

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        return self.seconds < self.target

    def line(self) -> str:
        """One line, as ``benchmarks/run.py`` prints its figures."""
        verdict = "OK" if self.ok else "EXCEEDED"
        return (
            f"{self.name:<26} {self.seconds * 1000:8,.1f} ms at {self.members:,} members  "
            f"target < {self.target * 1000:,.0f} ms  {verdict}"
        )


def _state(members: int) -> tuple[LoyaltyFake, str, str]:
    """A fake with ``members`` seeded members and a full journal; a code and a source_id."""
    fake = LoyaltyFake(now=_START)
    seed_program(fake.ledger, fake.app_id, seed=42, members=members, earning=True)
    programs = Request.from_url("GET", "/v1/loyalties", fake.headers, b"")
    for _ in range(fake.journal.size):
        fake.app.handle(programs, client="requests")
    with fake.ledger.session(fake.app_id) as session:
        cards = session.project.cards.values()
        card = next(c for c in cards if c.holder_id is not None)
        holder = session.project.customers[card.holder_id or ""]
    return fake, card.code, holder.source_id or holder.id


def _pages(members: int, code: str, source_id: str) -> dict[str, str]:
    deep = max(2, members // 100)
    return {
        "members": "",
        f"members/page{deep}": f"page={deep}",
        "transactions": "view=transactions",
        "customers": "view=customers",
        "orders": "view=orders",
        "programs": "view=programs",
        "calls": "view=calls",
        "search/code": f"q={code}",
        "search/source_id": f"view=transactions&q={source_id}",
        "search/scan": "view=customers&q=no-such-name",
    }


def _timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def measure_dashboard(
    members: int = 1_000_000, report: Callable[[DashboardFigure], None] = lambda _: None
) -> list[DashboardFigure]:
    """Every page's median time at ``members`` members, then the longest API wait.

    ``report`` is told each figure as soon as it is measured.
    """
    fake, code, source_id = _state(members)
    gc.collect()
    control = ControlPlane(fake)
    found: list[DashboardFigure] = []
    pages = _pages(members, code, source_id)
    for name, query in pages.items():
        request = Request.from_url("GET", f"/_fake/?{query}", {}, b"")
        reply = control.handle(request)
        if reply.status != 200:
            raise RuntimeError(f"dashboard {name}: {reply.status} {reply.body[:200]!r}")
        draw = functools.partial(control.handle, request)
        seconds = statistics.median(_timed(draw) for _ in range(3))
        found.append(DashboardFigure(f"dashboard/{name}", seconds, MAX_PAGE_SECONDS, members))
        report(found[-1])
    found.append(_api_wait(fake, control, code, pages, members))
    report(found[-1])
    return found


def _api_wait(
    fake: LoyaltyFake, control: ControlPlane, code: str, pages: dict[str, str], members: int
) -> DashboardFigure:
    """The longest get-member call through the API while every page is drawn twice."""
    member = Request.from_url("GET", f"/v1/loyalties/members/{code}", fake.headers, b"")
    waits: list[float] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            waits.append(_timed(lambda: fake.app.handle(member)))
            time.sleep(0.001)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(2):
            for query in pages.values():
                control.handle(Request.from_url("GET", f"/_fake/?{query}", {}, b""))
    finally:
        done.set()
        thread.join()
    return DashboardFigure("dashboard/api_wait_max", max(waits), MAX_API_WAIT_SECONDS, members)


def figures(members: int, report: Callable[[DashboardFigure], None]) -> list[DashboardFigure]:
    """The figures for ``benchmarks/run.py``: measured, reported, returned."""
    return measure_dashboard(members, report)


def main() -> None:
    """Print the figures against their targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    options = parser.parse_args()
    began = time.perf_counter()
    measure_dashboard(options.members, lambda figure: print(figure.line(), flush=True))
    print(f"# {time.perf_counter() - began:,.0f} s in all, seeding included", flush=True)


if __name__ == "__main__":
    main()
