"""Credentials, project isolation, and Voucherify's error envelope everywhere."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import requests

from loyalty_fake.ledger.campaigns import Campaigns
from tests.conftest import BASE_URL, Client, RequestsClient, SdkClient, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

UNAUTHORIZED = {"code": 401, "message": "Unauthorized", "key": "unauthorized"}
ENDPOINTS = [
    ("POST", "/v1/loyalties"),
    ("GET", "/v1/loyalties/Coffee%20Club"),
    ("POST", "/v1/loyalties/Coffee%20Club/members"),
    ("GET", "/v1/loyalties/Coffee%20Club/members"),
    ("GET", "/v1/vouchers/ABC"),
    ("DELETE", "/v1/loyalties/Coffee%20Club"),
    ("GET", "/v1/publications"),
]


@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [{}, {"X-App-Id": "app"}, {"X-App-Token": "token"}, {"X-App-Id": "", "X-App-Token": "t"}],
    ids=["none", "no-token", "no-id", "empty-id"],
)
def test_missing_credentials_are_401(method: str, path: str, headers: dict[str, str]) -> None:
    """Without a non-empty X-App-Id and X-App-Token every endpoint answers Voucherify's 401."""
    response = requests.request(method, BASE_URL + path, headers=headers, json={}, timeout=5)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.loyalty_fake(credentials={"my-app": "my-secret"})
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_wrong_token_is_401_with_configured_credentials(method: str, path: str) -> None:
    """With configured credentials, a wrong token is 401 on every endpoint."""
    headers = {"X-App-Id": "my-app", "X-App-Token": "not-the-secret"}
    response = requests.request(method, BASE_URL + path, headers=headers, json={}, timeout=5)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.loyalty_fake(credentials={"my-app": "my-secret"})
def test_configured_credentials_are_accepted(loyalty_fake: LoyaltyFake) -> None:
    """The configured pair works, and the Python API acts in that project."""
    assert loyalty_fake.headers == {"X-App-Id": "my-app", "X-App-Token": "my-secret"}
    client = SdkClient(loyalty_fake.headers)
    make_program(client, vouchers_count=1)
    assert loyalty_fake.get_loyalty_program("Coffee Club")["vouchers_count"] == 1


@pytest.mark.usefixtures("loyalty_fake")
def test_projects_never_see_each_other() -> None:
    """Two X-App-Ids are two projects: programs, cards and customers stay apart."""
    first = RequestsClient({"X-App-Id": "first", "X-App-Token": "t"})
    second = RequestsClient({"X-App-Id": "second", "X-App-Token": "t"})
    program = make_program(first, vouchers_count=1)
    first.add_member(program["id"], {"customer": {"source_id": "alice"}})
    assert second.get_program(program["id"]).status == 404
    assert second.get_program("Coffee Club").status == 404
    assert second.list_members(program["id"]).status == 404
    assert second.add_member(program["id"], {"customer": {"source_id": "a"}}).status == 404
    # The same name is free in the other project.
    assert second.create_program({"name": "Coffee Club"}).status == 200
    assert second.list_members("Coffee Club").body["total"] == 0


def test_unimplemented_operation_says_so(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An operation the fake lacks is a Voucherify-shaped 501 naming it and changing nothing."""
    make_program(client)
    response = requests.post(
        f"{BASE_URL}/v1/product-collections",
        json={"type": "STATIC", "name": "Mugs", "products": []},
        headers=loyalty_fake.headers,
        timeout=5,
    )
    assert response.status_code == 501
    body = response.json()
    assert body["key"] == "not_implemented"
    assert body["details"].startswith(
        "POST /v1/product-collections (Create Product Collection) is not implemented"
    )
    assert body["resource_id"] == "create-product-collection"
    assert re.fullmatch(r"v-[0-9a-f]{18}", body["request_id"])
    # ... and it was no fake success: nothing changed.
    assert client.get_program("Coffee Club").status == 200


@pytest.mark.usefixtures("loyalty_fake")
def test_error_request_ids_differ() -> None:
    """Every error carries its own request_id."""
    headers = {"X-App-Id": "a", "X-App-Token": "t"}
    ids = {
        requests.get(f"{BASE_URL}/v1/loyalties/missing", headers=headers, timeout=5).json()[
            "request_id"
        ]
        for _ in range(5)
    }
    assert len(ids) == 5


def test_internal_error_is_an_envelope_not_a_traceback(
    loyalty_fake: LoyaltyFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug inside the fake answers a 500 envelope and is recorded for the fixture to report."""

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(Campaigns, "get", broken)
    response = requests.get(f"{BASE_URL}/v1/loyalties/x", headers=loyalty_fake.headers, timeout=5)
    assert response.status_code == 500
    assert response.json()["key"] == "internal_error"
    assert len(loyalty_fake.app.internal_errors) == 1
    loyalty_fake.app.internal_errors.clear()  # this test provoked it on purpose


@pytest.mark.parametrize("method", ["TRACE", "PATCH", "OPTIONS"])
def test_methods_voucherify_never_uses_are_405(loyalty_fake: LoyaltyFake, method: str) -> None:
    """TRACE, PATCH or OPTIONS name no Voucherify operation: 405 with Allow, not a 501."""
    response = requests.request(
        method, f"{BASE_URL}/v1/loyalties/P", headers=loyalty_fake.headers, timeout=5
    )
    assert response.status_code == 405
    assert response.json()["key"] == "method_not_allowed"
    assert response.headers["Allow"] == "DELETE, GET, PUT"
    assert not loyalty_fake.app.internal_errors


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # (The transactions and orders exports, and a customer's redeemables, were these
        # until the fake served them.)
        ("POST", "/v1/vouchers/SOME/validate"),
        ("POST", "/v1/vouchers/SOME/redemption"),
        # Served as POST /v1/vouchers/{code} but for this more specific operation.
        ("POST", "/v1/vouchers/qualification"),
    ],
)
def test_a_voucherify_operation_the_fake_lacks_stays_501(
    loyalty_fake: LoyaltyFake, method: str, path: str
) -> None:
    """Operations Voucherify has on paths the fake serves, but the fake lacks: 501, not 405."""
    response = requests.request(
        method, BASE_URL + path, json={}, headers=loyalty_fake.headers, timeout=5
    )
    assert response.status_code == 501
    assert response.json()["key"] == "not_implemented"


def test_a_method_voucherify_lacks_on_a_served_path_is_405(loyalty_fake: LoyaltyFake) -> None:
    """PUT /v1/loyalties is no Voucherify operation: 405 naming GET and POST, not a 501."""
    response = requests.put(
        f"{BASE_URL}/v1/loyalties", json={}, headers=loyalty_fake.headers, timeout=5
    )
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
