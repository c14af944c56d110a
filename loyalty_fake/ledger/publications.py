"""Publications: a card given to a customer, by code or by program; the publications list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors, ids
from loyalty_fake.filters import STRING_CONDITIONS, FilterField, Kind
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.project import Area
from loyalty_fake.ledger.vouchers import Voucher

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping

    from loyalty_fake.filters import Filter
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import CustomerRef
    from loyalty_fake.ledger.project import Project

__all__ = [
    "PUBLICATION_FILTERS",
    "Publication",
    "Publications",
    "publication_record",
]


@attrs.define  # not frozen, for its init's speed (one per join); nothing changes one
class Publication:
    """The assignment of a card or vouchers to a customer (Voucherify's publication).

    One voucher, or several of one campaign (``campaign.count``): the first is
    ``voucher_code``, the others ``more_codes``. A standalone voucher has no campaign.
    """

    created_at: dt.datetime
    customer_id: str
    campaign_id: str | None
    campaign_name: str | None
    voucher_code: str
    source_id: str | None = None
    channel: str = "API"
    metadata: dict[str, Any] | None = None  # None while empty
    result: str = "SUCCESS"
    seq: int = 0
    # LOYALTY_CARD, DISCOUNT_VOUCHER or GIFT_VOUCHER: the type of what was published.
    voucher_type: str = "LOYALTY_CARD"
    more_codes: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code the publication gave, in the order it gave them."""
        return (self.voucher_code, *self.more_codes)

    @property
    def voucher_id(self) -> str:
        """The first voucher's ``v_`` ID (see ``LoyaltyCard.id``), derived: not stored."""
        return ids.card_id(self.campaign_id or "", self.voucher_code)

    @property
    def vouchers_id(self) -> list[str]:
        """The ``v_`` ID of every voucher published, in the order of ``codes``."""
        return [ids.card_id(self.campaign_id or "", code) for code in self.codes]

    @property
    def id(self) -> str:
        """``pub_`` and 32 alphanumerics, derived from the card and sequence: not stored."""
        return ids.publication_id(self.voucher_id, self.seq)

    @property
    def event_id(self) -> str:
        """The ``customer.publication.succeeded`` event's ID, derived: not stored."""
        return ids.publication_event_id(self.id, self.seq)


# What GET /v1/publications filters on: ParameterFiltersListPublications's fields, and
# voucher_code, a publication's own column (the list orders by it). See publication_record.
PUBLICATION_FILTERS: dict[str, FilterField] = {
    "campaign_name": FilterField(Kind.STRING),
    "customer_id": FilterField(Kind.STRING),
    "failure_code": FilterField(Kind.STRING),
    # A boolean, which the spec filters with text conditions (FilterConditionsString).
    "is_referral_code": FilterField(Kind.BOOLEAN, STRING_CONDITIONS),
    "parent_object_id": FilterField(Kind.STRING),
    "related_object_id": FilterField(Kind.STRING),
    "result": FilterField(Kind.STRING),
    "source_id": FilterField(Kind.STRING),
    "voucher_code": FilterField(Kind.STRING),
    "voucher_type": FilterField(Kind.STRING),
}


def publication_record(publication: Publication) -> dict[str, Any]:
    """A publication's filterable fields (``PUBLICATION_FILTERS``, ``metadata.<key>``).

    A publication's parent object is its card's program, its related object the card;
    the fake records no failed publications, so ``failure_code`` is always unset.
    """
    record: dict[str, Any] = {
        "campaign_name": publication.campaign_name,
        "customer_id": publication.customer_id,
        "failure_code": None,
        "is_referral_code": False,
        "parent_object_id": publication.campaign_id,
        "related_object_id": publication.voucher_id,
        "result": publication.result,
        "source_id": publication.source_id,
        "voucher_code": publication.voucher_code,
        "voucher_type": publication.voucher_type,
    }
    for key, value in (publication.metadata or {}).items():
        record[f"metadata.{key}"] = value
    return record


def _tracking_id(project: Project, publication: Publication) -> str:
    customer = project.customers.get(publication.customer_id)
    return (customer.source_id or "") if customer is not None else ""


_PUBLICATION_ORDER: dict[str, Callable[[Project, Publication], Any]] = {
    "id": lambda _project, p: p.id,
    "voucher_code": lambda _project, p: p.voucher_code,
    "tracking_id": _tracking_id,
    "customer_id": lambda _project, p: p.customer_id,
    "created_at": lambda _project, p: p.created_at,
    "channel": lambda _project, p: p.channel,
}


class Publications(Area):
    """A project's publications."""

    __slots__ = ()

    def publish(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        *,
        customer: CustomerRef,
        voucher: str | None = None,
        campaign: str | None = None,
        count: int = 1,
        source_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        channel: str | None = None,
        join_once: bool = False,
    ) -> Publication:
        """``POST /v1/publications``: a card, a voucher by code, or vouchers of a campaign.

        ``voucher`` wins over ``campaign``. A loyalty program follows the members rules
        and always joins once, so one publication publishes one card; a discount or
        gift campaign publishes ``count`` vouchers (``voucher_publications``). Returns
        the publication: the new one, or the earlier one a repeated join names.
        """
        # voucher_publications makes this module's Publication: imported here, not above.
        from loyalty_fake.ledger.voucher_publications import (  # noqa: PLC0415
            VoucherPublication,
            publish_vouchers,
        )

        session = self._session
        if voucher is None and campaign is None:
            raise errors.missing_vouchers()
        named = session.vouchers.find(voucher) if voucher is not None else None
        program = (
            session.campaigns.get(campaign, any_type=True)
            if named is None and campaign is not None
            else None
        )
        if isinstance(named, Voucher) or (program is not None and not program.is_loyalty_program):
            found = named if isinstance(named, Voucher) else None
            return publish_vouchers(
                session,
                VoucherPublication(
                    customer=customer,
                    campaign=session.vouchers.campaign_of(found) if found is not None else program,
                    voucher=found,
                    count=count,
                    source_id=source_id,
                    metadata=metadata,
                    channel=channel,
                    join_once=join_once,
                ),
            )
        if count > 1:
            raise errors.too_many_vouchers_requested(
                None if source_id is not None else "loyalty programs publish one card per customer"
            )
        program_id = named.campaign_id if named is not None else program.id if program else ""
        card = session.members.add(
            program_id,
            customer=customer,
            voucher=named.code if named is not None else None,
            source_id=source_id,
            metadata=metadata,
            channel=channel,
        )
        assert card.publication is not None  # noqa: S101 - a member's card has its publication
        return card.publication

    def page(  # noqa: PLR0913 - the endpoint's filters
        self,
        *,
        limit: int,
        page: int,
        order: str,
        campaign: str | None = None,
        customer: str | None = None,
        voucher: str | None = None,
        source_id: str | None = None,
        result: str | None = None,
        voucher_type: str | None = None,
        referral_only: bool = False,
        filters: Filter | None = None,
    ) -> tuple[list[Publication], int]:
        """One page of publications matching the filters, and how many match.

        ``voucher`` is any code a publication gave; ``voucher_type`` a ``type`` of
        voucher (``LOYALTY_CARD``, ``DISCOUNT_VOUCHER``); ``referral_only`` keeps the
        publications of referral codes; ``filters`` (on ``PUBLICATION_FILTERS`` and
        ``metadata.<key>``) is applied after the rest. The publications of deleted
        campaigns and vouchers are gone.
        """
        project = self._project
        now = self._session.clock.now()
        holder = self._session.customers.find(project, customer) if customer is not None else None
        matches = [
            p
            for p in project.publications
            if (campaign is None or campaign in (p.campaign_name, p.campaign_id))
            and (customer is None or (holder is not None and p.customer_id == holder.id))
            and (voucher is None or voucher in p.codes)
            and (source_id is None or p.source_id == source_id)
            and (result is None or p.result == result)
            and (voucher_type is None or voucher_type == p.voucher_type)
            and not referral_only  # the fake has no referral programs
            and not self._gone(project, p)
        ]
        if filters:
            matches = [p for p in matches if filters.matches(publication_record(p), now)]
        field = order.lstrip("-")
        key = _PUBLICATION_ORDER[field]
        matches.sort(key=lambda p: (key(project, p), p.seq), reverse=order.startswith("-"))
        return Page(limit, page).of(matches), len(matches)

    @staticmethod
    def _gone(project: Project, publication: Publication) -> bool:
        """Whether what the publication gave was deleted: its campaign, or its voucher."""
        if publication.campaign_id is not None:
            campaign = project.campaigns.get(publication.campaign_id)
            if campaign is None or campaign.in_bin:
                return True
        if publication.voucher_type == "LOYALTY_CARD":
            return False
        voucher = project.vouchers.get(publication.voucher_code)
        # A forced delete frees the code: a voucher made after the publication is another.
        return (
            voucher is None
            or voucher.in_bin
            or voucher.campaign_id != publication.campaign_id
            or voucher.seq > publication.seq
        )

    def all(self) -> list[Publication]:
        """Every publication of the project, oldest first."""
        return list(self._project.publications)

    def forget_campaign(self, campaign: Campaign) -> None:
        """Remove the publications of a program's cards, removed for good."""
        project = self._project
        project.publications[:] = [p for p in project.publications if p.campaign_id != campaign.id]
        for source_id, publication in list(project.publications_by_source_id.items()):
            if publication.campaign_id == campaign.id:
                del project.publications_by_source_id[source_id]
