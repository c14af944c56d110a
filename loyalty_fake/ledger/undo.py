"""One unit of work's undo log: how to put back what it changed, should it fail.

A request is one unit of work. Just before the ledger changes something that may have
existed before the unit began, it notes here how to put it back: a record's fields, a
growing container's length, a small container's contents, the ID stream's position. A
unit that raises is rolled back, newest note first, so the state is exactly what it
was, down to the bytes of a snapshot; a unit that finishes drops its notes. Each thing
is noted once per unit, what the unit creates costs nothing, and with no unit open
(bulk seeding) nothing is noted at all.
"""

from __future__ import annotations

from array import array
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

__all__ = ["Truncatable", "UndoLog"]


class Truncatable(Protocol):
    """A container that only grows within a unit and can be cut back to a length."""

    def __len__(self) -> int: ...
    def truncate(self, length: int) -> None:
        """Drop everything after the first ``length`` items."""


# attrs classes by their field names and a getter of all their values at once.
_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _fields(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    found = _FIELDS.get(cls)
    if found is None:
        names = tuple(field.name for field in attrs.fields(cls))
        getter = attrgetter(*names)
        found = _FIELDS[cls] = (names, getter if len(names) > 1 else lambda r: (getter(r),))
    return found


def _set_fields(record: Any, names: tuple[str, ...], values: tuple[Any, ...]) -> None:
    for name, value in zip(names, values, strict=True):
        # Past attrs' on-setattr hooks: the values were the record's own a moment ago.
        object.__setattr__(record, name, value)


def _truncate(container: Any, length: int) -> None:
    if isinstance(container, dict):
        # Dicts keep insertion order: what the unit added is at the end.
        for key in list(islice(reversed(container), len(container) - length)):
            del container[key]
    elif isinstance(container, list | array):
        del container[length:]
    else:
        container.truncate(length)


def _restore(container: Any, saved: Any) -> None:
    if isinstance(container, dict):
        container.clear()
        container.update(saved)
    else:
        container[:] = saved


class UndoLog:
    """The notes of one unit of work; ``rollback()`` applies them, newest first."""

    __slots__ = ("_entries", "_kept", "_last", "_sealed", "_seen")

    def __init__(self) -> None:
        """An empty log."""
        self._entries: list[tuple[Any, ...]] = []
        # What is already noted, by id: every noted object is held by an entry, and what
        # first() marks as new is held by the state, so no id is reused while the unit
        # lasts. One set for fields, lengths and first(); one for contents (keep()).
        self._seen: set[int] = set()
        self._kept: set[int] = set()
        self._last: dict[Hashable, tuple[Callable[..., None], tuple[Any, ...]]] = {}
        self._sealed = False

    def __len__(self) -> int:
        """How many notes the log holds."""
        return len(self._entries)

    @property
    def sealed(self) -> bool:
        """Whether the whole state is noted (``seal``): the unit's changes need no notes."""
        return self._sealed

    def touch(self, record: Any) -> None:
        """Note an attrs record's fields before the unit first changes one of them.

        A field holding a container the unit changes in place needs its own note.
        """
        key = id(record)
        if key in self._seen or self._sealed:
            return
        self._seen.add(key)
        names, values = _FIELDS.get(type(record)) or _fields(type(record))
        self._entries.append((_set_fields, record, names, values(record)))

    def first(self, thing: object) -> bool:
        """Whether ``thing`` is not yet noted in this unit (it is, from now on).

        For notes of one's own: ``if undo.first(x): undo.undo(put_back, x, ...)``; and
        for what the unit creates, so that nothing of it is noted later.
        """
        key = id(thing)
        if key in self._seen or self._sealed:
            return False
        self._seen.add(key)
        return True

    def mark(self, *containers: dict[Any, Any] | list[Any] | array[Any] | Truncatable) -> None:
        """Note the length of each container the unit only adds to (at the end, for lists).

        A dict must only get new keys: rolling back removes the newest keys.
        """
        if self._sealed:
            return
        seen = self._seen
        for container in containers:
            key = id(container)
            if key not in seen:
                seen.add(key)
                self._entries.append((_truncate, container, len(container)))

    def keep(self, container: dict[Any, Any] | list[Any] | array[Any]) -> None:
        """Note a copy of a container before the unit changes it otherwise (removals, sorts).

        A copy is the container's size: for the small ones, or before work that is as
        large anyway (deleting a program for good).
        """
        key = id(container)
        if self._sealed or key in self._kept:
            return
        self._kept.add(key)
        copy: Any = dict(container) if isinstance(container, dict) else container[:]
        self._entries.append((_restore, container, copy))

    def undo(self, action: Callable[..., None], *args: Any) -> None:
        """Note a call that puts something back: ``action(*args)``, in its turn."""
        if not self._sealed:
            self._entries.append((action, *args))

    def finally_(self, key: Hashable, action: Callable[..., None], *args: Any) -> None:
        """Note ``action(*args)`` to run after every other note (rebuild an index), once per key."""
        if not self._sealed and key not in self._last:
            self._last[key] = (action, args)

    def seal(self, restore: Callable[[], None]) -> None:
        """Note ``restore`` of the whole state: nothing the unit does after needs a note."""
        if not self._sealed:
            self._entries.append((restore,))
            self._sealed = True

    def clear(self) -> None:
        """Forget every note: the unit finished."""
        if self._entries:
            self._entries.clear()
        if self._seen:
            self._seen.clear()
        if self._kept:
            self._kept.clear()
        if self._last:
            self._last.clear()
        self._sealed = False

    def rollback(self) -> None:
        """Put back everything noted, newest first, then run the ``finally_`` actions.

        Raises ``RuntimeError`` (after trying every note) when a note fails: the state
        may then be damaged, and the caller must not carry on as if it were not.
        """
        failed: BaseException | None = None
        for entry in reversed(self._entries):
            try:
                entry[0](*entry[1:])
            except Exception as error:  # noqa: BLE001, PERF203 - keep undoing the rest
                failed = failed or error
        for action, args in self._last.values():
            try:
                action(*args)
            except Exception as error:  # noqa: BLE001, PERF203
                failed = failed or error
        self.clear()
        if failed is not None:
            msg = f"loyalty-fake could not undo a failed change: {failed!r}"
            raise RuntimeError(msg) from failed
