"""A customer's activity as Voucherify's events, with their schemas.

The events of the customer's loyalty cards (``activity_json``, as members' activity shows
them) and the customer events the fake keeps: custom events and segments entered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.activity_json import activity_json
from loyalty_fake.http.common_json import (
    COUNT,
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    cursor_list,
    enum,
    format_timestamp,
    obj,
    ref,
)
from loyalty_fake.http.customers_json import simple_customer_json
from loyalty_fake.http.segments_json import simple_segment_json
from loyalty_fake.ledger.earning import CUSTOM_EVENT
from loyalty_fake.ledger.earning_rules import TIER_EVENT_PREFIX
from loyalty_fake.ledger.tiers import TIER_EVENTS

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.segments import CustomerEvent

__all__ = ["SCHEMAS", "CustomerActivityEvent", "customer_activity_json"]

# One event: its sort key (created_at, seq), the program it belongs to (None for a custom
# event or a segment entered), and its JSON.
CustomerActivityEvent = tuple[tuple["dt.datetime", int], str | None, dict[str, Any]]


def _customer_event_json(event: CustomerEvent, customer: Customer) -> dict[str, Any]:
    data = event.data
    payload: dict[str, Any] = {"customer": simple_customer_json(customer)}
    if event.type == CUSTOM_EVENT:
        payload["event"] = {
            "id": event.id,
            "object": "event",
            "type": data["name"],
            "customer": simple_customer_json(customer),
            "referral": {},
            "loyalty": {"code": data["code"]} if data.get("code") is not None else {},
            "metadata": dict(data.get("metadata") or {}),
            "created_at": format_timestamp(event.created_at),
        }
    elif event.type.startswith(TIER_EVENT_PREFIX):
        # As Voucherify's tier events carry them: the tier and its program.
        payload["loyalty_tier"] = {"id": data["loyalty_tier_id"], "name": data["loyalty_tier_name"]}
        payload["campaign"] = {"id": data["campaign_id"]}
    else:
        payload["segment"] = simple_segment_json(data["segment_id"], data["segment_name"])
    return {
        "id": event.id,
        "type": event.type,
        "data": {"data": payload, "event_source": {"channel": "API"}},
        "created_at": format_timestamp(event.created_at),
    }


def customer_activity_json(
    customer: Customer,
    cards: list[tuple[Campaign, LoyaltyCard]],
    events: list[CustomerEvent],
) -> list[CustomerActivityEvent]:
    """Every event of ``customer``, oldest first: their cards' and their own ``events``."""
    found: list[CustomerActivityEvent] = [
        (key, campaign.id, body)
        for campaign, card in cards
        for key, body in activity_json(card, campaign, customer)
    ]
    found.extend(
        (
            (event.created_at, event.seq),
            event.data.get("campaign_id"),
            _customer_event_json(event, customer),
        )
        for event in events
    )
    found.sort(key=lambda item: item[0])
    return found


_EVENT_SOURCE = obj({"channel": enum("API", "INTERNAL")})

SCHEMAS: dict[str, Schema] = {
    "CustomerActivity": {
        "oneOf": [
            ref("MemberActivity"),
            obj(
                {
                    "id": STRING,
                    "type": const("customer.custom_event"),
                    "data": obj(
                        {
                            "data": obj(
                                {
                                    "customer": ref("SimpleCustomer"),
                                    "event": obj(
                                        {
                                            "id": STRING,
                                            "object": const("event"),
                                            "type": STRING,
                                            "customer": ref("SimpleCustomer"),
                                            "referral": FREE_OBJECT,
                                            "loyalty": FREE_OBJECT,
                                            "metadata": FREE_OBJECT,
                                            "created_at": TIMESTAMP,
                                        }
                                    ),
                                }
                            ),
                            "event_source": _EVENT_SOURCE,
                        }
                    ),
                    "created_at": TIMESTAMP,
                }
            ),
            obj(
                {
                    "id": STRING,
                    "type": enum("customer.segment.entered", "customer.segment.left"),
                    "data": obj(
                        {
                            "data": obj(
                                {
                                    "customer": ref("SimpleCustomer"),
                                    "segment": ref("SimpleSegment"),
                                }
                            ),
                            "event_source": _EVENT_SOURCE,
                        }
                    ),
                    "created_at": TIMESTAMP,
                }
            ),
            obj(
                {
                    "id": STRING,
                    "type": enum(*TIER_EVENTS),
                    "data": obj(
                        {
                            "data": obj(
                                {
                                    "customer": ref("SimpleCustomer"),
                                    "loyalty_tier": obj({"id": STRING, "name": STRING}),
                                    "campaign": obj({"id": STRING}),
                                }
                            ),
                            "event_source": _EVENT_SOURCE,
                        }
                    ),
                    "created_at": TIMESTAMP,
                }
            ),
        ]
    },
    "CustomerActivityList": cursor_list(ref("CustomerActivity")),
    "CustomerActivitiesList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("CustomerActivity"), "maxItems": 100},
            "total": COUNT,
        }
    ),
}
