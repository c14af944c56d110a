"""One unit of work over the ledger: a failed request changes nothing.

The outermost unit takes the ledger's lock; every change made inside is noted in an
``UndoLog`` as it is made, and a unit that raises puts all of it back (the ID stream and
the clock included) before the exception goes on. A session (``session.py``) is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loyalty_fake.ledger.undo import UndoLog

if TYPE_CHECKING:
    import datetime as dt
    import threading
    from collections.abc import Callable
    from types import TracebackType

    from loyalty_fake.clock import Clock
    from loyalty_fake.ids import IdGenerator, Position

__all__ = ["UnitOfWork"]


class UnitOfWork:
    """``with ledger.unit_of_work():`` holds the ledger; on any exception, undoes the block.

    The outermost block is the unit: it takes the ledger's lock, has the ledger note
    every change in ``undo`` as it makes it, and, when the block raises, puts all of
    them back (the ID stream and the clock included) before the exception goes on.
    Blocks inside it join it. Outside a unit ``undo`` is ``None`` and nothing is noted.
    """

    __slots__ = (
        "_clock",
        "_committed",
        "_depth",
        "_frozen_at",
        "_ids",
        "_lock",
        "_notes",
        "_position",
        "undo",
    )

    def __init__(self, lock: threading.RLock, clock: Clock, ids: IdGenerator) -> None:
        """Units over the state that ``lock`` guards, ``clock`` dates and ``ids`` names."""
        self._lock = lock
        self._clock = clock
        self._ids = ids
        # One log for every unit, emptied when each ends; the clock and the ID stream
        # as the unit found them.
        self._notes = UndoLog()
        self._depth = 0
        self._frozen_at: dt.datetime | None = None
        self._position: Position = ids.position()
        self.undo: UndoLog | None = None
        # What runs once the outermost unit commits (the webhooks), in order.
        self._committed: list[Callable[[], None]] = []

    def __enter__(self) -> None:
        self._lock.acquire()
        self._depth += 1
        if self._depth > 1:
            return
        try:
            self.undo = self._notes
            self._frozen_at = self._clock.frozen_at
            self._position = self._ids.position()
        except BaseException:
            self._end()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._depth > 1:
            self._depth -= 1
            self._lock.release()
        elif exc_type is None or getattr(exc, "recorded", False):
            # A refusal Voucherify records (a failed redemption) keeps its record: every
            # check ran before it, so the record is all the unit changed.
            try:
                if self._committed:  # most units announce nothing
                    self._run_committed()
            except BaseException:
                # A bug while announcing the unit: it is undone like any other.
                self._roll_back()
                raise
            self.undo = None
            self._notes.clear()
            self._depth = 0
            self._lock.release()
        else:
            self._roll_back()

    def _roll_back(self) -> None:
        """Put back everything the unit changed, then close it."""
        try:
            try:
                self._notes.rollback()
            finally:
                _put_clock_back(self._clock, self._frozen_at)
                if self._ids.position() != self._position:
                    self._ids.rewind(self._position)
        finally:
            self._end()

    def on_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` as the outermost unit commits (now, outside any unit).

        Last, still holding the lock, so that what commits first is announced first;
        a unit that is undone drops it, and one whose action raises is undone.
        """
        if self._depth == 0:
            action()
        else:
            self._committed.append(action)

    def _run_committed(self) -> None:
        # What an action's own calls add (a subscriber calling the fake) runs too.
        while self._committed:
            self._committed.pop(0)()

    def _end(self) -> None:
        """Close the outermost unit, whatever happened: no note outlives it."""
        try:
            self.undo = None
            self._notes.clear()
            self._committed.clear()
        finally:
            self._depth -= 1
            self._lock.release()


def _put_clock_back(clock: Clock, frozen_at: dt.datetime | None) -> None:
    if frozen_at is None:
        clock.unfreeze()
    elif clock.frozen_at != frozen_at:
        clock.freeze(frozen_at)
