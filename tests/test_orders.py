"""Orders (/v1/orders): an upsert by id or source_id, read, updated, listed; amounts in cents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

# The spec's own example: the first line's price comes from its product.
ORDER = {
    "source_id": "order-1",
    "status": "CREATED",
    "customer": {"source_id": "ada", "name": "Ada"},
    "items": [
        {
            "source_id": "prod_1",
            "related_object": "product",
            "quantity": 2,
            "product": {"name": "Apple iPhone 12", "price": 60000, "override": True},
        },
        {"source_id": "ComicBook_1", "related_object": "sku", "quantity": 1, "price": 1700},
    ],
    "metadata": {"payment_mean": ["paypal"]},
}


def _ok(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def _order(client: Client, body: dict[str, Any] = ORDER) -> dict[str, Any]:
    return _ok(client.create_order(body))


def test_create_works_out_the_amounts(client: Client) -> None:
    """Each line's amount is price times quantity (its product's price when it has none)."""
    order = _order(client)
    assert order["id"].startswith("ord_")
    assert (order["source_id"], order["status"]) == ("order-1", "CREATED")
    assert order["amount"] == order["total_amount"] == 121700
    first, second = order["items"]
    assert (first["price"], first["amount"], first["subtotal_amount"]) == (60000, 120000, 120000)
    # override: the line's product is stored in the catalogue, which the line then names.
    product = first["product"]
    assert (product["name"], product["price"], product["source_id"]) == (
        "Apple iPhone 12",
        60000,
        "prod_1",
    )
    assert product["id"].startswith("prod_")
    assert first["product_id"] == product["id"]
    assert (second["amount"], second["object"]) == (1700, "order_item")
    assert order["metadata"] == {"payment_mean": ["paypal"]}
    assert (order["created_at"], order["updated_at"]) == ("2024-01-25T10:00:00.000Z", None)
    assert "discount_amount" not in order
    assert order["object"] == "order"


def test_create_makes_the_customer(client: Client) -> None:
    """An order's customer is created (or updated) as every request naming one does."""
    order = _order(client)
    customer = _ok(client.get_customer("ada"))
    assert order["customer"] == {"id": customer["id"], "object": "customer"}
    assert order["customer_id"] == customer["id"]
    assert customer["name"] == "Ada"
    assert order["referrer_id"] is None


def test_discounts_lower_the_total(client: Client) -> None:
    """The order's discount and its lines' make total_discount_amount; total_amount is the rest."""
    order = _order(
        client,
        {
            "amount": 2700,
            "discount_amount": 1243,
            "items": [
                {"product_id": "p1", "quantity": 1, "price": 700, "discount_amount": 70},
                {"product_id": "p2", "quantity": 1, "price": 2000, "discount_amount": 200},
            ],
        },
    )
    assert (order["amount"], order["discount_amount"]) == (2700, 1243)
    assert (order["items_discount_amount"], order["total_discount_amount"]) == (270, 1513)
    assert order["total_amount"] == 1187
    assert [item["subtotal_amount"] for item in order["items"]] == [630, 1800]


def test_an_amount_given_wins_over_the_items(client: Client) -> None:
    """The amount given is the order's amount, whatever its lines add up to."""
    order = _order(client, {"amount": 5000, "items": [{"product_id": "p1", "price": 100}]})
    assert order["amount"] == 5000
    assert order["items"][0]["amount"] == 100


