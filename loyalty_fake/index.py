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

__all__ = ["MemberIndex", "within"]

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

    def __len__(self) -> int:
        return len(self._by_code)

    def add(self, card: LoyaltyCard) -> None:
        """Index a newly published card."""
        self._by_created.add(_created_key(card))
        self._by_updated.add(_updated_key(card))
        self._by_code.add(card.code)

    def retouch(self, card: LoyaltyCard, previous_updated_at: dt.datetime | None) -> None:
        """Move a card whose ``updated_at`` changed from ``previous_updated_at``."""
        self._by_updated.remove((previous_updated_at or card.created_at, card.seq, card.code))
        self._by_updated.add(_updated_key(card))

    def select(
        self, query: MemberQuery, card_of: Callable[[str], LoyaltyCard]
    ) -> tuple[list[str], int]:
        """One page of member codes for ``query``'s dates and order, and the count of matches."""
        field = query.order.lstrip("-")
        descending = query.order.startswith("-")
        start = (query.page - 1) * query.limit
        stop = start + query.limit
        if field == "code":
            codes: Iterable[str] = reversed(self._by_code) if descending else self._by_code
            return _filter_page(
                codes, query, card_of, start, stop, check_created=True, check_updated=True
            )
        index = self._by_created if field == "created_at" else self._by_updated
        after, before = (
            (query.created_after, query.created_before)
            if field == "created_at"
            else (query.updated_after, query.updated_before)
        )
        low = index.bisect_right((after, math.inf)) if after is not None else 0
        high = index.bisect_left((before,)) if before is not None else len(index)
        high = max(low, high)
        entries: Iterator[_Entry] = index.islice(low, high, reverse=descending)
        other_filtered = (
            query.updated_after is not None or query.updated_before is not None
            if field == "created_at"
            else query.created_after is not None or query.created_before is not None
        )
        if not other_filtered:
            return [entry[-1] for entry in islice(entries, start, stop)], high - low
        return _filter_page(
            (entry[-1] for entry in entries),
            query,
            card_of,
            start,
            stop,
            check_created=field != "created_at",
            check_updated=field != "updated_at",
        )


def _filter_page(  # noqa: PLR0913 - one private helper, called with keywords
    codes: Iterable[str],
    query: MemberQuery,
    card_of: Callable[[str], LoyaltyCard],
    start: int,
    stop: int,
    *,
    check_created: bool,
    check_updated: bool,
) -> tuple[list[str], int]:
    page: list[str] = []
    total = 0
    for code in codes:
        card = card_of(code)
        if check_created and not within(card.created_at, query.created_after, query.created_before):
            continue
        if check_updated and not within(
            card.updated_at or card.created_at, query.updated_after, query.updated_before
        ):
            continue
        if start <= total < stop:
            page.append(code)
        total += 1
    return page, total


def within(value: dt.datetime, after: dt.datetime | None, before: dt.datetime | None) -> bool:
    """Whether ``value`` lies strictly between the optional bounds (Voucherify's before/after)."""
    return (after is None or value > after) and (before is None or value < before)
