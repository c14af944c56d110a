"""The fake's own OpenAPI document: exactly the route table, and what the fake answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake import openapi_document
from loyalty_fake.http.routes import ROUTES
from tests.own_openapi import validate_own

if TYPE_CHECKING:
    from collections.abc import Iterator

    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer

_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def test_document_operations_are_the_route_table() -> None:
    """Every route is documented and nothing else is, so the two cannot drift apart."""
    documented = sorted(
        f"{method.upper()} {path}"
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in _METHODS
    )
    assert documented == sorted(route.operation for route in ROUTES)


def test_every_operation_documents_its_errors() -> None:
    """Each operation names its 200 (a DELETE its 204, bulk work its 202), 401 and the rest."""
    for item in openapi_document()["paths"].values():
        for method, operation in item.items():
            if method in _METHODS:
                responses = operation["responses"]
                success = "204" if "204" in responses else "200"
                if success not in responses and "202" in responses:
                    success = "202"  # bulk work: an async action, already done
                assert {success, "401", "default"} <= set(responses)


def test_operation_ids_are_unique() -> None:
    """Every operation has its own operationId (clients generated from it need that)."""
    ids = [
        operation["operationId"]
        for item in openapi_document()["paths"].values()
        for method, operation in item.items()
        if method in _METHODS
    ]
    assert len(ids) == len(set(ids)) == len(ROUTES)


def test_a_body_off_the_document_is_caught(loyalty_fake: LoyaltyFake) -> None:
    """The document's checks can fail: a member without its code does not pass."""
    loyalty_fake.create_loyalty_program("P", vouchers_count=1)
    member = loyalty_fake.add_member("P", {"source_id": "alice"})
    template = "/v1/loyalties/{campaignId}/members"
    validate_own("POST", template, 200, member)
    del member["code"]
    with pytest.raises(AssertionError, match="'code' is a required property"):
        validate_own("POST", template, 200, member)


def test_the_document_is_a_copy() -> None:
    """Changing a returned document does not change the next one."""
    document = openapi_document()
    document["paths"].clear()
    assert openapi_document()["paths"]


@pytest.mark.loyalty_fake(control_plane=True)
def test_served_at_fake_openapi_json(loyalty_fake_server: LiveServer) -> None:
    """GET /_fake/openapi.json is the same document, pointing clients at this server."""
    response = requests.get(f"{loyalty_fake_server.url}/_fake/openapi.json", timeout=5)
    assert response.status_code == 200
    served = response.json()
    assert served["servers"] == [{"url": loyalty_fake_server.url}]
    assert {**served, "servers": openapi_document()["servers"]} == openapi_document()


def _integers(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer schema inside ``schema`` (resolved against the document), by path."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            yield from _integers(openapi_document()["components"]["schemas"][name], where)
            return
        if schema.get("type") == "integer":
            yield where, schema
        for key, value in schema.items():
            yield from _integers(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _integers(value, f"{where}[{index}]")


def test_every_integer_a_body_takes_is_bounded_as_the_fake_bounds_it() -> None:
    """No request integer is unbounded: past 2^53 - 1 the fake answers 400, as documented."""
    found = []
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody") if method in _METHODS else None
            if body is None:
                continue
            # One media type each: JSON, or multipart/form-data for a CSV upload.
            (content,) = body["content"].values()
            schema = content["schema"]
            for where, integer in _integers(schema, f"{method.upper()} {path}"):
                found.append(where)
                assert integer.get("maximum", 2**63) <= 2**53 - 1, where
                assert integer.get("minimum", -(2**63)) >= -(2**53 - 1), where
    assert any(where.endswith(".points") for where in found)