def test_create_again_updates_the_same_order(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The same source_id updates that order: new items make a new amount; one order listed."""
    first = _order(client)
    loyalty_fake.clock.advance(minutes=3)
    again = _order(client, {"source_id": "order-1", "items": [{"product_id": "p", "price": 5}]})
    assert again["id"] == first["id"]
    assert (again["amount"], again["status"]) == (5, "CREATED")
    assert again["updated_at"] == "2024-01-25T10:03:00.000Z"
    assert again["customer_id"] == first["customer_id"]
    assert _ok(client.list_orders())["total"] == 1


def test_create_by_id_updates_that_order(client: Client) -> None:
    """An id names the order to update."""
    first = _order(client)
    again = _order(client, {"id": first["id"], "status": "FULFILLED"})
    assert (again["id"], again["source_id"], again["status"]) == (
        first["id"],
        "order-1",
        "FULFILLED",
    )


def test_create_with_an_unknown_id_is_404(client: Client) -> None:
    """An id no order has is 404 not_found (order), and creates nothing."""
    reply = client.create_order({"id": "ord_NoSuchOrder000000000000", "amount": 1})
    assert (reply.status, reply.error_key, reply.body["resource_type"]) == (
        404,
        "not_found",
        "order",
    )
    assert _ok(client.list_orders())["total"] == 0


@pytest.mark.parametrize("by", ["id", "source_id"])
def test_get_by_id_or_source_id(client: Client, by: str) -> None:
    """An order is read by its ID or its source_id."""
    order = _order(client)
    assert _ok(client.get_order(order[by])) == order


def test_get_an_unknown_order_is_404(client: Client) -> None:
    """An unknown order is 404 not_found naming it."""
    reply = client.get_order("nope")
    assert (reply.status, reply.error_key, reply.body["resource_id"]) == (404, "not_found", "nope")


def test_update_changes_the_status(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """PUT changes what it gives; the rest stays."""
    order = _order(client)
    loyalty_fake.clock.advance(hours=1)
    updated = _ok(client.update_order("order-1", {"status": "CANCELED"}))
    assert (updated["status"], updated["amount"]) == ("CANCELED", 121700)
    assert updated["updated_at"] == "2024-01-25T11:00:00.000Z"
    assert _ok(client.get_order(order["id"])) == updated


def test_update_of_an_unknown_order_is_404(client: Client) -> None:
    """Updating an order nobody created is 404."""
    assert client.update_order("nope", {"status": "PAID"}).status == 404


def test_list_is_newest_first_and_pages(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Orders list newest first; order, limit and page apply; total counts them all."""
    for number in range(3):
        _order(client, {"source_id": f"o{number}", "amount": number})
        loyalty_fake.clock.advance(minutes=1)
    listed = _ok(client.list_orders())
    assert [o["source_id"] for o in listed["orders"]] == ["o2", "o1", "o0"]
    assert (listed["object"], listed["data_ref"], listed["total"]) == ("list", "orders", 3)
    oldest = _ok(client.list_orders({"order": "created_at", "limit": 2, "page": 1}))
    assert [o["source_id"] for o in oldest["orders"]] == ["o0", "o1"]
    second = _ok(client.list_orders({"order": "created_at", "limit": 2, "page": 2}))
    assert [o["source_id"] for o in second["orders"]] == ["o2"]


def test_list_by_update(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """updated_at orders by the last change (an order never updated counts its creation)."""
    for number in range(3):
        _order(client, {"source_id": f"o{number}"})
        loyalty_fake.clock.advance(minutes=1)
    _ok(client.update_order("o0", {"status": "PAID"}))
    listed = _ok(client.list_orders({"order": "-updated_at"}))
    assert [o["source_id"] for o in listed["orders"]] == ["o0", "o2", "o1"]


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"amount": 10.5}, "Property .amount must be integer"),
        ({"amount": -1}, "Property .amount must be >= 0"),
        ({"amount": "100"}, "Property .amount must be integer"),
        ({"status": "SHIPPED"}, None),
        ({"items": [{"price": 1.5}]}, "Property .items[0].price must be integer"),
        ({"items": [{"quantity": -2}]}, "Property .items[0].quantity must be >= 0"),
        ({"items": {"price": 1}}, "Property .items must be array of objects"),
        ({"items": [{"price": 1}] * 501}, "Property .items must NOT have more than 500 items"),
        ({"customer": {"name": "X"}}, None),
        ({"items": [{"price": 2**52, "quantity": 4}]}, None),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    http: RequestsClient, body: dict[str, Any], details: str | None
) -> None:
    """An order the spec would refuse is 400 invalid_payload; no order or customer is made."""
    reply = http.create_order({"source_id": "bad", **body})
    assert (reply.status, reply.error_key) == (400, "invalid_payload")
    if details is not None:
        assert reply.body["details"] == details
    assert _ok(http.list_orders())["total"] == 0
    assert _ok(http.list_customers())["total"] == 0


def test_customer_summary_counts_paid_orders(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """summary.orders sums the customer's paid orders (not cancelled): total, count, last."""
    customer = {"source_id": "ada"}
    _order(client, {"source_id": "a", "amount": 1000, "status": "PAID", "customer": customer})
    loyalty_fake.clock.advance(days=1)
    _order(client, {"source_id": "b", "amount": 501, "status": "PAID", "customer": customer})
    _order(client, {"source_id": "c", "amount": 9999, "status": "CREATED", "customer": customer})
    _order(client, {"source_id": "d", "amount": 7777, "status": "PAID", "customer": customer})
    _ok(client.update_order("d", {"status": "CANCELED"}))
    orders = _ok(client.get_customer("ada"))["summary"]["orders"]
    assert orders == {
        "total_amount": 1501,
        "total_count": 2,
        "average_amount": 750,
        "last_order_amount": 501,
        "last_order_date": "2024-01-26T10:00:00.000Z",
    }
    listed = _ok(client.list_customers())["customers"][0]
    assert listed["summary"]["orders"] == orders


def test_permanent_deletion_takes_the_orders(client: Client) -> None:
    """Deleting a customer for good deletes their orders, and says how many."""
    _order(client, {"source_id": "a", "customer": {"source_id": "ada"}})
    _order(client, {"source_id": "b", "customer": {"source_id": "ada"}})
    _order(client, {"source_id": "c", "customer": {"source_id": "bob"}})
    deletion = _ok(client.forget_customer("ada"))
    assert deletion["data_json"]["orders"] == 2
    assert [o["source_id"] for o in _ok(client.list_orders())["orders"]] == ["c"]
    assert client.get_order("a").status == 404
