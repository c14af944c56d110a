"""Discount and gift vouchers: make, find, list, update, delete, enable, top up.

Voucherify's vouchers of type ``DISCOUNT_VOUCHER`` and ``GIFT_VOUCHER``, in campaigns of
type ``DISCOUNT_COUPONS`` and ``GIFT_VOUCHERS`` (or standalone). Loyalty cards are the
other kind of voucher (``cards.py``); a code names one card or one voucher in a project,
and ``Vouchers.find`` looks through both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import card_id, derived_id
from loyalty_fake.ledger.bin import Bin
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.voucher_codes import AllCodes
from loyalty_fake.ledger.voucher_values import (
    CARD_OWN,
    INHERITED,
    VALIDITY,
    check_gift_amount,
    take_template,
    update_voucher,
    value_of,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.campaigns import Campaign, Category
    from loyalty_fake.ledger.publications import Publication

__all__ = [
    "VOUCHER_TYPES",
    "GiftTransaction",
    "Voucher",
    "VoucherType",
    "Vouchers",
]

VoucherType = Literal["DISCOUNT_VOUCHER", "GIFT_VOUCHER"]
VOUCHER_TYPES: tuple[VoucherType, ...] = ("DISCOUNT_VOUCHER", "GIFT_VOUCHER")


@attrs.frozen
class GiftTransaction:
    """One movement of a gift card's credits (``CREDITS_ADDITION``, ``CREDITS_REMOVAL``)."""

    seq: int
    voucher_code: str
    type: str
    amount: int  # signed: a removal is negative
    balance: int  # after the movement
    created_at: dt.datetime
    source_id: str | None = None
    reason: str | None = None

    @property
    def id(self) -> str:
        """``vtx_`` and 24 alphanumerics, derived from the voucher and sequence."""
        return derived_id("vtx_", f"{self.voucher_code}\x00{self.seq}", 24)


@attrs.define
class Voucher:
    """A discount or gift voucher; counters in cents (gift) and redemptions."""

    code: str
    campaign_id: str | None
    seq: int
    created_at: dt.datetime
    type: VoucherType
    # The validated Voucherify ``Discount`` object, as given (ledger/discounts.py reads it).
    discount: dict[str, Any] | None = None
    # Gift card credits, in cents: balance = amount - subtracted - redeemed.
    gift_amount: int = 0
    gift_subtracted: int = 0
    gift_redeemed: int = 0
    gift_effect: str | None = None
    updated_at: dt.datetime | None = None
    category: Category | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict)
    active: bool = True
    start_date: dt.datetime | None = None
    expiration_date: dt.datetime | None = None
    # validity_timeframe, validity_day_of_week, validity_hours, additional_info: as given.
    settings: dict[str, Any] = attrs.field(factory=dict)
    # How many times the voucher can be redeemed; None is unlimited.
    redemption_quantity: int | None = None
    redeemed_quantity: int = 0
    holder_id: str | None = None
    transactions: list[GiftTransaction] = attrs.field(factory=list, repr=False)
    # Deleted without force: gone from every read, its code still taken.
    in_bin: bool = False
    # Publications of the voucher (its publish.count), and the one that gave it its holder.
    publish_count: int = 0
    publication: Publication | None = attrs.field(default=None, repr=False)

    @property
    def id(self) -> str:
        """``v_`` and 32 alphanumerics, derived from the campaign and code: not stored."""
        return card_id(self.campaign_id or "", self.code)

    @property
    def gift_balance(self) -> int:
        """``amount - subtracted_amount - redeemed_amount``, in cents."""
        return self.gift_amount - self.gift_subtracted - self.gift_redeemed


