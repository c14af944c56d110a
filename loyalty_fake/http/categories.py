"""``/v1/categories``: the project's categories listed, created, read, updated and deleted.

The same store campaigns and vouchers file themselves in (``ledger/categories.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.campaigns_json import category_json
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.params import MAX_INTEGER, Body, parse_json_body
from loyalty_fake.ledger.categories import Categories

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {"categoryId": "A category's ID (cat_)."}

_CATEGORY_BODY: Schema = {
    "type": "object",
    "required": ["name", "hierarchy"],
    "properties": {
        "name": NON_EMPTY,
        "hierarchy": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
    },
}


def _name_and_hierarchy(call: Call) -> tuple[str, int]:
    body = Body(parse_json_body(call.request))
    body.require("name")
    name = body.string("name", non_empty=True)
    body.require("hierarchy")
    hierarchy = body.integer("hierarchy", minimum=0)
    assert name is not None  # noqa: S101 - require() leaves nothing else
    assert hierarchy is not None  # noqa: S101 - as for name
    return name, hierarchy


def list_categories(call: Call) -> tuple[int, Any]:
    """``GET /v1/categories``: every category."""
    data = [category_json(category) for category in Categories(call.session).list()]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def create_category(call: Call) -> tuple[int, Any]:
    """``POST /v1/categories``: a new category; 409 ``duplicate_found`` on a name taken."""
    name, hierarchy = _name_and_hierarchy(call)
    return 200, category_json(Categories(call.session).create(name, hierarchy))


def get_category(call: Call) -> tuple[int, Any]:
    """``GET /v1/categories/{categoryId}``."""
    return 200, category_json(Categories(call.session).get(call.params["categoryId"]))


def update_category(call: Call) -> tuple[int, Any]:
    """``PUT /v1/categories/{categoryId}``: a new name and hierarchy, for all filed in it."""
    categories = Categories(call.session)
    categories.get(call.params["categoryId"])  # 404 before the body's 400
    name, hierarchy = _name_and_hierarchy(call)
    return 200, category_json(categories.update(call.params["categoryId"], name, hierarchy))


def delete_category(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/categories/{categoryId}``: 204; what was filed in it is in none."""
    Categories(call.session).delete(call.params["categoryId"])
    return 204, None


_CATEGORIES = "/v1/categories"
_CATEGORY = "/v1/categories/{categoryId}"
_DUPLICATE = " 409 duplicate_found: a category has this name."

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        _CATEGORIES,
        list_categories,
        Operation("list_categories", "The project's categories", "CategoriesList"),
    ),
    Route(
        "POST",
        _CATEGORIES,
        create_category,
        Operation(
            "create_category",
            "Create a category",
            "Category",
            body=_CATEGORY_BODY,
            errors=_DUPLICATE,
        ),
    ),
    Route("GET", _CATEGORY, get_category, Operation("get_category", "A category", "Category")),
    Route(
        "PUT",
        _CATEGORY,
        update_category,
        Operation(
            "update_category",
            "Rename or re-rank a category (what is filed in it follows)",
            "Category",
            body=_CATEGORY_BODY,
            errors=_DUPLICATE,
        ),
    ),
    Route(
        "DELETE",
        _CATEGORY,
        delete_category,
        Operation(
            "delete_category",
            "Delete a category: campaigns, vouchers and cards in it are in none",
            None,
        ),
    ),
)
