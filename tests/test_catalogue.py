"""Order lines and the catalogue: lines name products and SKUs by ID or source_id.

A line that names a known product or SKU carries it as Voucherify returns it; ``override``
stores the line's own data; unknown products stay as given unless ``strict_products``.
Earning rules over order items match lines by either name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _catalogue(client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    """A shirt (25.00) with a red SKU (27.00)."""
    shirt = _ok(
        client.create_product(
            {"source_id": "shirt", "name": "T-shirt", "price": 2500, "metadata": {"kind": "top"}}
        )
    )
    red = _ok(client.create_sku("shirt", {"source_id": "shirt-red", "sku": "Red", "price": 2700}))
    return shirt, red


def _line(client: Client, item: dict[str, Any]) -> dict[str, Any]:
    order = _ok(client.create_order({"items": [item]}))
    line: dict[str, Any] = order["items"][0]
    return line


def test_a_line_by_source_id_carries_the_product(client: Client) -> None:
    """A line naming a product by source_id gets its ID, object and price."""
    shirt, _ = _catalogue(client)
    line = _line(client, {"source_id": "shirt", "related_object": "product", "quantity": 2})
    assert line["product_id"] == shirt["id"]
    assert line["product"] == {
        "id": shirt["id"],
        "source_id": "shirt",
        "name": "T-shirt",
        "price": 2500,
        "metadata": {"kind": "top"},
    }
    assert (line["price"], line["amount"]) == (2500, 5000)


def test_a_line_by_product_id_carries_the_product(client: Client) -> None:
    """A line naming a product by its ID carries it too; the line's own price wins."""
    shirt, _ = _catalogue(client)
    line = _line(client, {"product_id": shirt["id"], "quantity": 1, "price": 2000})
    assert line["product"]["source_id"] == "shirt"
    assert (line["price"], line["amount"]) == (2000, 2000)


def test_a_sku_line_carries_the_sku_and_its_product(client: Client) -> None:
    """A line naming a SKU carries the SKU, its product, and the SKU's price."""
    shirt, red = _catalogue(client)
    line = _line(client, {"source_id": "shirt-red", "related_object": "sku", "quantity": 3})
    assert (line["sku_id"], line["product_id"]) == (red["id"], shirt["id"])
    assert line["sku"] == {"id": red["id"], "source_id": "shirt-red", "sku": "Red", "price": 2700}
    assert line["product"]["id"] == shirt["id"]
    assert line["amount"] == 8100


def test_override_stores_the_lines_product(client: Client) -> None:
    """override: true updates a known product's name, price and metadata from the line."""
    shirt, _ = _catalogue(client)
    line = _line(
        client,
        {
            "source_id": "shirt",
            "related_object": "product",
            "quantity": 1,
            "product": {"name": "Tee", "price": 3000, "override": True},
        },
    )
    assert (line["product"]["name"], line["price"]) == ("Tee", 3000)
    stored = _ok(client.get_product("shirt"))
    assert (stored["id"], stored["name"], stored["price"]) == (shirt["id"], "Tee", 3000)


def test_override_creates_a_missing_product(client: Client) -> None:
    """override: true creates a product the catalogue lacks, with the line's source_id."""
    line = _line(
        client,
        {
            "source_id": "mug",
            "related_object": "product",
            "product": {"name": "Mug", "price": 900, "override": True},
        },
    )
    stored = _ok(client.get_product("mug"))
    assert (stored["id"], stored["name"], stored["price"]) == (line["product_id"], "Mug", 900)


def test_without_override_the_catalogue_wins(client: Client) -> None:
    """Without override, the line's product data changes nothing in the catalogue."""
    _catalogue(client)
    line = _line(
        client,
        {"source_id": "shirt", "related_object": "product", "product": {"name": "Tee"}},
    )
    assert line["product"]["name"] == "T-shirt"
    assert _ok(client.get_product("shirt"))["name"] == "T-shirt"


def test_an_unknown_product_is_kept_as_given(client: Client) -> None:
    """By default a line naming an unknown product is kept as given, nothing created."""
    line = _line(client, {"product_id": "prod_unknown", "quantity": 1, "price": 100})
    assert line["product_id"] == "prod_unknown"
    assert "product" not in line
    assert _ok(client.list_products())["total"] == 0


