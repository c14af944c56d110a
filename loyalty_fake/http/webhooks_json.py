"""A webhook configuration as the Management API answers it, and its schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    format_timestamp,
    obj,
    ref,
)

if TYPE_CHECKING:
    from loyalty_fake.ledger.webhooks import Webhook

__all__ = ["SCHEMAS", "webhook_json"]


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    """``ManagementProjectsWebhook``, in the order the spec's examples list it."""
    return {
        "object": "webhook",
        "created_at": format_timestamp(webhook.created_at),
        "id": webhook.id,
        "events": list(webhook.events),
        "target_url": webhook.target_url,
        "active": webhook.active,
    }


SCHEMAS: dict[str, Schema] = {
    "Webhook": obj(
        {
            "object": const("webhook"),
            "created_at": TIMESTAMP,
            "id": STRING,
            "events": {"type": "array", "items": STRING},
            "target_url": STRING,
            "active": BOOLEAN,
        }
    ),
    "WebhooksList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("Webhook")},
            "total": COUNT,
        }
    ),
}
