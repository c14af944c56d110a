"""Balances, transactions and points buckets as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.cards_json import loyalty_card_json
from loyalty_fake.http.common_json import (
    COUNT,
    DATE,
    INTEGER,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    cursor_list,
    enum,
    format_timestamp,
    nullable,
    obj,
    page_list,
    ref,
)
from loyalty_fake.http.pending_points_json import pending_points_json

if TYPE_CHECKING:
    from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
    from loyalty_fake.ledger.history import Transaction
    from loyalty_fake.ledger.transfer_records import TransferSide

__all__ = ["SCHEMAS", "balance_json", "bucket_json", "transaction_json", "transfer_side_json"]


def balance_json(transaction: Transaction, card: LoyaltyCard) -> dict[str, Any]:
    """The balance object a points change answers with, and transactions carry."""
    return {
        "points": transaction.points,
        "total": transaction.total,
        "balance": transaction.balance,
        "type": "loyalty_card",
        "object": "balance",
        "operation_type": transaction.operation_type,
        "related_object": {"type": "voucher", "id": card.id},
    }


def transfer_side_json(side: TransferSide) -> dict[str, Any]:
    """A card of a transfer as it was right after it: the spec's ``SimpleVoucher``."""
    return {
        "id": side.voucher_id,
        "code": side.code,
        "campaign": side.campaign,
        "campaign_id": side.campaign_id,
        "type": "LOYALTY_CARD",
        "loyalty_card": loyalty_card_json(side.counters),
        "is_referral_code": False,
        "holder_id": side.holder_id,
        "created_at": format_timestamp(side.created_at),
        "object": "voucher",
    }


def _transfer_details(transaction: Transaction, details: dict[str, Any]) -> str | None:
    """A transfer's other card in ``details``; returns the other transaction's ID."""
    transfer = transaction.transfer
    if transfer is None:
        return None
    # The other card, and its transaction (the spec's transfer examples).
    if transaction.type == "POINTS_TRANSFER_OUT":
        details["destination_voucher"] = transfer_side_json(transfer.destination)
        return transfer.in_id
    details["source_voucher"] = transfer_side_json(transfer.source)
    return transfer.out_id


def _name_tier(details: dict[str, Any], tier: tuple[str, str] | None) -> None:
    """Name in ``details`` the tier whose mapping of a rule's points applied: the holder's then."""
    if tier is not None:
        details["loyalty_tier"] = {"id": tier[0], "name": tier[1]}
        details["holder_loyalty_tier"] = {"id": tier[0], "name": tier[1]}


def transaction_json(transaction: Transaction, card: LoyaltyCard) -> dict[str, Any]:
    """A loyalty card transaction."""
    balance = balance_json(transaction, card)
    details: dict[str, Any] = {"balance": balance}
    redemption = transaction.redemption
    if redemption is not None:
        # As the spec's examples show a redemption and its refund: the order (its
        # source_id null when it has none, as there), the redemption, the rollback, the reward.
        if redemption.order is not None:
            details["order"] = {"id": redemption.order.id, "source_id": redemption.order.source_id}
        details["redemption"] = {"id": redemption.id}
        if transaction.type == "POINTS_REFUND" and redemption.rollback is not None:
            details["rollback"] = {"id": redemption.rollback.id}
        details["reward"] = {"id": redemption.reward.id, "name": redemption.reward.name}
    accrual = transaction.accrual
    if accrual is not None:
        # As the spec's accrual example shows it: the order, the event, the earning rule;
        # a custom event's name and schema as its transaction details name them.
        if accrual.order_id is not None:
            details["order"] = {"id": accrual.order_id, "source_id": accrual.order_source_id}
        details["event"] = {"id": accrual.event_id, "type": accrual.event_type}
        if accrual.custom_event is not None:
            details["custom_event"] = {"id": accrual.event_id, "type": accrual.custom_event}
            if accrual.schema_id is not None:
                details["event_schema"] = {"id": accrual.schema_id, "name": accrual.custom_event}
        details["earning_rule"] = {"id": accrual.rule_id, "source": {"banner": accrual.banner}}
        _name_tier(details, accrual.loyalty_tier)
    pending = transaction.pending
    if pending is not None:
        # The spec's transaction details carry the entry that activated (pending_points),
        # and, as an accrual's, the order and the earning rule.
        details["order"] = {"id": pending.order_id, "source_id": pending.order_source_id}
        details["earning_rule"] = {"id": pending.rule_id, "source": {"banner": pending.banner}}
        details["pending_points"] = pending_points_json(pending)
        _name_tier(details, pending.loyalty_tier)
    related = _transfer_details(transaction, details)
    # In transactions, Voucherify puts the related object last and the type first.
    return {
        "id": transaction.id,
        "source_id": transaction.source_id,
        "voucher_id": card.id,
        "campaign_id": card.campaign_id,
        "source": transaction.source,
        "reason": transaction.reason,
        "type": transaction.type,
        "details": details,
        "related_transaction_id": related,
        "created_at": format_timestamp(transaction.created_at),
    }


