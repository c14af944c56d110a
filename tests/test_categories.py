"""Categories: the one store the API, campaigns and vouchers share; names unique; deletes unfile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from tests.category_clients import CATEGORIES

if TYPE_CHECKING:
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

DISCOUNTS = {
    "name": "Spring",
    "campaign_type": "DISCOUNT_COUPONS",
    "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 500}},
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _refused(reply: Any, status: int, key: str) -> Any:
    assert (reply.status, reply.body["key"]) == (status, key), reply.body
    return reply.body


def test_a_category_is_created_read_listed_updated_and_deleted(client: Client) -> None:
    """The spec's shapes: cat_ IDs, created_at, updated_at once updated; 204 then 404."""
    made = _ok(client.create_category({"name": "Eighth", "hierarchy": 8}))
    assert made == {
        "id": made["id"],
        "name": "Eighth",
        "hierarchy": 8,
        "created_at": "2024-01-25T10:00:00.000Z",
        "object": "category",
    }
    assert made["id"].startswith("cat_")
    assert _ok(client.get_category(made["id"])) == made
    low = _ok(client.create_category({"name": "First", "hierarchy": 1}))
    assert _ok(client.list_categories()) == {
        "object": "list",
        "data_ref": "data",
        "data": [made, low],
        "total": 2,
    }
    updated = _ok(client.update_category(made["id"], {"name": "Summer", "hierarchy": 0}))
    assert updated == {
        **made,
        "name": "Summer",
        "hierarchy": 0,
        "updated_at": "2024-01-25T10:00:00.000Z",
    }
    assert [c["name"] for c in _ok(client.list_categories())["data"]] == ["First", "Summer"]
    assert client.delete_category(made["id"]).status == 204
    _refused(client.get_category(made["id"]), 404, "not_found")
    _refused(client.delete_category(made["id"]), 404, "not_found")
    assert _ok(client.list_categories())["data"] == [low]


def test_bad_input_changes_nothing(client: Client) -> None:
    """A missing or negative hierarchy, an empty name, a name taken: refused, nothing made."""
    made = _ok(client.create_category({"name": "Taken", "hierarchy": 1}))
    other = _ok(client.create_category({"name": "Other", "hierarchy": 2}))
    # The official SDK refuses these itself: they go as raw requests, over every client.
    for bad in ({"name": "X"}, {"hierarchy": 1}, {"name": "X", "hierarchy": -1}):
        _refused(client.request("POST", "/v1/categories", bad), 400, "invalid_payload")
    _refused(client.create_category({"name": "", "hierarchy": 1}), 400, "invalid_payload")
    taken = _refused(
        client.create_category({"name": "Taken", "hierarchy": 3}), 409, "duplicate_found"
    )
    assert taken["resource_id"] == made["id"]
    _refused(
        client.update_category(other["id"], {"name": "Taken", "hierarchy": 2}),
        409,
        "duplicate_found",
    )
    path = f"/v1/categories/{other['id']}"
    _refused(client.request("PUT", path, {"name": "Y"}), 400, "invalid_payload")
    _refused(client.update_category("cat_nope", {"name": "Y", "hierarchy": 1}), 404, "not_found")
    assert _ok(client.list_categories())["data"] == [other, made]


def test_campaigns_and_the_api_share_one_store(client: Client) -> None:
    """A campaign's new category is listed; one the API made is named by category_id."""
    campaign = _ok(client.create_campaign({**DISCOUNTS, "category": "Seasonal"}))
    listed = _ok(client.list_categories())["data"]
    assert [c["name"] for c in listed] == ["Seasonal"]
    assert campaign["category_id"] == listed[0]["id"]
    made = _ok(client.create_category({"name": "Made", "hierarchy": 4}))
    named = _ok(client.create_campaign({**DISCOUNTS, "name": "Named", "category_id": made["id"]}))
    assert (named["category"], named["category_id"]) == ("Made", made["id"])
    assert named["categories"] == [made]
    again = _ok(client.create_campaign({**DISCOUNTS, "name": "Again", "category": "Made"}))
    assert again["category_id"] == made["id"]
    assert len(_ok(client.list_categories())["data"]) == 2


def test_an_update_shows_wherever_the_category_is_used(client: Client) -> None:
    """Renaming a category renames it on its campaigns; a voucher then files under the new name."""
    made = _ok(client.create_category({"name": "Old", "hierarchy": 1}))
    _ok(client.create_campaign({**DISCOUNTS, "category_id": made["id"]}))
    _ok(client.update_category(made["id"], {"name": "New", "hierarchy": 2}))
    campaign = _ok(client.get_campaign("Spring"))
    assert (campaign["category"], campaign["categories"][0]["hierarchy"]) == ("New", 2)
    again = _ok(client.create_campaign({**DISCOUNTS, "name": "Later", "category": "New"}))
    assert again["category_id"] == made["id"]


def test_deleting_a_category_in_use_unfiles_what_was_in_it(client: Client) -> None:
    """docs/choices.md: campaigns and their vouchers are in no category; the name is free again."""
    made = _ok(client.create_category({"name": "Gone", "hierarchy": 1}))
    _ok(client.create_campaign({**DISCOUNTS, "category_id": made["id"]}))
    assert client.delete_category(made["id"]).status == 204
    campaign = _ok(client.get_campaign("Spring"))
    assert "category" not in campaign  # as for any campaign without one
    assert (campaign["category_id"], campaign["categories"]) == (None, [])
    _refused(
        client.create_campaign({**DISCOUNTS, "name": "Late", "category_id": made["id"]}),
        404,
        "not_found",
    )
    fresh = _ok(client.create_category({"name": "Gone", "hierarchy": 1}))
    assert fresh["id"] != made["id"]


def test_categories_survive_a_snapshot() -> None:
    """A snapshot keeps every category, updated_at and what is filed in it, one object still."""
    fake = LoyaltyFake(seed=3, now="2024-01-25T10:00:00Z")
    made = fake.request("POST", CATEGORIES, json_body={"name": "Kept", "hierarchy": 2}).json()
    fake.request("POST", "/v1/campaigns", json_body={**DISCOUNTS, "category_id": made["id"]})
    path = f"{CATEGORIES}/{made['id']}"
    fake.request("PUT", path, json_body={"name": "Kept", "hierarchy": 5})
    restored = LoyaltyFake(seed=3)
    assert restored.ledger.restore(fake.ledger.snapshot())
    listed = restored.request("GET", CATEGORIES).json()
    assert listed == fake.request("GET", CATEGORIES).json()
    assert listed["data"][0]["updated_at"] == "2024-01-25T10:00:00.000Z"
    restored.request("PUT", path, json_body={"name": "Renamed", "hierarchy": 1})
    campaign = restored.request("GET", "/v1/campaigns/Spring").json()
    assert campaign["category"] == "Renamed"
