"""Ordered indexes of a program's members, so a page costs what a page costs.

Each published card sits in three orders: by ``(created_at, seq)`` and by
``(updated_at, seq)`` (``Blocks``, whose blocks know their span of the other date), and
by ``code``. A listing ordered by one of them, with no filter or a date range on the
same field, is a bisect and a slice; a filter on the other date skips the blocks whose
span misses it.
"""

from __future__ import annotations

import math
from itertools import islice
from typing import TYPE_CHECKING, Any

import attrs
from sortedcontainers import SortedList

from loyalty_fake.ledger.blocks import Blocks
from loyalty_fake.ledger.pages import Page

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Iterator

    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.members import MemberQuery

__all__ = [
    "MemberIndex",
    "in_order",
    "matches_dates",
    "within",
]

_Key = tuple[Any, ...]


def created_key(card: LoyaltyCard) -> _Key:
    """Where a card sits in the ``created_at`` order."""
    return (card.created_at, card.seq)


def updated_key(card: LoyaltyCard) -> _Key:
    """Where a card sits in the ``updated_at`` order (never updated: its creation)."""
    return (card.updated_at or card.created_at, card.seq)  # _updated, inline: a hot key


def _seq(card: LoyaltyCard) -> int:
    return card.seq


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
        # In (date, seq) order by two stable sorts, seq then the date alone: the same order
        # (a card's seq is its own), and a million cards' sort by updated_at cost a third
        # as much as comparing (date, seq) tuples, each comparison asking == and then <.
        by_seq = sorted(cards, key=_seq)
        self._by_created = Blocks(
            created_key, _updated, sorted(by_seq, key=_created), in_key_order=True
        )
        self._by_updated = Blocks(
            updated_key, _created, sorted(by_seq, key=_updated), in_key_order=True
        )
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
        self._by_updated.move(card, (previous_updated_at or card.created_at, card.seq))
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
        window = Page(query.limit, query.page)
        start, stop = window.start, window.stop
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
        if not others:
            return self._window(field, descending, own, card_of, window)
        keep = _keep(bounds[others[0]]) if field != "code" and len(others) == 1 else None
        ordered = self._ordered(field, descending, own, card_of, keep)
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

    def _window(
        self,
        field: str,
        descending: bool,
        own: tuple[dt.datetime | None, dt.datetime | None],
        card_of: Callable[[str], LoyaltyCard],
        window: Page,
    ) -> tuple[list[LoyaltyCard], int]:
        """The page ``window`` of the cards in ``field``'s order within ``own``, and their count.

        Only the page's own positions are read: walking the order up to the page would
        copy the rest of its block too (a thousand cards for ten).
        """
        if field == "code":
            total = len(self._by_code)
            if descending:  # islice reverses the positions it is given, so count from the end
                first, last = max(total - window.stop, 0), max(total - window.start, 0)
            else:
                first, last = window.start, window.stop
            codes = self._by_code.islice(first, last, reverse=descending)
            return list(map(card_of, codes)), total
        index = self._by_created if field == "created_at" else self._by_updated
        low, high = self._range(field, *own)
        if descending:
            first, last = max(high - window.stop, low), high - window.start
        else:
            first, last = low + window.start, min(low + window.stop, high)
        return list(index.walk(first, last, reverse=descending)), high - low

    def _ordered(
        self,
        field: str,
        descending: bool,
        own: tuple[dt.datetime | None, dt.datetime | None],
        card_of: Callable[[str], LoyaltyCard],
        keep: Callable[[dt.datetime, dt.datetime], bool] | None,
    ) -> Iterator[LoyaltyCard]:
        """The cards in ``field``'s order within ``own``.

        ``keep`` (see ``Blocks.walk``) skips the blocks whose other dates all miss.
        """
        if field == "code":
            codes = reversed(self._by_code) if descending else iter(self._by_code)
            return map(card_of, codes)
        index = self._by_created if field == "created_at" else self._by_updated
        low, high = self._range(field, *own)
        return index.walk(low, high, reverse=descending, keep=keep)


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
