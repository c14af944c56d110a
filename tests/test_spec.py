"""Tests for :mod:`tests.spec`, the Voucherify OpenAPI response validator."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any, Final

import pytest

from tests import spec
from tests.docs_examples import ROOT
from tests.spec import (
    SchemaValidationError,
    SpecLookupError,
    SpecName,
    match_path,
    openapi_to_json_schema,
    validate_response,
    validate_schema,
)

if TYPE_CHECKING:
    from pathlib import Path

# Member (loyalty card) response body as printed in Voucherify's docs.
DOCUMENTED_MEMBER: Final[dict[str, Any]] = json.loads(
    """
    {"id": "v_0TxKw1bm0oZuS5lwA8526vze1OBMV1OH", "code": "KpzbHUY5",
     "campaign": "Loyalty Campaign", "campaign_id": "camp_eTIsUtuzkRXQT6rsUQqrS5Gw",
     "category": "New Customers", "category_id": "cat_0b6152ce12414820dc",
     "categories": [{"id": "cat_0b6152ce12414820dc", "name": "New Customers",
                     "hierarchy": 0, "created_at": "2022-07-14T20:17:07.657Z",
                     "object": "category"}],
     "type": "LOYALTY_CARD", "discount": null, "gift": null,
     "loyalty_card": {"points": 0, "balance": 0},
     "start_date": null, "expiration_date": null, "validity_timeframe": null,
     "validity_day_of_week": null, "active": true, "additional_info": null,
     "metadata": {"Season": "Fall"},
     "assets": {
       "qr": {"id": "U2Fsd",
              "url": "https://dl.voucherify.io/api/v1/assets/qr/U2Fsd"},
       "barcode": {"id": "U2Fsd",
                   "url": "https://dl.voucherify.io/api/v1/assets/barcode/U2Fsd"}},
     "is_referral_code": false, "created_at": "2022-11-21T15:48:57.860Z",
     "updated_at": "2022-11-21T15:49:36.671Z",
     "holder_id": "cust_8KQmHxAERpgebYcFhSpZRr37",
     "redemption": {"quantity": null, "redeemed_quantity": 0, "redeemed_points": 0,
                    "object": "list",
                    "url": "/v1/vouchers/KpzbHUY5/redemptions?page=1&limit=10"},
     "publish": {"object": "list", "count": 1,
                 "url": "/v1/vouchers/KpzbHUY5/publications?page=1&limit=10"},
     "object": "voucher"}
    """,
)

# Spec-vs-docs discrepancy: the documented example (and the spec's own
# examples) send these fields as null, but the LoyaltyMember schema types them
# as plain string/integer/object/array without `nullable: true`.  The "current"
# and "full" specs reject all six; "sdk" rejects only the two validity_* ones.
# The validator follows the spec, so the conforming `member` fixture omits them.
SPEC_REJECTED_NULLS: Final = (
    "$.additional_info",
    "$.expiration_date",
    "$.redemption.quantity",
    "$.start_date",
    "$.validity_day_of_week",
    "$.validity_timeframe",
)

ADD_MEMBER: Final = ("POST", "/v1/loyalties/camp_abc/members")
ADD_MEMBER_STATUS: Final = 200  # the spec documents 200, not 201


@pytest.fixture
def member() -> dict[str, Any]:
    """Return the documented member without the nulls the spec rejects."""
    body = copy.deepcopy(DOCUMENTED_MEMBER)
    for field in SPEC_REJECTED_NULLS:
        *parents, leaf = field.removeprefix("$.").split(".")
        container = body
        for parent in parents:
            container = container[parent]
        del container[leaf]
    return body


def test_member_matches_add_member_response(member: dict[str, Any]) -> None:
    """A conforming member body is a valid add-member response."""
    validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, member)


def test_member_list_matches_list_members_response(member: dict[str, Any]) -> None:
    """A list wrapper of members is a valid list-members response."""
    body = {"object": "list", "data_ref": "vouchers", "vouchers": [member], "total": 1}
    validate_response("GET", "/v1/loyalties/camp_abc/members", 200, body)


def test_path_template_is_accepted(member: dict[str, Any]) -> None:
    """A path template may be passed instead of a concrete path."""
    validate_response("POST", "/v1/loyalties/{campaignId}/members", 200, member)


@pytest.mark.parametrize("variant", ["current", "full", "sdk"])
def test_member_matches_every_spec_variant(
    member: dict[str, Any],
    variant: SpecName,
) -> None:
    """The conforming member body is valid in every spec variant."""
    validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, member, spec=variant)


def test_validate_schema_accepts_member(member: dict[str, Any]) -> None:
    """A conforming member body is valid against the named LoyaltyMember schema."""
    validate_schema("LoyaltyMember", member)


def test_nullable_field_accepts_null(member: dict[str, Any]) -> None:
    """A field the spec marks nullable (active) accepts null."""
    member["active"] = None
    validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, member)


def test_string_points_rejected(member: dict[str, Any]) -> None:
    """A string where the spec wants an integer is reported with its JSON path."""
    member["loyalty_card"] = {"points": "10"}
    with pytest.raises(SchemaValidationError) as excinfo:
        validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, member)
    assert excinfo.value.errors == (("$.loyalty_card.points", "'10' is not of type 'integer'"),)


def test_invalid_date_time_rejected(member: dict[str, Any]) -> None:
    """A created_at that is not an RFC 3339 date-time is rejected."""
    member["created_at"] = "not a date"
    with pytest.raises(SchemaValidationError) as excinfo:
        validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, member)
    assert excinfo.value.errors == (("$.created_at", "'not a date' is not a 'date-time'"),)


def test_date_time_without_offset_rejected(member: dict[str, Any]) -> None:
    """A date-time lacking the mandatory RFC 3339 offset is rejected."""
    member["created_at"] = "2022-11-21T15:48:57.860"
    with pytest.raises(SchemaValidationError, match=r"\$\.created_at"):
        validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, member)


def test_impossible_date_rejected(member: dict[str, Any]) -> None:
    """A well-formed but impossible `format: date` value is rejected."""
    member["loyalty_card"]["next_expiration_date"] = "2022-02-30"
    with pytest.raises(SchemaValidationError, match=r"\$\.loyalty_card\.next_exp"):
        validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, member)


def test_documented_example_nulls_rejected() -> None:
    """Every null the docs show for a non-nullable field is reported, no more."""
    with pytest.raises(SchemaValidationError) as excinfo:
        validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, DOCUMENTED_MEMBER, errata=False)
    assert tuple(path for path, _ in excinfo.value.errors) == SPEC_REJECTED_NULLS


def test_seed_documented_nulls_accepted_with_errata() -> None:
    """The seed page's own example validates once the documented errata apply."""
    validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, DOCUMENTED_MEMBER)


