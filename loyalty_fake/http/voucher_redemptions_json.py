"""A discount voucher's or gift card's part of a stacked redemption, and its rollback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.customers_json import simple_customer_json
from loyalty_fake.http.orders_json import synced_order_json
from loyalty_fake.http.vouchers_json import voucher_record_json

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.voucher_kinds import VoucherRedemption
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = ["SCHEMAS", "voucher_part_json", "voucher_redemption_json"]


def voucher_part_json(
    project: Project, made: VoucherRedemption, *, rollback: bool
) -> dict[str, Any]:
    """``voucher_redemption_json`` with the voucher, campaign and customer looked up."""
    voucher = project.vouchers.get(made.code)
    campaign = project.campaigns.get(made.campaign_id) if made.campaign_id else None
    customer = project.customers.get(made.customer_id) if made.customer_id else None
    return voucher_redemption_json(made, voucher, campaign, customer, rollback=rollback)


def voucher_redemption_json(
    made: VoucherRedemption,
    voucher: Voucher | None,
    campaign: Campaign | None,
    customer: Customer | None,
    *,
    rollback: bool,
) -> dict[str, Any]:
    """The part (``redemption``) or its rollback (``redemption_rollback``).

    ``amount`` is what it took off the order (a gift card: the credits); a rollback's is
    the same, negative. A gift card's part shows ``gift.amount``, as Voucherify's does.
    """
    undone = made.rollback if rollback else None
    sign = -1 if rollback else 1
    amount = made.credits if made.kind == "gift_card" else made.discount
    body: dict[str, Any] = {
        "id": undone.id if undone is not None else made.id,
        "object": "redemption_rollback" if rollback else "redemption",
        "date": format_timestamp(undone.created_at if undone is not None else made.created_at),
        "customer_id": made.customer_id,
        "tracking_id": customer.source_id if customer is not None else None,
        "metadata": dict(made.metadata) if made.metadata else None,
        "amount": sign * amount,
        "redemption": made.id if rollback else made.parent_id,
        "result": "SUCCESS",
        "status": "SUCCEEDED" if rollback or made.rollback is None else "ROLLED_BACK",
    }
    if undone is not None and undone.reason is not None:
        body["reason"] = undone.reason
    if not rollback and made.rollback is not None:
        body["related_redemptions"] = {
            "rollbacks": [
                {"id": made.rollback.id, "date": format_timestamp(made.rollback.created_at)}
            ]
        }
    body["order"] = synced_order_json(made.order) if made.order is not None else None
    body["channel"] = {"channel_id": made.channel_id, "channel_type": "API"}
    body["customer"] = simple_customer_json(customer) if customer is not None else None
    body["related_object_type"] = "voucher"
    body["related_object_id"] = voucher.id if voucher is not None else made.code
    body["voucher"] = (
        voucher_record_json(voucher, campaign) if voucher is not None else {"code": made.code}
    )
    if made.kind == "gift_card":
        body["gift"] = {"amount": sign * made.credits}
    return body


def _schema(*, rollback: bool) -> Schema:
    amount: Schema = {"type": "integer", "maximum": 0} if rollback else {"type": "integer"}
    # Closed: a loyalty card's redemption (with its reward and points) is not one of these,
    # so the lists' oneOf tells the two apart.
    return {"additionalProperties": False} | obj(
        {
            "id": STRING,
            "object": const("redemption_rollback" if rollback else "redemption"),
            "date": TIMESTAMP,
            "customer_id": nullable(STRING),
            "tracking_id": nullable(STRING),
            "metadata": nullable(FREE_OBJECT),
            "amount": amount,
            "redemption": STRING,
            "result": const("SUCCESS"),
            "status": const("SUCCEEDED") if rollback else enum("SUCCEEDED", "ROLLED_BACK"),
            "order": nullable(FREE_OBJECT),
            "channel": obj({"channel_id": STRING, "channel_type": const("API")}),
            "customer": nullable(ref("SimpleCustomer")),
            "related_object_type": const("voucher"),
            "related_object_id": STRING,
            "voucher": FREE_OBJECT,
        },
        {"reason": STRING, "related_redemptions": FREE_OBJECT, "gift": obj({"amount": amount})},
    )


SCHEMAS: dict[str, Schema] = {
    "VoucherRedemption": _schema(rollback=False),
    "VoucherRedemptionRollback": _schema(rollback=True),
    # POST /v1/redemptions/{redemptionId}/rollback: a reward redemption's rollback, or (with
    # rollback_stacked_parts) a voucher's part's.
    "AnyRedemptionRollback": {
        "oneOf": [ref("RedemptionRollback"), ref("VoucherRedemptionRollback")]
    },
}
