"""``Ledger.session``'s block: the unit, the pinned clock and the session, in and out.

A class rather than a generator-based context manager: every request opens one, and
the generator, its ``contextlib`` wrapper and the clock's own wrapper cost as much as
a small request's own work. The order is the one a ``with unit, pinned():`` over a
``yield`` would keep: the unit first and last, the clock inside it; due work is done
before the block, reactions after it; when anything raises, the unit is told, so that
everything is put back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loyalty_fake.ledger.session import Session

if TYPE_CHECKING:
    import datetime as dt
    import threading
    from types import TracebackType

    from loyalty_fake.ledger import Ledger
    from loyalty_fake.ledger.unit import UnitOfWork

__all__ = ["SessionBlock"]


class SessionBlock:
    """``with ledger.session(app_id) as session:`` (see ``Ledger.session``)."""

    __slots__ = ("_app_id", "_guard", "_ledger", "_previous", "_session", "_unit")

    def __init__(
        self,
        ledger: Ledger,
        app_id: str,
        guard: UnitOfWork | threading.RLock | None,
        unit: UnitOfWork,
    ) -> None:
        """A session on ``app_id``'s project, inside ``guard`` (the unit, or the bare lock).

        ``None``: the caller holds the unit on this thread already, and the block joins it.
        """
        self._ledger = ledger
        self._app_id = app_id
        self._guard = guard
        self._unit = unit
        # The clock's pin before the block's (``Clock.pin``), put back as it ends.
        self._previous: dt.datetime | None = None
        self._session: Session | None = None

    def __enter__(self) -> Session:
        if self._guard is not None:
            self._guard.__enter__()
        clock = self._ledger.clock
        try:
            self._previous, now = clock.pin()
        except BaseException as error:
            self._leave(type(error), error, error.__traceback__)
            raise
        try:
            session = self._session = Session(self._ledger, self._app_id)
            session.settle(now)
        except BaseException as error:
            clock.unpin(self._previous)
            self._leave(type(error), error, error.__traceback__)
            raise
        return session

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None and self._session is not None:
                self._session.finish()
        except BaseException as error:
            self._ledger.clock.unpin(self._previous)
            self._leave(type(error), error, error.__traceback__)
            raise
        self._ledger.clock.unpin(self._previous)
        if self._guard is not None:
            self._guard.__exit__(exc_type, exc, tb)

    def _leave(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Leave the guard, if the block entered one, telling it how the block ended."""
        if self._guard is not None:
            self._guard.__exit__(exc_type, exc, tb)
