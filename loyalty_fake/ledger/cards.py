"""Loyalty cards: make one, find one by code or ``v_`` ID, what a unit notes of one."""

from __future__ import annotations

from array import array
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import bucket_id, card_id
from loyalty_fake.ledger.accrual import Accrual
from loyalty_fake.ledger.history import NO_ROWS, TextTable, TransactionLog
from loyalty_fake.ledger.pending_points import PendingPoints
from loyalty_fake.ledger.project import Area, note_growth, note_project
from loyalty_fake.ledger.transfer_records import PointsTransfer
from loyalty_fake.ledger.voucher_codes import AllCodes

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.campaigns import Campaign, Category
    from loyalty_fake.ledger.codes import CodeConfig
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.publications import Publication
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.undo import UndoLog

__all__ = [
    "MAX_POINTS",
    "Cards",
    "LoyaltyCard",
    "PointsBucket",
    "note_card",
]

_NEVER = 10**9  # sorts after every date's ordinal


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
        return bucket_id(self.card_code, self.seq)

    @property
    def sort_key(self) -> tuple[int, int]:
        """Soonest expiry first, never-expiring last, then creation order."""
        return (self.last_day.toordinal() if self.last_day else _NEVER, self.seq)


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
    transaction_rows: array[int] | bytes = attrs.field(default=NO_ROWS, repr=False)
    transaction_texts: TextTable = attrs.field(factory=TextTable, repr=False, eq=False)
    # What the transactions point at: buckets that expired, redemptions and refunds.
    transaction_refs: (
        list[PointsBucket | Redemption | Accrual | PendingPoints | PointsTransfer] | None
    ) = attrs.field(default=None, repr=False)
    # Points of its pending points entries still waiting to activate (pending.py): not in
    # ``points`` nor ``balance`` until they do.
    pending_points: int = 0

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
        return list(
            dict.fromkeys(
                r
                for r in refs
                if not isinstance(r, PointsBucket | Accrual | PendingPoints | PointsTransfer)
            )
        )

    def next_expiration(self) -> tuple[dt.date | None, int]:
        """The soonest bucket's last day, and its points if they expire (else 0)."""
        if not self.buckets:
            return None, 0
        soonest = self.buckets[0]
        return soonest.last_day, soonest.points if soonest.last_day is not None else 0


# The most points a card may ever have earned (its ``points``; its balance and every
# other counter are at most that): Number.MAX_SAFE_INTEGER. Voucherify's backend is
# JavaScript, where larger integers are not exact, and a card's packed transaction rows
# hold 64-bit integers at most.
MAX_POINTS = 2**53 - 1


_CARD_FIELD_NAMES = tuple(field.name for field in attrs.fields(LoyaltyCard))


_CARD_FIELDS = attrgetter(*_CARD_FIELD_NAMES)


_BUCKET_STATE = attrgetter("points", "updated_at")


def note_card(undo: UndoLog, card: LoyaltyCard) -> None:
    """Note a card before a change: its fields, its buckets' points, its history's length."""
    if not undo.first(card):
        return
    rows = card.transaction_rows
    refs = card.transaction_refs
    undo.undo(
        _card_back,
        card,
        _CARD_FIELDS(card),
        len(rows) if rows.__class__ is array else None,
        len(refs) if refs is not None else None,
        tuple(map(_BUCKET_STATE, card.buckets)),
    )


def _card_back(
    card: LoyaltyCard,
    values: tuple[Any, ...],
    rows_length: int | None,
    refs_length: int | None,
    buckets: tuple[tuple[int, dt.datetime | None], ...],
) -> None:
    for name, value in zip(_CARD_FIELD_NAMES, values, strict=True):
        object.__setattr__(card, name, value)
    rows = card.transaction_rows
    if rows_length is not None and isinstance(rows, array):
        del rows[rows_length:]
    if refs_length is not None and card.transaction_refs is not None:
        del card.transaction_refs[refs_length:]
    for bucket, (points, updated_at) in zip(card.buckets, buckets, strict=True):
        bucket.points = points
        bucket.updated_at = updated_at


