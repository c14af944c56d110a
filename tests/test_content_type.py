"""A body sent as anything but JSON is 415, over every client that can send one.

Voucherify's errors page: "415 Unsupported Media Type: The API is unable to consume a
request in a format specified by the Content-Type header". A body without a
``Content-Type`` is read as JSON unless ``strict_content_type`` (docs/choices.md).
The official SDK always sends ``application/json``; the other clients send what they
are told, in-process and over the live server alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import AsyncHttpxClient, HttpxClient, Reply, RequestsClient

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

MEMBERS = "/v1/loyalties/Club/members"
BODY = b'{"customer": {"source_id": "alice"}}'
RAW_CLIENTS = ["requests", "httpx", "httpx-async", "live"]


def _send(  # noqa: PLR0913 - a request and the parts a test varies
    request: pytest.FixtureRequest,
    fake: LoyaltyFake,
    name: str,
    content_type: str | None,
    *,
    method: str = "POST",
    path: str = MEMBERS,
    body: bytes = BODY,
    auth: bool = True,
) -> Reply:
    headers = dict(fake.headers) if auth else {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    client: RequestsClient
    if name == "httpx":
        client = HttpxClient(headers)
    elif name == "httpx-async":
        client = AsyncHttpxClient(headers)
    elif name == "live":
        server = request.getfixturevalue("loyalty_fake_server")
        client = RequestsClient(headers, base_url=server.url)
    else:
        client = RequestsClient(headers)
    return client._reply(method, path, data=body)


@pytest.fixture
def club(loyalty_fake: LoyaltyFake) -> LoyaltyFake:
    """The fake with a program of two cards."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=2)
    return loyalty_fake


@pytest.mark.parametrize("name", RAW_CLIENTS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "a/b"],
)
def test_a_body_of_another_type_is_415_and_changes_nothing(
    request: pytest.FixtureRequest, club: LoyaltyFake, name: str, content_type: str
) -> None:
    """A JSON body declared as text, a form or anything but JSON is refused, as Voucherify does."""
    reply = _send(request, club, name, content_type)
    assert reply.status == 415
    assert reply.body["key"] == "unsupported_media_type"
    assert reply.body["message"] == "Unsupported Media Type"
    assert content_type in reply.body["details"]
    assert reply.body["request_id"].startswith("v-")
    assert club.list_members("Club")["total"] == 0


@pytest.mark.parametrize("name", RAW_CLIENTS)
@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/merge-patch+json",
    ],
)
def test_a_json_body_or_one_without_a_type_is_read(
    request: pytest.FixtureRequest, club: LoyaltyFake, name: str, content_type: str | None
) -> None:
    """JSON, with parameters, in any case, or +json; and by default a body with no type at all."""
    reply = _send(request, club, name, content_type)
    assert reply.status == 200, reply.body
    assert club.customer(reply.body["holder_id"])["source_id"] == "alice"


@pytest.mark.loyalty_fake(strict_content_type=True)
@pytest.mark.parametrize("name", RAW_CLIENTS)
def test_strict_content_type_refuses_a_body_without_a_type(
    request: pytest.FixtureRequest, club: LoyaltyFake, name: str
) -> None:
    """With strict_content_type, a body without a Content-Type is 415 too; JSON still works."""
    refused = _send(request, club, name, None)
    assert (refused.status, refused.body["key"]) == (415, "unsupported_media_type")
    assert "no Content-Type" in refused.body["details"]
    assert _send(request, club, name, "application/json").status == 200


@pytest.mark.parametrize("name", RAW_CLIENTS)
def test_a_missing_body_is_the_operations_own_400(
    request: pytest.FixtureRequest, club: LoyaltyFake, name: str
) -> None:
    """No body where one is needed reads as {}: the required property is missing."""
    reply = _send(request, club, name, "application/json", body=b"")
    assert (reply.status, reply.body["key"]) == (400, "invalid_payload")
    assert reply.body["details"] == "Payload must have required property 'customer'"


@pytest.mark.parametrize("name", RAW_CLIENTS)
def test_authentication_and_the_path_come_before_the_content_type(
    request: pytest.FixtureRequest, club: LoyaltyFake, name: str
) -> None:
    """401 without credentials and 404 for an unknown path, whatever the body's type."""
    assert _send(request, club, name, "text/plain", auth=False).status == 401
    unknown = _send(request, club, name, "text/plain", path="/v1/nothing")
    assert (unknown.status, unknown.body["key"]) == (404, "not_found")


@pytest.mark.parametrize("name", RAW_CLIENTS)
def test_a_get_body_is_never_read_so_never_refused(
    request: pytest.FixtureRequest, club: LoyaltyFake, name: str
) -> None:
    """GET with a text/plain body lists members as usual."""
    reply = _send(request, club, name, "text/plain", method="GET", body=b"hello")
    assert reply.status == 200
    assert reply.body["total"] == 0