def test_errata_do_not_hide_other_nulls() -> None:
    """The errata excuse only the seed's nulls: a null balance still fails."""
    body = {**DOCUMENTED_MEMBER, "loyalty_card": {"points": 0, "balance": None}}
    with pytest.raises(SchemaValidationError, match="balance"):
        validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, body)


def test_unknown_path_raises_lookup_error() -> None:
    """A path no spec file defines raises a SpecLookupError naming the path."""
    with pytest.raises(SpecLookupError, match=r"no path .* matches '/v1/nope/x'"):
        validate_response("GET", "/v1/nope/x", 200, {})


def test_undefined_method_raises_lookup_error() -> None:
    """A method the matched path does not define raises a SpecLookupError."""
    with pytest.raises(SpecLookupError, match="defines GET, POST but not PATCH"):
        validate_response("PATCH", "/v1/loyalties/camp_abc/members", 200, {})


def test_status_mismatch_reported(member: dict[str, Any]) -> None:
    """A 201 where the spec documents 200 is reported, not silently accepted."""
    with pytest.raises(SpecLookupError, match="success as 200, not 201"):
        validate_response(*ADD_MEMBER, 201, member)


def test_no_content_response_accepts_no_body() -> None:
    """A response the spec defines without content validates an empty body."""
    validate_response("DELETE", "/v1/loyalties/camp_abc/earning-rules/ern_1", 204, None)


