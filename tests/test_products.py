"""Products and SKUs (/v1/products, /v1/skus): an upsert by id or source_id, the bin, lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

SHIRT = {
    "source_id": "shirt",
    "name": "T-shirt",
    "price": 2500,
    "attributes": ["color", "size"],
    "metadata": {"vendor": "Cortland"},
    "image_url": "https://images.example/shirt.jpg",
}
RED = {
    "source_id": "shirt-red",
    "sku": "Red T-shirt",
    "price": 2700,
    "attributes": {"color": "red"},
}


def _ok(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def _error(reply: Any, status: int, key: str) -> dict[str, Any]:
    assert (reply.status, reply.error_key) == (status, key), reply.body
    body: dict[str, Any] = reply.body
    return body


def _shirt(client: Client, **fields: Any) -> dict[str, Any]:
    return _ok(client.create_product({**SHIRT, **fields}))


# -- products ---------------------------------------------------------------------------------


def test_create_answers_every_field(client: Client) -> None:
    """A new product has a prod_ ID, the fields given, and an empty list of SKUs."""
    product = _shirt(client)
    assert product["id"].startswith("prod_")
    assert (product["source_id"], product["name"], product["price"]) == ("shirt", "T-shirt", 2500)
    assert product["attributes"] == ["color", "size"]
    assert product["metadata"] == {"vendor": "Cortland"}
    assert product["image_url"] == SHIRT["image_url"]
    assert (product["created_at"], product["updated_at"]) == ("2024-01-25T10:00:00.000Z", None)
    assert product["object"] == "product"
    assert product["skus"] == {"object": "list", "data_ref": "data", "data": [], "total": 0}


def test_create_again_with_the_source_id_updates(client: Client) -> None:
    """Creating with a known source_id updates that product (Voucherify's upsert mode)."""
    first = _shirt(client)
    again = _ok(client.create_product({"source_id": "shirt", "price": 3000}))
    assert again["id"] == first["id"]
    assert (again["price"], again["name"]) == (3000, "T-shirt")
    assert again["updated_at"] is not None
    assert _ok(client.list_products())["total"] == 1


def test_create_with_an_id_updates_it(client: Client) -> None:
    """Creating with a product's id updates it; an unknown id is 404."""
    first = _shirt(client)
    again = _ok(client.create_product({"id": first["id"], "name": "Tee"}))
    assert (again["id"], again["name"]) == (first["id"], "Tee")
    missing = _error(client.create_product({"id": "prod_nope"}), 404, "not_found")
    assert missing["resource_type"] == "product"


def test_get_by_id_or_source_id(client: Client) -> None:
    """A product is found by its ID or its source_id."""
    product = _shirt(client)
    assert _ok(client.get_product(product["id"])) == product
    assert _ok(client.get_product("shirt")) == product


def test_an_unknown_product_is_voucherifys_404(client: Client) -> None:
    """An unknown product is 404 not_found naming the product."""
    body = _error(client.get_product("prod_0a4934c50ddc5dbae"), 404, "not_found")
    assert (body["resource_type"], body["resource_id"]) == ("product", "prod_0a4934c50ddc5dbae")
    assert body["details"] == "Cannot find product with id prod_0a4934c50ddc5dbae"


def test_update_changes_only_what_is_given(client: Client) -> None:
    """An update changes the fields given and keeps the rest."""
    _shirt(client)
    updated = _ok(client.update_product("shirt", {"name": "Tee", "metadata": {"vendor": "X"}}))
    assert (updated["name"], updated["price"], updated["metadata"]) == (
        "Tee",
        2500,
        {"vendor": "X"},
    )
    assert updated["updated_at"] == "2024-01-25T10:00:00.000Z"
    _error(client.update_product("nope", {"name": "Tee"}), 404, "not_found")


def test_delete_moves_to_the_bin_keeping_the_source_id(client: Client) -> None:
    """Deleted without force, a product is gone, but its source_id is taken (409)."""
    _shirt(client)
    deleted = client.delete_product("shirt")
    assert (deleted.status, deleted.body) == (204, None)
    _error(client.get_product("shirt"), 404, "not_found")
    assert _ok(client.list_products())["total"] == 0
    body = _error(client.create_product(SHIRT), 409, "duplicate_resource_key")
    assert body["message"] == "Duplicate resource key"
    assert "shirt" in body["details"]


def test_delete_with_force_frees_the_source_id(client: Client) -> None:
    """Deleting for good (even from the bin) lets a new product take the source_id."""
    first = _shirt(client)
    assert client.delete_product("shirt").status == 204
    assert client.delete_product("shirt", force=True).status == 204
    again = _shirt(client)
    assert again["id"] != first["id"]
    _error(client.delete_product(first["id"], force=True), 404, "not_found")


def test_delete_takes_the_skus_along(client: Client) -> None:
    """A product's SKUs go with it, to the bin or for good."""
    product = _shirt(client)
    sku = _ok(client.create_sku(product["id"], RED))
    assert client.delete_product(product["id"]).status == 204
    _error(client.get_sku(sku["id"]), 404, "not_found")
    assert client.delete_product(product["id"], force=True).status == 204
    _ok(client.create_product(SHIRT))
    assert _ok(client.create_sku("shirt", RED))["id"] != sku["id"]


def test_list_is_oldest_first_and_pages(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Products are listed oldest first unless order says; limit and page cut the list."""
    for n in range(3):
        _ok(client.create_product({"source_id": f"p{n}"}))
        loyalty_fake.clock.advance(minutes=1)
    listed = _ok(client.list_products())
    assert (listed["object"], listed["data_ref"], listed["total"]) == ("list", "products", 3)
    assert [p["source_id"] for p in listed["products"]] == ["p0", "p1", "p2"]
    newest = _ok(client.list_products({"order": "-created_at", "limit": 2, "page": 1}))
    assert [p["source_id"] for p in newest["products"]] == ["p2", "p1"]
    second = _ok(client.list_products({"order": "-created_at", "limit": 2, "page": 2}))
    assert [p["source_id"] for p in second["products"]] == ["p0"]
    assert second["total"] == 3


def test_list_between_dates(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """start_date and end_date keep the products created between them."""
    for n in range(3):
        _ok(client.create_product({"source_id": f"p{n}"}))
        loyalty_fake.clock.advance(hours=1)
    found = _ok(
        client.list_products(
            {"start_date": "2024-01-25T10:30:00+00:00", "end_date": "2024-01-25T11:30:00+00:00"}
        )
    )
    assert [p["source_id"] for p in found["products"]] == ["p1"]


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        ({"price": -1}, "price"),
        ({"price": "12"}, "price"),
        ({"attributes": "color"}, "attributes"),
        ({"metadata": []}, "metadata"),
    ],
)
def test_bad_fields_are_refused(client: Client, body: dict[str, Any], wrong: str) -> None:
    """A field of the wrong type is 400 invalid_payload, and nothing is created."""
    reply = client.request("POST", "/v1/products", {"source_id": "shirt", **body})
    assert (reply.status, reply.error_key) == (400, "invalid_payload")
    assert wrong in reply.body["details"]
    assert _ok(client.list_products())["total"] == 0


# -- SKUs -------------------------------------------------------------------------------------


def test_create_a_sku_answers_every_field(client: Client) -> None:
    """A SKU has a sku_ ID, its product's ID and the fields given; the product lists it."""
    product = _shirt(client)
    sku = _ok(client.create_sku("shirt", {**RED, "currency": "USD"}))
    assert sku["id"].startswith("sku_")
    assert (sku["product_id"], sku["source_id"], sku["sku"]) == (
        product["id"],
        "shirt-red",
        "Red T-shirt",
    )
    assert (sku["price"], sku["currency"], sku["attributes"]) == (2700, "USD", {"color": "red"})
    assert (sku["metadata"], sku["image_url"], sku["object"]) == ({}, None, "sku")
    assert _ok(client.get_product("shirt"))["skus"]["data"] == [sku]


def test_get_a_sku_by_id_or_source_id(client: Client) -> None:
    """GET /v1/skus/{skuId} finds a SKU by its ID or its source_id; unknown is 404 sku."""
    _shirt(client)
    sku = _ok(client.create_sku("shirt", RED))
    assert _ok(client.get_sku(sku["id"])) == sku
    assert _ok(client.get_sku("shirt-red")) == sku
    body = _error(client.get_sku("sku_0ae3a06b20019ba8f"), 404, "not_found")
    assert body["resource_type"] == "sku"


def test_create_a_sku_again_updates_it(client: Client) -> None:
    """Creating a SKU with a known source_id updates it (upsert mode)."""
    _shirt(client)
    sku = _ok(client.create_sku("shirt", RED))
    again = _ok(client.create_sku("shirt", {"source_id": "shirt-red", "price": 2900}))
    assert (again["id"], again["price"], again["sku"]) == (sku["id"], 2900, "Red T-shirt")
    assert _ok(client.list_skus("shirt"))["total"] == 1


def test_a_sku_source_id_of_another_product_is_409(client: Client) -> None:
    """A SKU's source_id belongs to one product: another's is 409 duplicate_resource_key."""
    _shirt(client)
    _ok(client.create_product({"source_id": "mug"}))
    _ok(client.create_sku("shirt", RED))
    _error(client.create_sku("mug", RED), 409, "duplicate_resource_key")


def test_a_sku_of_an_unknown_product_is_404(client: Client) -> None:
    """Adding a SKU to an unknown product is 404 not_found (product)."""
    body = _error(client.create_sku("nope", RED), 404, "not_found")
    assert body["resource_type"] == "product"


def test_update_a_sku(client: Client) -> None:
    """A SKU's update changes the fields given; under another product it is 404."""
    _shirt(client)
    _ok(client.create_product({"source_id": "mug"}))
    _ok(client.create_sku("shirt", RED))
    updated = _ok(client.update_sku("shirt", "shirt-red", {"price": 3100, "metadata": {"a": 1}}))
    assert (updated["price"], updated["sku"], updated["metadata"]) == (
        3100,
        "Red T-shirt",
        {"a": 1},
    )
    assert updated["updated_at"] is not None
    body = _error(client.update_sku("mug", "shirt-red", {"price": 1}), 404, "not_found")
    assert body["resource_type"] == "sku"


def test_delete_a_sku_to_the_bin_then_for_good(client: Client) -> None:
    """A deleted SKU is gone and keeps its source_id until deleted with force."""
    _shirt(client)
    sku = _ok(client.create_sku("shirt", RED))
    assert client.delete_sku("shirt", sku["id"]).status == 204
    _error(client.get_sku(sku["id"]), 404, "not_found")
    assert _ok(client.get_product("shirt"))["skus"]["total"] == 0
    _error(client.create_sku("shirt", RED), 409, "duplicate_resource_key")
    assert client.delete_sku("shirt", sku["id"], force=True).status == 204
    assert _ok(client.create_sku("shirt", RED))["id"] != sku["id"]


def test_list_a_products_skus(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A product's SKUs are listed oldest first, paged, as a data list."""
    _shirt(client)
    for color in ("red", "blue", "green"):
        _ok(client.create_sku("shirt", {"source_id": f"shirt-{color}"}))
        loyalty_fake.clock.advance(minutes=1)
    listed = _ok(client.list_skus("shirt", {"limit": 2}))
    assert (listed["object"], listed["data_ref"], listed["total"]) == ("list", "skus", 3)
    assert [s["source_id"] for s in listed["skus"]] == ["shirt-red", "shirt-blue"]
    second = _ok(client.list_skus("shirt", {"limit": 2, "page": 2}))
    assert [s["source_id"] for s in second["skus"]] == ["shirt-green"]
    newest = _ok(client.list_skus("shirt", {"order": "-created_at", "limit": 1}))
    assert [s["source_id"] for s in newest["skus"]] == ["shirt-green"]
    _error(client.list_skus("nope"), 404, "not_found")
