"""Ordered indexes of a program's members, so a page costs what a page costs.

Each published card sits in three sorted lists: by ``(created_at, seq)``, by
``(updated_at, seq)`` and by ``code``. A listing ordered by one of them, with no
filter or a date range on the same field, is a bisect and a slice; other date
filters scan only the range the order's own filter leaves.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from itertools import accumulate, islice
from typing import TYPE_CHECKING, Any

import attrs
from sortedcontainers import SortedList

from loyalty_fake.pickling import positional_pickle

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Iterator

    from loyalty_fake.models import LoyaltyCard, MemberQuery

__all__ = ["Blocks", "MemberIndex", "matches_dates", "within"]

_Entry = tuple[Any, ...]


def _created_key(card: LoyaltyCard) -> _Entry:
    return (card.created_at, card.seq, card.code)


def _updated_key(card: LoyaltyCard) -> _Entry:
    return (card.updated_at or card.created_at, card.seq, card.code)


_LOAD = 512


class Blocks:
    """Index entries in sorted order, in blocks, each knowing the span of the other date.

    An entry is ``(date, seq, code)``: a card's ``created_at`` (or ``updated_at``), its
    sequence number and code. Each block also knows the earliest and latest of the
    *other* date among its cards, so that a walk in this order with a filter on the
    other date skips every block that cannot match, without looking at its cards: a
    page ordered by ``created_at`` with ``updated_at[after]`` costs the blocks it
    skips plus the cards it keeps. A block whose cards changed is marked and its span
    recomputed when a walk next reaches it.
    """

    __slots__ = ("_blocks", "_dirty", "_highs", "_lows", "_maxes", "_starts")

    def __init__(self, entries: list[_Entry] | None = None) -> None:
        """Blocks of ``entries`` (sorted here), every span still to compute."""
        ordered = sorted(entries or ())
        self._blocks = [ordered[i : i + _LOAD] for i in range(0, len(ordered), _LOAD)]
        self._maxes = [block[-1] for block in self._blocks]
        self._lows: list[dt.datetime | None] = [None] * len(self._blocks)
        self._highs: list[dt.datetime | None] = [None] * len(self._blocks)
        self._dirty = [True] * len(self._blocks)
        self._starts: list[int] | None = None

    def __reduce__(self) -> tuple[type[Blocks], tuple[list[_Entry]]]:
        return Blocks, (list(self),)

    def __len__(self) -> int:
        return self._offsets()[-1]

    def __iter__(self) -> Iterator[_Entry]:
        for block in self._blocks:
            yield from block

    def _offsets(self) -> list[int]:
        """Where each block starts, and the total at the end (cached until a change)."""
        if self._starts is None:
            self._starts = [0, *accumulate(map(len, self._blocks))]
        return self._starts

    def add(self, entry: _Entry, other: dt.datetime) -> None:
        """Insert ``entry``, whose card's other date is ``other``."""
        self._starts = None
        if not self._blocks:
            self._blocks.append([entry])
            self._maxes.append(entry)
            self._lows.append(other)
            self._highs.append(other)
            self._dirty.append(False)
            return
        pos = min(bisect_right(self._maxes, entry), len(self._blocks) - 1)
        block = self._blocks[pos]
        insort(block, entry)
        self._maxes[pos] = block[-1]
        if not self._dirty[pos]:
            low, high = self._lows[pos], self._highs[pos]
            self._lows[pos] = other if low is None else min(low, other)
            self._highs[pos] = other if high is None else max(high, other)
        if len(block) > 2 * _LOAD:
            half = block[_LOAD:]
            del block[_LOAD:]
            self._maxes[pos] = block[-1]
            self._blocks.insert(pos + 1, half)
            self._maxes.insert(pos + 1, half[-1])
            self._lows.insert(pos + 1, None)
            self._highs.insert(pos + 1, None)
            self._dirty[pos] = True
            self._dirty.insert(pos + 1, True)

    def remove(self, entry: _Entry) -> None:
        """Remove ``entry``, which must be present."""
        self._starts = None
        pos = bisect_left(self._maxes, entry)
        block = self._blocks[pos]
        del block[bisect_left(block, entry)]
        if block:
            self._maxes[pos] = block[-1]
            self._dirty[pos] = True
        else:
            for column in (self._blocks, self._maxes, self._lows, self._highs, self._dirty):
                del column[pos]

    def touch(self, entry: _Entry, other: dt.datetime) -> None:
        """The other date of ``entry``'s card is now ``other``: widen its block's span.

        The old date may have been the block's earliest or latest; a span that is too
        wide only makes a walk look at a block it could have skipped.
        """
        pos = bisect_left(self._maxes, entry)
        if pos < len(self._dirty) and not self._dirty[pos]:
            low, high = self._lows[pos], self._highs[pos]
            self._lows[pos] = other if low is None else min(low, other)
            self._highs[pos] = other if high is None else max(high, other)

    def bisect_left(self, key: tuple[Any, ...]) -> int:
        """The position of the first entry not below ``key``."""
        pos = bisect_left(self._maxes, key)
        if pos == len(self._blocks):
            return len(self)
        return self._offsets()[pos] + bisect_left(self._blocks[pos], key)

    def bisect_right(self, key: tuple[Any, ...]) -> int:
        """The position after the last entry not above ``key``."""
        pos = bisect_right(self._maxes, key)
        if pos == len(self._blocks):
            return len(self)
        return self._offsets()[pos] + bisect_right(self._blocks[pos], key)

    def islice(self, low: int, high: int, *, reverse: bool = False) -> Iterator[_Entry]:
        """Entries at positions ``low`` to ``high``, in order or reversed."""
        return self.walk(low, high, reverse=reverse)

    def walk(
        self,
        low: int,
        high: int,
        *,
        reverse: bool = False,
        keep: Callable[[dt.datetime, dt.datetime], bool] | None = None,
        other_of: Callable[[str], dt.datetime] | None = None,
    ) -> Iterator[_Entry]:
        """Entries at positions ``low`` to ``high``, skipping blocks whose span ``keep`` rejects.

        ``keep(earliest, latest)`` says whether a block's other dates may match;
        ``other_of(code)`` gives a card's other date, to recompute a changed block's span.
        """
        starts = self._offsets()
        if low >= high:
            return
        first = bisect_right(starts, low) - 1
        last = bisect_right(starts, high - 1) - 1
        positions = range(last, first - 1, -1) if reverse else range(first, last + 1)
        for pos in positions:
            if keep is not None and other_of is not None:
                if self._dirty[pos]:
                    others = [other_of(entry[-1]) for entry in self._blocks[pos]]
                    self._lows[pos], self._highs[pos] = min(others), max(others)
                    self._dirty[pos] = False
                earliest, latest = self._lows[pos], self._highs[pos]
                if earliest is not None and latest is not None and not keep(earliest, latest):
                    continue
            block = self._blocks[pos]
            begin = max(low - starts[pos], 0)
            end = min(high - starts[pos], len(block))
            part = block[begin:end]
            yield from reversed(part) if reverse else part


