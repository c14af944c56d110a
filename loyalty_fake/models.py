"""The ledger's records, named as Voucherify names them."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import struct
from array import array
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from loyalty_fake.ids import derived_id

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from loyalty_fake.ledger.codes import CodeConfig
    from loyalty_fake.ledger.expiry import ExpirationRules
    from loyalty_fake.ledger.member_index import MemberIndex
    from loyalty_fake.rewards import Redemption

__all__ = [
    "ADDRESS_FIELDS",
    "CUSTOMER_STRINGS",
    "Campaign",
    "CampaignType",
    "CardPoints",
    "Category",
    "Customer",
    "CustomerRef",
    "LoyaltyCard",
    "MemberOrder",
    "MemberQuery",
    "PointsBucket",
    "Publication",
    "TextTable",
    "Transaction",
    "TransactionLog",
    "TransactionType",
    "pack_flat",
    "unpack_flat",
]

CampaignType = Literal["STATIC", "AUTO_UPDATE"]
_NEVER = 10**9  # sorts after every date's ordinal
TransactionType = Literal[
    "POINTS_ADDITION",
    "POINTS_REMOVAL",
    "POINTS_EXPIRATION",
    "POINTS_REDEMPTION",
    "POINTS_REFUND",
]
MemberOrder = Literal["created_at", "-created_at", "updated_at", "-updated_at", "code", "-code"]
# A customer's profile fields that are plain strings, and the fields of an address.
CUSTOMER_STRINGS = ("name", "email", "phone", "description", "birthdate", "birthday")
ADDRESS_FIELDS = ("city", "state", "line_1", "line_2", "country", "postal_code")


@attrs.frozen
class Category:
    """A category a campaign and its cards belong to."""

    id: str
    name: str
    created_at: dt.datetime
    hierarchy: int = 0


@attrs.define
class Customer:
    """A customer profile; ``source_id`` is the merchant's own identifier."""

    id: str
    source_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    birthdate: str | None = None
    birthday: str | None = None
    # The codes of the cards published to this customer: one code (most customers are in
    # one program), a tuple of several, or None. One card per customer per program is
    # kept by looking here; a dict per program of customer -> code cost ~50 B a member.
    held: str | tuple[str, ...] | None = None
    # The address packed (see pack_flat): ``address`` reads and writes it as a dict.
    packed_address: tuple[Any, ...] | dict[str, Any] | None = None
    # None while empty: an empty dict per record costs 64 bytes at scale.
    metadata: dict[str, Any] | None = None

    def held_codes(self) -> tuple[str, ...]:
        """The codes of the cards published to this customer, oldest first."""
        if self.held is None:
            return ()
        return (self.held,) if isinstance(self.held, str) else self.held

    def hold(self, code: str) -> None:
        """Note that the card ``code`` was published to this customer."""
        self.held = code if self.held is None else (*self.held_codes(), code)

    @property
    def address(self) -> dict[str, Any] | None:
        """The customer's address: a new dict on every read."""
        return unpack_flat(self.packed_address)

    @address.setter
    def address(self, value: dict[str, Any] | None) -> None:
        self.packed_address = pack_flat(value)


@functools.lru_cache(maxsize=1024)
def _shared_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple object for every equal tuple of keys (the cache is the store)."""
    return keys


def is_flat(value: Mapping[str, Any]) -> bool:
    """Whether ``value`` holds no dict or list: a shallow copy of it is a full copy."""
    return not any(isinstance(v, dict | list) for v in value.values())


def own_copy(value: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a record's dict that shares nothing mutable with ``value``.

    The caller's dict stays the caller's: changing it later changes no record.
    """
    return dict(value) if is_flat(value) else copy.deepcopy(dict(value))


def pack_flat(value: dict[str, Any] | None) -> tuple[Any, ...] | dict[str, Any] | None:
    """A flat dict as ``(keys, *values)`` with ``keys`` shared, others as a deep copy.

    A four-key address dict is 184 bytes; its values in a tuple beside a shared tuple
    of keys are 96. A copy either way: the caller's dict stays the caller's.
    """
    if value is None:
        return None
    if not is_flat(value):
        return own_copy(value)
    return (_shared_keys(tuple(value)), *value.values())


def unpack_flat(packed: tuple[Any, ...] | dict[str, Any] | None) -> dict[str, Any] | None:
    """The dict ``pack_flat`` packed, as a new dict."""
    if packed is None:
        return None
    if isinstance(packed, dict):
        return own_copy(packed)
    return dict(zip(packed[0], packed[1:], strict=True))