@pytest.mark.loyalty_fake(strict_products=True)
def test_strict_products_refuses_an_unknown_product(client: Client) -> None:
    """With strict_products, an unknown product or SKU is 404 and the order is not made."""
    _catalogue(client)
    reply = client.create_order(
        {"source_id": "o1", "items": [{"product_id": "prod_unknown", "quantity": 1}]}
    )
    assert (reply.status, reply.error_key) == (404, "not_found")
    assert (reply.body["resource_type"], reply.body["resource_id"]) == ("product", "prod_unknown")
    reply = client.create_order(
        {"source_id": "o1", "items": [{"source_id": "nope", "related_object": "sku"}]}
    )
    assert (reply.status, reply.body["resource_type"]) == (404, "sku")
    assert _ok(client.list_orders())["total"] == 0
    known = {"source_id": "shirt", "related_object": "product", "quantity": 1}
    assert _ok(client.create_order({"items": [known]}))["amount"] == 2500


@pytest.mark.loyalty_fake(strict_products=True)
def test_a_refused_order_keeps_nothing_an_override_stored(client: Client) -> None:
    """An overriding line before a refused one stores nothing: the request changes nothing."""
    reply = client.create_order(
        {
            "items": [
                {
                    "source_id": "mug",
                    "related_object": "product",
                    "product": {"name": "Mug", "override": True},
                },
                {"product_id": "prod_unknown"},
            ]
        }
    )
    assert reply.status == 404
    assert _ok(client.list_products())["total"] == 0


# -- earning rules over order items -----------------------------------------------------------


def _items_rule(kind: str, what: str, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": "order.paid",
        "loyalty": {
            "type": "PROPORTIONAL",
            "calculation_type": kind,
            "order_items": {what: {"every": 1, "points": 1, **target}},
        },
    }


def _earned(client: Client, fake: LoyaltyFake, rule: dict[str, Any], item: dict[str, Any]) -> int:
    make_program(client)
    _ok(client.create_earning_rules("Coffee Club", [rule]))
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    _ok(client.create_order({"status": "PAID", "customer": {"source_id": "ada"}, "items": [item]}))
    balance: int = _ok(client.get_member(code))["loyalty_card"]["balance"]
    return balance


def test_a_rule_naming_a_product_id_matches_a_line_by_source_id(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A rule naming a product's prod_ ID counts a line that names it by source_id."""
    shirt, _ = _catalogue(client)
    rule = _items_rule("ORDER_ITEMS_QUANTITY", "quantity", {"object": "product", "id": shirt["id"]})
    item = {"source_id": "shirt", "related_object": "product", "quantity": 4}
    assert _earned(client, loyalty_fake, rule, item) == 4


def test_a_rule_naming_a_source_id_matches_a_line_by_product_id(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A rule naming a product by source_id counts a line that names its prod_ ID."""
    shirt, _ = _catalogue(client)
    rule = _items_rule(
        "ORDER_ITEMS_AMOUNT", "amount", {"applicable_to": [{"object": "product", "id": "shirt"}]}
    )
    item = {"product_id": shirt["id"], "quantity": 2, "price": 1000}
    assert _earned(client, loyalty_fake, rule, item) == 2000


def test_a_rule_naming_a_product_matches_its_skus(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A line of a product's SKU counts for a rule that names the product."""
    shirt, _ = _catalogue(client)
    rule = _items_rule(
        "ORDER_ITEMS_SUBTOTAL_AMOUNT", "subtotal_amount", {"object": "product", "id": shirt["id"]}
    )
    item = {"source_id": "shirt-red", "related_object": "sku", "quantity": 1}
    assert _earned(client, loyalty_fake, rule, item) == 2700


def test_a_rule_naming_a_sku_by_source_id_matches_a_line_by_sku_id(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A rule naming a SKU by source_id counts a line that names its sku_ ID."""
    _, red = _catalogue(client)
    rule = _items_rule("ORDER_ITEMS_QUANTITY", "quantity", {"object": "sku", "id": "shirt-red"})
    item = {"sku_id": red["id"], "quantity": 5, "price": 100}
    assert _earned(client, loyalty_fake, rule, item) == 5