def bucket_json(bucket: PointsBucket, card: LoyaltyCard) -> dict[str, Any]:
    """A points expiration bucket; a bucket that never expires has no ``expires_at``."""
    body: dict[str, Any] = {
        "id": bucket.id,
        "voucher_id": card.id,
        "campaign_id": card.campaign_id,
        "bucket": {"total_points": bucket.points},
        "status": "ACTIVE",
    }
    if bucket.last_day is not None:
        body["expires_at"] = bucket.last_day.isoformat()
    body["created_at"] = format_timestamp(bucket.created_at)
    if bucket.updated_at is not None:
        body["updated_at"] = format_timestamp(bucket.updated_at)
    body["object"] = "loyalty_points_bucket"
    return body


SCHEMAS: dict[str, Schema] = {
    "Balance": obj(
        {
            "points": INTEGER,
            "total": INTEGER,
            "balance": COUNT,
            "type": const("loyalty_card"),
            "object": const("balance"),
            "operation_type": enum("MANUAL", "AUTOMATIC"),
            "related_object": obj({"type": const("voucher"), "id": STRING}),
        }
    ),
    "Transaction": obj(
        {
            "id": STRING,
            "source_id": nullable(STRING),
            "voucher_id": STRING,
            "campaign_id": STRING,
            # Points an earning rule awarded come from "Automation" (the spec's example).
            "source": enum("API", "Automation", None),
            "reason": nullable(STRING),
            "type": enum(
                "POINTS_ADDITION",
                "POINTS_REMOVAL",
                "POINTS_EXPIRATION",
                "POINTS_REDEMPTION",
                "POINTS_REFUND",
                "POINTS_ACCRUAL",
                "PENDING_POINTS_ACTIVATION",
                "POINTS_TRANSFER_OUT",
                "POINTS_TRANSFER_IN",
            ),
            # A redemption and its refund name the order, the redemption, the reward and (a
            # refund) the rollback, as the spec's transaction examples show.
            "details": obj(
                {"balance": ref("Balance")},
                {
                    # The redemption's order, if it had one (source_id null when it has none).
                    "order": obj({"id": STRING, "source_id": nullable(STRING)}),
                    "redemption": obj({"id": STRING}),
                    "rollback": obj({"id": STRING}),
                    "reward": obj({"id": STRING, "name": STRING}),
                    # An accrual: what earned it, and the earning rule.
                    "event": obj({"id": STRING, "type": STRING}),
                    "custom_event": obj({"id": STRING, "type": STRING}),
                    "event_schema": obj({"id": STRING, "name": STRING}),
                    "earning_rule": obj({"id": STRING, "source": obj({"banner": STRING})}),
                    # An accrual a tier's mapping changed: the tier.
                    "loyalty_tier": obj({"id": STRING, "name": STRING}),
                    "holder_loyalty_tier": obj({"id": STRING, "name": STRING}),
                    # A pending points activation: the entry that activated.
                    "pending_points": ref("PendingPoints"),
                    # A transfer: the card the points went to, or came from.
                    "destination_voucher": ref("SimpleVoucher"),
                    "source_voucher": ref("SimpleVoucher"),
                },
            ),
            # A transfer's transactions name each other.
            "related_transaction_id": nullable(STRING),
            "created_at": TIMESTAMP,
        }
    ),
    "PointsBucket": obj(
        {
            "id": STRING,
            "voucher_id": STRING,
            "campaign_id": STRING,
            "bucket": obj({"total_points": INTEGER}),
            "status": enum("ACTIVE", "EXPIRED"),
            "created_at": TIMESTAMP,
            "object": const("loyalty_points_bucket"),
        },
        # docs/spec-errata.md: a bucket that never expires has no expires_at.
        {"expires_at": DATE, "updated_at": TIMESTAMP},
    ),
    "PointsBucketsList": page_list("data", ref("PointsBucket")),
    "TransactionsList": cursor_list(ref("Transaction")),
}