@attrs.frozen
class CustomerRef:
    """Who a request names as the customer: an ID, a ``source_id``, or both, plus profile fields.

    ``id`` wins over ``source_id``; a string customer is ``as_string``, resolved as an
    ID when one exists and as a ``source_id`` otherwise.
    """

    id: str | None = None
    source_id: str | None = None
    as_string: str | None = None
    profile: dict[str, Any] = attrs.field(factory=dict)


@attrs.define(eq=False)
class PointsBucket:
    """Points that share one expiry date on one card (Voucherify's ``lopb_`` bucket).

    ``points`` is what is left; ``last_day`` is the last day they can be spent
    (``None``: they never expire); ``seq`` numbers the card's buckets from 1.
    """

    seq: int
    card_code: str
    last_day: dt.date | None
    points: int
    created_at: dt.datetime
    updated_at: dt.datetime | None = None

    @property
    def id(self) -> str:
        """``lopb_`` and 24 alphanumerics, derived from the card and sequence: not stored."""
        return derived_id("lopb_", f"{self.card_code}/{self.seq}", 24)

    @property
    def sort_key(self) -> tuple[int, int]:
        """Soonest expiry first, never-expiring last, then creation order."""
        return (self.last_day.toordinal() if self.last_day else _NEVER, self.seq)


@attrs.frozen
class CardPoints:
    """A card's point counters at one moment: what an event shows of the card then."""

    points: int = 0
    balance: int = 0
    expired_points: int = 0
    subtracted_points: int = 0
    next_expiration_date: dt.date | None = None
    next_expiration_points: int = 0

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

    @property
    def id(self) -> str:
        """``vtx_`` and hex that sorts in ``seq`` order (see ``transaction_id``)."""
        return transaction_id(self.card_code, self.seq)

    @property
    def event_id(self) -> str:
        """The member activity event this movement wrote: ``evcus_`` and the same hex."""
        return "evcus_" + self.id.removeprefix("vtx_")

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
)
_KIND_CODES = {kind: code for code, kind in enumerate(_KINDS)}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MS = dt.timedelta(milliseconds=1)
_DAY_MS = 86_400_000
# One row of integers per transaction: seq, created_at as days since the epoch and
# milliseconds into that day, points, total, balance, expired_points, subtracted_points,
# next_expiration_date (ordinal, 0 for none), next_expiration_points, the type (4 bits)
# with the position plus one (0 for none) in the card's transaction_refs of the bucket
# that expired or the redemption, and the texts' position in the project's TextTable.
# A card keeps its rows as bytes in a narrow form (see TransactionLog).
_ROW = 12
_REF_SHIFT = 4
# The packed forms of a card's rows, narrowest first: a card's rows take the first
# whose every column holds them, and keep the form's number as their first byte.
_PACKINGS = ("<IHIhhhhhIhHH", "<IHIiiiiiIiIH", "<" + "q" * _ROW)
_ROW_STRUCTS = tuple(struct.Struct(packing) for packing in _PACKINGS)
# A card's rows stay bytes up to this many; past it, a growable array (appending to
# bytes copies them).
_PACKED_ROWS = 64
_NO_ROWS = bytes(1)


@functools.lru_cache(maxsize=256)
def _rows_struct(form: int, count: int) -> struct.Struct:
    return struct.Struct(_PACKINGS[form][0] + _PACKINGS[form][1:] * count)


def _pack_rows(rows: array[int]) -> bytes:
    """``rows`` in the narrowest form whose every column holds them."""
    count = len(rows) // _ROW
    for form in range(len(_PACKINGS) - 1):
        try:
            return bytes((form,)) + _rows_struct(form, count).pack(*rows)
        except struct.error:  # noqa: PERF203 - a wider form is rare
            continue
    return bytes((len(_PACKINGS) - 1,)) + _rows_struct(len(_PACKINGS) - 1, count).pack(*rows)


def _unpack_rows(rows: bytes) -> array[int]:
    form = rows[0]
    count = (len(rows) - 1) // _ROW_STRUCTS[form].size
    return array("q", _rows_struct(form, count).unpack_from(rows, 1))


