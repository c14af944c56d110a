"""Issue 5's scale figures: costs at N members against the same costs at 1,000.

Run through ``benchmarks/run.py``. Listing pages, get-member and balance changes at N
members are ratios against 1,000 members (target 3x for pages, 1.5x for single
reads and writes, so that nothing grows with the member count); seeding speed and
memory per seeded member are absolute against issue 21's targets (1,000,000 members
in 30 s, issue 5 asked 60; at most 2 KB each).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import statistics
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import LoyaltyFake
from loyalty_fake.ids import card_id
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.ledger.members import MemberQuery
from loyalty_fake.seeding import create_program_with_cards

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.http.messages import Response

__all__ = ["ScaleFigure", "measure_scale"]

BASE = 1_000
_START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
US = "\N{MICRO SIGN}s"


@attrs.frozen
class ScaleFigure:
    """One printed scale figure."""

    name: str
    value: float
    baseline: float | None
    unit: str
    target: float
    note: str = ""

    @property
    def ratio(self) -> float:
        """The value over the baseline (or the value itself without a baseline)."""
        return self.value / self.baseline if self.baseline else self.value

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        return self.ratio <= self.target

    def line(self) -> str:
        """The figure as one human-readable line."""
        verdict = "OK" if self.ok else "EXCEEDED"
        if self.baseline is None:
            return (
                f"{self.name:<34} {self.value:,.0f} {self.unit}  {self.note}  "
                f"target <= {self.target:,.0f} {self.unit}  {verdict}"
            )
        return (
            f"{self.name:<34} ratio {self.ratio:5.2f}x 1k  "
            f"({self.value:,.1f} {self.unit}{self.note} "
            f"vs {self.baseline:,.1f} {self.unit} at {BASE:,})  "
            f"target <= {self.target:g}x  {verdict}"
        )


def _program(members: int) -> tuple[LoyaltyFake, str, list[str]]:
    """A program of ``members`` members joined one second apart (distinct timestamps)."""
    fake = LoyaltyFake(seed=1, now=_START)
    codes = []
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        program = session.campaigns.create(name="P", type="AUTO_UPDATE")
        for number in range(members):
            fake.clock.advance(seconds=1)
            card = session.members.add(program.id, customer=CustomerRef(source_id=f"c{number}"))
            codes.append(card.code)
    return fake, program.id, codes


_JOINS = 5 * 100


def _stocked(members: int) -> tuple[LoyaltyFake, str]:
    """A program whose ``members`` members took pre-made cards, with cards to spare."""
    fake = LoyaltyFake(seed=2, now=_START)
    cards = members + _JOINS + 10
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        program = create_program_with_cards(session, cards, name="S")
        with session.campaigns.bulk_load(program.id):
            for number in range(members):
                session.members.add(program.id, customer=CustomerRef(source_id=f"c{number}"))
    return fake, program.id


def _join(fake: LoyaltyFake, program_id: str) -> Callable[[], Any]:
    """A request that adds one new customer as a member, taking the next available card.

    Through the in-process handler, like get-member and balance below. In the ledger
    alone a join costs about 11 us at 1,000 members and 17 us at a million: it writes
    into some ten million-entry dictionaries and the member indexes, and those cache
    misses are all the ratio would show.
    """
    numbers = iter(range(10**9))
    path = f"/v1/loyalties/{program_id}/members"
    return _answered(
        lambda: fake.request(
            "POST", path, json_body={"customer": {"source_id": f"new{next(numbers)}"}}
        )
    )


def _answered(call: Callable[[], Response]) -> Callable[[], Response]:
    """``call``, failing unless answered 200: an error answer is fast and would pass."""

    def checked() -> Response:
        response = call()
        if response.status != 200:
            raise RuntimeError(f"answered {response.status}: {response.body!r}")
        return response

    return checked


_SEED = """
import gc, json, sys, time
from loyalty_fake import LoyaltyFake
from loyalty_fake.seeding import seed_demo

def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096

