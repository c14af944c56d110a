"""A session skips asking the schedule's slots while none has work waiting (``schedule.py``)."""

from __future__ import annotations

import datetime as dt

import attrs

from loyalty_fake.ledger import Project
from loyalty_fake.ledger.schedule import SCHEDULE, Schedule, Slot

_NOW = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
_PAST = _NOW - dt.timedelta(days=2)


@attrs.define
class _Work:
    """A stand-in project: two queues of instants."""

    first: list[dt.datetime] = attrs.field(factory=list)
    second: list[dt.datetime] = attrs.field(factory=list)


def _schedule(asked: list[str], *, second_waits: bool = True) -> Schedule:
    def due(name: str) -> Slot:
        def next_due(project: _Work) -> dt.datetime | None:
            asked.append(name)
            instants = getattr(project, name)
            return instants[0] if instants else None

        return Slot(name, next_due, lambda _session, _at: None, name)  # type: ignore[arg-type]

    first, second = due("first"), due("second")
    if not second_waits:
        second = attrs.evolve(second, waiting=None)
    return Schedule((first, second))


def test_nothing_waiting_asks_no_slot() -> None:
    """Empty queues: no slot is asked; work in either queue is found, as before."""
    asked: list[str] = []
    schedule = _schedule(asked)
    work = _Work()
    assert schedule._soonest(work, _NOW) is None  # type: ignore[arg-type]
    assert asked == []
    work.second.append(_PAST)
    assert schedule._soonest(work, _NOW) == _PAST  # type: ignore[arg-type]
    assert asked == ["first", "second"]


def test_a_slot_naming_no_queue_is_always_asked() -> None:
    """A slot without ``waiting`` turns the shortcut off: every slot is asked."""
    asked: list[str] = []
    schedule = _schedule(asked, second_waits=False)
    assert schedule._soonest(_Work(), _NOW) is None  # type: ignore[arg-type]
    assert asked == ["first", "second"]


def test_one_working_slot_reads_its_queue() -> None:
    """One slot: its queue alone decides (not the items of it)."""
    asked: list[str] = []
    schedule = Schedule((_schedule(asked).slots[0],))
    assert schedule._soonest(_Work(), _NOW) is None  # type: ignore[arg-type]
    assert schedule._soonest(_Work(first=[_PAST]), _NOW) == _PAST  # type: ignore[arg-type]
    assert asked == ["first"]


def test_every_slot_names_the_project_queue_its_next_due_reads() -> None:
    """Each slot's ``waiting`` is a project attribute, empty when the slot has nothing due."""
    project = Project(app_id="app", salt="salt")
    for slot in SCHEDULE.slots:
        assert slot.waiting is not None, slot.name
        assert not getattr(project, slot.waiting), slot.name
        assert slot.next_due is not None
        assert slot.next_due(project) is None, slot.name
    assert SCHEDULE._waiting is not None