@positional_pickle
@attrs.define
class MemberIndex:
    """The published cards of one campaign, kept in every order the API lists them."""

    # By created_at, each block knowing its cards' span of updated_at; by updated_at,
    # each block knowing its cards' span of created_at (see Blocks).
    _by_created: Blocks = attrs.field(factory=Blocks)
    _by_updated: Blocks = attrs.field(factory=Blocks)
    _by_code: SortedList[str] = attrs.field(factory=SortedList)
    # While deferred (bulk seeding), changes are not indexed; rebuild() catches up.
    _deferred: bool = False
    # Whether a card was ever updated before it was created (a test set the clock
    # back): the bounds one date implies for the other then no longer hold.
    _backdated: bool = False

    def __len__(self) -> int:
        return len(self._by_code)

    def defer(self) -> None:
        """Stop indexing changes until ``rebuild``: for bulk loads, under the ledger's lock."""
        self._deferred = True

    def rebuild(self, members: Iterable[LoyaltyCard]) -> None:
        """Index exactly ``members`` (every published card of the program), and resume.

        One sort of a whole list costs far less than as many sorted insertions.
        """
        cards = list(members)
        self._by_created = Blocks(list(map(_created_key, cards)))
        self._by_updated = Blocks(list(map(_updated_key, cards)))
        self._by_code = SortedList(card.code for card in cards)
        self._deferred = False
        self._backdated = any(_is_backdated(card) for card in cards)

    def add(self, card: LoyaltyCard) -> None:
        """Index a newly published card."""
        if self._deferred:
            return
        self._by_created.add(_created_key(card), card.updated_at or card.created_at)
        self._by_updated.add(_updated_key(card), card.created_at)
        self._by_code.add(card.code)
        self._backdated = self._backdated or _is_backdated(card)

    def retouch(self, card: LoyaltyCard, previous_updated_at: dt.datetime | None) -> None:
        """Move a card whose ``updated_at`` changed from ``previous_updated_at``."""
        if self._deferred:
            return
        self._by_updated.remove((previous_updated_at or card.created_at, card.seq, card.code))
        self._by_updated.add(_updated_key(card), card.created_at)
        self._by_created.touch(_created_key(card), card.updated_at or card.created_at)
        self._backdated = self._backdated or _is_backdated(card)

    def select(
        self, query: MemberQuery, card_of: Callable[[str], LoyaltyCard]
    ) -> tuple[list[str], int]:
        """One page of member codes for ``query``'s dates and order, and the count of matches.

        The order's own index gives the page; a date filter on another field is counted
        from that field's index by bisection, and checked card by card only as far as
        the page needs, or, when its range is narrow, sorted outright. No full scan
        unless both date fields are filtered besides a third order.
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
        ordered, count = self._ordered(field, descending, own)
        if not others:
            return list(islice(ordered, start, stop)), count
        # The narrowest other range stands for the filters the order index cannot apply.
        ranges = {name: self._range(name, *bounds[name]) for name in others}
        narrowest = min(ranges, key=lambda name: ranges[name][1] - ranges[name][0])
        low, high = ranges[narrowest]
        width = high - low
        members = len(self)
        walk_cost = stop * members / max(width, 1)
        if width * math.log2(width + 2) <= walk_cost:
            index = self._by_created if narrowest == "created_at" else self._by_updated
            matches = [
                entry[-1]
                for entry in index.islice(low, high)
                if matches_dates(card_of(entry[-1]), query)
            ]
            matches.sort(key=lambda code: _ORDER[field](card_of(code)), reverse=descending)
            return matches[start:stop], len(matches)
        if len(filtered) == 1:
            total = width  # the one filter is exactly that range
        else:
            index = self._by_created if narrowest == "created_at" else self._by_updated
            total = sum(1 for e in index.islice(low, high) if matches_dates(card_of(e[-1]), query))
        if field != "code" and len(others) == 1:
            ordered = self._walk(field, descending, own, others[0], bounds[others[0]], card_of)
        page = list(islice((c for c in ordered if matches_dates(card_of(c), query)), start, stop))
        return page, total

    def _walk(  # noqa: PLR0913, PLR0917 - private
        self,
        field: str,
        descending: bool,
        own: tuple[dt.datetime | None, dt.datetime | None],
        other: str,
        other_bounds: tuple[dt.datetime | None, dt.datetime | None],
        card_of: Callable[[str], LoyaltyCard],
    ) -> Iterator[str]:
        """The codes in ``field``'s order, skipping blocks whose ``other`` dates all miss."""
        after, before = other_bounds

        def keep(earliest: dt.datetime, latest: dt.datetime) -> bool:
            return (after is None or latest > after) and (before is None or earliest < before)

        def other_of(code: str) -> dt.datetime:
            card = card_of(code)
            return card.created_at if other == "created_at" else card.updated_at or card.created_at

        index = self._by_created if field == "created_at" else self._by_updated
        low, high = self._range(field, *own)
        entries = index.walk(low, high, reverse=descending, keep=keep, other_of=other_of)
        return (entry[-1] for entry in entries)

    def _range(
        self, field: str, after: dt.datetime | None, before: dt.datetime | None
    ) -> tuple[int, int]:
        index = self._by_created if field == "created_at" else self._by_updated
        low = index.bisect_right((after, math.inf)) if after is not None else 0
        high = index.bisect_left((before,)) if before is not None else len(index)
        return low, max(low, high)

    def _ordered(
        self, field: str, descending: bool, own: tuple[dt.datetime | None, dt.datetime | None]
    ) -> tuple[Iterator[str], int]:
        if field == "code":
            codes = reversed(self._by_code) if descending else iter(self._by_code)
            return codes, len(self._by_code)
        index = self._by_created if field == "created_at" else self._by_updated
        low, high = self._range(field, *own)
        return (entry[-1] for entry in index.islice(low, high, reverse=descending)), high - low


def _is_backdated(card: LoyaltyCard) -> bool:
    return card.updated_at is not None and card.updated_at < card.created_at


def _earliest(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    return b if a is None else min(a, b)


def _latest(a: dt.datetime | None, b: dt.datetime) -> dt.datetime:
    return b if a is None else max(a, b)


def matches_dates(card: LoyaltyCard, query: MemberQuery) -> bool:
    """Whether the card falls within every date filter of ``query``."""
    return within(card.created_at, query.created_after, query.created_before) and within(
        card.updated_at or card.created_at, query.updated_after, query.updated_before
    )


_ORDER: dict[str, Callable[[LoyaltyCard], Any]] = {
    "created_at": lambda card: (card.created_at, card.seq),
    "updated_at": lambda card: (card.updated_at or card.created_at, card.seq),
    "code": lambda card: card.code,
}


def within(value: dt.datetime, after: dt.datetime | None, before: dt.datetime | None) -> bool:
    """Whether ``value`` lies strictly between the optional bounds (Voucherify's before/after)."""
    return (after is None or value > after) and (before is None or value < before)
