"""``/management/v1/projects/{projectId}/webhooks``: a project's webhook configurations.

Listed, created, read, replaced and deleted as the Management API does, with management
keys (``management_auth.py``); what they are sent is ``loyalty_fake.webhooks``'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.http.webhooks_json import webhook_json
from loyalty_fake.ledger.event_names import is_built_in_event

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES", "WEBHOOK_EVENTS"]

PATH_PARAMETERS = {
    "projectId": "A project's Management API ID (proj_).",
    "webhookId": "A webhook configuration's ID (wh_).",
}

# The events the spec's ManagementProjectsWebhookBase lists, then those the official SDK's
# (6.x) model adds, spelt right (it has "points_aded": docs/spec-errata.md). Any event
# Voucherify records for a customer is accepted too, with or without its "customer."
# (customer.order.paid, customer.loyalty.tier.joined: docs/choices.md).
WEBHOOK_EVENTS = (
    *("redemption.succeeded", "redemption.failed", "redemption.rollback.succeeded"),
    *("redemption.rollback.failed", "publication.succeeded", "voucher.published"),
    *("voucher.updated", "voucher.deleted", "voucher.created", "voucher.enabled"),
    *("voucher.disabled", "voucher.loyalty_card.points_added", "voucher.gift.balance_added"),
    *("campaign.enabled", "campaign.deleted", "campaign.created", "campaign.updated"),
    *("campaign.disabled", "campaign.vouchers.generation.completed"),
    *("business_validation_rule.assignment.created", "business_validation_rule.created"),
    *("business_validation_rule.assignment.deleted", "business_validation_rule.deleted"),
    *("business_validation_rule.updated", "customer.created", "customer.deleted"),
    *("customer.rewarded", "customer.rewarded.loyalty_points"),
    *("campaign.earning_rule.assigned", "campaign.earning_rule.deleted"),
    *("campaign.earning_rule.disabled", "campaign.earning_rule.enabled"),
    *("campaign.earning_rule.updated", "campaign.loyalty_tier.created"),
    *("campaign.loyalty_tier.deleted", "campaign.loyalty_tier.updated"),
    *("campaign.reward.assignment.created", "campaign.reward.assignment.deleted"),
    *("campaign.reward.assignment.updated", "campaign.vouchers.added"),
    *("campaign.vouchers.generation.failed", "campaign.vouchers.generation.started"),
    *("customer.confirmed", "voucher.gift.transaction.created"),
    *("voucher.loyalty_card.pending_points.activated", "voucher.loyalty_card.points_expired"),
    *("voucher.loyalty_card.pending_points.added", "voucher.loyalty_card.pending_points.canceled"),
    *("voucher.loyalty_card.pending_points.updated", "voucher.loyalty_card.transaction.created"),
)
_KNOWN = frozenset(WEBHOOK_EVENTS)

_WEBHOOK_BODY: Schema = {
    "type": "object",
    "required": ["target_url", "events"],
    "properties": {
        "target_url": NON_EMPTY,
        "events": {"type": "array", "items": NON_EMPTY, "minItems": 1},
        "active": {"type": "boolean"},
    },
}


def _known_event(name: str) -> bool:
    return name in _KNOWN or is_built_in_event(name) or is_built_in_event(f"customer.{name}")


def _webhook_body(call: Call) -> tuple[str, list[str], bool]:
    """The body's ``target_url``, ``events`` and ``active`` (``true`` when left out)."""
    body = Body(parse_json_body(call.request))
    body.require("target_url")
    target_url = body.string("target_url", non_empty=True)
    assert target_url is not None  # noqa: S101 - require() leaves nothing else
    parts = urlsplit(target_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        body.fail("target_url", "must be an http or https URL")
    body.require("events")
    events = body.data["events"]
    if not isinstance(events, list) or not events:
        body.fail("events", "must be a non-empty array")
    for index, name in enumerate(events):
        if not isinstance(name, str) or not _known_event(name):
            body.fail(f"events[{index}]", f"is not an event a webhook can send: {name!r}")
    active = body.boolean("active")
    return target_url, list(dict.fromkeys(events)), True if active is None else active


def list_webhooks(call: Call) -> tuple[int, Any]:
    """``GET .../webhooks``: every webhook configuration of the project."""
    data = [webhook_json(webhook) for webhook in call.session.webhooks.list()]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def create_webhook(call: Call) -> tuple[int, Any]:
    """``POST .../webhooks``: a new webhook configuration."""
    target_url, events, active = _webhook_body(call)
    return 200, webhook_json(call.session.webhooks.create(target_url, events, active=active))


def get_webhook(call: Call) -> tuple[int, Any]:
    """``GET .../webhooks/{webhookId}``."""
    return 200, webhook_json(call.session.webhooks.get(call.params["webhookId"]))


def update_webhook(call: Call) -> tuple[int, Any]:
    """``PUT .../webhooks/{webhookId}``: the URL, events (all of them) and state replaced."""
    webhooks = call.session.webhooks
    webhooks.get(call.params["webhookId"])  # 404 before the body's 400
    target_url, events, active = _webhook_body(call)
    found = webhooks.update(call.params["webhookId"], target_url, events, active=active)
    return 200, webhook_json(found)


def delete_webhook(call: Call) -> tuple[int, Any]:
    """``DELETE .../webhooks/{webhookId}``: 204; nothing is sent to it from now on."""
    call.session.webhooks.delete(call.params["webhookId"])
    return 204, None


_WEBHOOKS = "/management/v1/projects/{projectId}/webhooks"
_WEBHOOK = "/management/v1/projects/{projectId}/webhooks/{webhookId}"

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        _WEBHOOKS,
        list_webhooks,
        Operation("list_webhooks", "A project's webhook configurations", "WebhooksList"),
    ),
    Route(
        "POST",
        _WEBHOOKS,
        create_webhook,
        Operation("create_webhook", "Create a webhook", "Webhook", body=_WEBHOOK_BODY),
    ),
    Route("GET", _WEBHOOK, get_webhook, Operation("get_webhook", "A webhook", "Webhook")),
    Route(
        "PUT",
        _WEBHOOK,
        update_webhook,
        Operation(
            "update_webhook",
            "Replace a webhook's URL, events and state",
            "Webhook",
            body=_WEBHOOK_BODY,
        ),
    ),
    Route(
        "DELETE",
        _WEBHOOK,
        delete_webhook,
        Operation("delete_webhook", "Delete a webhook configuration", None),
    ),
)
