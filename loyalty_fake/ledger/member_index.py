"""Ordered indexes of a program's members, so a page costs what a page costs.

Each published card sits in three orders: by ``(created_at, seq)`` and by
``(updated_at, seq)`` (``Blocks``, whose blocks know their span of the other date), and
by ``code``. A listing ordered by one of them, with no filter or a date range on the
same field, is a bisect and a slice; a filter on the other date skips the blocks whose
span misses it.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from itertools import accumulate, islice
from typing import TYPE_CHECKING, Any

import attrs
from sortedcontainers import SortedList

from loyalty_fake.ledger.snapshot import register_layout

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Iterator

    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.members import MemberQuery

__all__ = [
    "Blocks",
    "MemberIndex",
    "in_order",
    "matches_dates",
    "within",
]

_Key = tuple[Any, ...]


_LOAD = 512
_GROUP = 32


def created_key(card: LoyaltyCard) -> _Key:
    """Where a card sits in the ``created_at`` order."""
    return (card.created_at, card.seq)


def updated_key(card: LoyaltyCard) -> _Key:
    """Where a card sits in the ``updated_at`` order (never updated: its creation)."""
    return (_updated(card), card.seq)


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
    ) -> None:
        """Blocks of ``cards`` in ``key`` order, knowing the spans of ``other``."""
        self._key = key
        self._other = other
        ordered = sorted(cards, key=key)
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


register_layout(Blocks, ("key", "other", "cards"))


def _created(card: LoyaltyCard) -> dt.datetime:
    return card.created_at


def _updated(card: LoyaltyCard) -> dt.datetime:
    return card.updated_at or card.created_at


@attrs.define
class MemberIndex:
    """The published cards of one campaign, kept in every order the API lists them."""

    # By created_at, each block knowing its cards' span of updated_at; by updated_at,
    # each block knowing its cards' span of created_at (see Blocks).
    _by_created: Blocks = attrs.field(factory=lambda: Blocks(created_key, _updated))
    _by_updated: Blocks = attrs.field(factory=lambda: Blocks(updated_key, _created))
    _by_code: SortedList[str] = attrs.field(factory=SortedList)
    # While deferred (bulk seeding), changes are not indexed; rebuild() catches up.
    _deferred: bool = False
    # Whether a card was ever updated before it was created (a test set the clock
    # back): the bounds one date implies for the other then no longer hold.
    _backdated: bool = False

    def __len__(self) -> int:
        return len(self._by_code)

    @property
    def deferred(self) -> bool:
        """Whether changes wait for ``rebuild`` (a bulk load is under way)."""
        return self._deferred

    @property
    def backdated(self) -> bool:
        """Whether a card was ever updated before it was created (see ``select``)."""
        return self._backdated

    def defer(self) -> None:
        """Stop indexing changes until ``rebuild``: for bulk loads, under the ledger's lock."""
        self._deferred = True

    def rebuild(self, members: Iterable[LoyaltyCard], *, backdated: bool | None = None) -> None:
        """Index exactly ``members`` (every published card of the program), and resume.

        One sort of a whole list costs far less than as many sorted insertions.
        ``backdated`` says what the index knew before, when it is put back as it was.
        """
        cards = list(members)
        self._by_created = Blocks(created_key, _updated, cards)
        self._by_updated = Blocks(updated_key, _created, cards)
        self._by_code = SortedList(card.code for card in cards)
        self._deferred = False
        self._backdated = (
            any(_is_backdated(card) for card in cards) if backdated is None else backdated
        )

    def add(self, card: LoyaltyCard) -> None:
        """Index a newly published card."""
        if self._deferred:
            return
        self._by_created.add(card)
        self._by_updated.add(card)
        self._by_code.add(card.code)
        self._backdated = self._backdated or _is_backdated(card)

    def retouch(self, card: LoyaltyCard, previous_updated_at: dt.datetime | None) -> None:
        """Move a card whose ``updated_at`` changed from ``previous_updated_at``."""
        if self._deferred:
            return
        self._by_updated.remove(card, (previous_updated_at or card.created_at, card.seq))
        self._by_updated.add(card)
        self._by_created.touch(card)
        self._backdated = self._backdated or _is_backdated(card)

    def select(
        self, query: MemberQuery, card_of: Callable[[str], LoyaltyCard]
    ) -> tuple[list[LoyaltyCard], int]:
        """One page of members for ``query``'s dates and order, and the count of matches.

        The order's own index gives the page; a date filter on another field is counted
        from that field's index by bisection, and the page walks the order, skipping the
        blocks whose other dates all miss, or, when the filter's range is narrow, sorts
        it outright. No full scan unless both date fields are filtered (the count then
        checks the narrower range card by card). ``card_of`` gives a card by its code.
        """
        field = query.order.lstrip("-")
        descending = query.order.startswith("-")
        start = (query.page - 1) * query.limit
        stop = start + query.limit
        bounds = {
            "created_at": (query.created_after, query.created_before),
            "updated_at": (query.updated_after, query.updated_before),
        }
        filtered = [
            name
            for name, (after, before) in bounds.items()
            if after is not None or before is not None
        ]
        others = [name for name in filtered if name != field]
        own = bounds.get(field, (None, None))
        # A card is updated no earlier than it is created: updated_at < T implies
        # created_at < T, and created_at > T implies updated_at > T. Those implied bounds
        # narrow the order's own range, so walking it meets few cards that fail (unless
        # a test set the clock back and some card was updated before its creation).
        if not self._backdated:
            if field == "created_at" and query.updated_before is not None:
                own = (own[0], _earliest(own[1], query.updated_before))
            if field == "updated_at" and query.created_after is not None:
                own = (_latest(own[0], query.created_after), own[1])
        keep = _keep(bounds[others[0]]) if field != "code" and len(others) == 1 else None
        ordered, count = self._ordered(field, descending, own, card_of, keep)
        if not others:
            return list(islice(ordered, start, stop)), count
        # The narrowest other range stands for the filters the order index cannot apply.
        ranges = {name: self._range(name, *bounds[name]) for name in others}
        narrowest = min(ranges, key=lambda name: ranges[name][1] - ranges[name][0])
        low, high = ranges[narrowest]
        width = high - low
        walk_cost = stop * len(self) / max(width, 1)
        narrow_index = self._by_created if narrowest == "created_at" else self._by_updated
        if width * math.log2(width + 2) <= walk_cost:
            matches = [c for c in narrow_index.walk(low, high) if matches_dates(c, query)]
            matches.sort(key=_ORDER[field], reverse=descending)
            return matches[start:stop], len(matches)
        if len(filtered) == 1:
            total = width  # the one filter is exactly that range
        else:
            total = sum(1 for c in narrow_index.walk(low, high) if matches_dates(c, query))
        page = list(islice((c for c in ordered if matches_dates(c, query)), start, stop))
        return page, total

    def _range(
        self, field: str, after: dt.datetime | None, before: dt.datetime | None
    ) -> tuple[int, int]:
        index = self._by_created if field == "created_at" else self._by_updated
        low = index.bisect_right((after, math.inf)) if after is not None else 0
        high = index.bisect_left((before,)) if before is not None else len(index)
        return low, max(low, high)

    def _ordered(
        self,
        field: str,
        descending: bool,
        own: tuple[dt.datetime | None, dt.datetime | None],
        card_of: Callable[[str], LoyaltyCard],
        keep: Callable[[dt.datetime, dt.datetime], bool] | None,
    ) -> tuple[Iterator[LoyaltyCard], int]:
        """The cards in ``field``'s order within ``own``, and how many there are.

        ``keep`` (see ``Blocks.walk``) skips the blocks whose other dates all miss.
        """
        if field == "code":
            codes = reversed(self._by_code) if descending else iter(self._by_code)
            return map(card_of, codes), len(self._by_code)
        index = self._by_created if field == "created_at" else self._by_updated
        low, high = self._range(field, *own)
        return index.walk(low, high, reverse=descending, keep=keep), high - low


