"""What falls due at an instant: the one place where time makes things happen.

Voucherify runs its time-driven work nightly, in a documented order: pending points
activate, rewards auto-redeem, tiers are recalculated, points expire, balance-based tiers
follow. ``SCHEDULE`` keeps one named slot for each, in that order; a slot without an
implementation yet is skipped. A session asks the schedule once, when it opens (and again
when seeding moves the clock), so time moves only through a session, never as a side
effect of looking something up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.session import Session

__all__ = ["SCHEDULE", "Schedule", "Slot"]


@attrs.frozen
class Slot:
    """One kind of time-driven work: whether any is due at an instant, and doing it."""

    name: str
    is_due: Callable[[Project, dt.datetime], bool] | None = None
    run: Callable[[Session], None] | None = None


@attrs.frozen
class Schedule:
    """Slots in the order Voucherify runs them; ``due`` and ``catch_up`` walk them in order."""

    slots: tuple[Slot, ...]

    def due(self, project: Project, at: dt.datetime) -> list[str]:
        """The names of the slots with work due in ``project`` at ``at``, in running order."""
        return [
            slot.name
            for slot in self.slots
            if slot.is_due is not None and slot.run is not None and slot.is_due(project, at)
        ]

    def catch_up(self, session: Session) -> None:
        """Do every piece of work due at the session's instant, slot by slot."""
        project = session.existing_project
        if project is None:
            return
        now = session.clock.now()
        for slot in self.slots:
            if slot.is_due is not None and slot.run is not None and slot.is_due(project, now):
                slot.run(session)


def _expiry_due(project: Project, at: dt.datetime) -> bool:
    # Points expire at midnight UTC after their last day (expiry.py says which midnight).
    instants = project.expiry_instants
    return bool(instants) and instants[0] <= at


def _expire(session: Session) -> None:
    session.points.expire_due()


SCHEDULE = Schedule(
    slots=(
        Slot("pending_points_activation"),
        Slot("rewards_auto_redeem"),
        Slot("tiers_recalculation"),
        Slot("points_expiration", _expiry_due, _expire),
        Slot("balance_tiers"),
    )
)
