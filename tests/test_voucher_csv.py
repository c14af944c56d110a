"""Vouchers imported from CSV files: /v1/vouchers/importCSV and /v1/campaigns/{id}/importCSV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program
from tests.spec import SPEC_AVAILABLE, validate_schema
from tests.test_campaigns_api import discount_campaign, gift_campaign

if TYPE_CHECKING:
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

_RESULT_SCHEMAS = {
    "VOUCHERS.IMPORT_CSV": "17_res_obj_get_async_action_result_vouchers_import_csv",
    "CAMPAIGN.VOUCHERS_IMPORT_CSV": (
        "17_res_obj_get_async_action_result_campaign_vouchers_import_csv"
    ),
}
VOUCHERS_CSV = (
    b"code,Voucher_Type,VALUE,Discount Type,Category,Start Date,Expiration Date,"
    b"Redemption Limit,Active,Additional Info,region\r\n"
    b"TEN-OFF,DISCOUNT_VOUCHER,10,PERCENT,autumn,2024-01-01,2024-12-31T23:59:59Z,3,true,"
    b"For regulars,north\r\n"
    b"FIVER,DISCOUNT_VOUCHER,500,AMOUNT,,2024-02-01T09,,,false,,\r\n"
    b"GIFT-50,GIFT_VOUCHER,5000,,,,,,,,south\r\n"
)


def _action(client: Client, reply: Any, status: int = 202) -> dict[str, Any]:
    assert reply.status == status, reply.body
    found = client.get_async_action(reply.body["async_action_id"])
    assert found.status == 200, found.body
    action: dict[str, Any] = found.body
    if SPEC_AVAILABLE:
        validate_schema(_RESULT_SCHEMAS[action["type"]], action["result"], spec="full")
    return action


def _voucher(client: Client, code: str) -> dict[str, Any]:
    reply = client.get_voucher(code)
    assert reply.status == 200, reply.body
    found: dict[str, Any] = reply.body
    return found


def test_import_csv_makes_standalone_vouchers(client: Client) -> None:
    """Each row is a voucher: the documented columns are its fields, the others metadata."""
    action = _action(client, client.import_vouchers_csv(VOUCHERS_CSV))
    assert (action["type"], action["status"]) == ("VOUCHERS.IMPORT_CSV", "DONE")
    assert action["result"] == {
        "message": "3 voucher(s) imported successfully, 0 failed.",
        "failed": [],
        "done_count": 3,
        "failed_count": 0,
    }
    ten = _voucher(client, "TEN-OFF")
    assert (ten["type"], ten.get("campaign_id"), ten["category"]) == (
        "DISCOUNT_VOUCHER",
        None,
        "autumn",
    )
    assert (ten["discount"]["type"], ten["discount"]["percent_off"]) == ("PERCENT", 10)
    assert (ten["start_date"], ten["expiration_date"]) == (
        "2024-01-01T00:00:00.000Z",
        "2024-12-31T23:59:59.000Z",
    )
    assert (ten["redemption"]["quantity"], ten["active"]) == (3, True)
    assert (ten["additional_info"], ten["metadata"]) == ("For regulars", {"region": "north"})
    fiver = _voucher(client, "FIVER")
    assert (fiver["discount"]["amount_off"], fiver["active"]) == (500, False)
    assert fiver["start_date"] == "2024-02-01T09:00:00.000Z"
    gift = _voucher(client, "GIFT-50")
    assert (gift["type"], gift["gift"]["amount"], gift["gift"]["balance"]) == (
        "GIFT_VOUCHER",
        5000,
        5000,
    )
    assert gift["metadata"] == {"region": "south"}


def test_a_bad_row_fails_alone(client: Client) -> None:
    """A row that cannot be made is listed by row and code; the others are imported."""
    assert (
        client.import_vouchers_csv(
            b"Code,Voucher Type,Value,Discount Type\nTAKEN,GIFT_VOUCHER,1,\n"
        ).status
        == 202
    )
    data = (
        b"Code,Voucher Type,Value,Discount Type,Active,Redeemed Quantity\n"
        b"NO-TYPE,,10,PERCENT,,\n"
        b"TAKEN,DISCOUNT_VOUCHER,10,PERCENT,,\n"
        b"GOOD,DISCOUNT_VOUCHER,10,PERCENT,,0\n"
        b"MAYBE,DISCOUNT_VOUCHER,10,PERCENT,maybe,\n"
        b"USED,DISCOUNT_VOUCHER,10,PERCENT,,2\n"
        b"NO-VALUE,DISCOUNT_VOUCHER,,AMOUNT,,\n"
        b",DISCOUNT_VOUCHER,10,PERCENT,,\n"
        b"UNITS,DISCOUNT_VOUCHER,1,UNIT,,\n"
        b"NO-KIND,DISCOUNT_VOUCHER,10,,,\n"
    )
    result = _action(client, client.import_vouchers_csv(data))["result"]
    assert (result["done_count"], result["failed_count"]) == (1, 8)
    assert result["message"] == "1 voucher(s) imported successfully, 8 failed."
    assert [(f["row"], f["code"]) for f in result["failed"]] == [
        (1, "NO-TYPE"),
        (2, "TAKEN"),
        (4, "MAYBE"),
        (5, "USED"),
        (6, "NO-VALUE"),
        (7, ""),
        (8, "UNITS"),
        (9, "NO-KIND"),
    ]
    assert result["failed"][0]["reason"] == "Voucher Type is required"
    assert result["failed"][-1]["reason"] == "Discount Type is required"
    assert _voucher(client, "GOOD")["discount"]["percent_off"] == 10
    for code in ("NO-TYPE", "MAYBE", "USED", "NO-VALUE"):
        assert client.get_voucher(code).status == 404
    assert _voucher(client, "TAKEN")["type"] == "GIFT_VOUCHER"


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe\x00bad", b"\n\n"],
    ids=["empty", "not-utf8", "no-header"],
)
def test_a_bad_file_is_400_and_records_nothing(client: Client, data: bytes) -> None:
    """A file that is not CSV is 400 invalid_payload, and no action or voucher is recorded."""
    campaign = discount_campaign(client)
    for reply in (
        client.import_vouchers_csv(data),
        client.import_to_campaign_csv(campaign["id"], data),
    ):
        assert (reply.status, reply.error_key) == (400, "invalid_payload"), reply.body
    assert client.list_async_actions().body["async_actions"] == []
    assert client.list_vouchers({"campaign_id": campaign["id"]}).body["total"] == 0


def test_without_a_file_field_is_400(http: RequestsClient) -> None:
    """A form without its file field is 400; a JSON body is 415."""
    discount_campaign(http, "Anything")
    for path, template in (
        ("/v1/vouchers/importCSV", "/v1/vouchers/importCSV"),
        ("/v1/campaigns/Anything/importCSV", "/v1/campaigns/{campaignId}/importCSV"),
    ):
        reply = http.call(
            "POST", path, template, files={"other": ("a.csv", b"Code\nA\n", "text/csv")}
        )
        assert (reply.status, reply.error_key) == (400, "invalid_payload")
        reply = http.request("POST", path, {"file": "x"})
        assert (reply.status, reply.body["key"]) == (415, "unsupported_media_type")
    assert http.list_async_actions().body["async_actions"] == []


def test_import_to_a_campaign_inherits_its_discount(client: Client) -> None:
    """Codes imported to a discount campaign take its discount; Category, Active, metadata."""
    campaign = discount_campaign(client)
    data = b"Code,Category,Active,shelf\nSPRING-A,spring,false,top\nSPRING-B,,,\n"
    action = _action(client, client.import_to_campaign_csv(campaign["name"], data), 200)
    assert action["type"] == "CAMPAIGN.VOUCHERS_IMPORT_CSV"
    assert action["result"]["done_count"] == 2
    first = _voucher(client, "SPRING-A")
    assert (first["campaign_id"], first["discount"]["percent_off"]) == (campaign["id"], 15)
    assert (first["category"], first["active"], first["metadata"]) == (
        "spring",
        False,
        {"shelf": "top"},
    )
    assert _voucher(client, "SPRING-B")["active"] is True


def test_loyalty_points_set_an_imported_cards_score(client: Client) -> None:
    """Loyalty Points is the card's balance; without it the program's initial points."""
    make_program(client, voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 5}})
    data = b"Code,Loyalty Points\nCARD-1,120\nCARD-2,\nCARD-3,2\nCARD-4,-1\n"
    result = _action(client, client.import_to_campaign_csv("Coffee Club", data), 200)["result"]
    assert [(f["row"], f["code"]) for f in result["failed"]] == [(4, "CARD-4")]
    balances = [
        client.get_member(code).body["loyalty_card"]["balance"]
        for code in ("CARD-1", "CARD-2", "CARD-3")
    ]
    assert balances == [120, 5, 2]
    points = client.list_transactions("CARD-1").body["data"]
    assert sum(t["details"]["balance"]["points"] for t in points) == 120
    assert client.get_member("CARD-4").status == 404


def test_gift_amount_sets_an_imported_gift_cards_balance(client: Client) -> None:
    """Gift Amount is a gift campaign's card balance; on another campaign the row fails."""
    gift_campaign(client)
    discount_campaign(client)
    result = _action(
        client,
        client.import_to_campaign_csv("Gift Cards", b"Code,Gift Amount\nG-1,700\nG-2,\n"),
        200,
    )["result"]
    assert result["failed"] == []
    assert _voucher(client, "G-1")["gift"]["balance"] == 700
    assert _voucher(client, "G-2")["gift"]["balance"] == 5000
    result = _action(
        client,
        client.import_to_campaign_csv(
            "Spring Sale", b"Code,Gift Amount,Loyalty Points\nS-1,700,\nS-2,,3\n"
        ),
        200,
    )["result"]
    assert [f["code"] for f in result["failed"]] == ["S-1", "S-2"]
    assert client.get_voucher("S-1").status == 404


def test_import_to_an_unknown_campaign_is_404(client: Client) -> None:
    """An unknown campaign is 404 not_found (campaign) before the file is read."""
    reply = client.import_to_campaign_csv("camp_nothing", b"Code\nA\n")
    assert (reply.status, reply.error_key) == (404, "not_found")
    assert reply.body["resource_type"] == "campaign"
