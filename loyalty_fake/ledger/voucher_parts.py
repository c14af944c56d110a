"""A discount voucher's or gift card's part of a stacked redemption, read as a redemption.

Voucherify keeps every part as a redemption of its own (``r_``): ``GET /v1/redemptions``
lists it, ``GET /v1/redemptions/{id}`` reads it (or its rollback, ``rr_``) and the
voucher's redemptions list holds it. A part rolls back with its parent
(``stacking.py``); alone only when ``rollback_stacked_parts`` allows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loyalty_fake import errors
from loyalty_fake.ledger.orders import OrderInput
from loyalty_fake.ledger.voucher_kinds import roll_back

if TYPE_CHECKING:
    from collections.abc import Iterable

    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.voucher_kinds import VoucherRedemption
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = ["find_part", "parts_by_customer", "parts_of", "roll_back_part"]


def find_part(project: Project, redemption_id: str) -> VoucherRedemption | None:
    """The voucher part with this ``r_`` ID, or whose rollback's ``rr_`` ID this is."""
    part_id = project.redemption_ids_by_rollback.get(redemption_id, redemption_id)
    return project.voucher_redemptions.get(part_id)


def parts_by_customer(
    project: Project, customer_ids: Iterable[str]
) -> dict[str, list[VoucherRedemption]]:
    """The parts each of these customers redeemed, oldest first (their summaries count them)."""
    wanted = set(customer_ids)
    found: dict[str, list[VoucherRedemption]] = {}
    for part in project.voucher_redemptions.values():
        if part.customer_id is not None and part.customer_id in wanted:
            found.setdefault(part.customer_id, []).append(part)
    return found


def parts_of(project: Project, voucher: Voucher) -> list[VoucherRedemption]:
    """The voucher's parts, oldest first.

    Only those made since the voucher was: a code deleted for good and made again starts
    with no redemptions, as a new voucher (its ``v_`` ID may be the same).
    """
    return [
        part
        for part in project.voucher_redemptions.values()
        if part.code == voucher.code and part.seq > voucher.seq
    ]


def roll_back_part(
    session: Session,
    part: VoucherRedemption,
    *,
    reason: str | None = None,
    customer: str | None = None,
    order: str | None = None,
) -> VoucherRedemption:
    """Roll one part back alone: 400 ``invalid_redemption_parent`` unless the switch is on.

    With ``rollback_stacked_parts``, the part rolls back as its parent would roll it
    back (its count down, a gift card's credits back) and its order is cancelled, as a
    loyalty card's part alone cancels its own. ``customer`` and ``order`` (ID or
    ``source_id``), when given, must be the part's: else 400 ``invalid_customer`` or
    ``invalid_order``. A second rollback is 400 ``already_rolled_back``, recorded
    nowhere: a failed rollback (``rrf_``) is listed under a loyalty card.
    """
    if not session.rollback_stacked_parts:
        # "You can't roll back a child redemption": the spec's error for it.
        raise errors.invalid_redemption_parent()
    if part.rollback is not None:
        raise errors.already_rolled_back()
    project = session.project
    if customer is not None:
        found = project.customers.get(part.customer_id) if part.customer_id else None
        if found is None or customer not in (found.id, found.source_id):
            raise errors.invalid_customer()
    made = part.order
    if order is not None and (made is None or order not in (made.id, made.source_id)):
        raise errors.invalid_order()
    if made is not None and made.status != "CANCELED":
        session.orders.update(made.id, OrderInput(status="CANCELED"))
    return roll_back(session, part, reason)
