"""Metadata schemas (Management API, /v1 reads) and metadata checked against them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.http.management_auth import management_project_id

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, Reply
    from tests.management_clients import ManagementClient

REGION = {"type": "string", "optional": False, "array": False, "eq": ["EMEA", "APAC"]}
SCORE = {"type": "number", "optional": True, "array": False, "gte": 0, "lte": 10}
SCHEMA = {"related_object": "campaign", "properties": {"region": REGION, "score": SCORE}}


def _ok(reply: Reply) -> Any:
    assert reply.status in {200, 204}, reply.body
    return reply.body


def _project(fake: LoyaltyFake) -> str:
    fake.create_loyalty_program("Club", metadata={"region": "EMEA"})
    return management_project_id(fake.app_id)


def test_a_schema_is_created_read_listed_updated_and_deleted(
    management: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """Management CRUD, and /v1's list and read by object, over one store."""
    project = _project(loyalty_fake)
    made = _ok(management.op("create_metadata_schema", project, body=SCHEMA))
    assert (made["related_object"], made["object"], made["updated_at"]) == (
        "campaign",
        "metadata_schema",
        None,
    )
    assert made["properties"]["region"]["eq"] == ["EMEA", "APAC"]
    assert management.op("create_metadata_schema", project, body=SCHEMA).error_key == (
        "duplicate_found"
    )
    assert _ok(management.op("get_metadata_schema1", project, made["id"])) == made
    assert _ok(management.op("list_metadata_schemas1", project))["total"] == 1
    assert [s["id"] for s in _ok(management.op("list_metadata_schemas"))["schemas"]] == [made["id"]]
    assert _ok(management.op("get_metadata_schema", "campaign"))["id"] == made["id"]
    assert management.op("get_metadata_schema", "product").error_key == "not_found"
    more = {"properties": {"tier": {"type": "string", "optional": True, "array": False}}}
    changed = _ok(management.op("update_metadata_schema", project, made["id"], body=more))
    assert sorted(changed["properties"]) == ["region", "score", "tier"]
    assert changed["updated_at"] is not None
    assert management.op("delete_metadata_schema", project, made["id"]).status == 204
    assert _ok(management.op("list_metadata_schemas"))["schemas"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"properties": {}},
        {
            "related_object": "campaign",
            "properties": {"x": {"type": "text", "optional": True, "array": False}},
        },
        {"related_object": "campaign", "properties": {"x": {"type": "string"}}},
    ],
)
def test_a_bad_schema_is_refused(
    admin: ManagementClient, loyalty_fake: LoyaltyFake, body: dict[str, Any]
) -> None:
    """A schema without its object or with a bad definition is 400; none is made."""
    project = _project(loyalty_fake)
    assert admin.op("create_metadata_schema", project, body=body).error_key == "invalid_payload"
    assert _ok(admin.op("list_metadata_schemas1", project))["data"] == []


@pytest.mark.parametrize(
    ("metadata", "details"),
    [
        ({}, "region: is required"),
        ({"region": "MARS"}, "region: must be equal to one of EMEA,APAC (actual value is 'MARS')"),
        (
            {"region": "EMEA", "score": 11},
            "score: must be less than or equal to 10 (actual value is '11')",
        ),
        ({"region": "EMEA", "score": "high"}, "score: must be a number (actual value is 'high')"),
    ],
)
def test_campaign_metadata_is_checked(
    client: Client,
    admin: ManagementClient,
    loyalty_fake: LoyaltyFake,
    metadata: dict[str, Any],
    details: str,
) -> None:
    """With a campaign schema, metadata that breaks it is 400 ``metadata_validation_failed``."""
    _ok(admin.op("create_metadata_schema", _project(loyalty_fake), body=SCHEMA))
    reply = client.create_program({"name": "Checked", "metadata": metadata})
    assert (reply.status, reply.error_key, reply.body["details"]) == (
        400,
        "metadata_validation_failed",
        details,
    )
    assert client.create_program({"name": "Fine", "metadata": {"region": "APAC"}}).status == 200


def test_an_update_is_checked_and_undone(
    client: Client, admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """An update leaving metadata that breaks the schema is refused and changes nothing."""
    _ok(admin.op("create_metadata_schema", _project(loyalty_fake), body=SCHEMA))
    reply = client.update_program("Club", {"metadata": {"region": "MARS"}})
    assert reply.error_key == "metadata_validation_failed"
    assert loyalty_fake.get_loyalty_program("Club")["metadata"] == {"region": "EMEA"}


def test_only_defined_keys_when_the_schema_says(
    admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """``allow_defined_only``: a key the schema does not define is refused."""
    project = _project(loyalty_fake)
    _ok(admin.op("create_metadata_schema", project, body={**SCHEMA, "allow_defined_only": True}))
    reply = loyalty_fake.request(
        "POST", "/v1/loyalties", json_body={"name": "X", "metadata": {"region": "EMEA", "x": 1}}
    )
    assert reply.json()["details"] == "x: is not defined in the campaign metadata schema"


def test_vouchers_follow_the_voucher_schema_when_their_campaign_says(
    admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """``use_voucher_metadata_schema``: a campaign's vouchers' metadata is checked."""
    project = _project(loyalty_fake)
    voucher_schema = {"related_object": "voucher", "properties": {"region": REGION}}
    _ok(admin.op("create_metadata_schema", project, body=voucher_schema))
    campaign = {
        "name": "Promo",
        "campaign_type": "DISCOUNT_COUPONS",
        "use_voucher_metadata_schema": True,
        "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 100}},
    }
    assert loyalty_fake.request("POST", "/v1/campaigns", json_body=campaign).status == 200
    bad = loyalty_fake.request("POST", "/v1/vouchers/V1", json_body={"campaign": "Promo"})
    assert bad.json()["key"] == "metadata_validation_failed"
    good = {"campaign": "Promo", "metadata": {"region": "APAC"}}
    assert loyalty_fake.request("POST", "/v1/vouchers/V1", json_body=good).status == 200
