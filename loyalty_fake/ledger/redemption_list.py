"""``GET /v1/redemptions``: every redemption, part, parent, rollback and failure, filtered.

A part is a loyalty card's (``redemptions.Redemption``) or a discount voucher's or gift
card's (``voucher_kinds.VoucherRedemption``): both are listed the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.filters import FilterField, Kind
from loyalty_fake.ids import card_id

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.filters import Filter
    from loyalty_fake.ledger.customers import Customers
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.redemptions import Redemption
    from loyalty_fake.ledger.voucher_kinds import VoucherRedemption

__all__ = [
    "REDEMPTION_FILTERS",
    "REDEMPTION_ORDERS",
    "entries",
    "redemption_record",
    "voucher_code",
]

# GET /v1/redemptions' filters (ParameterFiltersListRedemptions): every one text.
REDEMPTION_FILTERS: dict[str, FilterField] = {
    name: FilterField(Kind.STRING)
    for name in (
        "voucher_code",
        "related_object_id",
        "related_object_parent_id",
        "parent_redemption_id",
        "failure_code",
        "result",
        "object",
        "customer_id",
        "campaign_name",
        "user_login",
    )
}


def redemption_record(project: Project, kind: str, record: Any) -> dict[str, Any]:
    """A listed row's filterable fields (``REDEMPTION_FILTERS``); ``user_login`` has none.

    A parent's related object is itself; a card's redemption's, its card (``v_``) in its
    program; a voucher's part's, the voucher (in its campaign, if any). The fake's API
    calls name no user, so ``user_login`` never has a value.
    """
    rollback = kind in {"rollback", "parent_rollback"} or getattr(record, "is_rollback", False)
    found: dict[str, Any] = {
        "object": "redemption_rollback" if rollback else "redemption",
        "result": "FAILURE" if kind == "failed" else "SUCCESS",
        "customer_id": record.customer_id,
    }
    if kind in {"parent", "parent_rollback"}:
        found["related_object_id"] = record.id
        return found
    code = voucher_code(record)
    campaign = project.campaigns.get(record.campaign_id) if record.campaign_id else None
    found.update(
        {
            "voucher_code": code,
            "related_object_id": _voucher_id(project, record),
            "related_object_parent_id": record.campaign_id,
            "campaign_name": campaign.name if campaign is not None else None,
            "parent_redemption_id": getattr(record, "parent_id", None),
            "failure_code": getattr(record, "failure_code", None),
        }
    )
    return found


def voucher_code(record: Any) -> str | None:
    """The code a listed row redeemed: a card's, or a discount voucher's or gift card's."""
    return getattr(record, "card_code", None) or getattr(record, "code", None)


def _voucher_id(project: Project, record: Any) -> str | None:
    """A row's voucher's ``v_`` ID: its card's, or the voucher's (derived from its code)."""
    if hasattr(record, "card_code"):
        card = project.cards.get(record.card_code)
        return card.id if card is not None else None
    return card_id(record.campaign_id or "", record.code)


def entries(  # noqa: PLR0913 - the list's filters
    project: Project,
    customers: Customers,
    *,
    result: str | None = None,
    campaign: str | None = None,
    customer: str | None = None,
    order: str = "-created_at",
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
    filters: Filter | None = None,
    now: dt.datetime | None = None,
) -> list[tuple[str, Any]]:
    """Every redemption and rollback, newest first: ``(kind, record)`` pairs.

    ``kind`` is ``redemption``, ``rollback`` (a redemption's, dated by it), ``failed``,
    ``parent`` or ``parent_rollback``. ``campaign`` (ID or name), ``customer`` (ID or
    source_id) keep those that name it; a parent names no campaign. ``filters`` tests
    ``REDEMPTION_FILTERS`` at ``now``. ``order`` sorts (``REDEMPTION_ORDERS``), ties in
    creation order.
    """
    rows: list[tuple[dt.datetime, int, str, Any]] = []
    parts: list[Redemption | VoucherRedemption] = [
        *project.redemptions.values(),
        *project.voucher_redemptions.values(),
    ]
    for found in parts:
        rows.append((found.created_at, found.seq, "redemption", found))
        if found.rollback is not None:
            rollback = found.rollback
            rows.append((rollback.created_at, rollback.seq, "rollback", found))
    rows.extend(
        (failed.created_at, failed.seq, "failed", failed)
        for failed in project.failed_redemptions.values()
    )
    for parent in project.stacked_redemptions.values():
        rows.append((parent.created_at, parent.seq, "parent", parent))
        undone = parent.rollback
        if undone is not None:
            rows.append((undone.created_at, undone.seq, "parent_rollback", parent))
    campaign_id = None
    if campaign is not None:
        named = project.campaign_ids_by_name.get(campaign)
        campaign_id = named if named is not None else campaign
    customer_ids: set[str | None] | None = None
    if customer is not None:
        found_customer = customers.find(project, customer)
        customer_ids = {customer, found_customer.id if found_customer else None}
    kept = [
        row
        for row in rows
        if _kept(row, result, campaign_id, customer_ids)
        and (after is None or row[0] > after)
        and (before is None or row[0] < before)
        and (
            not filters
            or filters.matches(redemption_record(project, row[2], row[3]), now or row[0])
        )
    ]
    field = order.lstrip("-")
    kept.sort(key=lambda row: (row[0], row[1]))
    if field != "created_at":
        kept.sort(key=lambda row: _sort_value(field, row[2], row[3]))
    if order.startswith("-"):
        kept.reverse()
    return [(kind, record) for _, _, kind, record in kept]


def _kept(
    row: tuple[dt.datetime, int, str, Any],
    result: str | None,
    campaign_id: str | None,
    customer_ids: set[str | None] | None,
) -> bool:
    """Whether a listed row passes the result, campaign and customer filters."""
    _, _, kind, record = row
    if result is not None and (result == "FAILURE") != (kind == "failed"):
        return False
    if campaign_id is not None and getattr(record, "campaign_id", None) != campaign_id:
        return False
    return customer_ids is None or record.customer_id in customer_ids


# GET /v1/redemptions' ``order`` (ParameterOrderListRedemptions).
REDEMPTION_ORDERS = (
    "created_at",
    "-created_at",
    "id",
    "-id",
    "voucher_code",
    "-voucher_code",
    "tracking_id",
    "-tracking_id",
    "customer_id",
    "-customer_id",
)


def _sort_value(field: str, kind: str, record: Any) -> str:
    if field == "id":
        rollback = record.rollback if kind in {"rollback", "parent_rollback"} else None
        return str(rollback.id if rollback is not None else record.id)
    if field == "voucher_code":
        return str(voucher_code(record) or "")
    return str(record.customer_id or "")
