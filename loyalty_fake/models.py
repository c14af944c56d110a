"""The ledger's records, named as Voucherify names them."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake.ids import derived_id
from loyalty_fake.index import MemberIndex
from loyalty_fake.pickling import positional_pickle

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.codes import CodeConfig
    from loyalty_fake.expiry import ExpirationRules
    from loyalty_fake.rewards import Redemption

__all__ = [
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
    "Transaction",
    "TransactionType",
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


@positional_pickle
@attrs.frozen
class Category:
    """A category a campaign and its cards belong to."""

    id: str
    name: str
    created_at: dt.datetime
    hierarchy: int = 0


@positional_pickle
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
    address: dict[str, Any] | None = None
    # None while empty: an empty dict per record costs 64 bytes at scale.
    metadata: dict[str, Any] | None = None


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


@positional_pickle
@attrs.define(eq=False)
class PointsBucket:
    """Points that share one expiry date on one card (Voucherify's ``lopb_`` bucket).

    ``points`` is what is left; ``last_day`` is the last day they can be spent
    (``None``: they never expire).
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


@positional_pickle
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
        soonest = card.buckets[0] if card.buckets else None
        expiring = soonest is not None and soonest.last_day is not None
        return cls(
            points=card.points,
            balance=card.balance,
            expired_points=card.expired_points,
            subtracted_points=card.subtracted_points,
            next_expiration_date=soonest.last_day if soonest is not None else None,
            next_expiration_points=soonest.points if soonest is not None and expiring else 0,
        )


@positional_pickle
@attrs.frozen
class Transaction:
    """One movement of points on a card, with the card's totals right after it."""

    id: str
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
    def event_id(self) -> str:
        """The member activity event this movement wrote: ``evcus_`` and the same hex."""
        return "evcus_" + self.id.removeprefix("vtx_")

    @property
    def card_points(self) -> CardPoints:
        """The card's counters right after this movement, for the activity feed."""
        return CardPoints(
            points=self.total,
            balance=self.balance,
            expired_points=self.expired_points,
            subtracted_points=self.subtracted_points,
            next_expiration_date=self.next_expiration_date,
            next_expiration_points=self.next_expiration_points,
        )


@positional_pickle
@attrs.define
class LoyaltyCard:
    """A loyalty card: a voucher of type ``LOYALTY_CARD``; a member once published."""

    id: str
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
    # Active buckets (points left), soonest expiry first; their points sum to the balance.
    buckets: list[PointsBucket] = attrs.field(factory=list, repr=False)
    transactions: list[Transaction] = attrs.field(factory=list, repr=False)

    @property
    def balance(self) -> int:
        """``points - expired_points - subtracted_points - redeemed_points``."""
        return self.points - self.expired_points - self.subtracted_points - self.redeemed_points


@positional_pickle
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
    # Unpublished cards in creation order: the first one is the next available code.
    unpublished: dict[str, None] = attrs.field(factory=dict, repr=False)
    # Published cards (members), in every order the members listing offers.
    members: MemberIndex = attrs.field(factory=MemberIndex, repr=False)
    # customer ID -> the code of that customer's card: one card per customer per program.
    holders: dict[str, str] = attrs.field(factory=dict, repr=False)


@positional_pickle
@attrs.frozen
class Publication:
    """The assignment of a card to a customer (Voucherify's publication)."""

    id: str
    created_at: dt.datetime
    customer_id: str
    campaign_id: str
    campaign_name: str
    voucher_code: str
    voucher_id: str
    source_id: str | None = None
    channel: str = "API"
    metadata: dict[str, Any] | None = None  # None while empty
    result: str = "SUCCESS"
    seq: int = 0

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
