"""The Management API's projects: the fake's X-App-Id projects, their settings and keys."""

from __future__ import annotations

import json
import signal
from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.management_auth import management_project_id
from loyalty_fake.http.messages import Request
from tests.test_server import Server

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Reply
    from tests.management_clients import ManagementClient

_API = "https://api.voucherify.io"
_NEW = {
    "name": "Shop EU",
    "case_sensitive_codes": True,
    "timezone": "Europe/Warsaw",
    "currency": "EUR",
}


def _send(method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, path, timeout=5, **kwargs)


def _ok(reply: Reply) -> Any:
    assert reply.status in {200, 204}, reply.body
    return reply.body


def test_a_project_id_is_derived_from_its_app_id() -> None:
    """``proj_`` and 8 hex digits of the app ID's SHA-256: the same in every fake."""
    assert management_project_id("shop") == management_project_id("shop")
    assert management_project_id("shop") != management_project_id("shop-2")
    assert len(management_project_id("shop")) == len("proj_") + 8


def test_the_used_project_is_listed_and_read(
    management: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """A project a request used is listed, named by its app ID until renamed."""
    loyalty_fake.create_loyalty_program("Club")
    listed = _ok(management.op("list_projects"))
    project_id = management_project_id(loyalty_fake.app_id)
    assert [p["id"] for p in listed["data"]] == [project_id]
    assert listed["total"] == 1
    project = _ok(management.op("get_project", project_id))
    assert project["name"] == loyalty_fake.app_id
    assert "server_side_key" not in project


def test_a_created_project_has_keys_the_fake_accepts(
    management: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """Creating a project answers its keys; the fake then serves that project with them."""
    created = _ok(management.op("create_project", body=_NEW))
    assert created["name"] == "Shop EU"
    assert created["currency"] == "EUR"
    keys = created["server_side_key"]
    assert created["id"] == management_project_id(keys["app_id"])
    loyalty_fake.create_loyalty_program("Club", app_id=keys["app_id"])
    assert len(loyalty_fake.ledger.projects()[keys["app_id"]].campaigns) == 1
    assert _ok(management.op("get_project", created["id"]))["timezone"] == "Europe/Warsaw"


def test_an_update_changes_the_named_fields(management: ManagementClient) -> None:
    """PUT changes what the body names and keeps the rest."""
    created = _ok(management.op("create_project", body=_NEW))
    updated = _ok(
        management.op(
            "update_project", created["id"], body={"name": "Shop PL", "description": "Poland"}
        )
    )
    assert (updated["name"], updated["description"], updated["currency"]) == (
        "Shop PL",
        "Poland",
        "EUR",
    )


def test_a_deleted_project_is_gone(management: ManagementClient) -> None:
    """DELETE forgets the project: 404 after."""
    created = _ok(management.op("create_project", body=_NEW))
    assert management.op("delete_project", created["id"]).status == 204
    assert management.op("get_project", created["id"]).error_key == "not_found"


@pytest.mark.loyalty_fake(credentials={"shop": "secret"}, management_credentials={"ops": "pw"})
def test_only_configured_management_keys_and_created_app_keys_pass(
    loyalty_fake: LoyaltyFake,
) -> None:
    """Configured management keys only; a created project's keys pass until it is deleted."""
    wrong = _send("GET", _API + "/management/v1/projects", headers={"X-Management-Id": "ops"})
    assert (wrong.status_code, wrong.json()["key"]) == (401, "unauthorized")
    admin = loyalty_fake.management_headers
    created = _send("POST", _API + "/management/v1/projects", json=_NEW, headers=admin).json()
    keys = created["server_side_key"]
    app = {"X-App-Id": keys["app_id"], "X-App-Token": keys["app_token"]}
    assert _send("GET", _API + "/v1/customers", headers=app).status_code == 200
    forged = {**app, "X-App-Token": "forged"}
    assert _send("GET", _API + "/v1/customers", headers=forged).status_code == 401
    client = created["client_side_key"]
    browser = {"X-Client-Application-Id": client["app_id"], "X-Client-Token": client["app_token"]}
    event = {"event": "visit", "customer": {"source_id": "ada"}}
    sent = _send("POST", _API + "/client/v1/events", json=event, headers=browser)
    assert sent.status_code == 200
    assert len(loyalty_fake.ledger.projects()[keys["app_id"]].customers) == 1
    path = f"{_API}/management/v1/projects/{created['id']}"
    assert _send("DELETE", path, headers=admin).status_code == 204
    assert _send("GET", _API + "/v1/customers", headers=app).status_code == 401


def test_management_calls_are_journaled(
    management: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """A Management API call is a call like any other: the journal records it."""
    _ok(management.op("list_projects"))
    assert len(loyalty_fake.journal.calls(path="/management/v1/projects")) == 1


@pytest.mark.parametrize(
    ("body", "sdk_sends"),
    [
        ({"case_sensitive_codes": True, "timezone": "UTC", "currency": "EUR"}, True),
        ({**_NEW, "case_sensitive_codes": "yes"}, False),
        ({**_NEW, "api_version": "v2"}, False),
        ({**_NEW, "api_usage_notifications": {"messages": {"enabled": True}}}, True),
    ],
)
def test_a_bad_project_is_refused_and_changes_nothing(
    management: ManagementClient, body: dict[str, Any], sdk_sends: bool
) -> None:
    """A body the reference refuses is 400 ``invalid_payload``; no project is made."""
    if management.name == "sdk" and not sdk_sends:
        pytest.skip("the SDK's models refuse this body before sending it")
    before = _ok(management.op("list_projects"))
    assert management.op("create_project", body=body).error_key == "invalid_payload"
    assert _ok(management.op("list_projects")) == before


def test_unknown_project_is_404(management: ManagementClient) -> None:
    """A projectId no project has is 404 ``not_found``."""
    assert management.op("get_project", "proj_00000000").error_key == "not_found"


def test_projects_survive_a_snapshot() -> None:
    """A created project, its settings and keys come back with ``restore``."""
    fake = LoyaltyFake()
    created = fake.app.handle(
        Request.from_url(
            "POST",
            "/management/v1/projects",
            {**fake.management_headers, "Content-Type": "application/json"},
            json.dumps(_NEW).encode(),
        )
    ).json()
    again = LoyaltyFake()
    again.ledger.restore(fake.ledger.snapshot())
    read = again.app.handle(
        Request.from_url(
            "GET", f"/management/v1/projects/{created['id']}", again.management_headers, b""
        )
    ).json()
    assert (read["name"], read["currency"]) == ("Shop EU", "EUR")
    app_id = created["server_side_key"]["app_id"]
    assert (
        again.ledger.projects()[app_id].settings["app_token"]
        == created["server_side_key"]["app_token"]
    )


def test_management_writes_survive_a_server_restart(tmp_path: Path) -> None:
    """A durable server replays Management API writes: the project and its rules come back."""
    keys = {"X-Management-Id": "ops", "X-Management-Token": "pw"}
    options = ("--state", str(tmp_path), "--no-demo", "--management-credentials", "ops:pw")
    server = Server(*options)
    try:
        created = _send("POST", server.url + "/management/v1/projects", json=_NEW, headers=keys)
        project = f"{server.url}/management/v1/projects/{created.json()['id']}"
        rules = {"applicable_redeemables_limit": 2}
        _send("POST", project + "/stacking-rules", json=rules, headers=keys).raise_for_status()
    finally:
        server.stop(signal.SIGKILL)
    restarted = Server(*options)
    try:
        path = project.replace(server.url, restarted.url)
        assert _send("GET", path, headers=keys).json()["name"] == "Shop EU"
        listed = _send("GET", path + "/stacking-rules", headers=keys).json()
        assert listed["data"][0]["applicable_redeemables_limit"] == 2
    finally:
        restarted.stop(signal.SIGKILL)
