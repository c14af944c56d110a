"""What falls due at an instant: the one place where time makes things happen.

Voucherify runs its time-driven work nightly, in a documented order: pending points
activate, rewards auto-redeem, tiers are recalculated, points expire, balance-based tiers
follow. ``SCHEDULE`` keeps one named slot for each, in that order; a slot without an
implementation yet is skipped. A session asks the schedule once, when it opens (and again
when seeding moves the clock), so time moves only through a session, never as a side
effect of looking something up.

When the clock has moved past several midnights, the schedule replays them one by one:
each night's work runs in the slots' order before the next night's, so points that
activate on the 5th expire after those due on the 3rd, as they would have day by day.

A slot may do a large night in chunks (tiers: ``tier_nights.py``): one session does one
chunk and stops there, so no request holds the lock for long; the next session, or
``Ledger.catch_up``, goes on where it stopped, in the same order.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

import attrs

from loyalty_fake.ledger.auto_redeem import auto_redeem_due, auto_redeem_run
from loyalty_fake.ledger.tier_nights import (
    balance_tiers_due,
    recalculate_balance_tiers,
    recalculate_tiers,
    tiers_due,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.session import Session

__all__ = ["SCHEDULE", "Schedule", "Slot"]


@attrs.frozen
class Slot:
    """One kind of time-driven work: when the next piece falls due, and doing it.

    ``next_due``: the instant the slot's soonest work falls due, ``None`` for none.
    ``run``: do every piece of the slot's work due at or before the instant given; a run
    that answers ``False`` did one chunk of it and left the rest for the next session.
    """

    name: str
    next_due: Callable[[Project], dt.datetime | None] | None = None
    run: Callable[[Session, dt.datetime], bool | None] | None = None
    # The project's attribute holding the slot's work: while it is empty, ``next_due``
    # answers ``None``, and a session need not ask (``None``: always ask).
    waiting: str | None = None

    def is_due(self, project: Project, at: dt.datetime) -> bool:
        """Whether the slot has work due in ``project`` at ``at``."""
        if self.next_due is None or self.run is None:
            return False
        due = self.next_due(project)
        return due is not None and due <= at


@attrs.frozen
class Schedule:
    """Slots in the order Voucherify runs them; ``due`` and ``catch_up`` walk them in order."""

    slots: tuple[Slot, ...]
    # The ``next_due`` of every slot that has one and a ``run``: what ``_soonest`` asks.
    _next_dues: tuple[Callable[[Project], dt.datetime | None], ...] = attrs.field(
        init=False, repr=False, eq=False
    )

    @_next_dues.default
    def _working_slots(self) -> tuple[Callable[[Project], dt.datetime | None], ...]:
        working = [slot for slot in self.slots if slot.run is not None]
        return tuple(slot.next_due for slot in working if slot.next_due is not None)

    # Every working slot's ``waiting``, read at once: a session finds them all empty in a
    # third of what asking each slot costs. ``None`` when a slot names none (always ask).
    _waiting: Callable[[Project], tuple[object, ...]] | None = attrs.field(
        init=False, repr=False, eq=False
    )

    @_waiting.default
    def _waiting_getter(self) -> Callable[[Project], tuple[object, ...]] | None:
        working = [s for s in self.slots if s.run is not None and s.next_due is not None]
        names = [slot.waiting for slot in working if slot.waiting is not None]
        if len(names) != len(working):
            return None
        if len(names) > 1:
            return operator.attrgetter(*names)
        # attrgetter of one name answers the value itself, not a tuple of it.
        return lambda project: tuple(getattr(project, name) for name in names)

    def due(self, project: Project, at: dt.datetime) -> list[str]:
        """The names of the slots with work due in ``project`` at ``at``, in running order."""
        return [slot.name for slot in self.slots if slot.is_due(project, at)]

    def _soonest(self, project: Project, now: dt.datetime) -> dt.datetime | None:
        """The soonest instant, at or before ``now``, at which any slot has work.

        Asked by every session, which nearly always finds nothing due: a plain loop,
        after one look at every slot's ``waiting`` work.
        """
        waiting = self._waiting
        if waiting is not None and not any(waiting(project)):
            return None
        soonest = None
        for next_due in self._next_dues:
            due = next_due(project)
            if due is not None and due <= now and (soonest is None or due < soonest):
                soonest = due
        return soonest

    def catch_up(self, session: Session, now: dt.datetime | None = None) -> None:
        """Do every piece of work due by the session's instant, night by night, slot by slot.

        ``now``: the session's instant, when the caller has it (``session.clock.now()``).
        """
        project = session.existing_project
        if project is None:
            return
        if now is None:
            now = session.clock.now()
        night = self._soonest(project, now)
        while night is not None:
            for slot in self.slots:
                if slot.run is None or not slot.is_due(project, night):
                    continue
                # A chunk of a large night (False): the rest, and the slots after it,
                # wait for the next session (the lock is released between).
                if slot.run(session, night) is False:
                    return
            night = self._soonest(project, now)


def _pending_due(project: Project) -> dt.datetime | None:
    # Pending points activate at 00:00 UTC of their activates_at day (pending.py).
    instants = project.pending_instants
    return instants[0] if instants else None


def _activate(session: Session, until: dt.datetime) -> None:
    session.pending_points.activate_due(until)


def _expiry_due(project: Project) -> dt.datetime | None:
    # Points expire at midnight UTC after their last day (expiry.py says which midnight).
    instants = project.expiry_instants
    return instants[0] if instants else None


def _expire(session: Session, until: dt.datetime) -> None:
    session.points.expire_due(until)


SCHEDULE = Schedule(
    slots=(
        Slot("pending_points_activation", _pending_due, _activate, "pending_instants"),
        Slot("rewards_auto_redeem", auto_redeem_due, auto_redeem_run, "reward_assignments"),
        Slot("tiers_recalculation", tiers_due, recalculate_tiers, "tier_instants"),
        Slot("points_expiration", _expiry_due, _expire, "expiry_instants"),
        Slot(
            "balance_tiers", balance_tiers_due, recalculate_balance_tiers, "tier_balance_instants"
        ),
    )
)
