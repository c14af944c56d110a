"""A project's stacking rules (Management API), and the stacked checkout following them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.http.management_auth import management_project_id
from loyalty_fake.ledger.stacked_checkout import STACKING_RULES

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, Reply
    from tests.management_clients import ManagementClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

TEN_OFF = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1000}}


def _ok(reply: Reply) -> Any:
    assert reply.status in {200, 204}, reply.body
    return reply.body


def _project(fake: LoyaltyFake) -> str:
    fake.create_loyalty_program("Club")  # the project is known once used
    return management_project_id(fake.app_id)


def test_stacking_rules_are_created_read_listed_updated_and_deleted(
    management: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """The project's own rules: one set, over Voucherify's defaults; deleting brings those back."""
    project = _project(loyalty_fake)
    assert _ok(management.op("list_stacking_rules", project))["data"] == []
    made = _ok(
        management.op("create_stacking_rules", project, body={"applicable_redeemables_limit": 3})
    )
    assert made["id"].startswith("stk_")
    assert (made["applicable_redeemables_limit"], made["redeemables_limit"]) == (3, 30)
    assert made["redeemables_application_mode"] == "ALL"
    again = management.op("create_stacking_rules", project, body={})
    assert again.error_key == "duplicate_found"
    assert _ok(management.op("get_stacking_rules", project, made["id"])) == made
    changed = _ok(
        management.op(
            "update_stacking_rules",
            project,
            made["id"],
            body={"redeemables_application_mode": "PARTIAL"},
        )
    )
    assert (changed["applicable_redeemables_limit"], changed["redeemables_application_mode"]) == (
        3,
        "PARTIAL",
    )
    assert "updated_at" in changed
    assert _ok(management.op("list_stacking_rules", project))["total"] == 1
    assert management.op("delete_stacking_rules", project, made["id"]).status == 204
    assert management.op("get_stacking_rules", project, made["id"]).error_key == "not_found"
    assert _ok(management.op("list_stacking_rules", project))["data"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"redeemables_limit": 31},
        {"applicable_exclusive_redeemables_limit": 0},
        {"redeemables_application_mode": "SOME"},
        {"exclusive_categories": [1]},
    ],
)
def test_bad_stacking_rules_are_refused(
    admin: ManagementClient, loyalty_fake: LoyaltyFake, body: dict[str, Any]
) -> None:
    """Rules outside the reference's bounds are 400 ``invalid_payload``; none are made."""
    project = _project(loyalty_fake)
    assert admin.op("create_stacking_rules", project, body=body).error_key == "invalid_payload"
    assert _ok(admin.op("list_stacking_rules", project))["data"] == []


def _codes(client: Client, *codes: str) -> None:
    for code in codes:
        assert client.create_voucher(code, TEN_OFF).status == 200


def _validate(client: Client, *codes: str) -> Any:
    body = {
        "redeemables": [{"object": "voucher", "id": code} for code in codes],
        "order": {"amount": 10000},
    }
    return _ok(client.validate_stacked(body))


def test_the_answers_show_the_projects_rules(
    client: Client, admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """A validation's ``stacking_rules`` are the defaults, then the project's own."""
    _codes(client, "A")
    assert _validate(client, "A")["stacking_rules"] == STACKING_RULES
    project = _project(loyalty_fake)
    _ok(admin.op("create_stacking_rules", project, body={"applicable_redeemables_limit": 2}))
    assert _validate(client, "A")["stacking_rules"]["applicable_redeemables_limit"] == 2


def test_the_applicable_limit_skips_the_rest(
    client: Client, admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """Past the project's ``applicable_redeemables_limit``, redeemables are SKIPPED."""
    _codes(client, "A", "B", "C")
    project = _project(loyalty_fake)
    _ok(admin.op("create_stacking_rules", project, body={"applicable_redeemables_limit": 2}))
    body = _validate(client, "A", "B", "C")
    assert [each["status"] for each in body["redeemables"]] == [
        "APPLICABLE",
        "APPLICABLE",
        "SKIPPED",
    ]
    assert body["order"]["total_discount_amount"] == 2000


def test_more_redeemables_than_the_limit_are_refused(
    client: Client, admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """More redeemables than the project's ``redeemables_limit``: 400, nothing redeemed."""
    _codes(client, "A", "B")
    project = _project(loyalty_fake)
    _ok(admin.op("create_stacking_rules", project, body={"redeemables_limit": 1}))
    body = {"redeemables": [{"object": "voucher", "id": c} for c in ("A", "B")]}
    reply = client.redeem_stacked({**body, "order": {"amount": 10000}})
    assert reply.error_key == "invalid_payload"


def test_partial_mode_redeems_what_applies(
    client: Client, admin: ManagementClient, loyalty_fake: LoyaltyFake
) -> None:
    """``PARTIAL``: an unknown code is INAPPLICABLE and the others still apply and redeem."""
    _codes(client, "A")
    project = _project(loyalty_fake)
    _ok(
        admin.op("create_stacking_rules", project, body={"redeemables_application_mode": "PARTIAL"})
    )
    validated = _validate(client, "A", "NO-SUCH")
    assert validated["valid"] is True
    assert [each["status"] for each in validated["redeemables"]] == ["APPLICABLE", "INAPPLICABLE"]
    body = {
        "redeemables": [{"object": "voucher", "id": c} for c in ("A", "NO-SUCH")],
        "order": {"amount": 10000},
    }
    redeemed = _ok(client.redeem_stacked(body))
    assert [part["voucher"]["code"] for part in redeemed["redemptions"]] == ["A"]


def test_all_mode_fails_them_all(client: Client) -> None:
    """By default (``ALL``) one unknown code fails the whole validation."""
    _codes(client, "A")
    validated = _validate(client, "A", "NO-SUCH")
    assert validated["valid"] is False
