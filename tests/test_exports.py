"""Exports: made when asked, read DONE with a URL on the fake's own host, downloaded as CSV."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from tests.test_categories import DISCOUNTS

if TYPE_CHECKING:
    from tests.conftest import Client, Reply


def _ok(reply: Reply) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _error(reply: Reply, status: int, key: str) -> None:
    assert (reply.status, reply.error_key) == (status, key), reply.body


def _rows(client: Client, export_id: str) -> list[list[str]]:
    """The export's file, read through ``result.url`` as the client reads it."""
    done = _ok(client.get_export(export_id))
    assert done["status"] == "DONE"
    status, content_type, text = client.download(done["result"]["url"])
    assert status == 200, text
    # The SDK asks for text/plain (the spec's type for the download), and gets it.
    assert content_type.startswith("text/plain" if client.name == "sdk" else "text/csv")
    return list(csv.reader(io.StringIO(text)))


def _orders(fake: LoyaltyFake) -> None:
    for source_id, status, amount in (("o-1", "PAID", 1000), ("o-2", "CREATED", 250)):
        body = {
            "source_id": source_id,
            "status": status,
            "amount": amount,
            "customer": {"source_id": "alice"},
            "metadata": {"payment_mean": f"card-{source_id}"},
        }
        assert fake.request("POST", "/v1/orders", json_body=body).status == 200
        fake.clock.advance(minutes=1)


