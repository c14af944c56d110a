"""A program's members: the join rules, and reading members back.

Which card a customer gets, one card per customer per program, one per ``source_id``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.activities import card_activity
from loyalty_fake.ledger.activity import PUBLICATION_SUCCEEDED
from loyalty_fake.ledger.campaigns import Campaign, find_campaign
from loyalty_fake.ledger.cards import note_card
from loyalty_fake.ledger.customers import Customer, CustomerPlan, card_held_in
from loyalty_fake.ledger.member_index import in_order, matches_dates
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.project import Area, note_growth
from loyalty_fake.ledger.publications import Publication
from loyalty_fake.ledger.voucher_codes import AllCodes

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import CustomerRef
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.undo import UndoLog

__all__ = ["MemberOrder", "MemberQuery", "Members", "note_members"]


MemberOrder = Literal["created_at", "-created_at", "updated_at", "-updated_at", "code", "-code"]


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


def note_members(undo: UndoLog, project: Project, campaign: Campaign) -> None:
    """Note the members index of ``campaign`` before a change to it.

    Put back by indexing the program's published cards afresh, once they are back as
    they were: the same index, in fewer notes than its blocks would take.
    """
    members = campaign.members
    undo.finally_(id(members), _reindex, project, campaign, members.deferred, members.backdated)


def _reindex(project: Project, campaign: Campaign, deferred: bool, backdated: bool) -> None:
    """Index the program's published cards afresh (putting back a unit's changes)."""
    members = [
        card
        for card in project.cards.values()
        if card.campaign_id == campaign.id and card.holder_id is not None
    ]
    campaign.members.rebuild(members, backdated=backdated)
    if deferred:
        campaign.members.defer()


class Members(Area):
    """The members of a project's programs: their published cards."""

    __slots__ = ()

    def add(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        campaign_ref: str,
        *,
        customer: CustomerRef,
        voucher: str | None = None,
        source_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> LoyaltyCard:
        """Publish a card of the campaign to a customer and return the card.

        Follows Voucherify's rules: the named ``voucher`` or else the next available
        card; one card per customer per program; one card per ``source_id``.
        Raises the Voucherify error of the first rule broken; then nothing changes.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref)
        customers = self._session.customers
        plan = customers.plan(project, customer)
        if source_id is not None:
            repeated = self._card_of_source_id(project, campaign, plan, source_id)
            if repeated is not None:
                return repeated
        named = self._named_card(project, campaign, voucher) if voucher is not None else None
        held = self._held_card(project, campaign, plan)
        if held is not None:
            if self._session.strict_joins:
                raise errors.voucher_cannot_be_published()
            return held
        chosen, new_code = self._card_to_publish(project, campaign, named)
        # Every check passed: from here on the request commits.
        now = self._session.clock.now()
        holder = customers.commit(project, plan, now)
        if chosen is None:
            # Published at once, so never in the stock of cards to publish.
            chosen = self._session.cards.create(project, campaign, now, new_code, in_stock=False)
        self._publish(project, campaign, chosen, holder, now, source_id, metadata, channel)
        return chosen

    @staticmethod
    def _card_of_source_id(
        project: Project, campaign: Campaign, plan: CustomerPlan, source_id: str
    ) -> LoyaltyCard | None:
        """The card a repeated ``source_id`` already published, or ``None`` for a new one."""
        earlier = project.publications_by_source_id.get(source_id)
        if earlier is None:
            return None
        if (
            plan.existing is not None
            and earlier.customer_id == plan.existing.id
            and earlier.campaign_id == campaign.id
        ):
            return project.cards[earlier.voucher_code]
        raise errors.duplicate_source_id(source_id)

    def _card_to_publish(
        self, project: Project, campaign: Campaign, named: LoyaltyCard | None
    ) -> tuple[LoyaltyCard | None, str | None]:
        """The card to publish, or ``(None, code)`` for a new card an AUTO_UPDATE program grows."""
        if named is not None:
            if named.holder_id is not None:
                raise errors.voucher_already_published(named.id)
            return named, None
        available = self._next_available(project, campaign)
        if available is not None:
            return available, None
        if campaign.type == "STATIC":
            raise errors.no_voucher_suitable_for_publication()
        # The new card's code is found before anything commits, so an exhausted code
        # space leaves no trace.
        return None, campaign.code_config.generate(self._session.ids.chars, AllCodes(project))

    @staticmethod
    def _named_card(project: Project, campaign: Campaign, code: str) -> LoyaltyCard:
        card = project.cards.get(code)
        if card is None or card.campaign_id != campaign.id:
            raise errors.not_found("voucher", code)
        return card

    @staticmethod
    def _held_card(project: Project, campaign: Campaign, plan: CustomerPlan) -> LoyaltyCard | None:
        if plan.existing is None:
            return None
        return card_held_in(project, campaign, plan.existing)

    def _next_available(self, project: Project, campaign: Campaign) -> LoyaltyCard | None:
        # "A voucher is suitable for publication when it's active and hasn't been
        # published yet"; the oldest such card goes first. Published and deleted cards
        # at the front of the stock are passed once and for all: iterating a dict of
        # unpublished codes walked every removed slot, each join costing more than the last.
        stock = campaign.stock
        head = campaign.stock_head
        if head == len(stock):
            return None  # all published (a program that grows a card a join keeps none)
        found = None
        for position in range(head, len(stock)):
            card = project.cards.get(stock[position])
            if card is None or card.campaign_id != campaign.id or card.holder_id is not None:
                if position == head:
                    head += 1  # never available again
                continue
            if card.active:
                found = card
                break
        trim = head > len(stock) // 2
        undo = self._session.undo
        if undo is not None and (trim or head != campaign.stock_head):
            undo.touch(campaign)
            if trim:
                undo.keep(stock)
        if trim:
            del stock[:head]
            head = 0
        campaign.stock_head = head
        return found

    def _publish(  # noqa: PLR0913, PLR0917 - private, one call site
        self,
        project: Project,
        campaign: Campaign,
        card: LoyaltyCard,
        holder: Customer,
        now: dt.datetime,
        source_id: str | None,
        metadata: Mapping[str, Any] | None,
        channel: str | None,
    ) -> None:
        undo = self._session.undo
        if undo is not None:
            note_card(undo, card)
            undo.touch(holder)
            if source_id is None:
                note_growth(undo, project, project.publications)
            else:
                note_growth(undo, project, project.publications, project.publications_by_source_id)
            note_members(undo, project, campaign)
        card.holder_id = holder.id
        card.publish_count += 1
        card.updated_at = now
        campaign.members.add(card)
        holder.hold(card.code)
        seq = project.take_seq()
        # The fields in order (created_at, customer_id, campaign_id, campaign_name,
        # voucher_code, source_id, channel, metadata): keyword arguments cost a
        # seeding of a million members half as much again.
        publication = Publication(
            now,
            holder.id,
            campaign.id,
            campaign.name,
            card.code,
            source_id,
            channel if channel is not None else "API",
            dict(metadata) if metadata else None,
            seq=seq,
        )
        project.publications.append(publication)
        card.publication = publication
        if self._session.keeps(PUBLICATION_SUCCEEDED):  # not made to be dropped (seeding)
            self._session.happened(card_activity(PUBLICATION_SUCCEEDED, card.code, seq))
        if source_id is not None:
            project.publications_by_source_id[source_id] = publication

    def page(self, campaign_ref: str, query: MemberQuery) -> tuple[list[LoyaltyCard], int]:
        """One page of a campaign's members (its published cards) and the count of all matches."""
        project = self._project
        campaign = find_campaign(project, campaign_ref)
        if query.customer is None and query.code is None and query.ids is None:
            return campaign.members.select(query, project.cards.__getitem__)
        # A customer, a code or IDs name few members of the program: look them up.
        if query.ids is None:
            candidate = self._single_member(project, campaign, query)
            named = [candidate] if candidate is not None else []
        else:
            named = in_order(self._members_by_ids(project, campaign, query), query.order)
        matches = [card for card in named if matches_dates(card, query)]
        return Page(query.limit, query.page).of(matches), len(matches)

    def _single_member(
        self, project: Project, campaign: Campaign, query: MemberQuery
    ) -> LoyaltyCard | None:
        """The one member of the program that ``customer`` and ``code`` name, if any."""
        code = query.code
        if query.customer is not None:
            customer = self._session.customers.find(project, query.customer)
            card = card_held_in(project, campaign, customer) if customer is not None else None
            if card is None or (code is not None and card.code != code):
                return None
            code = card.code
        card = project.cards.get(code) if code is not None else None
        if card is None or card.campaign_id != campaign.id or card.holder_id is None:
            return None
        return card

    def _members_by_ids(
        self, project: Project, campaign: Campaign, query: MemberQuery
    ) -> list[LoyaltyCard]:
        """The program's members whose ``v_`` IDs are ``ids`` (and that customer, code name)."""
        ids = set(query.ids or ())
        if query.customer is not None or query.code is not None:
            single = self._single_member(project, campaign, query)
            return [single] if single is not None and single.id in ids else []
        found = (project.cards.get(code) for i in ids if (code := project.code_of_card_id(i)))
        return [
            card
            for card in found
            if card is not None and card.campaign_id == campaign.id and card.holder_id is not None
        ]

    def get(self, code: str, campaign_ref: str | None = None) -> LoyaltyCard:
        """The card ``code``, of ``campaign_ref`` when given.

        Raises 404 ``not_found``: campaign for an unknown program, voucher for an
        unknown code or a code of another program.
        """
        return self._session.cards.member(self._project, code, campaign_ref)

    def next_in_stock(self, campaign: Campaign) -> LoyaltyCard | None:
        """The card of the program's stock that ``add`` publishes next, if any (bulk seeding)."""
        return self._next_available(self._project, campaign)

    def publish_new(
        self, campaign: Campaign, card: LoyaltyCard, holder: Customer, now: dt.datetime
    ) -> None:
        """Publish ``next_in_stock``'s card to ``holder``, a customer just created (bulk seeding).

        What ``add`` does once its checks pass, for a customer new to the project
        without a ``source_id`` or named card: nothing it checks can fail.
        """
        self._publish(self._project, campaign, card, holder, now, None, None, None)
