"""Ordered indexes of a program's members, so a page costs what a page costs.

Each published card sits in three sorted lists: by ``(created_at, seq)``, by
``(updated_at, seq)`` and by ``code``. A listing ordered by one of them, with no
filter or a date range on the same field, is a bisect and a slice; other date
filters scan only the range the order's own filter leaves.
"""

from __future__ import annotations

import math
from itertools import islice
from typing import TYPE_CHECKING, Any

import attrs
from sortedcontainers import SortedList

from loyalty_fake.pickling import positional_pickle

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Iterator

    from loyalty_fake.models import LoyaltyCard, MemberQuery

__all__ = ["MemberIndex", "matches_dates", "within"]

_Entry = tuple[Any, ...]


def _created_key(card: LoyaltyCard) -> _Entry:
    return (card.created_at, card.seq, card.code)


def _updated_key(card: LoyaltyCard) -> _Entry:
    return (card.updated_at or card.created_at, card.seq, card.code)


@positional_pickle
@attrs.define
class MemberIndex:
    """The published cards of one campaign, kept in every order the API lists them."""

    _by_created: SortedList[_Entry] = attrs.field(factory=SortedList)
    _by_updated: SortedList[_Entry] = attrs.field(factory=SortedList)
    _by_code: SortedList[str] = attrs.field(factory=SortedList)
    # While deferred (bulk seeding), changes are not indexed; rebuild() catches up.
    _deferred: bool = False

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
        self._by_created = SortedList(map(_created_key, cards))
        self._by_updated = SortedList(map(_updated_key, cards))
        self._by_code = SortedList(card.code for card in cards)
        self._deferred = False

    def add(self, card: LoyaltyCard) -> None:
        """Index a newly published card."""
        if self._deferred:
            return
        self._by_created.add(_created_key(card))
        self._by_updated.add(_updated_key(card))
        self._by_code.add(card.code)

    def retouch(self, card: LoyaltyCard, previous_updated_at: dt.datetime | None) -> None:
        """Move a card whose ``updated_at`` changed from ``previous_updated_at``."""
        if self._deferred:
            return
        self._by_updated.remove((previous_updated_at or card.created_at, card.seq, card.code))
        self._by_updated.add(_updated_key(card))

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
        # narrow the order's own range, so walking it meets few cards that fail.
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
        page = list(islice((c for c in ordered if matches_dates(card_of(c), query)), start, stop))
        return page, total

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