gc.collect()
before = resident()
fake = LoyaltyFake(seed=3, now="2024-06-01T00:00:00Z")
began = time.perf_counter()
seed_demo(fake, seed=3, members=int(sys.argv[1]))
took = time.perf_counter() - began
gc.collect()
print(json.dumps({"seconds": took, "grown": resident() - before}))
"""


def _seed_elsewhere(members: int) -> tuple[float, int]:
    """Seconds to seed ``members`` members, and the resident memory they took (bytes).

    In a fresh interpreter, so that memory is the seeded state's alone.
    """
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _SEED, str(members)],
        capture_output=True,
        check=True,
        text=True,
    )
    found = json.loads(result.stdout)
    return float(found["seconds"]), int(found["grown"])


def _time_us(call: Callable[[], Any], repeats: int) -> float:
    samples = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(repeats):
            call()
        samples.append((time.perf_counter() - began) / repeats * 1e6)
    return statistics.median(samples)


def _queries(members: int, program_id: str, codes: list[str]) -> dict[str, MemberQuery]:
    def at(fraction: float) -> dt.datetime:
        return _START + dt.timedelta(seconds=int(members * fraction))

    some = [codes[members // 2], codes[members // 3], codes[members // 4]]
    return {
        "none -created_at": MemberQuery(),
        "customer": MemberQuery(customer=f"c{members // 2}"),
        "code": MemberQuery(code=codes[members // 2]),
        "ids": MemberQuery(ids=tuple(card_id(program_id, code) for code in some)),
        "created_after -created_at": MemberQuery(created_after=at(0.5)),
        "updated_before -created_at": MemberQuery(updated_before=at(0.3)),
        "created_after code": MemberQuery(created_after=at(0.5), order="code"),
        "updated_before updated_at": MemberQuery(updated_before=at(0.3), order="updated_at"),
        "created_after -updated_at": MemberQuery(created_after=at(0.5), order="-updated_at"),
        "updated_after created_at": MemberQuery(updated_after=at(0.5), order="created_at"),
        "created_before -updated_at": MemberQuery(created_before=at(0.5), order="-updated_at"),
        "created_before page 20": MemberQuery(created_before=at(0.9), page=20),
    }


def measure_scale(
    members: int, seed_members: int, report: Callable[[ScaleFigure], None], seed_runs: int = 1
) -> list[ScaleFigure]:
    """Every scale figure: reads and writes at ``members`` members, seeding ``seed_members``.

    Issue 5's targets are for 1,000,000 members. Seeding runs ``seed_runs`` times, each in
    a fresh process: the fastest time counts, and the median memory.
    """
    note = f" at {members:,}"
    small, small_id, small_codes = _program(BASE)
    big, big_id, big_codes = _program(members)
    figures: list[ScaleFigure] = []

    def page(fake: LoyaltyFake, program_id: str, query: MemberQuery) -> Callable[[], Any]:
        def listed() -> Any:
            with fake.ledger.session(fake.app_id) as session:
                return session.members.page(program_id, query)

        return listed

    small_queries = _queries(BASE, small_id, small_codes)
    big_queries = _queries(members, big_id, big_codes)
    for name, query in small_queries.items():
        base = _time_us(page(small, small_id, query), 200)
        value = _time_us(page(big, big_id, big_queries[name]), 20)
        figures.append(ScaleFigure(f"scale/list {name}", value, base, US, 3.0, note))
        report(figures[-1])

    # Through the in-process handler, as a request costs apart from its transport: the
    # ledger's own lookup is one dict probe (0.4 us), where a cache miss at a million
    # entries is all a ratio would show.
    def get_member(fake: LoyaltyFake, code: str) -> Callable[[], Any]:
        return _answered(lambda: fake.request("GET", f"/v1/loyalties/members/{code}"))

    def balance(fake: LoyaltyFake, code: str) -> Callable[[], Any]:
        path = f"/v1/loyalties/members/{code}/balance"
        return _answered(lambda: fake.request("POST", path, json_body={"points": 1}))

    makers: dict[str, Callable[[LoyaltyFake, str], Callable[[], Any]]] = {
        "get_member": get_member,
        "balance": balance,
    }
    for name, make in makers.items():
        base = _time_us(make(small, small_codes[BASE // 2]), 500)
        value = _time_us(make(big, big_codes[members // 2]), 500)
        figures.append(ScaleFigure(f"scale/{name}", value, base, US, 1.5, note))
        report(figures[-1])
    del small, big
    gc.collect()
    small, small_id = _stocked(BASE)
    big, big_id = _stocked(members)
    base = _time_us(_join(small, small_id), _JOINS // 5)
    value = _time_us(_join(big, big_id), _JOINS // 5)
    figures.append(ScaleFigure("scale/add_member from stock", value, base, US, 1.5, note))
    report(figures[-1])
    del small, big
    gc.collect()
    runs = [_seed_elsewhere(seed_members) for _ in range(seed_runs)]
    if seed_runs > 1:
        print(
            "# seeding runs: "
            + ", ".join(f"{seconds:.2f} s, {size / seed_members:,.0f} B" for seconds, size in runs),
            file=sys.stderr,
        )
    took = min(seconds for seconds, _ in runs)
    grown = int(statistics.median(size for _, size in runs))
    rate = seed_members / took
    figures.append(
        ScaleFigure(
            "scale/seeding seconds",
            1_000_000 / rate,
            None,
            "s per 1M",
            30,
            f"({rate:,.0f} members/s with histories, {seed_members:,} seeded in {took:,.1f} s)",
        )
    )
    report(figures[-1])
    figures.append(
        ScaleFigure(
            "scale/memory per member",
            grown / seed_members,
            None,
            "B",
            2048,
            f"(resident memory grown by seeding {seed_members:,} members, in a fresh process)",
        )
    )
    report(figures[-1])
    print(f"# scale: built {members:,} members twice", file=sys.stderr)
    return figures