def test_an_export_is_scheduled_then_done_with_its_file(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A create answers SCHEDULED; reads answer DONE with result.url, which downloads the CSV."""
    _orders(loyalty_fake)
    made = _ok(client.create_export({"exported_object": "order"}))
    assert (made["status"], made["result"], made["channel"]) == ("SCHEDULED", None, "API")
    assert made["parameters"] == {
        "fields": ["id", "source_id", "status"],
        "filters": {"junction": "and"},
    }
    assert _rows(client, made["id"])[0] == ["ID", "Source ID", "Status"]
    assert [row[1:] for row in _rows(client, made["id"])[1:]] == [
        ["o-1", "PAID"],
        ["o-2", "CREATED"],
    ]


def test_only_the_fields_asked_for_in_their_order(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """parameters.fields picks the columns and their order."""
    _orders(loyalty_fake)
    fields = ["amount", "source_id"]
    made = _ok(client.shortcut_export("orders", {"parameters": {"fields": fields}}))
    assert made["exported_object"] == "order"
    assert _rows(client, made["id"]) == [["Amount", "Source ID"], ["1000", "o-1"], ["250", "o-2"]]


def test_a_metadata_field_is_one_key(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """metadata.<key> is a column of that key, as the docs' own example exports."""
    _orders(loyalty_fake)
    body = {"parameters": {"fields": ["metadata.payment_mean", "metadata"]}}
    made = _ok(client.shortcut_export("orders", body))
    assert _rows(client, made["id"]) == [
        ["metadata.payment_mean", "Metadata"],
        ["card-o-1", '{"payment_mean":"card-o-1"}'],
        ["card-o-2", '{"payment_mean":"card-o-2"}'],
    ]


def test_filters_and_order_are_applied(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """parameters.filters keeps the matching records; parameters.order sorts them."""
    _orders(loyalty_fake)
    parameters = {
        "fields": ["source_id"],
        "order": "-created_at",
        "filters": {"status": {"conditions": {"$in": ["PAID", "CREATED"]}}, "junction": "and"},
    }
    made = _ok(client.create_export({"exported_object": "order", "parameters": parameters}))
    assert made["parameters"]["order"] == "-created_at"
    assert _rows(client, made["id"]) == [["Source ID"], ["o-2"], ["o-1"]]
    only_paid = {"fields": ["source_id"], "filters": {"status": {"conditions": {"$is": "PAID"}}}}
    paid = _ok(client.create_export({"exported_object": "order", "parameters": only_paid}))
    assert _rows(client, paid["id"]) == [["Source ID"], ["o-1"]]


def test_defaults_for_each_kind(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without fields, each exported object has the documented default columns."""
    loyalty_fake.create_loyalty_program("Club")
    loyalty_fake.add_member("Club", {"source_id": "alice", "name": "Alice"})
    expected = {
        "customer": ["Name", "Source ID"],
        "voucher": ["Code", "Voucher Type", "Value", "Discount Type"],
        "publication": ["Voucher Code", "Customer ID", "Date", "Channel"],
        "redemption": ["ID", "Object", "Voucher Code", "Customer ID", "Date", "Result"],
        "points_expiration": ["ID", "Campaign ID", "Voucher ID", "Status", "Expires At", "Points"],
    }
    for exported_object, header in expected.items():
        made = _ok(client.create_export({"exported_object": exported_object}))
        assert _rows(client, made["id"])[0] == header
    customers = _ok(client.create_export({"exported_object": "customer"}))
    assert _rows(client, customers["id"])[1:] == [["Alice", "alice"]]


def test_transactions_exports_are_scoped_by_their_path(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A program's, a campaign's, a card's and a voucher's export hold only their transactions."""
    club = loyalty_fake.create_loyalty_program("Club")
    other = loyalty_fake.create_loyalty_program("Other")
    mine = loyalty_fake.add_member("Club", {"source_id": "alice"})["code"]
    theirs = loyalty_fake.add_member("Other", {"source_id": "bob"})["code"]
    loyalty_fake.add_points(mine, 10)
    loyalty_fake.add_points(theirs, 20)
    body = {"parameters": {"fields": ["voucher_id", "amount", "balance"]}}
    card = loyalty_fake.get_member(mine)["id"]
    every = _ok(client.create_export({"exported_object": "voucher_transactions", **body}))
    assert len(_rows(client, every["id"])) == 3
    assert other["id"] != club["id"]
    scoped: list[tuple[str, dict[str, str]]] = [
        ("program", {"campaignId": club["id"]}),
        ("member", {"memberId": mine}),
        ("program_member", {"campaignId": club["id"], "memberId": mine}),
        ("voucher", {"code": mine}),
        ("campaign", {"campaignId": club["id"]}),  # last: the SDK cannot read its answer
    ]
    for name, path in scoped:
        made = _ok(client.shortcut_export(name, body, **path))
        assert made["exported_object"] == "voucher_transactions"
        assert _rows(client, made["id"]) == [
            ["Voucher ID", "Amount", "Balance"],
            [card, "10", "10"],
        ]


def test_points_expiration_export(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A program's points expirations: one row per points bucket of its cards."""
    club = loyalty_fake.create_loyalty_program("Club")
    code = loyalty_fake.add_member("Club", {"source_id": "alice"})["code"]
    loyalty_fake.add_points(code, 7)
    body = {"parameters": {"fields": ["campaign_id", "points", "status"], "order": "-expires_at"}}
    made = _ok(client.shortcut_export("expirations", body, campaignId=club["id"]))
    assert made["exported_object"] == "points_expiration"
    assert _rows(client, made["id"]) == [
        ["Campaign ID", "Points", "Status"],
        [club["id"], "7", "ACTIVE"],
    ]


def test_the_file_is_what_was_there_when_asked(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Records changed after the request do not change the file, as Voucherify's is written once."""
    _orders(loyalty_fake)
    made = _ok(client.create_export({"exported_object": "order"}))
    loyalty_fake.request("POST", "/v1/orders", json_body={"source_id": "o-3", "amount": 1})
    assert len(_rows(client, made["id"])) == 3


def test_bad_requests_are_refused_and_change_nothing(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Unknown objects, fields, orders and filters are 400; nothing is recorded."""
    club = loyalty_fake.create_loyalty_program("Club")
    _error(client.shortcut_export("program", {}, campaignId="camp_none"), 404, "not_found")
    _error(client.shortcut_export("member", {}, memberId="NOPE"), 404, "not_found")
    loyalty_fake.request("POST", "/v1/campaigns", json_body=DISCOUNTS)
    _error(client.shortcut_export("campaign", {}, campaignId="Spring"), 403, "forbidden")
    bad_filter = {"parameters": {"filters": {"colour": {"conditions": {"$is": "red"}}}}}
    _error(client.shortcut_export("orders", bad_filter), 400, "invalid_payload")
    assert _ok(client.list_exports())["total"] == 0
    # What the SDK refuses to send (its enums): last, so that it skips only these.
    bad_order = {"exported_object": "order", "parameters": {"order": "-amount"}}
    _error(client.create_export(bad_order), 400, "invalid_payload")
    unknown_field = {"exported_object": "order", "parameters": {"fields": ["id", "colour"]}}
    _error(client.create_export(unknown_field), 400, "invalid_export_fields")
    _error(client.create_export({"exported_object": "product"}), 400, "invalid_payload")
    assert _ok(client.list_exports())["total"] == 0
    assert club["id"]


def test_list_get_delete_and_download(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The list (limit, page, order), a deleted export's 404, a wrong token's 401."""
    loyalty_fake.clock.freeze()
    made = []
    for _ in range(3):
        made.append(_ok(client.create_export({"exported_object": "customer"}))["id"])
        loyalty_fake.clock.advance(seconds=1)
    listed = _ok(client.list_exports())
    assert [e["id"] for e in listed["exports"]] == made[::-1]
    assert (listed["total"], listed["data_ref"]) == (3, "exports")
    oldest_first = _ok(client.list_exports({"order": "created_at", "limit": 2, "page": 2}))
    assert [e["id"] for e in oldest_first["exports"]] == made[2:]
    by_status = _ok(client.list_exports({"order": "-status", "limit": 1}))
    assert len(by_status["exports"]) == 1
    url = _ok(client.get_export(made[0]))["result"]["url"]
    status, _, _ = client.download(url.replace("token=", "token=x"))
    assert status == 401
    assert client.delete_export(made[0]).status == 204
    _error(client.get_export(made[0]), 404, "not_found")
    assert client.download(url)[0] == 404
    _error(client.delete_export(made[0]), 404, "not_found")


@pytest.mark.parametrize("seed", [3])
def test_exports_survive_a_snapshot(seed: int) -> None:
    """A snapshot keeps every export and its file; the restored fake downloads the same bytes."""
    fake = LoyaltyFake(seed=seed, now="2024-01-25T10:00:00Z")
    fake.create_loyalty_program("Club")
    fake.add_member("Club", {"source_id": "alice"})
    made = fake.request("POST", "/v1/exports", json_body={"exported_object": "customer"}).json()
    restored = LoyaltyFake(seed=seed)
    assert restored.ledger.restore(fake.ledger.snapshot())
    path = f"/v1/exports/{made['id']}"
    got = restored.request("GET", path).json()
    assert got == fake.request("GET", path).json()
    token = got["result"]["url"].split("token=")[1]
    restored_file = restored.request("GET", path, params={"token": token}).body
    assert restored_file == fake.request("GET", path, params={"token": token}).body
    assert restored_file == b"Name,Source ID\r\n,alice\r\n"


def test_result_url_is_on_the_base_url_the_client_called() -> None:
    """A configured base URL (with its path prefix) is where result.url points, and it downloads."""
    import requests  # noqa: PLC0415 - the one client this test needs

    base = "http://voucherify.test:8080/api"
    with LoyaltyFake(base_urls=(base,)) as fake:
        made = requests.post(
            f"{base}/v1/exports", json={"exported_object": "order"}, headers=fake.headers, timeout=5
        ).json()
        done = requests.get(f"{base}/v1/exports/{made['id']}", headers=fake.headers, timeout=5)
        url = done.json()["result"]["url"]
        assert url.startswith(f"{base}/v1/exports/{made['id']}?token=")
        file = requests.get(url, headers=fake.headers, timeout=5)
        assert (file.status_code, file.text) == (200, "ID,Source ID,Status\r\n")
        default = fake.request("GET", f"/v1/exports/{made['id']}").json()["result"]["url"]
        assert default.startswith(base)


def test_vouchers_and_transactions_by_date(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A discount voucher's value and type; transactions filtered by created_at, newest first."""
    # A fixed instant with milliseconds: the filter below cuts them off, so a frozen
    # "now" that fell on a whole second would put the row on the strict $after bound.
    loyalty_fake.clock.freeze("2026-03-01T10:00:00.250Z")
    loyalty_fake.request("POST", "/v1/campaigns", json_body={**DISCOUNTS, "vouchers_count": 1})
    loyalty_fake.create_loyalty_program("Club")
    code = loyalty_fake.add_member("Club", {"source_id": "alice"})["code"]
    loyalty_fake.add_points(code, 5)
    loyalty_fake.clock.advance(days=2)
    middle = "2000-01-01T00:00:00Z"
    since = loyalty_fake.clock.now().isoformat()
    loyalty_fake.add_points(code, 7)
    parameters = {
        "fields": ["amount", "balance"],
        "order": "-created_at",
        "filters": {"created_at": {"conditions": {"$after": [middle]}}},
    }
    both = _ok(client.shortcut_export("member", {"parameters": parameters}, memberId=code))
    assert _rows(client, both["id"])[1:] == [["7", "12"], ["5", "5"]]
    parameters["filters"] = {"created_at": {"conditions": {"$after": [since[:19] + "Z"]}}}
    parameters["order"] = "created_at"
    late = _ok(client.shortcut_export("member", {"parameters": parameters}, memberId=code))
    assert _rows(client, late["id"])[1:] == [["7", "12"]]
    vouchers = {"fields": ["voucher_type", "value", "discount_type"], "order": "code"}
    made = _ok(client.create_export({"exported_object": "voucher", "parameters": vouchers}))
    assert sorted(_rows(client, made["id"])[1:]) == [
        ["DISCOUNT_VOUCHER", "500", "AMOUNT"],
        ["LOYALTY_CARD", "12", ""],
    ]
