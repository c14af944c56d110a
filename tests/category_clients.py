"""Categories, per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/segment_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = ["CATEGORIES", "CATEGORY", "CategoryClient", "RequestsCategories", "SdkCategories"]

CATEGORIES = "/v1/categories"
CATEGORY = "/v1/categories/{categoryId}"


def _at(ref: str) -> str:
    return quote(ref, safe="")


class CategoryClient(Protocol):
    """Categories, as one client library calls them."""

    def list_categories(self) -> Reply: ...
    def create_category(self, body: dict[str, Any]) -> Reply: ...
    def get_category(self, category_id: str) -> Reply: ...
    def update_category(self, category_id: str, body: dict[str, Any]) -> Reply: ...
    def delete_category(self, category_id: str) -> Reply: ...


class RequestsCategories:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def list_categories(self) -> Reply:
        return self.call("GET", CATEGORIES, CATEGORIES)

    def create_category(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", CATEGORIES, CATEGORIES, json=body)

    def get_category(self, category_id: str) -> Reply:
        return self.call("GET", f"{CATEGORIES}/{_at(category_id)}", CATEGORY)

    def update_category(self, category_id: str, body: dict[str, Any]) -> Reply:
        return self.call("PUT", f"{CATEGORIES}/{_at(category_id)}", CATEGORY, json=body)

    def delete_category(self, category_id: str) -> Reply:
        return self.call("DELETE", f"{CATEGORIES}/{_at(category_id)}", CATEGORY)


class SdkCategories:
    """Through the official SDK (6.x)."""

    categories: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def list_categories(self) -> Reply:
        return self._run("GET", CATEGORIES, self.categories.list_categories_with_http_info)

    def create_category(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", CATEGORIES, lambda: self.categories.create_category_with_http_info(body)
        )

    def get_category(self, category_id: str) -> Reply:
        return self._run(
            "GET", CATEGORY, lambda: self.categories.get_category_with_http_info(category_id)
        )

    def update_category(self, category_id: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "PUT",
            CATEGORY,
            lambda: self.categories.update_category_with_http_info(category_id, body),
        )

    def delete_category(self, category_id: str) -> Reply:
        return self._run(
            "DELETE",
            CATEGORY,
            lambda: self.categories.delete_category_with_http_info(category_id),
        )
