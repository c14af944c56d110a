"""The Management API's project webhooks, over requests, the official SDK, httpx and a server."""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.http.management_auth import management_project_id
from tests.conftest import AsyncHttpxClient, HttpxClient, Reply, RequestsClient
from tests.own_openapi import validate_own, validate_own_error
from tests.spec import SPEC_AVAILABLE, validate_response, validate_schema

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

WEBHOOKS = "/management/v1/projects/{projectId}/webhooks"
WEBHOOK = "/management/v1/projects/{projectId}/webhooks/{webhookId}"
KEYS = {"X-Management-Id": "mgmt-id", "X-Management-Token": "mgmt-token"}
POINTS = "voucher.loyalty_card.points_added"
# Events both the spec and the official SDK spell alike (the SDK has "points_aded").
HOOK = {
    "target_url": "https://example.com/hooks",
    "events": ["customer.created", "publication.succeeded"],
}


def _checked(method: str, template: str, reply: Reply) -> Reply:
    """Each reply fits the fake's document; 2xx the official (full) spec too."""
    if reply.status >= 300:
        validate_own_error(reply.body)
        if SPEC_AVAILABLE:
            validate_schema("Error", reply.body, spec="full")
        return reply
    validate_own(method, template, reply.status, reply.body)
    if SPEC_AVAILABLE:
        validate_response(method, template, reply.status, reply.body, spec="full")
    return reply


class _Http:
    """Plain HTTP through one of the contract clients (requests, httpx, the live server)."""

    def __init__(self, client: RequestsClient, project: str) -> None:
        self.client, self.project = client, project

    def _call(self, method: str, template: str, webhook: str = "", body: Any = None) -> Reply:
        path = template.replace("{projectId}", self.project).replace("{webhookId}", webhook)
        kwargs = {} if body is None else {"json": body}
        return _checked(method, template, self.client._reply(method, path, **kwargs))

    def list(self) -> Reply:
        return self._call("GET", WEBHOOKS)

    def create(self, body: dict[str, Any]) -> Reply:
        return self._call("POST", WEBHOOKS, body=body)

    def get(self, webhook: str) -> Reply:
        return self._call("GET", WEBHOOK, webhook)

    def update(self, webhook: str, body: dict[str, Any]) -> Reply:
        return self._call("PUT", WEBHOOK, webhook, body)

    def delete(self, webhook: str) -> Reply:
        return self._call("DELETE", WEBHOOK, webhook)


class _Sdk:
    """The official SDK's ManagementApi (its strict models parse every answer)."""

    def __init__(self, project: str) -> None:
        import voucherify  # noqa: PLC0415 - a test dependency

        configuration = voucherify.Configuration(
            host="https://api.voucherify.io", api_key=dict(KEYS)
        )
        # Any: the SDK takes a dict for a request body model (pydantic converts it).
        self.api: Any = voucherify.ManagementApi(voucherify.ApiClient(configuration))
        self.project = project

    def _run(self, method: str, template: str, call: Callable[[], Any]) -> Reply:
        from voucherify.exceptions import ApiException  # noqa: PLC0415

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                response = call()
            except ApiException as error:
                reply = Reply(error.status, json.loads(error.body or "null"), {})
                return _checked(method, template, reply)
        body = json.loads(response.raw_data) if response.raw_data else None
        return _checked(method, template, Reply(response.status_code, body, {}))

    def list(self) -> Reply:
        return self._run(
            "GET", WEBHOOKS, lambda: self.api.list_webhooks_with_http_info(self.project)
        )

    def create(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", WEBHOOKS, lambda: self.api.create_webhook_with_http_info(self.project, body)
        )

    def get(self, webhook: str) -> Reply:
        return self._run(
            "GET", WEBHOOK, lambda: self.api.get_webhook_with_http_info(self.project, webhook)
        )

    def update(self, webhook: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "PUT",
            WEBHOOK,
            lambda: self.api.update_webhook_with_http_info(self.project, webhook, body),
        )

    def delete(self, webhook: str) -> Reply:
        return self._run(
            "DELETE", WEBHOOK, lambda: self.api.delete_webhook_with_http_info(self.project, webhook)
        )


@pytest.fixture(params=["requests", "sdk", "httpx", "httpx-async", "live"])
def management(request: pytest.FixtureRequest, loyalty_fake: LoyaltyFake) -> _Http | _Sdk:
    """The webhooks API of the fake's project, through one client."""
    loyalty_fake.create_loyalty_program("Coffee Club")  # the project exists
    project = management_project_id(loyalty_fake.app_id)
    if request.param == "sdk":
        return _Sdk(project)
    if request.param == "httpx":
        return _Http(HttpxClient(dict(KEYS)), project)
    if request.param == "httpx-async":
        return _Http(AsyncHttpxClient(dict(KEYS)), project)
    if request.param == "live":
        server = request.getfixturevalue("loyalty_fake_server")
        return _Http(RequestsClient(dict(KEYS), base_url=server.url), project)
    return _Http(RequestsClient(dict(KEYS)), project)


