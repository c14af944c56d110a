"""What every JSON reply shares: timestamps, list wrappers, error envelopes, schema helpers.

The serializers of each Voucherify object live in their own ``*_json`` module, each beside
the OpenAPI schema of the shape it writes (its ``SCHEMAS``); the fake's OpenAPI document
(``loyalty_fake.http.openapi``) gathers them. The helpers here write those schemas.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from loyalty_fake.clock import format_timestamp as _format_timestamp

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "BOOLEAN",
    "COUNT",
    "DATE",
    "DAYS_OF_WEEK",
    "EMPTY_LIST",
    "FREE_OBJECT",
    "INTEGER",
    "NULLABLE_TIMESTAMP",
    "SCHEMAS",
    "STRING",
    "TIMESTAMP",
    "Schema",
    "const",
    "cursor_list",
    "cursor_list_json",
    "enum",
    "format_timestamp",
    "nullable",
    "obj",
    "page_list",
    "ref",
    "timestamp_or_none",
]

Schema = dict[str, Any]

# A card's code, asset IDs and timestamps rarely change but are printed on every
# listing; quoting and formatting them once keeps a page of members cheap.
CACHE_SIZE = 1 << 16


@lru_cache(maxsize=CACHE_SIZE)
def format_timestamp(moment: dt.datetime) -> str:
    """``clock.format_timestamp``, memoized: the same moments are printed again and again."""
    return _format_timestamp(moment)


def timestamp_or_none(moment: dt.datetime | None) -> str | None:
    """``format_timestamp(moment)``, or None for no moment."""
    return format_timestamp(moment) if moment is not None else None


def cursor_list_json(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """A cursor-paged list: ``more_starting_after`` is the last item's ID when there is more."""
    body: dict[str, Any] = {
        "object": "list",
        "data_ref": "data",
        "data": data,
        "has_more": has_more,
    }
    if has_more and data:
        body["more_starting_after"] = data[-1]["id"]
    return body


# -- schema helpers ---------------------------------------------------------------------------


def ref(name: str) -> Schema:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with these always-present and sometimes-present properties."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
    }


def nullable(schema: Schema) -> Schema:
    """``schema`` or ``null``."""
    if "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def const(value: Any) -> Schema:
    """Exactly ``value``."""
    return {"const": value}


def enum(*values: Any) -> Schema:
    """One of ``values``."""
    return {"enum": list(values)}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
BOOLEAN: Schema = {"type": "boolean"}
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
DATE: Schema = {"type": "string", "format": "date"}
FREE_OBJECT: Schema = {"type": "object"}
DAYS_OF_WEEK: Schema = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}}
EMPTY_LIST: Schema = {"type": "array", "maxItems": 0}
NULLABLE_TIMESTAMP: Schema = nullable(TIMESTAMP)


def page_list(data_ref: str, item: Schema) -> Schema:
    """A page-based list: ``data_ref`` names the array, ``total`` counts every match."""
    return obj(
        {
            "object": const("list"),
            "data_ref": const(data_ref),
            data_ref: {"type": "array", "items": item, "maxItems": 100},
            "total": COUNT,
        }
    )


def cursor_list(item: Schema) -> Schema:
    """A cursor-paged list: ``more_starting_after`` is there exactly when ``has_more``."""
    return obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": item, "maxItems": 100},
            "has_more": BOOLEAN,
        },
        {"more_starting_after": STRING},
    )


SCHEMAS: dict[str, Schema] = {
    # A campaign's and a voucher's validation rules: the fake has none.
    "NoValidationRules": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": EMPTY_LIST,
            "total": const(0),
        }
    ),
    # What deleting a program and adding several cards answer.
    "AsyncAction": obj({"async_action_id": STRING}),
    "Error": obj(
        {"code": INTEGER, "key": STRING, "message": STRING, "request_id": STRING},
        {
            "details": STRING,
            "resource_id": STRING,
            "resource_type": STRING,
        },
    ),
    # Voucherify's 401 is the short envelope, without a request_id.
    "Unauthorized": obj(
        {"code": const(401), "key": const("unauthorized"), "message": const("Unauthorized")}
    ),
}