class Vouchers(Area):
    """A project's discount and gift vouchers, and lookups across cards and vouchers."""

    __slots__ = ()

    def create(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        *,
        campaign: Campaign | None,
        code: str | None = None,
        type: VoucherType | None = None,  # noqa: A002 - Voucherify's field name
        discount: Mapping[str, Any] | None = None,
        gift: Mapping[str, Any] | None = None,
        category: Category | None = None,
        metadata: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Voucher:
        """A new voucher, of ``campaign`` (its template fills what is not given) or standalone.

        Raises 409 ``duplicate_found`` for a code a card or voucher has, 400 for a
        voucher without a discount or gift.
        """
        project = self._project
        codes = AllCodes(project)
        template = campaign.voucher if campaign is not None and campaign.voucher else {}
        kind = type or template.get("type")
        if kind not in VOUCHER_TYPES:
            raise errors.invalid_payload("Property .type must be DISCOUNT_VOUCHER or GIFT_VOUCHER")
        if code is not None and code in codes:
            raise errors.duplicate_found("voucher", code)
        discount, gift = value_of(kind, template, discount, gift)
        if code is None:
            assert campaign is not None  # noqa: S101 - standalone vouchers come with a code
            code = campaign.code_config.generate(self._session.ids.chars, codes)
        own = dict(overrides or {})
        now = self._session.clock.now()
        undo = self._session.undo
        if undo is not None:
            note_project(undo, project)
            if campaign is not None:
                undo.mark(campaign.stock)
                undo.touch(campaign)
        voucher = Voucher(
            code=code,
            campaign_id=campaign.id if campaign is not None else None,
            seq=project.take_seq(),
            created_at=now,
            type=kind,
            discount=dict(discount) if discount is not None else None,
            gift_amount=int(gift.get("amount", 0)) if gift is not None else 0,
            gift_effect=gift.get("effect") if gift is not None else None,
            category=category or (campaign.category if campaign else None),
            metadata=dict(metadata or {}),
            redemption_quantity=own.pop(
                "redemption_quantity",
                campaign.redemption_quantity if campaign is not None else None,
            ),
        )
        if undo is not None:
            undo.first(voucher)
        for key in INHERITED:
            value = own.pop(key, getattr(campaign, key) if campaign is not None else None)
            setattr(voucher, key, value)
        if campaign is not None:
            voucher.settings.update(
                {key: value for key, value in campaign.settings.items() if key in VALIDITY}
            )
        voucher.settings.update(own)
        project.vouchers[code] = voucher
        if campaign is not None:
            campaign.stock.append(code)  # the order publications take free vouchers in
            campaign.vouchers_count += 1
        return voucher

    def get(self, code: str) -> Voucher:
        """The discount or gift voucher ``code`` (or its ``v_`` ID); 404 ``not_found`` otherwise."""
        found = self.find(code)
        if not isinstance(found, Voucher):
            raise errors.not_found("voucher", code)
        return found

    def find(self, code: str) -> LoyaltyCard | Voucher:
        """The card or voucher ``code`` (or ``v_`` ID); 404 ``not_found`` (voucher) otherwise.

        What validations and redemptions look a code up with. A voucher of a campaign in
        the bin is gone.
        """
        project = self._project
        voucher = project.vouchers.get(code)
        if voucher is None and code.startswith("v_"):
            voucher = next((v for v in project.vouchers.values() if v.id == code), None)
        if voucher is not None:
            campaign = project.campaigns.get(voucher.campaign_id) if voucher.campaign_id else None
            if voucher.in_bin or (campaign is not None and campaign.in_bin):
                raise errors.not_found("voucher", code)
            return voucher
        return self._session.cards.member(project, code, None)

    def campaign_of(self, voucher: LoyaltyCard | Voucher) -> Campaign | None:
        """The campaign a card or voucher belongs to (``None``: a standalone voucher)."""
        if voucher.campaign_id is None:
            return None
        return self._project.campaigns[voucher.campaign_id]

    def every(self) -> list[LoyaltyCard | Voucher]:
        """Every live card and voucher of the project, in creation order."""
        project = self._project
        campaigns = project.campaigns
        found: list[LoyaltyCard | Voucher] = [
            card for card in project.cards.values() if not campaigns[card.campaign_id].in_bin
        ]
        found.extend(
            voucher
            for voucher in project.vouchers.values()
            if not voucher.in_bin
            and (voucher.campaign_id is None or not campaigns[voucher.campaign_id].in_bin)
        )
        found.sort(key=lambda v: v.seq)
        return found

    def _touch(self, voucher: LoyaltyCard | Voucher) -> None:
        undo = self._session.undo
        if undo is None:
            return
        if isinstance(voucher, LoyaltyCard):
            self._session.note_card(voucher)
            if voucher.overrides is not None:
                undo.keep(voucher.overrides)
        else:
            undo.touch(voucher)
            undo.keep(voucher.metadata)
            undo.keep(voucher.settings)

    def update(self, code: str, changes: Mapping[str, Any]) -> LoyaltyCard | Voucher:
        """Apply validated ``changes`` to a card or voucher.

        Keys: active, category (a Category), metadata (replaces it), start_date,
        expiration_date, additional_info, validity settings, redemption_quantity,
        discount (discount vouchers), gift_amount and gift_effect (gift cards). Raises 400
        for a discount or gift change on the wrong kind of voucher.
        """
        found = self.find(code)
        is_discount = isinstance(found, Voucher) and found.type == "DISCOUNT_VOUCHER"
        is_gift = isinstance(found, Voucher) and found.type == "GIFT_VOUCHER"
        if "discount" in changes and not is_discount:
            raise errors.invalid_payload("Property .discount is allowed for discount vouchers")
        if ("gift_amount" in changes or "gift_effect" in changes) and not is_gift:
            raise errors.invalid_payload("Property .gift is allowed for gift vouchers")
        if "gift_amount" in changes:
            check_gift_amount(changes["gift_amount"])
        self._touch(found)
        if "active" in changes:
            found.active = changes["active"]
        if "category" in changes:
            found.category = changes["category"]
        if "metadata" in changes:
            found.metadata = dict(changes["metadata"])
        if isinstance(found, LoyaltyCard):
            own = found.overrides if found.overrides is not None else {}
            own.update(
                {k: v for k, v in changes.items() if k in (*CARD_OWN, "redemption_quantity")}
            )
            found.overrides = own or None
        else:
            update_voucher(found, changes)
        found.updated_at = self._session.clock.now()
        return found

    def set_active(self, code: str, *, active: bool) -> LoyaltyCard | Voucher:
        """Enable or disable a card or voucher; 404 when there is none."""
        return self.update(code, {"active": active})

    def delete(self, code: str, *, force: bool) -> None:
        """Delete a discount or gift voucher: to the bin, or for good (``force``).

        In the bin it is gone from every read, its code still taken; for good, its
        code is free. A loyalty card is refused (400): the fake deletes cards with
        their program only.
        """
        found = self.find(code)
        if isinstance(found, LoyaltyCard):
            raise errors.bad_request(
                "invalid_voucher",
                "Loyalty cards are deleted with their program in this fake",
                "Delete the loyalty program, or disable the card",
            )
        project = self._project
        undo = self._session.undo
        campaign = self.campaign_of(found)
        if undo is not None:
            note_project(undo, project)
            undo.keep(project.vouchers)
            undo.touch(found)
            if campaign is not None:
                undo.touch(campaign)
        if force:
            del project.vouchers[found.code]
            # Gone for good, its rules' assignments with it (the bin keeps them).
            self._session.validation_rules.forget_object(found.id)
        else:
            found.in_bin = True
            Bin(self._session).add("voucher", found.id, found.code, found.campaign_id)
        if campaign is not None:
            campaign.vouchers_count -= 1

    def change_gift_balance(
        self, code: str, amount: int, *, source_id: str | None, reason: str | None
    ) -> tuple[Voucher, GiftTransaction]:
        """Add (``amount > 0``) or remove credits of a gift card; its transaction.

        Raises 400 ``invalid_voucher`` for other vouchers and ``invalid_balance``
        (as Voucherify's) when more is removed than the balance holds.
        """
        voucher = self.get(code)
        if voucher.type != "GIFT_VOUCHER":
            raise errors.bad_request(
                "invalid_voucher", "Invalid voucher", f"Voucher {code} is not a gift card"
            )
        if amount < 0 and -amount > voucher.gift_balance:
            raise errors.bad_request(
                "invalid_balance",
                "Invalid balance",
                f"Cannot remove {-amount}: the balance is {voucher.gift_balance}",
            )
        if amount > 0:
            check_gift_amount(voucher.gift_amount + amount, "amount")
        self._touch(voucher)
        undo = self._session.undo
        if undo is not None:
            note_project(undo, self._project)
            undo.mark(voucher.transactions)
        now = self._session.clock.now()
        if amount > 0:
            voucher.gift_amount += amount
        else:
            voucher.gift_subtracted -= amount
        transaction = GiftTransaction(
            seq=self._project.take_seq(),
            voucher_code=voucher.code,
            type="CREDITS_ADDITION" if amount > 0 else "CREDITS_REMOVAL",
            amount=amount,
            balance=voucher.gift_balance,
            created_at=now,
            source_id=source_id,
            reason=reason,
        )
        voucher.transactions.append(transaction)
        voucher.updated_at = now
        return voucher, transaction

    def retemplate(
        self,
        campaign: Campaign,
        *,
        discount: Mapping[str, Any] | None = None,
        gift: Mapping[str, Any] | None = None,
    ) -> None:
        """Change what a discount or gift campaign's vouchers are made of.

        "It will affect all vouchers that are not published or redeemed yet": those
        take the new discount (or gift amount and effect); the others keep theirs.
        Raises 400 ``invalid_payload`` for a discount on a gift campaign or back.
        """
        template = campaign.voucher or {}
        if discount is not None and template.get("type") != "DISCOUNT_VOUCHER":
            raise errors.invalid_payload("Property .discount is allowed for discount coupons")
        if gift is not None and template.get("type") != "GIFT_VOUCHER":
            raise errors.invalid_payload("Property .gift is allowed for gift vouchers")
        if discount is None and gift is None:
            return
        undo = self._session.undo
        if undo is not None:
            undo.touch(campaign)
        changed = dict(template)
        if discount is not None:
            changed["discount"] = dict(discount)
        if gift is not None:
            changed["gift"] = {**template.get("gift", {}), **gift}
        campaign.voucher = changed
        for voucher in self._project.vouchers.values():
            if (
                voucher.campaign_id != campaign.id
                or voucher.holder_id is not None
                or voucher.redeemed_quantity
                or voucher.transactions
            ):
                continue
            if undo is not None:
                undo.touch(voucher)
            take_template(voucher, discount, gift)

    def forget_campaign(self, campaign: Campaign) -> None:
        """Remove a campaign's vouchers for good (the caller noted the project)."""
        project = self._project
        if self._session.undo is not None:
            self._session.undo.keep(project.vouchers)
        gone = [v for v in project.vouchers.values() if v.campaign_id == campaign.id]
        for voucher in gone:
            del project.vouchers[voucher.code]
        self._session.validation_rules.forget_objects({voucher.id for voucher in gone})
