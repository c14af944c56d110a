"""The bin: what deletes without force move there, as the spec's TrashBinItem; deleted for good."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from tests.bin_clients import BIN
from tests.test_campaign_filters import filter_params

if TYPE_CHECKING:
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

NOW = "2024-01-25T10:00:00.000Z"
DISCOUNTS = {
    "name": "Spring",
    "campaign_type": "DISCOUNT_COUPONS",
    "vouchers_count": 1,
    "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 500}},
}
SOLO = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 100}}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _binned(client: Client) -> dict[str, Any]:
    """A voucher, a campaign, a SKU and its product in the bin, in that order."""
    campaign = _ok(client.create_campaign(DISCOUNTS))
    voucher = _ok(client.create_voucher("SOLO", SOLO))
    product = _ok(client.create_product({"name": "Cup", "source_id": "cup"}))
    sku = _ok(client.create_sku(product["id"], {"sku": "Blue cup", "source_id": "blue-cup"}))
    assert client.delete_voucher("SOLO").status == 204
    assert client.delete_campaign("Spring").status == 202
    assert client.delete_sku(product["id"], sku["id"]).status == 204
    assert client.delete_product(product["id"]).status == 204
    return {"campaign": campaign, "voucher": voucher, "product": product, "sku": sku}


def _ids(reply: Any) -> list[str]:
    return [entry["resource_type"] for entry in _ok(reply)["data"]]


def test_deleting_without_force_makes_a_bin_entry(client: Client) -> None:
    """Each entry: tbe_ ID, the fake's clock, the resource, its name and parent; null user."""
    made = _binned(client)
    listed = _ok(client.list_bin_entries())
    entries = listed["data"]
    assert listed == {
        "object": "list",
        "data_ref": "data",
        "data": entries,
        "total": 4,
        "has_more": False,
    }
    expected = [
        ("voucher", made["voucher"]["id"], "SOLO", None),
        ("campaign", made["campaign"]["id"], "Spring", None),
        ("sku", made["sku"]["id"], "Blue cup", made["product"]["id"]),
        ("product", made["product"]["id"], "Cup", None),
    ]
    for entry, (kind, resource_id, name, parent) in zip(entries, expected, strict=True):
        assert entry == {
            "id": entry["id"],
            "created_at": NOW,
            "deleted_by_user_id": None,
            "resource_id": resource_id,
            "resource_type": kind,
            "resource_name": name,
            "resource_parent_id": parent,
            "object": kind,
        }
        assert entry["id"].startswith("tbe_")
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_a_campaigns_voucher_names_its_campaign(client: Client) -> None:
    """A campaign's voucher in the bin has the campaign as its parent."""
    campaign = _ok(client.create_campaign(DISCOUNTS))
    code = _ok(client.list_vouchers({"campaign": "Spring"}))["vouchers"][0]["code"]
    assert client.delete_voucher(code).status == 204
    (entry,) = _ok(client.list_bin_entries())["data"]
    assert (entry["resource_name"], entry["resource_parent_id"]) == (code, campaign["id"])


def test_limit_order_and_starting_after_id_page_the_entries(client: Client) -> None:
    """order=id (the default) or -id; limit and starting_after_id page; an unknown cursor is 400."""
    _binned(client)
    everything = _ok(client.list_bin_entries())["data"]
    first = _ok(client.list_bin_entries({"limit": 3}))
    assert (first["data"], first["has_more"], first["total"]) == (everything[:3], True, 3)
    assert first["more_starting_after"] == everything[2]["id"]
    rest = _ok(client.list_bin_entries({"limit": 3, "starting_after_id": everything[2]["id"]}))
    assert (rest["data"], rest["has_more"]) == (everything[3:], False)
    assert "more_starting_after" not in rest
    newest = _ok(client.list_bin_entries({"order": "-id"}))["data"]
    assert newest == everything[::-1]
    assert _ok(client.list_bin_entries({"order": "id"}))["data"] == everything
    bad = client.list_bin_entries({"starting_after_id": "tbe_nope"})
    assert (bad.status, bad.body["key"]) == (400, "invalid_query_params")
    bad = client.request("GET", f"{BIN}?limit=0")
    assert (bad.status, bad.body["key"]) == (400, "invalid_query_params")


def test_filters_narrow_the_entries(client: Client) -> None:
    """Filters on resource_type, resource_name, resource_id and id, as the spec lists them."""
    made = _binned(client)

    def kinds(filters: dict[str, Any]) -> list[str]:
        return _ids(client.list_bin_entries(filter_params(client, filters)))

    assert kinds({"resource_type": {"conditions": {"$is": "sku"}}}) == ["sku"]
    assert kinds({"resource_type": {"conditions": {"$is_not": "sku"}}}) == [
        "voucher",
        "campaign",
        "product",
    ]
    assert kinds({"resource_name": {"conditions": {"$starts_with": "Cu"}}}) == ["product"]
    by_id = {"resource_id": {"conditions": {"$is": made["campaign"]["id"]}}}
    assert kinds(by_id) == ["campaign"]
    either = {
        "junction": "or",
        "resource_type": {"conditions": {"$is": "sku"}},
        "resource_name": {"conditions": {"$is": "SOLO"}},
    }
    assert kinds(either) == ["voucher", "sku"]