def test_no_content_response_rejects_body() -> None:
    """A body on a response the spec defines without content is rejected."""
    with pytest.raises(SchemaValidationError, match="has no body in the spec"):
        validate_response("DELETE", "/v1/loyalties/camp_abc/earning-rules/ern_1", 204, {})


def test_literal_segment_beats_parameter() -> None:
    """`/members/{memberId}` wins over `/{campaignId}/members` for /members/X."""
    assert match_path("/v1/loyalties/members/XYZ") == "/v1/loyalties/members/{memberId}"


def test_current_spec_searches_every_section_file() -> None:
    """Paths outside loyalties.json are found in the other current split files."""
    assert match_path("/v1/customers/cust_1") == "/v1/customers/{customerId}"


def test_query_string_ignored_when_matching() -> None:
    """The query string of a concrete path does not affect matching."""
    assert (
        match_path("/v1/loyalties/camp_abc/members?page=2&limit=10")
        == "/v1/loyalties/{campaignId}/members"
    )


def test_unknown_schema_raises_lookup_error() -> None:
    """An unknown schema name raises a SpecLookupError suggesting close names."""
    with pytest.raises(SpecLookupError, match="did you mean LoyaltyMember"):
        validate_schema("LoyaltyMembr", {})


def test_missing_spec_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the spec directory, validation skips the calling test."""
    monkeypatch.setattr(spec, "SPEC_AVAILABLE", False)
    with pytest.raises(pytest.skip.Exception, match="OpenAPI description is not in"):
        validate_response(*ADD_MEMBER, ADD_MEMBER_STATUS, {})


def test_a_run_without_the_spec_says_what_it_is_and_where_it_goes(tmp_path: Path) -> None:
    """A run with spec files missing names them, their source and the variable, once at the end."""
    partial = tmp_path / "voucherify-openapi"
    partial.mkdir()
    (partial / "OpenAPI.json").write_text("{}", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:randomly",
            "tests/test_paths.py::test_the_list_matches_voucherifys_openapi_files",
        ],
        cwd=ROOT,
        env={**os.environ, spec.ENV_VAR: str(partial)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    header = result.stdout.split("collected", 1)[0]
    assert f"Voucherify's OpenAPI spec: 6 file(s) missing in {partial}" in header
    summary = result.stdout.split("Voucherify's OpenAPI spec is missing", 1)[1]
    assert "1 test(s) skipped for want of it." in summary
    assert "https://github.com/voucherifyio/voucherify-openapi" in summary
    assert spec.ENV_VAR in summary
    assert "reference/readonly-sdks/python/OpenAPI.json" in summary
    missing = summary.split("Missing now: ", 1)[1].split("\n", 1)[0]
    assert "current-docs-split-2026-08/loyalties.json" in missing
    assert "OpenAPI.readonly-sdks-python.sdk-python-6.1.0.json" in missing
    assert " OpenAPI.json" not in missing
    assert result.stdout.count("MIT") == 2  # the summary's sentence and the one skip line


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {"type": "string", "nullable": True, "example": "x"},
            {"type": ["string", "null"]},
        ),
        (
            {"type": "string", "enum": ["a"], "nullable": True},
            {"type": ["string", "null"], "enum": ["a", None]},
        ),
        (
            {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True},
            {"anyOf": [{"type": "null"}, {"allOf": [{"$ref": "#/components/schemas/X"}]}]},
        ),
        (
            {"type": "object", "properties": {"example": {"type": "integer"}}},
            {"type": "object", "properties": {"example": {"type": "integer"}}},
        ),
        (
            {"type": "number", "maximum": 5, "exclusiveMaximum": True},
            {"type": "number", "exclusiveMaximum": 5},
        ),
    ],
    ids=[
        "nullable-type",
        "nullable-enum",
        "nullable-allOf",
        "property-named-example",
        "exclusive-bound",
    ],
)
def test_openapi_to_json_schema(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    """OpenAPI 3.0 keywords are translated to their JSON Schema equivalents."""
    assert openapi_to_json_schema(schema) == expected


REDEEM = ("POST", "/v1/loyalties/members/{memberId}/redemption")


@pytest.fixture
def redemption() -> dict[str, Any]:
    """A redemption of a material reward, as the fake answers it."""
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415 - only these tests need a fake

    fake = LoyaltyFake(now="2024-01-25T10:00:00Z")
    fake.create_loyalty_program("Club")
    code = fake.add_member("Club", {"source_id": "alice"})["code"]
    fake.add_points(code, 100)
    reward = fake.create_reward("Mug", parameters={"product": {"id": "prod_1"}})
    fake.assign_reward("Club", reward["id"], 10)
    return fake.redeem_reward(code, reward["id"])


def test_reward_result_needs_the_erratum(redemption: dict[str, Any]) -> None:
    """The spec requires a `reward` property its RedemptionRewardResult never defines."""
    with pytest.raises(SchemaValidationError) as excinfo:
        validate_response(*REDEEM, 200, redemption, errata=False)
    # The voucher's errors are the seed nulls (SEED_NULLS); the reward's is this one.
    outside_voucher = [e for e in excinfo.value.errors if not e[0].startswith("$.voucher.")]
    assert outside_voucher == [("$.reward", "'reward' is a required property")]


def test_reward_result_validates_with_the_erratum(redemption: dict[str, Any]) -> None:
    """With the documented erratum, the fake's redemption matches the spec."""
    validate_response(*REDEEM, 200, redemption)


