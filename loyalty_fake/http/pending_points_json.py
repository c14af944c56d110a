"""Pending points entries as Voucherify's JSON (``LoyaltyPendingPoints``), with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
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
    ref,
)
from loyalty_fake.ids import card_id

if TYPE_CHECKING:
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.pending_points import PendingPoints

__all__ = ["SCHEMAS", "pending_adjustment_json", "pending_points_json"]


def pending_points_json(entry: PendingPoints) -> dict[str, Any]:
    """A pending points entry, keys in the order of the spec's list example."""
    body: dict[str, Any] = {
        "id": entry.id,
        "voucher_id": card_id(entry.campaign_id, entry.card_code),
        "campaign_id": entry.campaign_id,
        "customer_id": entry.customer_id,
        "order_id": entry.order_id,
        "points": entry.points,
        "activates_at": entry.activates_at.isoformat(),
        "details": {
            "event": {
                "id": entry.event_id,
                "type": "customer.order.paid",
                "entity_id": entry.customer_id,
                "created_at": format_timestamp(entry.created_at),
                "category": "EFFECT",
                "event_source": {"channel": "API"},
            },
            "earning_rule": {"id": entry.rule_id, "source": {"banner": entry.banner}},
            "order": {"id": entry.order_id, "source_id": entry.order_source_id},
        },
        "created_at": format_timestamp(entry.created_at),
    }
    if entry.loyalty_tier is not None:
        # LoyaltyPendingPointsDetails: the tier that mapped the rule's points, the holder's.
        tier = {"id": entry.loyalty_tier[0], "name": entry.loyalty_tier[1]}
        body["details"] |= {"loyalty_tier": tier, "holder_loyalty_tier": dict(tier)}
    if entry.updated_at is not None:
        body["updated_at"] = format_timestamp(entry.updated_at)
    return body


def pending_adjustment_json(points: int, card: LoyaltyCard) -> dict[str, Any]:
    """What adjusting an entry answers: the change, and the card's pending points after it."""
    return {
        "points": points,
        "total": card.pending_points,
        "object": "balance",
        "related_object": {"type": "voucher", "id": card.id},
        "operation_type": "MANUAL",
    }


SCHEMAS: dict[str, Schema] = {
    "PendingPoints": obj(
        {
            "id": STRING,
            "voucher_id": STRING,
            "campaign_id": STRING,
            "customer_id": STRING,
            "order_id": STRING,
            "points": {"type": "integer", "minimum": 1},
            "activates_at": DATE,
            "details": obj(
                {
                    "event": obj(
                        {
                            "id": STRING,
                            "type": const("customer.order.paid"),
                            "entity_id": STRING,
                            "created_at": TIMESTAMP,
                            "category": const("EFFECT"),
                            "event_source": obj({"channel": const("API")}),
                        }
                    ),
                    "earning_rule": obj({"id": STRING, "source": obj({"banner": STRING})}),
                    "order": obj({"id": STRING, "source_id": nullable(STRING)}),
                },
                {
                    "loyalty_tier": obj({"id": STRING, "name": STRING}),
                    "holder_loyalty_tier": obj({"id": STRING, "name": STRING}),
                },
            ),
            "created_at": TIMESTAMP,
        },
        {"updated_at": TIMESTAMP},
    ),
    "PendingPointsList": cursor_list(ref("PendingPoints")),
    "PendingPointsBalance": obj(
        {
            "points": INTEGER,
            "total": {"type": "integer", "minimum": 0},
            "object": const("balance"),
            "related_object": obj({"type": const("voucher"), "id": STRING}),
            "operation_type": enum("MANUAL"),
        }
    ),
}
