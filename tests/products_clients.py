"""The catalogue's operations (products and SKUs) per client.

``tests/conftest.py``'s clients take these mixins: ``RequestsProducts`` for ``requests``,
httpx and the live server, ``SdkProducts`` for the official SDK, as ``earning_clients.py``
does for the earning loop.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "PRODUCT",
    "PRODUCTS",
    "PRODUCT_SKU",
    "PRODUCT_SKUS",
    "SKU",
    "ProductsClient",
    "RequestsProducts",
    "SdkProducts",
]

PRODUCTS = "/v1/products"
PRODUCT = "/v1/products/{productId}"
PRODUCT_SKUS = "/v1/products/{productId}/skus"
PRODUCT_SKU = "/v1/products/{productId}/skus/{skuId}"
SKU = "/v1/skus/{skuId}"


def _at(ref: str) -> str:
    return quote(ref, safe="")


def _force(force: bool | None) -> dict[str, str] | None:
    return None if force is None else {"force": str(force).lower()}


class ProductsClient(Protocol):
    """The catalogue's operations, as one client library performs them."""

    def create_product(self, body: dict[str, Any]) -> Reply: ...
    def get_product(self, ref: str) -> Reply: ...
    def update_product(self, ref: str, body: dict[str, Any]) -> Reply: ...
    def delete_product(self, ref: str, force: bool | None = None) -> Reply: ...
    def list_products(self, params: dict[str, Any] | None = None) -> Reply: ...
    def create_sku(self, product: str, body: dict[str, Any]) -> Reply: ...
    def get_sku(self, ref: str) -> Reply: ...
    def update_sku(self, product: str, ref: str, body: dict[str, Any]) -> Reply: ...
    def delete_sku(self, product: str, ref: str, force: bool | None = None) -> Reply: ...
    def list_skus(self, product: str, params: dict[str, Any] | None = None) -> Reply: ...


class RequestsProducts:
    """The operations over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def create_product(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", PRODUCTS, PRODUCTS, json=body)

    def get_product(self, ref: str) -> Reply:
        return self.call("GET", f"{PRODUCTS}/{_at(ref)}", PRODUCT)

    def update_product(self, ref: str, body: dict[str, Any]) -> Reply:
        return self.call("PUT", f"{PRODUCTS}/{_at(ref)}", PRODUCT, json=body)

    def delete_product(self, ref: str, force: bool | None = None) -> Reply:
        return self.call("DELETE", f"{PRODUCTS}/{_at(ref)}", PRODUCT, params=_force(force))

    def list_products(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", PRODUCTS, PRODUCTS, params=params)

    def create_sku(self, product: str, body: dict[str, Any]) -> Reply:
        return self.call("POST", f"{PRODUCTS}/{_at(product)}/skus", PRODUCT_SKUS, json=body)

    def get_sku(self, ref: str) -> Reply:
        return self.call("GET", f"/v1/skus/{_at(ref)}", SKU)

    def update_sku(self, product: str, ref: str, body: dict[str, Any]) -> Reply:
        path = f"{PRODUCTS}/{_at(product)}/skus/{_at(ref)}"
        return self.call("PUT", path, PRODUCT_SKU, json=body)

    def delete_sku(self, product: str, ref: str, force: bool | None = None) -> Reply:
        path = f"{PRODUCTS}/{_at(product)}/skus/{_at(ref)}"
        return self.call("DELETE", path, PRODUCT_SKU, params=_force(force))

    def list_skus(self, product: str, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", f"{PRODUCTS}/{_at(product)}/skus", PRODUCT_SKUS, params=params)


def _dated(params: dict[str, Any] | None) -> dict[str, Any]:
    """Query parameters as the SDK's keywords, ``start_date``/``end_date`` as datetimes."""
    keywords = dict(params or {})
    for key in ("start_date", "end_date"):
        if key in keywords:
            keywords[key] = dt.datetime.fromisoformat(keywords[key])
    return keywords


class SdkProducts:
    """The operations through the official SDK (6.x)."""

    products: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def create_product(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", PRODUCTS, lambda: self.products.create_product_with_http_info(body)
        )

    def get_product(self, ref: str) -> Reply:
        return self._run("GET", PRODUCT, lambda: self.products.get_product_with_http_info(ref))

    def update_product(self, ref: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "PUT", PRODUCT, lambda: self.products.update_product_with_http_info(ref, body)
        )

    def delete_product(self, ref: str, force: bool | None = None) -> Reply:
        return self._run(
            "DELETE", PRODUCT, lambda: self.products.delete_product_with_http_info(ref, force)
        )

    def list_products(self, params: dict[str, Any] | None = None) -> Reply:
        keywords = _dated(params)
        return self._run(
            "GET", PRODUCTS, lambda: self.products.list_products_with_http_info(**keywords)
        )

    def create_sku(self, product: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", PRODUCT_SKUS, lambda: self.products.create_sku_with_http_info(product, body)
        )

    def get_sku(self, ref: str) -> Reply:
        return self._run("GET", SKU, lambda: self.products.get_sku_with_http_info(ref))

    def update_sku(self, product: str, ref: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "PUT",
            PRODUCT_SKU,
            lambda: self.products.update_sku_with_http_info(product, ref, body),
        )

    def delete_sku(self, product: str, ref: str, force: bool | None = None) -> Reply:
        return self._run(
            "DELETE",
            PRODUCT_SKU,
            lambda: self.products.delete_sku_with_http_info(product, ref, force),
        )

    def list_skus(self, product: str, params: dict[str, Any] | None = None) -> Reply:
        keywords = _dated(params)
        return self._run(
            "GET",
            PRODUCT_SKUS,
            lambda: self.products.list_skus_in_product_with_http_info(product, **keywords),
        )
