"""A card's transactions, packed: what a row holds of a movement (``history_rows.py`` packs rows).

A ``Transaction`` is a value, made on every write and read. What a card stores of its
movements is one row of integers each (``transaction_rows``), the texts in its project's
``TextTable`` and what rows point at (``transaction_refs``): at a million members the
history is the largest thing the fake holds, and packed it fits the 2 KB a member budget.
"""

from __future__ import annotations

import datetime as dt
from array import array
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from loyalty_fake.ids import transaction_event_id, transaction_id
from loyalty_fake.ledger.history_rows import (
    DAY_MS,
    EPOCH,
    MS,
    NO_ROWS,
    PACKED_ROWS,
    PACKINGS,
    ROW,
    ROW_STRUCTS,
    day_and_ms,
    with_row,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from loyalty_fake.ledger.accrual import Accrual
    from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
    from loyalty_fake.ledger.pending_points import PendingPoints
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.transfer_records import PointsTransfer

__all__ = [
    "NO_ROWS",
    "PACKED_LAYOUTS",
    "CardPoints",
    "TextTable",
    "Transaction",
    "TransactionLog",
    "TransactionType",
    "append_movement",
]

TransactionType = Literal[
    "POINTS_ADDITION",
    "POINTS_REMOVAL",
    "POINTS_EXPIRATION",
    "POINTS_REDEMPTION",
    "POINTS_REFUND",
    "POINTS_ACCRUAL",
    "PENDING_POINTS_ACTIVATION",
    "POINTS_TRANSFER_OUT",
    "POINTS_TRANSFER_IN",
]


@attrs.frozen
class CardPoints:
    """A card's point counters at one moment: what an event shows of the card then."""

    points: int = 0
    balance: int = 0
    expired_points: int = 0
    subtracted_points: int = 0
    next_expiration_date: dt.date | None = None
    next_expiration_points: int = 0
    # Points waiting to activate (pending.py): not in points or balance.
    pending_points: int = 0

    @classmethod
    def of(cls, card: LoyaltyCard) -> CardPoints:
        """The counters of ``card`` now."""
        next_date, next_points = card.next_expiration()
        return cls(
            points=card.points,
            balance=card.balance,
            expired_points=card.expired_points,
            subtracted_points=card.subtracted_points,
            next_expiration_date=next_date,
            next_expiration_points=next_points,
            pending_points=card.pending_points,
        )


@attrs.define  # not frozen: a frozen init sets each of its 17 fields by a call (1 us a movement)
class Transaction:
    """One movement of points on a card, with the card's totals right after it.

    ``total`` is Voucherify's ``balance.total``: the points added minus those subtracted
    (removed); the card's ``points`` then are ``total + subtracted_points``. A value made
    on each write and read (the card keeps packed rows); nothing changes one.
    """

    seq: int
    type: TransactionType
    points: int
    total: int
    balance: int
    created_at: dt.datetime
    card_code: str
    source: str | None = "API"
    reason: str | None = None
    source_id: str | None = None
    operation_type: Literal["MANUAL", "AUTOMATIC"] = "MANUAL"
    # For an expiration: the bucket that expired and its points.
    bucket: PointsBucket | None = None
    # The rest of the card's counters right after this movement (points and balance are
    # total and balance above), kept flat: one object less per transaction.
    expired_points: int = 0
    subtracted_points: int = 0
    next_expiration_date: dt.date | None = None
    next_expiration_points: int = 0
    # For a redemption or its refund: the redemption (its reward, order and rollback).
    redemption: Redemption | None = None
    # For an accrual: the earning rule and the order or event that earned it.
    accrual: Accrual | None = None
    # For a pending points activation: the pending points entry that activated.
    pending: PendingPoints | None = None
    # For a transfer out or in: the transfer (both cards as they were right after it).
    transfer: PointsTransfer | None = None

    @property
    def id(self) -> str:
        """``vtx_`` and hex that sorts in ``seq`` order (see ``transaction_id``)."""
        return transaction_id(self.card_code, self.seq)

    @property
    def event_id(self) -> str:
        """The member activity event this movement wrote: ``evcus_`` and the same hex."""
        return transaction_event_id(self.id)

    @property
    def card_points(self) -> CardPoints:
        """The card's counters right after this movement, for the activity feed."""
        return CardPoints(
            points=self.total + self.subtracted_points,
            balance=self.balance,
            expired_points=self.expired_points,
            subtracted_points=self.subtracted_points,
            next_expiration_date=self.next_expiration_date,
            next_expiration_points=self.next_expiration_points,
        )


_KINDS: tuple[TransactionType, ...] = (
    "POINTS_ADDITION",
    "POINTS_REMOVAL",
    "POINTS_EXPIRATION",
    "POINTS_REDEMPTION",
    "POINTS_REFUND",
    "POINTS_ACCRUAL",
    "PENDING_POINTS_ACTIVATION",
    # New kinds go last: a kind's code is its position, kept in snapshots' rows.
    "POINTS_TRANSFER_OUT",
    "POINTS_TRANSFER_IN",
)
_KIND_CODES = {kind: code for code, kind in enumerate(_KINDS)}
_EXPIRATION = _KIND_CODES["POINTS_EXPIRATION"]
_ACCRUAL = _KIND_CODES["POINTS_ACCRUAL"]
_ACTIVATION = _KIND_CODES["PENDING_POINTS_ACTIVATION"]
_TRANSFERS = frozenset({_KIND_CODES["POINTS_TRANSFER_OUT"], _KIND_CODES["POINTS_TRANSFER_IN"]})
_NO_REDEMPTION = frozenset({_EXPIRATION, _ACCRUAL, _ACTIVATION, *_TRANSFERS})
_REF_SHIFT = 4  # the type's bits in a row's kind column (see history_rows.py)


Texts = tuple[str | None, str | None, str | None, str]


def _with_ref(card: LoyaltyCard, target: object | None) -> int:
    """Keep ``target`` among what the card's rows point at: its position plus one, 0 for none."""
    if target is None:
        return 0
    if card.transaction_refs is None:
        card.transaction_refs = []
    card.transaction_refs.append(target)  # type: ignore[arg-type]
    return len(card.transaction_refs)


class TextTable:
    """A project's distinct transaction texts (source, reason, source_id, operation type).

    Most transactions share a handful of them ("API", "Purchases", ...): a row stores a
    position here instead of four references.
    """

    __slots__ = ("_positions", "_texts")

    def __init__(self, texts: list[Texts] | None = None) -> None:
        """A table holding ``texts`` (a restored snapshot's) or nothing yet."""
        self._texts = texts if texts is not None else []
        self._positions = {text: position for position, text in enumerate(self._texts)}

    def __reduce__(self) -> tuple[type[TextTable], tuple[Any, ...]]:
        return TextTable, (self._texts,)

    def position(self, texts: Texts) -> int:
        """Where ``texts`` is kept, adding it if new."""
        found = self._positions.get(texts)
        if found is None:
            found = self._positions[texts] = len(self._texts)
            self._texts.append(texts)
        return found

    def __getitem__(self, position: int) -> Texts:
        return self._texts[position]

    def __len__(self) -> int:
        return len(self._texts)

    def truncate(self, length: int) -> None:
        """Forget every text added after the first ``length`` (a unit of work failed)."""
        del self._texts[length:]
        for texts in [texts for texts, at in self._positions.items() if at >= length]:
            del self._positions[texts]


class TransactionLog:
    """A card's transactions, packed: one row of integers each, made ``Transaction`` on read.

    A card holds about three transactions; as objects they were a third of the memory a
    seeded member costs. The rows live on the card (``transaction_rows``), the texts in
    the project's ``TextTable``, and what they point at (buckets that expired,
    redemptions) with the card (``transaction_refs``). This is a view over them, made
    when asked for.

    A card's rows are bytes, each column as narrow as the card's values allow (a seeded
    member's three or so rows take about 90 bytes, where 64-bit integers took 240), until
    the card has 64; then a growable array.
    """

    __slots__ = ("_card",)

    def __init__(self, card: LoyaltyCard) -> None:
        """The transactions of ``card``."""
        self._card = card

    def append(self, transaction: Transaction) -> None:
        """Pack ``transaction`` at the end of the log."""
        texts = self._card.transaction_texts.position(
            (
                transaction.source,
                transaction.reason,
                transaction.source_id,
                transaction.operation_type,
            )
        )
        target = (
            transaction.bucket
            or transaction.redemption
            or transaction.accrual
            or transaction.pending
            or transaction.transfer
        )
        expiry = transaction.next_expiration_date
        day, ms = day_and_ms(transaction.created_at)
        self._card.transaction_rows = with_row(
            self._card.transaction_rows,
            (
                transaction.seq,
                day,
                ms,
                transaction.points,
                transaction.total,
                transaction.balance,
                transaction.expired_points,
                transaction.subtracted_points,
                expiry.toordinal() if expiry is not None else 0,
                transaction.next_expiration_points,
                _KIND_CODES[transaction.type] | _with_ref(self._card, target) << _REF_SHIFT,
                texts,
            ),
        )

    def __len__(self) -> int:
        rows = self._card.transaction_rows
        if isinstance(rows, array):
            return len(rows) // ROW
        return (len(rows) - 1) // ROW_STRUCTS[rows[0]].size

    def _at(self, index: int) -> Transaction:
        rows = self._card.transaction_rows
        row: Sequence[int]
        if isinstance(rows, array):
            row = rows[index * ROW : (index + 1) * ROW]
        else:
            packing = ROW_STRUCTS[rows[0]]
            row = packing.unpack_from(rows, 1 + index * packing.size)
        (
            seq,
            day,
            ms,
            points,
            total,
            balance,
            expired,
            subtracted,
            expiry,
            due,
            kind_ref,
            texts,
        ) = row
        kind = kind_ref & (1 << _REF_SHIFT) - 1
        ref = kind_ref >> _REF_SHIFT
        card = self._card
        source, reason, source_id, operation_type = card.transaction_texts[texts]
        target = card.transaction_refs[ref - 1] if ref and card.transaction_refs else None
        return Transaction(
            seq=seq,
            type=_KINDS[kind],
            points=points,
            total=total,
            balance=balance,
            created_at=EPOCH + (day * DAY_MS + ms) * MS,
            card_code=card.code,
            source=source,
            reason=reason,
            source_id=source_id,
            operation_type="AUTOMATIC" if operation_type == "AUTOMATIC" else "MANUAL",
            # Only an expiration points at a bucket (the one that expired), an accrual at its
            # earning, an activation at its pending points; a redemption and its refund
            # point at the redemption.
            bucket=target if kind == _EXPIRATION else None,  # type: ignore[arg-type]
            redemption=None if kind in _NO_REDEMPTION else target,  # type: ignore[arg-type]
            accrual=target if kind == _ACCRUAL else None,  # type: ignore[arg-type]
            pending=target if kind == _ACTIVATION else None,  # type: ignore[arg-type]
            transfer=target if kind in _TRANSFERS else None,  # type: ignore[arg-type]
            expired_points=expired,
            subtracted_points=subtracted,
            next_expiration_date=dt.date.fromordinal(expiry) if expiry else None,
            next_expiration_points=due,
        )

    @overload
    def __getitem__(self, index: int) -> Transaction: ...
    @overload
    def __getitem__(self, index: slice) -> list[Transaction]: ...
    def __getitem__(self, index: int | slice) -> Transaction | list[Transaction]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._at(index)

    def __iter__(self) -> Iterator[Transaction]:
        return (self._at(i) for i in range(len(self)))


def append_movement(  # noqa: PLR0913, PLR0917 - the row's own values
    card: LoyaltyCard,
    kind: TransactionType,
    seq: int,
    points: int,
    created_at: dt.datetime,
    texts: int,
    bucket: PointsBucket | None = None,
) -> None:
    """Pack what ``Points.record`` packs of points moved by hand or expired (``bucket``).

    The card's counters now, without making a ``Transaction``: bulk seeding's histories.
    ``texts``: where the movement's texts are in the card's ``TextTable`` (``position``).
    """
    buckets = card.buckets
    expiry = buckets[0].last_day if buckets else None
    day, ms = day_and_ms(created_at)
    card.transaction_rows = with_row(
        card.transaction_rows,
        (
            seq,
            day,
            ms,
            points,
            card.points - card.subtracted_points,
            card.balance,
            card.expired_points,
            card.subtracted_points,
            expiry.toordinal() if expiry is not None else 0,
            buckets[0].points if expiry is not None else 0,
            _KIND_CODES[kind] | (_with_ref(card, bucket) << _REF_SHIFT if bucket else 0),
            texts,
        ),
    )


# The packed rows' layout, counted in a snapshot's fingerprint (see snapshot.py).
PACKED_LAYOUTS = {
    "TextTable": ("texts", "source,reason,source_id,operation_type"),
    "TransactionLog": (
        f"transaction_rows/{ROW}",
        *PACKINGS,
        str(PACKED_ROWS),
        "total=points-subtracted",
    ),
}
