"""A tracked custom event as Voucherify's JSON (``EventsCreateResponseBody``), with its schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, const, obj, ref
from loyalty_fake.http.customers_json import simple_customer_json

if TYPE_CHECKING:
    from loyalty_fake.ledger.events import TrackedEvent

__all__ = ["SCHEMAS", "event_json"]


def event_json(tracked: TrackedEvent) -> dict[str, Any]:
    """The event as ``POST /v1/events`` answers it: ``referral`` and ``loyalty`` null, as there."""
    return {
        "object": "event",
        "type": tracked.name,
        "customer": simple_customer_json(tracked.customer),
        "referral": None,
        "loyalty": None,
        "metadata": dict(tracked.metadata or {}),
    }


SCHEMAS: dict[str, Schema] = {
    "TrackedEvent": obj(
        {
            "object": const("event"),
            "type": STRING,
            "customer": ref("SimpleCustomer"),
            "referral": const(None),
            "loyalty": const(None),
            "metadata": FREE_OBJECT,
        }
    ),
}