class Cards(Area):
    """A project's loyalty cards, published or not."""

    __slots__ = ()

    def create_many(
        self,
        project: Project,
        campaign: Campaign,
        now: dt.datetime,
        count: int,
        config: CodeConfig | None = None,
    ) -> list[LoyaltyCard]:
        """``count`` new cards of ``campaign``: what ``count`` calls of ``create`` make.

        Their codes from ``config`` (the campaign's by default), their characters drawn
        in one go (``CodeConfig.generate_many``): a card made draws nothing else.
        """
        ids = self._session.ids
        codes = (config or campaign.code_config).generate_many(
            ids.chars, ids.chars_many, AllCodes(project), count
        )
        return [self.create(project, campaign, now, code) for code in codes]

    def create(
        self,
        project: Project,
        campaign: Campaign,
        now: dt.datetime,
        code: str | None = None,
        *,
        in_stock: bool = True,
    ) -> LoyaltyCard:
        """Make a new card of ``campaign`` (its next generated code unless ``code``).

        ``in_stock=False``: a card its caller publishes at once, which the program's stock
        of cards to publish (``Campaign.stock``) would only pass over.
        """
        if code is None:
            code = campaign.code_config.generate(self._session.ids.chars, AllCodes(project))
        undo = self._session.undo
        if undo is not None:
            # What this adds to the project (its initial points note their own).
            if project.card_codes_by_id is None:
                note_growth(undo, project, project.cards)
            else:
                note_growth(undo, project, project.cards, project.card_codes_by_id)
            if in_stock:
                undo.mark(campaign.stock)
            undo.touch(campaign)
        # The first fields in order (code, campaign_id, seq, created_at, updated_at,
        # points, category): keyword arguments cost a third more a card.
        card = LoyaltyCard(
            code,
            campaign.id,
            project.take_seq(),
            now,
            None,
            campaign.initial_points,
            campaign.category,
            transaction_texts=project.texts,
        )
        if undo is not None:
            undo.first(card)  # new: nothing of it to put back
        project.cards[code] = card
        if project.card_codes_by_id is not None:
            project.card_codes_by_id[card.id] = code
        if in_stock:
            campaign.stock.append(code)
        campaign.vouchers_count += 1
        if campaign.initial_points:
            points = self._session.points
            points.earn(project, card, campaign.initial_points, points.last_day(campaign, now), now)
            # Recorded, so that a card's transactions always sum to its balance.
            points.record(
                project,
                card,
                "POINTS_ADDITION",
                campaign.initial_points,
                now,
                reason="Initial points of the loyalty program",
                source=None,
                operation_type="AUTOMATIC",
            )
        return card

    def get(self, code: str) -> LoyaltyCard:
        """The card with ``code``; 404 ``not_found`` (voucher) otherwise."""
        card = self._project.cards.get(code)
        if card is None:
            raise errors.not_found("voucher", code)
        return card

    def of_campaign(self, campaign_ref: str) -> list[LoyaltyCard]:
        """Every card of a campaign, published or not, in creation order."""
        campaign = self._session.campaigns.get(campaign_ref)
        project = self._project
        return [c for c in project.cards.values() if c.campaign_id == campaign.id]

    def member(self, project: Project, code: str, campaign_ref: str | None) -> LoyaltyCard:
        """The card ``code`` (or ``v_`` ID), of ``campaign_ref`` when given; 404 otherwise."""
        campaign = self._session.campaigns.get(campaign_ref) if campaign_ref is not None else None
        card = project.cards.get(code)
        if card is None and code.startswith("v_"):
            # The vouchers API takes a card's v_ ID as well as its code.
            if self._session.undo is not None:
                note_project(self._session.undo, project)  # the first such lookup builds an index
            by_id = project.code_of_card_id(code)
            card = project.cards.get(by_id) if by_id is not None else None
        if (
            card is None
            or (campaign is not None and card.campaign_id != campaign.id)
            or project.campaigns[card.campaign_id].in_bin
        ):
            raise errors.not_found("voucher", code)
        return card

    def forget_campaign(self, campaign: Campaign) -> set[str]:
        """Remove a program's cards for good (the caller noted the project); their codes."""
        project = self._project
        codes = {code for code, card in project.cards.items() if card.campaign_id == campaign.id}
        ids = set()
        for code in codes:
            card = project.cards.pop(code)
            ids.add(card.id)
            if project.card_codes_by_id is not None:
                project.card_codes_by_id.pop(card.id, None)
        self._session.validation_rules.forget_objects(ids)
        return codes
