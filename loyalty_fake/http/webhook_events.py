"""A committed unit's ``Activity`` reports as Voucherify's webhook events (v2024-01-01).

Every report not ``internal`` is one event. Its name is the activity's type, with the
``customer.`` of a card's or publication's event dropped as Voucherify's webhook events
name them (``voucher.loyalty_card.points_added``); its ``data`` is what the activity's
data points at: a card's record is that record's member activity payload (the one
``GET .../members/{memberId}/activity`` lists), a customer or an order their objects, and
anything else the activity's data as it is. So a new activity type is an event with no
line here; ``EVENT_NAMES`` renames one where Voucherify names it otherwise.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.http.activity_json import activity_json
from loyalty_fake.http.common_json import format_timestamp
from loyalty_fake.http.customers_json import simple_customer_json
from loyalty_fake.http.management_auth import management_project_id
from loyalty_fake.http.orders_json import synced_order_json
from loyalty_fake.ids import derived_id
from loyalty_fake.ledger.activity import POINTS_EXPIRED
from loyalty_fake.ledger.webhooks import next_event_number

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.activities import Activity
    from loyalty_fake.ledger.session import Session

__all__ = ["EVENT_NAMES", "WebhookEvent", "count_events", "webhook_event_name", "webhook_events"]

# Activity type -> Voucherify's webhook event name, where dropping ``customer.`` (below)
# does not give it. One line per exception.
EVENT_NAMES: dict[str, str] = {}
# The activity types whose webhook event drops the leading "customer.".
_CUSTOMER_PREFIXED = ("customer.voucher.", "customer.publication.")
# What the fake did on its own, not at an API call (metadata.source).
_INTERNAL = frozenset({POINTS_EXPIRED})


@attrs.frozen
class WebhookEvent:
    """One webhook event: its JSON object as sent (``webhook_id`` set per webhook)."""

    id: str
    type: str
    app_id: str
    created_at: dt.datetime
    data: Mapping[str, Any]
    source: str = "API"

    def json(self, webhook_id: str | None = None) -> dict[str, Any]:
        """The event object; ``webhook_id`` names the configuration it is sent for."""
        return {
            "id": self.id,
            "object": "event",
            "webhook_id": webhook_id,
            "project_id": management_project_id(self.app_id),
            "created_at": format_timestamp(self.created_at),
            "type": self.type,
            "data": self.data,
            "metadata": {"source": self.source},
        }

    def body(self, webhook_id: str | None = None) -> bytes:
        """The exact bytes sent: compact JSON, keys in the order above."""
        return json.dumps(
            self.json(webhook_id), separators=(",", ":"), ensure_ascii=False, default=str
        ).encode("utf-8")


def webhook_event_name(activity_type: str) -> str:
    """The webhook event an activity of ``activity_type`` is announced as."""
    named = EVENT_NAMES.get(activity_type)
    if named is not None:
        return named
    if activity_type.startswith(_CUSTOMER_PREFIXED):
        return activity_type.removeprefix("customer.")
    return activity_type


def webhook_events(session: Session, activities: tuple[Activity, ...]) -> list[WebhookEvent]:
    """The events of what ``session`` reported, in order (see the module's docstring)."""
    events: list[WebhookEvent] = []
    now = session.clock.now()
    webhooks = session.webhooks
    salt = session.project.salt
    for activity in activities:
        if activity.internal:
            continue
        number = next_event_number(webhooks)
        events.append(
            WebhookEvent(
                id=derived_id("evt_", f"{salt}/event/{number}", 24),
                type=webhook_event_name(activity.type),
                app_id=session.app_id,
                created_at=now,
                data=_data(session, activity),
                source="INTERNAL" if activity.type in _INTERNAL else "API",
            )
        )
    return events


def count_events(session: Session, activities: tuple[Activity, ...]) -> None:
    """Number the events of what ``session`` reported, as ``webhook_events`` would."""
    for activity in activities:
        if not activity.internal:
            next_event_number(session.webhooks)


def _data(session: Session, activity: Activity) -> dict[str, Any]:
    """What the activity's data points at, as Voucherify's objects."""
    data = activity.data
    project = session.project
    code, seq = data.get("card_code"), data.get("seq")
    if isinstance(code, str) and code in project.cards:
        card = project.cards[code]
        campaign = project.campaigns[card.campaign_id]
        holder = project.customers.get(card.holder_id) if card.holder_id else None
        pending = session.pending_points.of_card(card)
        for (_, event_seq), event in reversed(activity_json(card, campaign, holder, pending)):
            if event_seq == seq:
                payload: dict[str, Any] = event["data"]["data"]
                return payload
    found: dict[str, Any] = {}
    order = project.orders.get(data.get("order_id") or "")
    if order is not None:
        found["order"] = synced_order_json(order)
    customer = project.customers.get(
        data.get("customer_id") or (order.customer_id if order is not None else None) or ""
    )
    if customer is not None:
        found["customer"] = simple_customer_json(customer)
    return found or json.loads(json.dumps(dict(data), default=str))