def _keep(
    bounds: tuple[dt.datetime | None, dt.datetime | None],
) -> Callable[[dt.datetime, dt.datetime], bool]:
    """Whether a block whose other dates span ``earliest`` to ``latest`` may meet ``bounds``."""
    after, before = bounds

    def keep(earliest: dt.datetime, latest: dt.datetime) -> bool:
        return (after is None or latest > after) and (before is None or earliest < before)

    return keep


def _is_backdated(card: LoyaltyCard) -> bool:
    return card.updated_at is not None and card.updated_at < card.created_at


def _earliest(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    return b if a is None else min(a, b)


def _latest(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    return b if a is None else max(a, b)


def matches_dates(card: LoyaltyCard, query: MemberQuery) -> bool:
    """Whether the card falls within every date filter of ``query``."""
    return within(card.created_at, query.created_after, query.created_before) and within(
        _updated(card), query.updated_after, query.updated_before
    )


_ORDER: dict[str, Callable[[LoyaltyCard], Any]] = {
    "created_at": created_key,
    "updated_at": updated_key,
    "code": lambda card: card.code,
}


def in_order(cards: Iterable[LoyaltyCard], order: str) -> list[LoyaltyCard]:
    """``cards`` sorted as a listing with ``order`` (``-created_at``, ``code``, ...) sorts."""
    return sorted(cards, key=_ORDER[order.lstrip("-")], reverse=order.startswith("-"))


def within(value: dt.datetime, after: dt.datetime | None, before: dt.datetime | None) -> bool:
    """Whether ``value`` lies strictly between the optional bounds (Voucherify's before/after)."""
    return (after is None or value > after) and (before is None or value < before)