def test_reward_result_erratum_hides_nothing_else(redemption: dict[str, Any]) -> None:
    """The erratum supplies only `reward`: a reward result without its voucher still fails."""
    del redemption["reward"]["voucher"]
    with pytest.raises(SchemaValidationError, match="'voucher' is a required property"):
        validate_response(*REDEEM, 200, redemption)


TRANSACTIONS = ("GET", "/v1/loyalties/members/{memberId}/transactions")


@pytest.fixture
def coin_transactions() -> dict[str, Any]:
    """A member's transactions after a pay-with-points redemption of an order without source_id."""
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415 - only these tests need a fake

    fake = LoyaltyFake(now="2024-01-25T10:00:00Z")
    fake.create_loyalty_program("Club")
    code = fake.add_member("Club", {"source_id": "alice"})["code"]
    fake.add_points(code, 100)
    coin = fake.create_reward("Coins", parameters={"coin": {"exchange_ratio": 1}})
    fake.assign_reward("Club", coin["id"])
    fake.redeem_reward(code, coin["id"], order={"amount": 500})
    body: dict[str, Any] = fake.transactions(code, limit=10)
    assert body["data"][0]["details"]["order"]["source_id"] is None
    return body


def test_transaction_order_needs_the_erratum(coin_transactions: dict[str, Any]) -> None:
    """The spec requires a string order source_id its own transaction examples show as null."""
    with pytest.raises(SchemaValidationError) as excinfo:
        validate_response(*TRANSACTIONS, 200, coin_transactions, errata=False)
    assert excinfo.value.errors == (
        ("$.data[0].details.order.source_id", "None is not of type 'string'"),
    )


def test_transaction_order_validates_with_the_erratum(coin_transactions: dict[str, Any]) -> None:
    """With the documented erratum, the fake's transactions match the spec."""
    validate_response(*TRANSACTIONS, 200, coin_transactions)


def test_transaction_order_erratum_hides_nothing_else(coin_transactions: dict[str, Any]) -> None:
    """The erratum excuses only a null source_id: an order without its ID still fails."""
    del coin_transactions["data"][0]["details"]["order"]["id"]
    with pytest.raises(SchemaValidationError, match="'id' is a required property"):
        validate_response(*TRANSACTIONS, 200, coin_transactions)
