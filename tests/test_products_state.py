"""The catalogue as state: a state machine over products, SKUs and the bin, and snapshots.

The machine creates products and SKUs from a few source_ids (an upsert when one exists),
deletes them to the bin or for good, and syncs orders naming them. After every step:

- the products list holds exactly the live products, each with exactly its live SKUs;
- a live product or SKU reads back by ID and by source_id; one in the bin or deleted is 404;
- a source_id held in the bin is refused (409), one deleted for good is free again;
- an order line naming a live product or SKU carries its ID.
"""

from __future__ import annotations

from typing import Any

import attrs
import requests
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from loyalty_fake import LoyaltyFake

BASE_URL = "https://api.voucherify.io"
_PRODUCTS = ("shirt", "mug", "cap")
_SKUS = ("red", "blue", "green")


@attrs.define
class _Model:
    """One source_id's record: its ID, whether it is in the bin, its product (for a SKU)."""

    id: str
    in_bin: bool = False
    product: str | None = None


class CatalogueMachine(RuleBasedStateMachine):
    """Products and SKUs created, deleted to the bin or for good, and named by orders."""

    def __init__(self) -> None:
        """A fake intercepting requests, and an empty model."""
        super().__init__()
        self.fake = LoyaltyFake(seed=3, now="2024-03-01T00:00:00Z")
        self.fake.start()
        self.session = requests.Session()
        self.session.headers.update(self.fake.headers)
        self.products: dict[str, _Model] = {}
        self.skus: dict[str, _Model] = {}

    def teardown(self) -> None:
        self.fake.stop()

    def _send(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        return self.session.request(method, BASE_URL + path, json=body, params=params, timeout=10)

    @rule(name=st.sampled_from(_PRODUCTS), price=st.integers(0, 5000))
    def create_product(self, name: str, price: int) -> None:
        reply = self._send("POST", "/v1/products", {"source_id": name, "price": price})
        known = self.products.get(name)
        if known is not None and known.in_bin:
            assert (reply.status_code, reply.json()["key"]) == (409, "duplicate_resource_key")
            return
        assert reply.status_code == 200, reply.text
        body = reply.json()
        if known is not None:
            assert body["id"] == known.id
        self.products[name] = _Model(body["id"])
        assert body["price"] == price

    @rule(product=st.sampled_from(_PRODUCTS), name=st.sampled_from(_SKUS))
    def create_sku(self, product: str, name: str) -> None:
        reply = self._send("POST", f"/v1/products/{product}/skus", {"source_id": name})
        owner = self.products.get(product)
        known = self.skus.get(name)
        if owner is None or owner.in_bin:
            assert reply.status_code == 404
            return
        if known is not None and (known.in_bin or known.product != product):
            assert (reply.status_code, reply.json()["key"]) == (409, "duplicate_resource_key")
            return
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["product_id"] == owner.id
        if known is not None:
            assert body["id"] == known.id
        self.skus[name] = _Model(body["id"], product=product)

    @rule(name=st.sampled_from(_PRODUCTS), force=st.booleans())
    def delete_product(self, name: str, force: bool) -> None:
        reply = self._send("DELETE", f"/v1/products/{name}", force=str(force).lower())
        known = self.products.get(name)
        if known is None or (known.in_bin and not force):
            assert reply.status_code == 404
            return
        assert reply.status_code == 204
        skus = [sku for sku, model in self.skus.items() if model.product == name]
        if force:
            del self.products[name]
            for sku in skus:
                del self.skus[sku]
        else:
            known.in_bin = True
            for sku in skus:
                self.skus[sku].in_bin = True

    @rule(name=st.sampled_from(_SKUS), force=st.booleans())
    def delete_sku(self, name: str, force: bool) -> None:
        known = self.skus.get(name)
        product = known.product if known is not None else _PRODUCTS[0]
        reply = self._send(
            "DELETE", f"/v1/products/{product}/skus/{name}", force=str(force).lower()
        )
        owner = self.products.get(product or "")
        reachable = known is not None and owner is not None and (force or not known.in_bin)
        if not reachable or (owner is not None and owner.in_bin and not force):
            assert reply.status_code == 404
            return
        assert reply.status_code == 204
        if force:
            del self.skus[name]
        else:
            assert known is not None
            known.in_bin = True

    @rule(name=st.sampled_from(_PRODUCTS + _SKUS))
    def order_names_it(self, name: str) -> None:
        kind = "product" if name in _PRODUCTS else "sku"
        item = {"source_id": name, "related_object": kind, "quantity": 1, "price": 1}
        reply = self._send("POST", "/v1/orders", {"items": [item]})
        assert reply.status_code == 200, reply.text
        line = reply.json()["items"][0]
        known = (self.products if kind == "product" else self.skus).get(name)
        if known is not None and not known.in_bin:
            assert line[f"{kind}_id"] == known.id
        else:
            assert f"{kind}_id" not in line

    @invariant()
    def the_list_holds_the_live_products_with_their_skus(self) -> None:
        listed = self._send("GET", "/v1/products", limit="100").json()
        live = {name: model for name, model in self.products.items() if not model.in_bin}
        assert listed["total"] == len(live)
        for product in listed["products"]:
            assert live[product["source_id"]].id == product["id"]
            skus = {sku["source_id"] for sku in product["skus"]["data"]}
            expected = {
                name
                for name, model in self.skus.items()
                if model.product == product["source_id"] and not model.in_bin
            }
            assert skus == expected

    @invariant()
    def every_record_reads_back_or_is_404(self) -> None:
        for name in _PRODUCTS:
            known = self.products.get(name)
            reply = self._send("GET", f"/v1/products/{name}")
            if known is None or known.in_bin:
                assert reply.status_code == 404
            else:
                assert reply.json()["id"] == known.id
                assert self._send("GET", f"/v1/products/{known.id}").status_code == 200
        for name in _SKUS:
            known = self.skus.get(name)
            reply = self._send("GET", f"/v1/skus/{name}")
            if known is None or known.in_bin:
                assert reply.status_code == 404
            else:
                assert reply.json()["id"] == known.id


CatalogueMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=20, deadline=None
)


# TestCase is a class-valued property, which mypy cannot take as a base class.
class TestCatalogueMachine(CatalogueMachine.TestCase):  # type: ignore[valid-type,misc]
    """Any sequence of create, upsert, delete to the bin or for good, and orders naming them."""


def test_the_catalogue_survives_a_snapshot() -> None:
    """Products, SKUs and the bin come back from a snapshot as they were."""
    fake = LoyaltyFake(seed=5, now="2024-03-01T00:00:00Z")
    fake.request("POST", "/v1/products", json_body={"source_id": "shirt", "attributes": ["c"]})
    fake.request("POST", "/v1/products/shirt/skus", json_body={"source_id": "red"})
    fake.request("POST", "/v1/products", json_body={"source_id": "binned"})
    fake.request("DELETE", "/v1/products/binned")
    before = fake.request("GET", "/v1/products").json()
    again = LoyaltyFake()
    again.ledger.restore(fake.ledger.snapshot())
    assert again.request("GET", "/v1/products").json() == before
    assert again.request("GET", "/v1/skus/red").json()["source_id"] == "red"
    refused = again.request("POST", "/v1/products", json_body={"source_id": "binned"})
    assert refused.status == 409