def test_filters_take_lists(http: RequestsClient) -> None:
    """$in takes several types (the official SDK sends a list as Python's repr)."""
    _binned(http)
    key = "filters[resource_type][conditions][$in]"
    reply = http.list_bin_entries({f"{key}[0]": "sku", f"{key}[1]": "voucher"})
    assert _ids(reply) == ["voucher", "sku"]


def test_filters_refuse_what_the_spec_has_not(client: Client) -> None:
    """An unknown field or a condition resource_type does not take: 400 invalid_query_params."""
    for bad in (
        "filters[colour][conditions][$is]=red",
        "filters[resource_type][conditions][$contains]=x",
    ):
        refused = client.request("GET", f"{BIN}?{bad}")
        assert (refused.status, refused.body["key"]) == (400, "invalid_query_params")


def test_deleting_an_entry_deletes_its_resource_for_good(client: Client) -> None:
    """204; the name, code and source_ids are free again; the entry is gone (then 404)."""
    _binned(client)
    entries = _ok(client.list_bin_entries())["data"]
    for entry in entries:
        assert client.delete_bin_entry(entry["id"]).status == 204
    assert _ok(client.list_bin_entries())["data"] == []
    gone = client.delete_bin_entry(entries[0]["id"])
    assert (gone.status, gone.body["key"]) == (404, "not_found")
    assert _ok(client.create_campaign(DISCOUNTS))["name"] == "Spring"
    assert _ok(client.create_voucher("SOLO", SOLO))["code"] == "SOLO"
    product = _ok(client.create_product({"name": "Cup", "source_id": "cup"}))
    _ok(client.create_sku(product["id"], {"sku": "Blue cup", "source_id": "blue-cup"}))


def test_a_product_deleted_for_good_takes_its_skus_entries(client: Client) -> None:
    """A SKU binned before its product: deleting the product's entry (or force) drops both."""
    _binned(client)
    entries = _ok(client.list_bin_entries())["data"]
    product_entry = next(e for e in entries if e["resource_type"] == "product")
    assert client.delete_bin_entry(product_entry["id"]).status == 204
    assert _ids(client.list_bin_entries()) == ["voucher", "campaign"]
    other = _ok(client.create_product({"name": "Mug", "source_id": "mug"}))
    assert client.delete_product(other["id"]).status == 204
    assert client.delete_product(other["id"], force=True).status == 204
    assert _ids(client.list_bin_entries()) == ["voucher", "campaign"]


def test_a_campaign_deleted_for_good_takes_its_vouchers_entries(client: Client) -> None:
    """A voucher binned before its campaign is deleted for good with it."""
    _ok(client.create_campaign(DISCOUNTS))
    code = _ok(client.list_vouchers({"campaign": "Spring"}))["vouchers"][0]["code"]
    assert client.delete_voucher(code).status == 204
    assert client.delete_campaign("Spring").status == 202
    campaign_entry = _ok(client.list_bin_entries())["data"][1]
    assert client.delete_bin_entry(campaign_entry["id"]).status == 204
    assert _ok(client.list_bin_entries())["data"] == []


def test_a_loyalty_program_goes_to_the_bin() -> None:
    """A program deleted without force is a campaign entry; deleting it frees the name."""
    fake = LoyaltyFake(seed=3, now="2024-01-25T10:00:00Z")
    fake.create_loyalty_program("Club", vouchers_count=1)
    assert fake.request("DELETE", "/v1/loyalties/Club").status == 200
    (entry,) = fake.request("GET", BIN).json()["data"]
    assert (entry["resource_type"], entry["resource_name"]) == ("campaign", "Club")
    assert fake.request("DELETE", f"{BIN}/{entry['id']}").status == 204
    fake.create_loyalty_program("Club", vouchers_count=1)


def test_the_bin_survives_a_snapshot_and_a_refused_request_changes_nothing() -> None:
    """Entries are kept by a snapshot; a 404 delete leaves the bin as it was."""
    fake = LoyaltyFake(seed=3, now="2024-01-25T10:00:00Z")
    fake.request("POST", "/v1/vouchers/SOLO", json_body=SOLO)
    fake.request("DELETE", "/v1/vouchers/SOLO")
    before = fake.request("GET", BIN).json()
    assert fake.request("DELETE", f"{BIN}/tbe_nope").status == 404
    assert fake.request("GET", BIN).json() == before
    restored = LoyaltyFake(seed=3)
    assert restored.ledger.restore(fake.ledger.snapshot())
    assert restored.request("GET", BIN).json() == before
    assert restored.request("DELETE", f"{BIN}/{before['data'][0]['id']}").status == 204