def _with_row(rows: array[int] | bytes, row: tuple[int, ...]) -> array[int] | bytes:
    """``rows`` with ``row`` appended: bytes in place of short rows, the array grown."""
    if isinstance(rows, array):
        rows.extend(row)
        return rows
    packing = _ROW_STRUCTS[rows[0]]
    short = (len(rows) - 1) // packing.size < _PACKED_ROWS
    if short:
        try:
            return rows + packing.pack(*row)
        except struct.error:  # a column outgrew the form: repack all, wider
            pass
    unpacked = _unpack_rows(rows)
    unpacked.extend(row)
    return _pack_rows(unpacked) if short else unpacked


Texts = tuple[str | None, str | None, str | None, str]


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
        ref = 0
        target = transaction.bucket or transaction.redemption
        if target is not None:
            if self._card.transaction_refs is None:
                self._card.transaction_refs = []
            self._card.transaction_refs.append(target)
            ref = len(self._card.transaction_refs)
        expiry = transaction.next_expiration_date
        day, ms = divmod((transaction.created_at - _EPOCH) // _MS, _DAY_MS)
        self._card.transaction_rows = _with_row(
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
                _KIND_CODES[transaction.type] | ref << _REF_SHIFT,
                texts,
            ),
        )

    def __len__(self) -> int:
        rows = self._card.transaction_rows
        if isinstance(rows, array):
            return len(rows) // _ROW
        return (len(rows) - 1) // _ROW_STRUCTS[rows[0]].size

    def _at(self, index: int) -> Transaction:
        rows = self._card.transaction_rows
        row: Sequence[int]
        if isinstance(rows, array):
            row = rows[index * _ROW : (index + 1) * _ROW]
        else:
            packing = _ROW_STRUCTS[rows[0]]
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
            created_at=_EPOCH + (day * _DAY_MS + ms) * _MS,
            card_code=card.code,
            source=source,
            reason=reason,
            source_id=source_id,
            operation_type="AUTOMATIC" if operation_type == "AUTOMATIC" else "MANUAL",
            bucket=target if isinstance(target, PointsBucket) else None,
            redemption=None if isinstance(target, PointsBucket) else target,
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


# The packed rows' layout, counted in a snapshot's fingerprint (see snapshot.py).
PACKED_LAYOUTS = {
    "TextTable": ("texts", "source,reason,source_id,operation_type"),
    "TransactionLog": (
        f"transaction_rows/{_ROW}",
        *_PACKINGS,
        str(_PACKED_ROWS),
        "total=points-subtracted",
    ),
}


def card_id(campaign_id: str, code: str) -> str:
    """A card's ``v_`` ID: ``v_`` and 32 alphanumerics derived from its program and code."""
    return derived_id("v_", f"{campaign_id}/{code}", 32)


def transaction_id(card_code: str, seq: int) -> str:
    """``vtx_`` and 18 hex digits that sort in ``seq`` order, derived: not stored.

    Voucherify's ``vtx_`` IDs are time-ordered hex, and cursors compare them.
    """
    key = f"{card_code}/{seq}".encode("utf-8", "surrogatepass")  # see derived_id
    suffix = hashlib.blake2b(key, digest_size=4).hexdigest()
    return f"vtx_{seq:010x}{suffix}"


