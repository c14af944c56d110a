"""``Blocks``: cards in one date order, in blocks that know their span of the other date.

The two date orders of a program's member index (``member_index.py``) are each one of
these: a sorted list in blocks of ``_LOAD`` cards, as ``sortedcontainers`` keeps one,
where each block (and each group of ``_GROUP`` blocks) also knows the earliest and latest
other date among its cards, so a walk with a filter on that date skips what cannot match.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Iterator

    from loyalty_fake.ledger.cards import LoyaltyCard

__all__ = ["Blocks"]

_Key = tuple[Any, ...]

_LOAD = 512
_GROUP = 32


class Blocks:
    """Cards in one date order, in blocks, each block knowing its span of the other date.

    The order is ``key(card)``: ``(created_at, seq)`` or ``(updated_at, seq)``. The
    blocks hold the cards themselves, not key tuples: at a million members a tuple per
    card per order was 128 bytes a member. Each block also knows the earliest and latest
    *other* date among its cards, so that a walk in this order with a filter on the
    other date skips every block that cannot match, without looking at its cards: a
    page ordered by ``created_at`` with ``updated_at[after]`` costs the blocks it
    skips plus the cards it keeps. A block whose cards changed is marked and its span
    recomputed when a walk next reaches it.
    """

    __slots__ = (
        "_blocks",
        "_dirty",
        "_groups",
        "_highs",
        "_key",
        "_lows",
        "_maxes",
        "_other",
        "_starts",
    )

    def __init__(
        self,
        key: Callable[[LoyaltyCard], _Key],
        other: Callable[[LoyaltyCard], dt.datetime],
        cards: Iterable[LoyaltyCard] = (),
        *,
        in_key_order: bool = False,
    ) -> None:
        """Blocks of ``cards`` in ``key`` order, knowing the spans of ``other``.

        ``in_key_order``: ``cards`` already are (a list), and are not sorted again.
        """
        self._key = key
        self._other = other
        ordered = cards if in_key_order and isinstance(cards, list) else sorted(cards, key=key)
        self._blocks = [ordered[i : i + _LOAD] for i in range(0, len(ordered), _LOAD)]
        self._maxes = [key(block[-1]) for block in self._blocks]
        self._lows: list[dt.datetime | None] = [None] * len(self._blocks)
        self._highs: list[dt.datetime | None] = [None] * len(self._blocks)
        self._dirty = [True] * len(self._blocks)
        self._starts: list[int] | None = None
        # Spans of groups of _GROUP blocks, by group number (see walk).
        self._groups: dict[int, tuple[dt.datetime, dt.datetime]] = {}

    def __reduce__(self) -> tuple[type[Blocks], tuple[Any, ...]]:
        return Blocks, (self._key, self._other, list(self))

    def __len__(self) -> int:
        return self._offsets()[-1]

    def __iter__(self) -> Iterator[LoyaltyCard]:
        for block in self._blocks:
            yield from block

    def _offsets(self) -> list[int]:
        """Where each block starts, and the total at the end (cached until a change)."""
        if self._starts is None:
            self._starts = [0, *accumulate(map(len, self._blocks))]
        return self._starts

    def add(self, card: LoyaltyCard) -> None:
        """Insert ``card`` where its key puts it."""
        self._starts = None
        key, other = self._key(card), self._other(card)
        if not self._blocks:
            self._groups.clear()
            self._blocks.append([card])
            self._maxes.append(key)
            self._lows.append(other)
            self._highs.append(other)
            self._dirty.append(False)
            return
        if key >= self._maxes[-1]:
            # The newest card (a join, a change now): last, with no search of the block.
            pos = len(self._blocks) - 1
            block = self._blocks[pos]
            block.append(card)
            self._maxes[pos] = key
        else:
            pos = min(bisect_right(self._maxes, key), len(self._blocks) - 1)
            block = self._blocks[pos]
            block.insert(bisect_right(block, key, key=self._key), card)
            self._maxes[pos] = self._key(block[-1])
        self._widen(pos, other)
        if len(block) > 2 * _LOAD:
            self._groups.clear()  # the blocks after this one move to other groups
            half = block[_LOAD:]
            del block[_LOAD:]
            self._maxes[pos] = self._key(block[-1])
            self._blocks.insert(pos + 1, half)
            self._maxes.insert(pos + 1, self._key(half[-1]))
            self._lows.insert(pos + 1, None)
            self._highs.insert(pos + 1, None)
            self._dirty[pos] = True
            self._dirty.insert(pos + 1, True)

    def remove(self, card: LoyaltyCard, key: _Key | None = None) -> None:
        """Remove ``card``, which ``key`` placed (default: its key now)."""
        self._starts = None
        placed = self._key(card) if key is None else key
        pos = bisect_left(self._maxes, placed)
        block = self._blocks[pos]
        # The member changed last, changed again, is last in its block. A card whose key
        # moved forward (a change dated now) is found by its key now: the cards before it
        # still sort below ``placed`` and it no longer does, as when it was placed.
        index = len(block) - 1
        if block[index] is not card:
            index = bisect_left(block, placed, key=self._key)
        if index == len(block) or block[index] is not card:

            def as_placed(other: LoyaltyCard) -> _Key:
                return placed if other is card else self._key(other)

            index = bisect_left(block, placed, key=as_placed)
            if block[index] is not card:
                raise ValueError(f"{card.code} is not where {placed} puts it")
        del block[index]
        if block:
            self._maxes[pos] = self._key(block[-1])
            self._dirty[pos] = True
            self._groups.pop(pos // _GROUP, None)
        else:
            self._groups.clear()
            for column in (self._blocks, self._maxes, self._lows, self._highs, self._dirty):
                del column[pos]

    def move(self, card: LoyaltyCard, placed: _Key) -> None:
        """Move ``card``, which ``placed`` placed, to where its key puts it now."""
        key = self._key(card)
        blocks = self._blocks
        if blocks[-1][-1] is card and key >= placed:
            # The member changed last, changed again: every other card sorts below
            # ``placed``, so it stays last, and only its block's bound moves on.
            self._maxes[-1] = key
            self._widen(len(blocks) - 1, self._other(card))
            return
        self.remove(card, placed)
        self.add(card)

    def touch(self, card: LoyaltyCard) -> None:
        """The other date of ``card`` changed: widen its block's span to cover it.

        The old date may have been the block's earliest or latest; a span that is too
        wide only makes a walk look at a block it could have skipped.
        """
        pos = bisect_left(self._maxes, self._key(card))
        if pos < len(self._dirty):
            self._widen(pos, self._other(card))

    def _widen(self, pos: int, other: dt.datetime) -> None:
        self._groups.pop(pos // _GROUP, None)
        if not self._dirty[pos]:
            low, high = self._lows[pos], self._highs[pos]
            self._lows[pos] = other if low is None else min(low, other)
            self._highs[pos] = other if high is None else max(high, other)

    def bisect_left(self, key: tuple[Any, ...]) -> int:
        """The position of the first card whose key is not below ``key``."""
        pos = bisect_left(self._maxes, key)
        if pos == len(self._blocks):
            return len(self)
        return self._offsets()[pos] + bisect_left(self._blocks[pos], key, key=self._key)

    def bisect_right(self, key: tuple[Any, ...]) -> int:
        """The position after the last card whose key is not above ``key``."""
        pos = bisect_right(self._maxes, key)
        if pos == len(self._blocks):
            return len(self)
        return self._offsets()[pos] + bisect_right(self._blocks[pos], key, key=self._key)

    def walk(
        self,
        low: int,
        high: int,
        *,
        reverse: bool = False,
        keep: Callable[[dt.datetime, dt.datetime], bool] | None = None,
    ) -> Iterator[LoyaltyCard]:
        """The cards at positions ``low`` to ``high``, in order or reversed.

        With ``keep``, blocks it rejects are skipped: ``keep(earliest, latest)`` says
        whether a block's span of the other date may hold a match.
        """
        starts = self._offsets()
        if low >= high:
            return
        first = bisect_right(starts, low) - 1
        last = bisect_right(starts, high - 1) - 1
        step = -1 if reverse else 1
        pos = last if reverse else first
        while first <= pos <= last:
            if keep is not None:
                # A whole group of blocks the walk covers is judged at once by its span:
                # at a million members that is 60 checks to skip half of them, not 1,000.
                group = pos // _GROUP
                group_first = group * _GROUP
                group_last = min(group_first + _GROUP, len(self._blocks)) - 1
                entering = pos == (group_last if reverse else group_first)
                if entering and first <= group_first and group_last <= last:
                    earliest, latest = self._group_span(group, group_first, group_last)
                    if not keep(earliest, latest):
                        pos = group_first - 1 if reverse else group_last + 1
                        continue
                earliest, latest = self._span(pos)
                if not keep(earliest, latest):
                    pos += step
                    continue
            block = self._blocks[pos]
            part = block[max(low - starts[pos], 0) : min(high - starts[pos], len(block))]
            yield from reversed(part) if reverse else part
            pos += step

    def _span(self, pos: int) -> tuple[dt.datetime, dt.datetime]:
        """The earliest and latest other date of block ``pos``, recomputed if it changed."""
        if self._dirty[pos]:
            others = [self._other(card) for card in self._blocks[pos]]
            self._lows[pos], self._highs[pos] = min(others), max(others)
            self._dirty[pos] = False
        earliest, latest = self._lows[pos], self._highs[pos]
        assert earliest is not None  # noqa: S101 - a clean block has both
        assert latest is not None  # noqa: S101
        return earliest, latest

    def _group_span(self, group: int, first: int, last: int) -> tuple[dt.datetime, dt.datetime]:
        """The span of blocks ``first`` to ``last`` (group ``group``), cached until one changes."""
        found = self._groups.get(group)
        if found is None:
            spans = [self._span(pos) for pos in range(first, last + 1)]
            found = self._groups[group] = (
                min(span[0] for span in spans),
                max(span[1] for span in spans),
            )
        return found
