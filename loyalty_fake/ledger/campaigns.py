"""Loyalty programs: create, read, update, delete, add cards.

Voucherify's campaigns of type LOYALTY_PROGRAM. The program owns its stock of cards and
its members index.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.bin import Bin, forget_campaign
from loyalty_fake.ledger.bulk import no_gc
from loyalty_fake.ledger.campaign_cards import (
    PROGRAM_SETTINGS,
    keep_published_cards_as_they_are,
    recategorize,
)
from loyalty_fake.ledger.campaign_filters import campaign_record
from loyalty_fake.ledger.cards import MAX_POINTS, LoyaltyCard
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.ledger.member_index import MemberIndex
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.voucher_codes import AllCodes

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator, Mapping

    from loyalty_fake.filters import Filter
    from loyalty_fake.ledger.expiry import ExpirationRules
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = [
    "MAX_VOUCHERS_PER_REQUEST",
    "Campaign",
    "CampaignType",
    "Campaigns",
    "Category",
    "find_campaign",
]

CampaignType = Literal["STATIC", "AUTO_UPDATE"]


@attrs.define(eq=False)
class Category:
    """A category campaigns, vouchers and cards belong to (``ledger/categories.py``)."""

    id: str
    name: str
    created_at: dt.datetime
    hierarchy: int = 0
    updated_at: dt.datetime | None = None


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
    members: MemberIndex = attrs.field(factory=MemberIndex, repr=False)
    # LOYALTY_PROGRAM (cards), DISCOUNT_COUPONS or GIFT_VOUCHERS (vouchers.py).
    campaign_type: str = "LOYALTY_PROGRAM"
    # What a discount or gift campaign's vouchers are made of: type, discount or gift,
    # redemption_quantity (see vouchers.py). None for a loyalty program.
    voucher: dict[str, Any] | None = None

    @property
    def is_loyalty_program(self) -> bool:
        """Whether the campaign is a loyalty program (its vouchers are loyalty cards)."""
        return self.campaign_type == "LOYALTY_PROGRAM"


# Voucherify caps one program-creation batch; the fake keeps the same guard so that a
# typo such as vouchers_count=10**9 answers at once instead of eating the machine.
MAX_VOUCHERS_PER_REQUEST = 100_000


def find_campaign(project: Project, campaign_ref: str, *, any_type: bool = False) -> Campaign:
    """The project's loyalty program named by ID or by name; 404 ``not_found`` (campaign) otherwise.

    ``any_type``: a campaign of any type (the generic campaigns API).
    """
    found = project.campaigns.get(campaign_ref)
    if found is None:
        campaign_id = project.campaign_ids_by_name.get(campaign_ref)
        found = project.campaigns.get(campaign_id) if campaign_id else None
    if found is None or found.in_bin or not (any_type or found.is_loyalty_program):
        raise errors.not_found("campaign", campaign_ref)
    return found


class Campaigns(Area):
    """A project's loyalty programs."""

    __slots__ = ()

    def create(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        *,
        name: str,
        type: CampaignType = "AUTO_UPDATE",  # noqa: A002 - Voucherify's field name
        vouchers_count: int = 0,
        initial_points: int = 0,
        code_config: CodeConfig | None = None,
        metadata: Mapping[str, Any] | None = None,
        description: str | None = None,
        category: str | None = None,
        category_id: str | None = None,
        start_date: dt.datetime | None = None,
        expiration_date: dt.datetime | None = None,
        auto_join: bool = False,
        join_once: bool = True,
        redemption_quantity: int | None = None,
        settings: Mapping[str, Any] | None = None,
        expiration_rules: ExpirationRules | None = None,
        campaign_type: str = "LOYALTY_PROGRAM",
        voucher: Mapping[str, Any] | None = None,
    ) -> Campaign:
        """Create a loyalty program and generate its ``vouchers_count`` cards.

        Raises 409 ``duplicate_found`` for a taken name, 404 for an unknown
        ``category_id``, and 400 when the code space cannot hold the cards.
        """
        config = code_config or CodeConfig()
        project = self._project
        if name in project.campaign_ids_by_name:
            raise errors.duplicate_found(
                "campaign", name, f"Duplicated campaign exists with name {name}"
            )
        if vouchers_count > MAX_VOUCHERS_PER_REQUEST:
            raise errors.invalid_payload(
                f"Property .vouchers_count must be <= {MAX_VOUCHERS_PER_REQUEST}"
            )
        if not 0 <= initial_points <= MAX_POINTS:
            raise errors.invalid_payload(
                "Property .voucher.loyalty_card.points must be "
                + (f"<= {MAX_POINTS}" if initial_points > 0 else ">= 0"),
            )
        config.check_room(vouchers_count, AllCodes(project))
        resolved_category = self._category_for(project, category, category_id)
        now = self._session.clock.now()
        undo = self._session.undo
        if undo is not None:
            note_project(undo, project)
        if (
            resolved_category is not None
            and resolved_category.name not in project.categories_by_name
        ):
            project.categories_by_name[resolved_category.name] = resolved_category
        campaign = Campaign(
            id=self._session.ids.campaign_id(),
            name=name,
            type=type,
            created_at=now,
            code_config=config,
            initial_points=initial_points,
            seq=project.take_seq(),
            description=description,
            category=resolved_category,
            metadata=dict(metadata or {}),
            start_date=start_date,
            expiration_date=expiration_date,
            auto_join=auto_join,
            join_once=join_once,
            redemption_quantity=redemption_quantity,
            settings=dict(settings or {}),
            expiration_rules=expiration_rules,
            campaign_type=campaign_type,
            voucher=dict(voucher) if voucher is not None else None,
        )
        project.campaigns[campaign.id] = campaign
        project.campaign_ids_by_name[name] = campaign.id
        if campaign.is_loyalty_program:
            self._session.cards.create_many(project, campaign, now, vouchers_count)
        else:
            for _ in range(vouchers_count):
                self._session.vouchers.create(campaign=campaign)
        return campaign

    @contextmanager
    def bulk_load(self, campaign_ref: str) -> Iterator[Campaign]:
        """Hold the ledger for a bulk load of one program's members (seeding).

        Inside, the program's member indexes are not kept up to date card by card;
        they are rebuilt in one sort on the way out. The ledger's lock is held
        throughout, so no other thread sees the program half-indexed, and the cyclic
        garbage collector pauses: its full passes over a growing heap made seeding a
        million members cost more per member than seeding a thousand.
        """
        with no_gc():
            project = self._project
            campaign = find_campaign(project, campaign_ref)
            self._session.note_members(campaign)
            campaign.members.defer()
            try:
                yield campaign
            finally:
                members = [
                    card
                    for card in project.cards.values()
                    if card.campaign_id == campaign.id and card.holder_id is not None
                ]
                campaign.members.rebuild(members)

    def _category_for(
        self, project: Project, name: str | None, category_id: str | None
    ) -> Category | None:
        if category_id is not None:
            for known in project.categories_by_name.values():
                if known.id == category_id:
                    return known
            raise errors.not_found("category", category_id)
        if name is None:
            return None
        known_by_name = project.categories_by_name.get(name)
        if known_by_name is not None:
            return known_by_name
        return Category(
            id=self._session.ids.category_id(), name=name, created_at=self._session.clock.now()
        )

    def category_named(self, name: str) -> Category:
        """The project's category ``name``, made (and kept) when it is new."""
        project = self._project
        found = self._category_for(project, name, None)
        assert found is not None  # noqa: S101 - a name always gives one
        if name not in project.categories_by_name:
            undo = self._session.undo
            if undo is not None:
                note_project(undo, project)
            project.categories_by_name[name] = found
        return found

    def get(self, campaign_ref: str, *, any_type: bool = False) -> Campaign:
        """The program (any campaign: ``any_type``) by ID or name; 404 ``not_found`` otherwise."""
        return find_campaign(self._project, campaign_ref, any_type=any_type)

    def page(
        self,
        *,
        limit: int,
        page: int,
        order: str,
        campaign_type: str | None = "LOYALTY_PROGRAM",
        filters: Filter | None = None,
    ) -> tuple[list[Campaign], int]:
        """One page of the project's campaigns of ``campaign_type`` (``None``: every type).

        None in the bin, only those ``filters`` keeps (``CAMPAIGN_FILTERS``); and how many.
        """
        now = self._session.clock.now()
        live = [
            c
            for c in self._project.campaigns.values()
            if not c.in_bin
            and (campaign_type is None or c.campaign_type == campaign_type)
            and (not filters or filters.matches(campaign_record(c), now))
        ]
        field = order.lstrip("-")
        live.sort(
            key=lambda c: (
                (c.updated_at or c.created_at) if field == "updated_at" else c.created_at,
                c.seq,
            ),
            reverse=order.startswith("-"),
        )
        return Page(limit, page).of(live), len(live)

    def update(
        self, campaign_ref: str, changes: Mapping[str, Any], *, any_type: bool = False
    ) -> Campaign:
        """Apply the updatable fields in ``changes`` (already validated) to a program.

        Keys: description, start_date, expiration_date, auto_join, type, category,
        category_id, metadata (merged), unset_metadata_fields, and the validity settings.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref, any_type=any_type)
        category = None
        if "category" in changes or "category_id" in changes:
            category = self._category_for(
                project, changes.get("category"), changes.get("category_id")
            )
        now = self._session.clock.now()
        undo = self._session.undo
        if undo is not None:
            undo.touch(campaign)
            undo.keep(campaign.settings)
            undo.keep(campaign.metadata)
        keep_published_cards_as_they_are(project, campaign, changes, undo)
        for key in (
            "description",
            "start_date",
            "expiration_date",
            "auto_join",
            "type",
            "join_once",
            "active",
        ):
            if key in changes:
                setattr(campaign, key, changes[key])
        for key in PROGRAM_SETTINGS:
            if key in changes:
                campaign.settings[key] = changes[key]
        if "metadata" in changes:
            campaign.metadata.update(changes["metadata"])
        for key in changes.get("unset_metadata_fields") or ():
            campaign.metadata.pop(key, None)
        if category is not None:
            recategorize(project, campaign, category, undo)
        campaign.updated_at = now
        return campaign

    def delete(self, campaign_ref: str, *, force: bool, any_type: bool = False) -> str:
        """Delete a program; returns its finished ``CAMPAIGN.VOUCHERS_DELETE`` action's ID.

        Without ``force`` it goes to the bin (gone from every read, name and codes still
        taken); with ``force`` it goes for good with its cards, freeing name and codes.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref, any_type=any_type)
        undo = self._session.undo
        if force:
            forget_campaign(self._session, campaign)
        else:
            if undo is not None:
                undo.touch(campaign)
            campaign.in_bin = True
            Bin(self._session).add("campaign", campaign.id, campaign.name, None)
        n = campaign.vouchers_count
        done = {"message": f"Deleted {n} vouchers.", "done_count": n}
        return self._session.async_actions.record("CAMPAIGN.VOUCHERS_DELETE", done).id

    def add_vouchers(  # noqa: PLR0913 - mirrors the endpoint's options
        self,
        campaign_ref: str,
        *,
        count: int = 1,
        code: str | None = None,
        code_config: CodeConfig | None = None,
        metadata: Mapping[str, Any] | None = None,
        category: str | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> list[LoyaltyCard | Voucher]:
        """Add ``count`` new cards or vouchers (or one with ``code``) to a campaign.

        They inherit its settings. Raises 409 ``duplicate_found`` for a code taken
        anywhere in the project and 400 when the code space cannot hold them.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref, any_type=True)
        if count > MAX_VOUCHERS_PER_REQUEST:
            raise errors.invalid_query_params(
                f"Property .vouchers_count must be <= {MAX_VOUCHERS_PER_REQUEST}"
            )
        taken = AllCodes(project)
        if code is not None and code in taken:
            raise errors.duplicate_found("voucher", code)
        config = code_config or campaign.code_config
        if code is None:
            config.check_room(count, taken)
        resolved = self._category_for(project, category, None) if category else None
        now = self._session.clock.now()
        undo = self._session.undo
        if undo is not None:
            undo.touch(campaign)
            note_project(undo, project)
        if resolved is not None:
            project.categories_by_name.setdefault(resolved.name, resolved)
        cards: list[LoyaltyCard | Voucher]
        if campaign.is_loyalty_program:
            made = (
                self._session.cards.create_many(project, campaign, now, count, config)
                if code is None  # their codes drawn in one go
                else [self._session.cards.create(project, campaign, now, code)]
            )
            for card in made:
                card.metadata = dict(metadata) if metadata else None
                if resolved is not None:
                    card.category = resolved
                card.overrides = dict(overrides) if overrides else None
            cards = [*made]
        else:
            cards = [
                self._session.vouchers.create(
                    campaign=campaign,
                    code=code
                    if code is not None
                    else config.generate(self._session.ids.chars, taken),
                    category=resolved,
                    metadata=metadata,
                    overrides=overrides,
                )
                for _ in range(count if code is None else 1)
            ]
        campaign.updated_at = now
        return cards
