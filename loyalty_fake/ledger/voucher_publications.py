"""Publishing discount vouchers and gift cards: one by code, or the next free ones of a campaign.

Loyalty cards are published by the members rules (``members.py``); this is the other
half of ``POST /v1/publications``. A published voucher gets its holder: it is in the
customer's wallet from then on (qualifications, ``GET /v1/vouchers?customer=``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.project import note_project
from loyalty_fake.ledger.publications import Publication
from loyalty_fake.ledger.voucher_codes import AllCodes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import Customer, CustomerPlan, CustomerRef
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = ["VoucherPublication", "held_vouchers", "publish_vouchers"]


@attrs.frozen
class VoucherPublication:
    """What to publish: a voucher by code, or ``count`` of a campaign's, and to whom."""

    customer: CustomerRef
    campaign: Campaign | None
    voucher: Voucher | None = None
    count: int = 1
    source_id: str | None = None
    metadata: Mapping[str, Any] | None = None
    channel: str | None = None
    # The query's join_once, or the campaign's: the customer keeps the code they were given.
    join_once: bool = False


def held_vouchers(project: Project, customer: Customer) -> list[Voucher]:
    """The discount vouchers and gift cards published to ``customer``, oldest first.

    A forced delete frees a code, which another voucher may take later: only a voucher
    that still names the customer as its holder counts.
    """
    found = []
    for code in customer.held_codes():
        voucher = project.vouchers.get(code)
        if voucher is not None and voucher.holder_id == customer.id and not voucher.in_bin:
            found.append(voucher)
    return found


def publish_vouchers(session: Session, request: VoucherPublication) -> Publication:
    """Publish a discount voucher or gift card (or several of a campaign) to a customer.

    Returns the publication: a new one, or the earlier one a repeated ``source_id`` or
    ``join_once`` names. Raises ``duplicate_source_id``, ``too_many_vouchers_requested``
    (a ``source_id`` with ``count`` above 1), ``voucher_already_published``,
    ``voucher_cannot_be_published`` (``join_once`` with ``strict_joins``) and
    ``no_voucher_suitable_for_publication`` (a STATIC campaign out of free vouchers);
    then nothing changes.
    """
    project = session.project
    if request.source_id is not None and request.count > 1:
        raise errors.too_many_vouchers_requested()
    plan = session.customers.plan(project, request.customer)
    earlier = _earlier(session, plan, request)
    if earlier is not None:
        return earlier
    chosen, missing = _vouchers_to_publish(session, request)
    # Every check passed: from here on the request commits.
    now = session.clock.now()
    holder = session.customers.commit(project, plan, now)
    campaign = request.campaign
    if missing:
        assert campaign is not None  # noqa: S101 - only a campaign grows
        chosen.extend(session.vouchers.create(campaign=campaign) for _ in range(missing))
    undo = session.undo
    if undo is not None:
        note_project(undo, project)
        undo.touch(holder)
    first = chosen[0]
    publication = Publication(
        seq=project.take_seq(),
        created_at=now,
        customer_id=holder.id,
        campaign_id=first.campaign_id,
        campaign_name=campaign.name if campaign is not None else None,
        voucher_code=first.code,
        source_id=request.source_id,
        channel=request.channel if request.channel is not None else "API",
        metadata=dict(request.metadata) if request.metadata else None,
        voucher_type=first.type,
        more_codes=tuple(voucher.code for voucher in chosen[1:]),
    )
    for voucher in chosen:
        if undo is not None:
            undo.touch(voucher)
        voucher.holder_id = holder.id
        voucher.publish_count += 1
        voucher.updated_at = now
        voucher.publication = publication
        holder.hold(voucher.code)
    project.publications.append(publication)
    if request.source_id is not None:
        project.publications_by_source_id[request.source_id] = publication
    return publication


def _earlier(
    session: Session, plan: CustomerPlan, request: VoucherPublication
) -> Publication | None:
    """The earlier publication a repeated ``source_id`` or a join-once names, if any.

    Raises ``duplicate_source_id`` for a ``source_id`` another customer or source used,
    ``voucher_cannot_be_published`` for a join-once with ``strict_joins``.
    """
    project = session.project
    if request.source_id is not None:
        earlier = project.publications_by_source_id.get(request.source_id)
        if earlier is not None:
            if _same_request(earlier, plan, request):
                return earlier
            raise errors.duplicate_source_id(request.source_id)
    campaign = request.campaign
    once = request.join_once or (campaign is not None and campaign.join_once)
    if not once or plan.existing is None:
        return None
    earlier = _publication_held(project, plan.existing, request)
    if earlier is not None and session.strict_joins:
        raise errors.voucher_cannot_be_published()
    return earlier


def _same_request(earlier: Publication, plan: CustomerPlan, request: VoucherPublication) -> bool:
    """Whether a repeated ``source_id`` names the same customer and source as before."""
    if plan.existing is None or earlier.customer_id != plan.existing.id:
        return False
    if request.voucher is not None:
        return request.voucher.code in earlier.codes
    return request.campaign is not None and earlier.campaign_id == request.campaign.id


def _publication_held(
    project: Project, customer: Customer, request: VoucherPublication
) -> Publication | None:
    """The publication that gave ``customer`` a voucher of the campaign (or this voucher)."""
    for voucher in held_vouchers(project, customer):
        if request.campaign is not None:
            if voucher.campaign_id == request.campaign.id:
                return voucher.publication
        elif voucher is request.voucher:
            return voucher.publication
    return None


def _vouchers_to_publish(
    session: Session, request: VoucherPublication
) -> tuple[list[Voucher], int]:
    """The vouchers to publish, and how many more an AUTO_UPDATE campaign must make."""
    voucher = request.voucher
    if voucher is not None:
        if voucher.holder_id is not None:
            raise errors.voucher_already_published(voucher.id)
        return [voucher], 0
    campaign = request.campaign
    assert campaign is not None  # noqa: S101 - a voucher or a campaign names the source
    free = _next_available(session, campaign, request.count)
    missing = request.count - len(free)
    if missing:
        if campaign.type == "STATIC":
            raise errors.no_voucher_suitable_for_publication()
        # The new codes must fit before anything commits.
        campaign.code_config.check_room(missing, AllCodes(session.project))
    return free, missing


def _next_available(session: Session, campaign: Campaign, count: int) -> list[Voucher]:
    """Up to ``count`` of the campaign's oldest vouchers that are active and unpublished.

    "A voucher is suitable for publication when it's active and hasn't been published
    yet". Published and deleted vouchers at the front of the campaign's stock are passed
    once and for all, as a program's cards are (``Members._next_available``).
    """
    project = session.project
    stock = campaign.stock
    head = campaign.stock_head
    found: list[Voucher] = []
    for position in range(head, len(stock)):
        voucher = project.vouchers.get(stock[position])
        if voucher is None or voucher.campaign_id != campaign.id or voucher.holder_id is not None:
            if position == head:
                head += 1  # never available again
            continue
        if voucher.active and not voucher.in_bin:
            found.append(voucher)
            if len(found) == count:
                break
    if head != campaign.stock_head:
        undo = session.undo
        if undo is not None:
            undo.touch(campaign)
        campaign.stock_head = head
    return found
