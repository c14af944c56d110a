"""Custom event schemas (Management API), and custom events checked against them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.http.management_auth import management_project_id

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Reply
    from tests.management_clients import ManagementClient

REVIEW = {
    "name": "review",
    "schema": {
        "properties": {
            "stars": {"type": "number", "optional": False},
            "published": {"type": "boolean", "optional": True},
        }
    },
}


def _ok(reply: Reply) -> Any:
    assert reply.status in {200, 204}, reply.body
    return reply.body


def _project(fake: LoyaltyFake) -> str:
    fake.create_loyalty_program("Club")
    return management_project_id(fake.app_id)


def _event(fake: LoyaltyFake, name: str, **metadata: Any) -> Any:
    body = {"event": name, "customer": {"source_id": "alice"}, "metadata": metadata}
    return fake.request("POST", "/v1/events", json_body=body)


def test_a_schema_is_created_read_listed_updated_and_deleted(
    management: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """Management CRUD of a custom event schema; one per event name."""
    project = _project(loyalty_fake)
    made = _ok(management.op("create_custom_event_schema", project, body=REVIEW))
    assert (made["name"], made["object"]) == ("review", "custom-event-schema")
    assert made["schema"]["properties"]["stars"] == {"type": "number", "optional": False}
    assert management.op("create_custom_event_schema", project, body=REVIEW).error_key == (
        "duplicate_found"
    )
    assert _ok(management.op("get_custom_event_schema", project, made["id"])) == made
    assert _ok(management.op("list_custom_event_schemas", project))["total"] == 1
    more = {"schema": {"properties": {"text": {"type": "string", "optional": True}}}}
    changed = _ok(management.op("update_custom_event_schema", project, made["id"], body=more))
    assert sorted(changed["schema"]["properties"]) == ["published", "stars", "text"]
    assert "updated_at" in changed
    assert management.op("delete_custom_event_schema", project, made["id"]).status == 204
    assert _ok(management.op("list_custom_event_schemas", project))["data"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"schema": {"properties": {}}},
        {"name": "review"},
        {"name": "review", "schema": {"properties": {"x": {"type": "geopoint", "optional": True}}}},
    ],
)
def test_a_bad_schema_is_refused(
    admin: ManagementClient, loyalty_fake: LoyaltyFake, body: dict[str, Any]
) -> None:
    """A schema without its name or with a bad property is 400; none is made."""
    project = _project(loyalty_fake)
    assert admin.op("create_custom_event_schema", project, body=body).error_key == (
        "invalid_payload"
    )
    assert _ok(admin.op("list_custom_event_schemas", project))["data"] == []


def test_an_event_with_a_schema_is_checked(
    admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """An event of a defined name must fit its schema: 400 metadata_validation_failed."""
    _ok(admin.op("create_custom_event_schema", _project(loyalty_fake), body=REVIEW))
    refused = _event(loyalty_fake, "review", stars="five")
    assert refused.status == 400
    assert refused.json()["key"] == "metadata_validation_failed"
    assert refused.json()["details"] == "stars: must be a number (actual value is 'five')"
    assert _event(loyalty_fake, "review", published=True).json()["details"] == "stars: is required"
    assert loyalty_fake.customers() == []  # a refused event makes no customer
    assert _event(loyalty_fake, "review", stars=5).status == 200


def test_an_undefined_event_is_taken_by_default(loyalty_fake: LoyaltyFake) -> None:
    """By default an event no schema defines is taken, as Voucherify creates it on first use."""
    assert _event(loyalty_fake, "newsletter_signup").status == 200


@pytest.mark.loyalty_fake(strict_custom_events=True)
def test_strict_refuses_undefined_events_and_rules(
    admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """``strict_custom_events``: an undefined event, or a rule naming no schema, is refused."""
    project = _project(loyalty_fake)
    assert _event(loyalty_fake, "newsletter_signup").json()["key"] == "invalid_payload"
    made = _ok(admin.op("create_custom_event_schema", project, body=REVIEW))
    assert _event(loyalty_fake, "review", stars=4).status == 200
    rule = {"event": "review", "loyalty": {"type": "FIXED", "points": 5}}
    path = "/v1/loyalties/Club/earning-rules"
    unknown = [{**rule, "custom_event": {"schema_id": "ms_nope"}}]
    assert loyalty_fake.request("POST", path, json_body=unknown).json()["key"] == "not_found"
    other = [{**rule, "event": "visit", "custom_event": {"schema_id": made["id"]}}]
    assert loyalty_fake.request("POST", path, json_body=other).json()["key"] == "invalid_payload"
    good = [{**rule, "custom_event": {"schema_id": made["id"]}}]
    assert loyalty_fake.request("POST", path, json_body=good).status == 200