def test_a_created_webhook_is_listed_and_read(management: _Http | _Sdk) -> None:
    """Create answers the configuration, active by default; list and get show it."""
    created = management.create(HOOK)
    assert created.status == 200, created.body
    webhook = created.body
    assert webhook["id"].startswith("wh_")
    assert (webhook["object"], webhook["active"]) == ("webhook", True)
    assert (webhook["target_url"], webhook["events"]) == (HOOK["target_url"], HOOK["events"])
    assert webhook["created_at"] == "2024-01-25T10:00:00.000Z"
    listed = management.list().body
    assert (listed["object"], listed["data_ref"], listed["total"]) == ("list", "data", 1)
    assert listed["data"] == [webhook]
    assert management.get(webhook["id"]).body == webhook


def test_an_update_replaces_the_events(management: _Http | _Sdk) -> None:
    """PUT overwrites the events (add one by sending all), the URL and the state."""
    webhook = management.create(HOOK).body
    body = {
        "target_url": "https://example.com/other",
        "events": ["customer.created"],
        "active": False,
    }
    updated = management.update(webhook["id"], body)
    assert updated.status == 200, updated.body
    assert updated.body == {**webhook, **body}
    assert management.get(webhook["id"]).body == updated.body


def test_a_deleted_webhook_is_gone(management: _Http | _Sdk) -> None:
    """DELETE answers 204; the configuration is then 404 not_found and unlisted."""
    webhook = management.create(HOOK).body
    assert management.delete(webhook["id"]).status == 204
    missing = management.get(webhook["id"])
    assert (missing.status, missing.body["key"]) == (404, "not_found")
    assert management.list().body["total"] == 0
    again = management.create(HOOK).body
    assert again["id"] != webhook["id"]


def test_an_unknown_webhook_is_not_found(management: _Http | _Sdk) -> None:
    """Reading, replacing or deleting a webhook the project lacks is 404 not_found."""
    assert management.get("wh_nothing").status == 404
    assert management.update("wh_nothing", HOOK).status == 404
    assert management.delete("wh_nothing").status == 404


@pytest.mark.parametrize(
    "body",
    [
        {"events": [POINTS]},
        {"target_url": "https://example.com/hooks"},
        {"target_url": "ftp://example.com/hooks", "events": [POINTS]},
        {"target_url": "https://example.com/hooks", "events": []},
        {"target_url": "https://example.com/hooks", "events": ["points.everywhere"]},
        {"target_url": "https://example.com/hooks", "events": [POINTS], "active": "yes"},
    ],
    ids=["no-url", "no-events", "not-http", "empty-events", "unknown-event", "active-string"],
)
def test_a_bad_configuration_is_refused(loyalty_fake: LoyaltyFake, body: dict[str, Any]) -> None:
    """400 invalid_payload, and nothing is configured."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    http = _Http(RequestsClient(dict(KEYS)), management_project_id(loyalty_fake.app_id))
    reply = http.create(body)
    assert (reply.status, reply.body["key"]) == (400, "invalid_payload")
    assert http.list().body["total"] == 0


def test_the_loop_events_can_be_configured(loyalty_fake: LoyaltyFake) -> None:
    """Voucherify's customer events are accepted, with or without their customer. prefix."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    http = _Http(RequestsClient(dict(KEYS)), management_project_id(loyalty_fake.app_id))
    events = [
        "voucher.loyalty_card.points_expired",
        "voucher.loyalty_card.pending_points.activated",
        "customer.order.paid",
        "customer.reward_redemptions.created",
        "customer.loyalty.tier.joined",
    ]
    # The spec's enum lacks them (docs/spec-errata.md): the fake's own document is checked.
    path = WEBHOOKS.replace("{projectId}", http.project)
    body = {"target_url": "http://h/x", "events": events}
    reply = http.client._reply("POST", path, json=body)
    assert reply.status == 200, reply.body
    validate_own("POST", WEBHOOKS, reply.status, reply.body)
    assert reply.body["events"] == events


def test_management_keys_are_required(loyalty_fake: LoyaltyFake) -> None:
    """Without X-Management-Id and X-Management-Token: 401 unauthorized."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    http = _Http(RequestsClient({}), management_project_id(loyalty_fake.app_id))
    reply = http.list()
    assert (reply.status, reply.body["key"]) == (401, "unauthorized")


@pytest.mark.usefixtures("loyalty_fake")
def test_an_unknown_project_is_not_found() -> None:
    """A project ID no project has is 404 not_found (project)."""
    reply = _Http(RequestsClient(dict(KEYS)), "proj_nothing").list()
    assert (reply.status, reply.body["key"]) == (404, "not_found")
    assert reply.body["resource_type"] == "project"


def test_webhooks_survive_a_snapshot_and_go_with_a_reset(loyalty_fake: LoyaltyFake) -> None:
    """Configurations are project records: a snapshot keeps them, a reset forgets them."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    http = _Http(RequestsClient(dict(KEYS)), management_project_id(loyalty_fake.app_id))
    webhook = http.create(HOOK).body
    saved = loyalty_fake.ledger.snapshot()
    loyalty_fake.reset()
    assert http.list().status == 404  # no project any more
    loyalty_fake.ledger.restore(saved)
    assert http.list().body["data"] == [webhook]
