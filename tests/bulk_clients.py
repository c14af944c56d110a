"""Bulk work (imports, bulk updates) and async actions, per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/earning_clients.py``'s:
``RequestsBulk`` for ``requests``, httpx and the live server, ``SdkBulk`` for the official SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from tests.earning_clients import _sdk_keywords

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "ASYNC_ACTION",
    "ASYNC_ACTIONS",
    "CUSTOMERS_BULK",
    "CUSTOMERS_IMPORT",
    "CUSTOMERS_METADATA",
    "ORDERS_IMPORT",
    "BulkClient",
    "RequestsBulk",
    "SdkBulk",
]

ASYNC_ACTIONS = "/v1/async-actions"
ASYNC_ACTION = "/v1/async-actions/{asyncActionId}"
CUSTOMERS_IMPORT = "/v1/customers/importCSV"
CUSTOMERS_BULK = "/v1/customers/bulk/async"
CUSTOMERS_METADATA = "/v1/customers/metadata/async"
PRODUCTS_BULK = "/v1/products/bulk/async"
PRODUCTS_METADATA = "/v1/products/metadata/async"
ORDERS_IMPORT = "/v1/orders/import"
PRODUCTS_IMPORT = "/v1/products/importCSV"
SKUS_IMPORT = "/v1/skus/importCSV"


class BulkClient(Protocol):
    """Bulk work and async actions, as one client library performs them."""

    def import_customers_csv(self, data: bytes) -> Reply: ...
    def update_customers_in_bulk(self, body: list[dict[str, Any]]) -> Reply: ...
    def update_customers_metadata(self, body: dict[str, Any]) -> Reply: ...
    def import_orders(self, body: list[dict[str, Any]]) -> Reply: ...
    def get_async_action(self, action_id: str) -> Reply: ...
    def list_async_actions(self, params: dict[str, Any] | None = None) -> Reply: ...
    def update_products_in_bulk(self, body: list[dict[str, Any]]) -> Reply: ...
    def update_products_metadata(self, body: dict[str, Any]) -> Reply: ...
    def import_products_csv(self, data: bytes) -> Reply: ...
    def import_skus_csv(self, data: bytes) -> Reply: ...


class RequestsBulk:
    """The operations over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def import_customers_csv(self, data: bytes) -> Reply:
        files = {"file": ("customers.csv", data, "text/csv")}
        return self.call("POST", CUSTOMERS_IMPORT, CUSTOMERS_IMPORT, files=files)

    def update_customers_in_bulk(self, body: list[dict[str, Any]]) -> Reply:
        return self.call("POST", CUSTOMERS_BULK, CUSTOMERS_BULK, json=body)

    def update_customers_metadata(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", CUSTOMERS_METADATA, CUSTOMERS_METADATA, json=body)

    def import_orders(self, body: list[dict[str, Any]]) -> Reply:
        return self.call("POST", ORDERS_IMPORT, ORDERS_IMPORT, json=body)

    def get_async_action(self, action_id: str) -> Reply:
        path = f"{ASYNC_ACTIONS}/{quote(action_id, safe='')}"
        return self.call("GET", path, ASYNC_ACTION)

    def list_async_actions(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", ASYNC_ACTIONS, ASYNC_ACTIONS, params=params)

    def update_products_in_bulk(self, body: list[dict[str, Any]]) -> Reply:
        return self.call("POST", PRODUCTS_BULK, PRODUCTS_BULK, json=body)

    def update_products_metadata(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", PRODUCTS_METADATA, PRODUCTS_METADATA, json=body)

    def import_products_csv(self, data: bytes) -> Reply:
        files = {"file": ("products.csv", data, "text/csv")}
        return self.call("POST", PRODUCTS_IMPORT, PRODUCTS_IMPORT, files=files)

    def import_skus_csv(self, data: bytes) -> Reply:
        files = {"file": ("skus.csv", data, "text/csv")}
        return self.call("POST", SKUS_IMPORT, SKUS_IMPORT, files=files)


class SdkBulk:
    """The operations through the official SDK (6.x)."""

    api: Any
    customers: Any
    orders: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def _async_actions(self) -> Any:
        import voucherify  # noqa: PLC0415 - a test dependency only this client needs

        return voucherify.AsyncActionsApi(self.api.api_client)

    def import_customers_csv(self, data: bytes) -> Reply:
        return self._run(
            "POST",
            CUSTOMERS_IMPORT,
            lambda: self.customers.import_customers_using_csv_with_http_info(file=data),
        )

    def update_customers_in_bulk(self, body: list[dict[str, Any]]) -> Reply:
        return self._run(
            "POST",
            CUSTOMERS_BULK,
            lambda: self.customers.update_customers_in_bulk_with_http_info(body),
        )

    def update_customers_metadata(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST",
            CUSTOMERS_METADATA,
            lambda: self.customers.update_customers_metadata_in_bulk_with_http_info(body),
        )

    def import_orders(self, body: list[dict[str, Any]]) -> Reply:
        return self._run(
            "POST", ORDERS_IMPORT, lambda: self.orders.import_orders_with_http_info(body)
        )

    def get_async_action(self, action_id: str) -> Reply:
        api = self._async_actions()
        return self._run(
            "GET", ASYNC_ACTION, lambda: api.get_async_action_with_http_info(action_id)
        )

    def list_async_actions(self, params: dict[str, Any] | None = None) -> Reply:
        api = self._async_actions()
        keywords = _sdk_keywords(params)
        if "end_date" in keywords:
            import datetime as dt  # noqa: PLC0415

            keywords["end_date"] = dt.datetime.fromisoformat(keywords["end_date"])
        return self._run(
            "GET", ASYNC_ACTIONS, lambda: api.list_async_actions_with_http_info(**keywords)
        )

    def _products_api(self) -> Any:
        import voucherify  # noqa: PLC0415 - a test dependency only this client needs

        return voucherify.ProductsApi(self.api.api_client)

    def update_products_in_bulk(self, body: list[dict[str, Any]]) -> Reply:
        return self._run(
            "POST",
            PRODUCTS_BULK,
            lambda: self._products_api().update_products_in_bulk_with_http_info(body),
        )

    def update_products_metadata(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST",
            PRODUCTS_METADATA,
            lambda: self._products_api().update_products_metadata_in_bulk_with_http_info(body),
        )

    def import_products_csv(self, data: bytes) -> Reply:
        return self._run(
            "POST",
            PRODUCTS_IMPORT,
            lambda: self._products_api().import_products_using_csv_with_http_info(file=data),
        )

    def import_skus_csv(self, data: bytes) -> Reply:
        return self._run(
            "POST",
            SKUS_IMPORT,
            lambda: self._products_api().import_skus_using_csv_with_http_info(file=data),
        )