@attrs.define
class LoyaltyCard:
    """A loyalty card: a voucher of type ``LOYALTY_CARD``; a member once published."""

    code: str
    campaign_id: str
    seq: int
    created_at: dt.datetime
    updated_at: dt.datetime | None
    points: int
    category: Category | None = None
    metadata: dict[str, Any] | None = None  # None while empty
    active: bool = True
    # What this card says instead of its program (cards added with their own
    # additional_info, start_date, expiration_date or redemption quantity).
    overrides: dict[str, Any] | None = None
    holder_id: str | None = None
    publish_count: int = 0
    expired_points: int = 0
    subtracted_points: int = 0
    redeemed_points: int = 0
    redeemed_quantity: int = 0
    publication: Publication | None = None
    # How many buckets the card has had: the next one's number.
    buckets_made: int = 0
    # Active buckets (points left), soonest expiry first; their points sum to the balance.
    # A tuple, replaced on change: a card holds two or so, and a list cost 40 bytes more.
    buckets: tuple[PointsBucket, ...] = attrs.field(default=(), repr=False)
    # The transactions, packed (see TransactionLog); the ledger gives every card its
    # project's text table.
    transaction_rows: array[int] | bytes = attrs.field(default=_NO_ROWS, repr=False)
    transaction_texts: TextTable = attrs.field(factory=TextTable, repr=False, eq=False)
    # What the transactions point at: buckets that expired, redemptions and refunds.
    transaction_refs: list[PointsBucket | Redemption] | None = attrs.field(default=None, repr=False)

    @property
    def transactions(self) -> TransactionLog:
        """The card's point movements, oldest first."""
        return TransactionLog(self)

    @property
    def id(self) -> str:
        """``v_`` and 32 alphanumerics, derived from the program and code: not stored.

        At a million cards a stored ID was 81 bytes each, plus the index to find it.
        """
        return card_id(self.campaign_id, self.code)

    @property
    def balance(self) -> int:
        """``points - expired_points - subtracted_points - redeemed_points``."""
        return self.points - self.expired_points - self.subtracted_points - self.redeemed_points

    def redemptions(self) -> list[Redemption]:
        """The card's redemptions, oldest first: what its transactions point at, buckets aside."""
        refs = self.transaction_refs or ()
        return list(dict.fromkeys(r for r in refs if not isinstance(r, PointsBucket)))

    def next_expiration(self) -> tuple[dt.date | None, int]:
        """The soonest bucket's last day, and its points if they expire (else 0)."""
        if not self.buckets:
            return None, 0
        soonest = self.buckets[0]
        return soonest.last_day, soonest.points if soonest.last_day is not None else 0


def _member_index() -> MemberIndex:
    # Imported on use: the ledger package imports these records as it loads.
    from loyalty_fake.ledger.member_index import MemberIndex  # noqa: PLC0415

    return MemberIndex()


@attrs.define
class Campaign:
    """A loyalty program and the bookkeeping of its cards."""

    id: str
    name: str
    type: CampaignType
    created_at: dt.datetime
    code_config: CodeConfig
    initial_points: int
    seq: int
    updated_at: dt.datetime | None = None
    description: str | None = None
    category: Category | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict)
    start_date: dt.datetime | None = None
    expiration_date: dt.datetime | None = None
    auto_join: bool = False
    join_once: bool = True
    active: bool = True
    # How many times each card can be redeemed; None is unlimited.
    redemption_quantity: int | None = None
    expiration_rules: ExpirationRules | None = None
    # Validity and display settings kept as given and echoed back (validity_timeframe, ...).
    settings: dict[str, Any] = attrs.field(factory=dict)
    # Deleted without force: gone from every read, its name (and codes) still taken.
    in_bin: bool = False
    vouchers_count: int = 0
    # Card codes in creation order; those before stock_head are published or gone. The
    # first unpublished, active one is the next available code (see Ledger._next_available).
    stock: list[str] = attrs.field(factory=list, repr=False)
    stock_head: int = 0
    # Published cards (members), in every order the members listing offers.
    members: MemberIndex = attrs.field(factory=_member_index, repr=False)


@attrs.define  # not frozen, for its init's speed (one per join); nothing changes one
class Publication:
    """The assignment of a card to a customer (Voucherify's publication)."""

    created_at: dt.datetime
    customer_id: str
    campaign_id: str
    campaign_name: str
    voucher_code: str
    source_id: str | None = None
    channel: str = "API"
    metadata: dict[str, Any] | None = None  # None while empty
    result: str = "SUCCESS"
    seq: int = 0

    @property
    def voucher_id(self) -> str:
        """The card's ``v_`` ID (see ``LoyaltyCard.id``), derived: not stored."""
        return card_id(self.campaign_id, self.voucher_code)

    @property
    def id(self) -> str:
        """``pub_`` and 32 alphanumerics, derived from the card and sequence: not stored."""
        return derived_id("pub_", f"{self.voucher_id}/{self.seq}", 32)

    @property
    def event_id(self) -> str:
        """The ``customer.publication.succeeded`` event's ID, derived: not stored."""
        suffix = hashlib.blake2b(self.id.encode(), digest_size=4).hexdigest()
        return f"evcus_{self.seq:010x}{suffix}"


@attrs.frozen
class MemberQuery:
    """Filters, order and page of a members listing, already validated."""

    limit: int = 10
    page: int = 1
    customer: str | None = None
    code: str | None = None
    created_before: dt.datetime | None = None
    created_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    order: MemberOrder = "-created_at"
    # Only the cards with these v_ IDs (the spec's ``ids``); None lists every card.
    ids: tuple[str, ...] | None = None
