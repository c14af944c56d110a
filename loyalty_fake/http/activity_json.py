"""A member's activity as Voucherify's events, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.cards_json import loyalty_card_json
from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    NULLABLE_TIMESTAMP,
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
    timestamp_or_none,
)
from loyalty_fake.http.customers_json import simple_customer_json
from loyalty_fake.http.pending_points_json import pending_points_json
from loyalty_fake.http.points_json import (
    balance_json,
    bucket_json,
    transaction_json,
    transfer_side_json,
)
from loyalty_fake.http.publications_json import publication_json
from loyalty_fake.http.rewards_json import REWARD_PARAMETERS, REWARD_TYPE
from loyalty_fake.ledger.activity import POINTS_EXPIRED, member_activity

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from loyalty_fake.ledger.activity import MemberEvent
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.history import CardPoints
    from loyalty_fake.ledger.pending_points import PendingPoints
    from loyalty_fake.ledger.redemptions import Redemption

__all__ = ["SCHEMAS", "activity_json"]


def _simple_campaign(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "campaign_type": "LOYALTY_PROGRAM",
        "type": campaign.type,
        "is_referral_code": False,
        "auto_join": campaign.auto_join,
        "join_once": campaign.join_once,
        "active": campaign.active,
        "created_at": format_timestamp(campaign.created_at),
        "object": "campaign",
    }


def _simple_voucher(card: LoyaltyCard, campaign: Campaign, counters: CardPoints) -> dict[str, Any]:
    return {
        "id": card.id,
        "code": card.code,
        "campaign": campaign.name,
        "campaign_id": campaign.id,
        "type": "LOYALTY_CARD",
        "loyalty_card": loyalty_card_json(counters),
        "is_referral_code": False,
        "holder_id": card.holder_id,
        "created_at": format_timestamp(card.created_at),
        "object": "voucher",
    }


def _event(event: MemberEvent, payload: dict[str, Any]) -> dict[str, Any]:
    # The payload sits at data.data beside data.event_source, as the spec's MemberActivity
    # nests it; the official SDK drops a flat payload without a word.
    return {
        "id": event.id,
        "type": event.type,
        "data": {"data": payload, "event_source": {"channel": event.channel}},
        "created_at": format_timestamp(event.created_at),
    }


def _event_reward(redemption: Redemption) -> dict[str, Any]:
    reward = redemption.reward
    return {
        "assignment_id": redemption.assignment_id,
        "id": reward.id,
        "object": "reward",
        "name": reward.name,
        "created_at": format_timestamp(reward.created_at),
        "updated_at": timestamp_or_none(reward.updated_at),
        "parameters": reward.parameters,
        "type": reward.type,
    }


def activity_json(
    card: LoyaltyCard,
    campaign: Campaign,
    holder: Customer | None,
    pending: Iterable[PendingPoints] = (),
) -> list[tuple[tuple[dt.datetime, int], dict[str, Any]]]:
    """A member's events (``member_activity``), each with its sort key, oldest first.

    The sort key is ``(created_at, seq)``. A removal is a ``points_added`` event whose
    ``balance.points`` is negative, as that type's payload allows.
    """
    base: dict[str, Any] = {}
    if holder is not None:
        base["customer"] = simple_customer_json(holder)
    base["campaign"] = _simple_campaign(campaign)
    events: list[tuple[tuple[dt.datetime, int], dict[str, Any]]] = []
    for event in member_activity(card, pending):
        voucher = _simple_voucher(card, campaign, event.card_points)
        publication, transaction = event.publication, event.transaction
        if event.pending is not None:
            payload = {
                **base,
                "voucher": voucher,
                "pending_points": pending_points_json(event.pending),
            }
        elif publication is not None:
            payload = {**base, "publication": {**publication_json(publication), "voucher": voucher}}
        else:
            assert transaction is not None  # noqa: S101 - a MemberEvent has one record
            payload = {**base, "voucher": voucher}
            if event.type == POINTS_EXPIRED:
                payload["points"] = -transaction.points
                if transaction.bucket is not None:
                    bucket = bucket_json(transaction.bucket, card)
                    bucket["bucket"] = {"total_points": -transaction.points}
                    bucket["status"] = "EXPIRED"
                    payload["buckets"] = [bucket]
            else:
                payload["balance"] = balance_json(transaction, card)
                if transaction.redemption is not None:
                    payload["reward"] = _event_reward(transaction.redemption)
                if transaction.pending is not None:
                    payload["pending_points"] = pending_points_json(transaction.pending)
                if transaction.transfer is not None:
                    # Both cards, as EventCustomerLoyaltyCardPointsTransferred has them.
                    moved = transaction.transfer
                    payload["source_voucher"] = transfer_side_json(moved.source)
                    payload["destination_voucher"] = transfer_side_json(moved.destination)
            payload["transaction"] = transaction_json(transaction, card)
        events.append(((event.created_at, event.seq), _event(event, payload)))
    return events


SCHEMAS: dict[str, Schema] = {
    "SimpleCampaign": obj(
        {
            "id": STRING,
            "name": STRING,
            "campaign_type": const("LOYALTY_PROGRAM"),
            "type": enum("AUTO_UPDATE", "STATIC"),
            "is_referral_code": const(value=False),
            "auto_join": BOOLEAN,
            "join_once": BOOLEAN,
            "active": BOOLEAN,
            "created_at": TIMESTAMP,
            "object": const("campaign"),
        }
    ),
    "SimpleVoucher": obj(
        {
            "id": STRING,
            "code": STRING,
            "campaign": STRING,
            "campaign_id": STRING,
            "type": const("LOYALTY_CARD"),
            "loyalty_card": ref("LoyaltyCardPoints"),
            "is_referral_code": const(value=False),
            "holder_id": nullable(STRING),
            "created_at": TIMESTAMP,
            "object": const("voucher"),
        }
    ),
    "MemberActivity": obj(
        {
            "id": STRING,
            "type": enum(
                "customer.publication.succeeded",
                "customer.voucher.loyalty_card.points_added",
                "customer.voucher.loyalty_card.points_expired",
                "customer.reward_redemptions.created",
                "customer.reward_redemptions.rolledback",
                "customer.voucher.loyalty_card.pending_points.added",
                "customer.voucher.loyalty_card.pending_points.activated",
                "customer.voucher.loyalty_card.pending_points.canceled",
                "customer.voucher.loyalty_card.pending_points.updated",
                "customer.voucher.loyalty_card.points_transferred",
            ),
            "data": obj(
                {
                    "data": obj(
                        {"campaign": ref("SimpleCampaign")},
                        {
                            "customer": ref("SimpleCustomer"),
                            "publication": {
                                "allOf": [
                                    ref("PublicationRecord"),
                                    obj({"voucher": ref("SimpleVoucher")}),
                                ]
                            },
                            "voucher": ref("SimpleVoucher"),
                            "balance": ref("Balance"),
                            "transaction": ref("Transaction"),
                            "points": COUNT,
                            "buckets": {"type": "array", "items": ref("PointsBucket")},
                            "reward": ref("ActivityReward"),
                            "pending_points": ref("PendingPoints"),
                            "source_voucher": ref("SimpleVoucher"),
                            "destination_voucher": ref("SimpleVoucher"),
                        },
                    ),
                    "event_source": obj({"channel": enum("API", "INTERNAL")}),
                }
            ),
            "created_at": TIMESTAMP,
        }
    ),
    "ActivityReward": obj(
        {
            "assignment_id": STRING,
            "id": STRING,
            "object": const("reward"),
            "name": STRING,
            "created_at": TIMESTAMP,
            "updated_at": NULLABLE_TIMESTAMP,
            "parameters": REWARD_PARAMETERS,
            "type": REWARD_TYPE,
        }
    ),
    "MemberActivityList": cursor_list(ref("MemberActivity")),
}
