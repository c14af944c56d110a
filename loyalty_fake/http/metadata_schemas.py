"""Metadata schemas: the Management API's (create, read, update, delete) and ``/v1``'s reads.

One schema per ``related_object`` (a second is 409); metadata given to an object with a
schema is checked against it (``ledger/metadata_schemas.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    const,
    format_timestamp,
    nullable,
    obj,
    ref,
    timestamp_or_none,
)
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.params import MAX_INTEGER, Body, parse_json_body
from loyalty_fake.http.projects import managed
from loyalty_fake.ledger.metadata_schemas import schema_for
from loyalty_fake.ledger.settings import Settings

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.settings import Kind, Setting

__all__ = ["PATH_PARAMETERS", "ROUTES", "SCHEMAS", "definitions"]

PATH_PARAMETERS = {
    "metadataSchemaId": "A metadata schema's ID (ms_).",
    "resource": "The object a metadata schema is for (campaign, customer, ...).",
}

_KIND: Kind = "metadata_schemas"
_TYPES = ("string", "number", "object", "date", "datetime", "geopoint", "boolean", "image_url")
_INTEGERS = ("min_length", "max_length", "exact_length")
_NUMBERS = ("lt", "lte", "gt", "gte")
_DEFINITION: Schema = {
    "type": "object",
    "required": ["type", "optional", "array"],
    "properties": {
        "type": {"enum": list(_TYPES)},
        "optional": BOOLEAN,
        "array": BOOLEAN,
        "deleted": BOOLEAN,
        "object_type": nullable(STRING),
        **{name: {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER} for name in _INTEGERS},
        "eq": {"type": "array", "items": {"type": ["number", "string"]}},
        "ne": {"type": "array", "items": {"type": "number"}},
        **{name: {"type": "number"} for name in _NUMBERS},
    },
}
_PROPERTIES: Schema = {"type": "object", "additionalProperties": _DEFINITION}
_CREATE: Schema = {
    "type": "object",
    "required": ["related_object", "properties"],
    "properties": {
        "related_object": NON_EMPTY,
        "allow_defined_only": BOOLEAN,
        "properties": _PROPERTIES,
    },
}
_UPDATE: Schema = {
    "type": "object",
    "required": ["properties"],
    "properties": {"allow_defined_only": BOOLEAN, "properties": _PROPERTIES},
}


def _definition(body: Body) -> dict[str, Any]:
    for name in ("type", "optional", "array"):
        body.require(name)
    found: dict[str, Any] = {"type": body.choice("type", _TYPES)}
    for name in ("optional", "array", "deleted"):
        found[name] = body.boolean(name)
    found["object_type"] = body.string("object_type")
    for name in _INTEGERS:
        found[name] = body.integer(name, minimum=0)
    for name in ("eq", "ne"):
        value = body.data.get(name)
        if value is not None:
            kinds = (int, float, str) if name == "eq" else (int, float)
            if not isinstance(value, list) or not all(
                isinstance(item, kinds) and not isinstance(item, bool) for item in value
            ):
                body.fail(name, "must be array")
            found[name] = list(value)
    for name in _NUMBERS:
        value = body.data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            body.fail(name, "must be number")
        found[name] = value
    found = {key: value for key, value in found.items() if value is not None}
    found.setdefault("object_type", None)
    return found


def definitions(body: Body, key: str) -> dict[str, dict[str, Any]]:
    """Property definitions by name (``properties``), checked: ``invalid_payload`` else."""
    body.require(key)
    given = body.obj(key)
    assert given is not None  # noqa: S101 - required above
    found = {}
    for name in given.data:
        item = given.obj(name)
        if item is None:
            given.fail(name, "must be object")
        found[name] = _definition(item)
    return found


def _schema_body(call: Call, *, create: bool) -> dict[str, Any]:
    body = Body(parse_json_body(call.request))
    fields: dict[str, Any] = {}
    if create:
        body.require("related_object")
        fields["related_object"] = body.string("related_object", non_empty=True)
    fields["properties"] = definitions(body, "properties")
    only = body.boolean("allow_defined_only")
    if only is not None or create:
        fields["allow_defined_only"] = bool(only)
    return fields


def metadata_schema_json(found: Setting) -> dict[str, Any]:
    """A metadata schema as Voucherify answers it."""
    return {
        "id": found.id,
        "related_object": found.fields["related_object"],
        "properties": found.fields["properties"],
        "allow_defined_only": found.fields.get("allow_defined_only", False),
        "created_at": format_timestamp(found.created_at),
        "updated_at": timestamp_or_none(found.updated_at),
        "object": "metadata_schema",
    }


def list_metadata_schemas(call: Call) -> tuple[int, Any]:
    """``GET .../metadata-schemas`` (Management API): every schema of the project."""
    data = [metadata_schema_json(each) for each in Settings(call.session).records(_KIND)]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def create_metadata_schema(call: Call) -> tuple[int, Any]:
    """``POST .../metadata-schemas``: 409 when the object has one already."""
    settings = Settings(call.session)
    fields = _schema_body(call, create=True)
    taken = schema_for(call.session, fields["related_object"])
    if taken is not None:
        raise errors.duplicate_found("metadata_schema", taken.id)
    return 200, metadata_schema_json(settings.create(_KIND, fields))


def get_metadata_schema(call: Call) -> tuple[int, Any]:
    """``GET .../metadata-schemas/{metadataSchemaId}``."""
    found = Settings(call.session).get(_KIND, call.params["metadataSchemaId"])
    return 200, metadata_schema_json(found)


def update_metadata_schema(call: Call) -> tuple[int, Any]:
    """``PUT .../metadata-schemas/{metadataSchemaId}``: definitions added or replaced."""
    settings = Settings(call.session)
    found = settings.get(_KIND, call.params["metadataSchemaId"])
    fields = _schema_body(call, create=False)
    fields["properties"] = {**found.fields["properties"], **fields["properties"]}
    return 200, metadata_schema_json(settings.update_record(_KIND, found.id, fields))


def delete_metadata_schema(call: Call) -> tuple[int, Any]:
    """``DELETE .../metadata-schemas/{metadataSchemaId}``: 204; metadata is free again."""
    Settings(call.session).delete(_KIND, call.params["metadataSchemaId"])
    return 204, None


def list_schemas(call: Call) -> tuple[int, Any]:
    """``GET /v1/metadata-schemas``: every schema of the project (``schemas``)."""
    data = [metadata_schema_json(each) for each in Settings(call.session).records(_KIND)]
    return 200, {"object": "list", "data_ref": "schemas", "schemas": data, "total": len(data)}


def get_schema(call: Call) -> tuple[int, Any]:
    """``GET /v1/metadata-schemas/{resource}``: the object's schema; 404 for none."""
    resource = call.params["resource"]
    found = schema_for(call.session, resource)
    if found is None:
        raise errors.not_found("metadata_schema", resource)
    return 200, metadata_schema_json(found)


_SCHEMA = obj(
    {
        "id": STRING,
        "related_object": STRING,
        "properties": FREE_OBJECT,
        "allow_defined_only": BOOLEAN,
        "created_at": TIMESTAMP,
        "updated_at": nullable(TIMESTAMP),
        "object": const("metadata_schema"),
    }
)
SCHEMAS: dict[str, Schema] = {
    "MetadataSchema": _SCHEMA,
    "MetadataSchemasList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("MetadataSchema")},
            "total": COUNT,
        }
    ),
    "MetadataSchemasByObject": obj(
        {
            "object": const("list"),
            "data_ref": const("schemas"),
            "schemas": {"type": "array", "items": ref("MetadataSchema")},
            "total": COUNT,
        }
    ),
}

_MANY = "/management/v1/projects/{projectId}/metadata-schemas"
_ONE = _MANY + "/{metadataSchemaId}"
_RESOURCE = "project or metadata schema"


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        _MANY,
        list_metadata_schemas,
        managed(
            _RESOURCE,
            "list_metadata_schemas_1",
            "The project's metadata schemas",
            "MetadataSchemasList",
        ),
    ),
    Route(
        "POST",
        _MANY,
        create_metadata_schema,
        managed(
            _RESOURCE,
            "create_metadata_schema",
            "Create an object's metadata schema (409 when it has one)",
            "MetadataSchema",
            body=_CREATE,
        ),
    ),
    Route(
        "GET",
        _ONE,
        get_metadata_schema,
        managed(_RESOURCE, "get_metadata_schema_1", "A metadata schema", "MetadataSchema"),
    ),
    Route(
        "PUT",
        _ONE,
        update_metadata_schema,
        managed(
            _RESOURCE,
            "update_metadata_schema",
            "Add or replace a metadata schema's definitions",
            "MetadataSchema",
            body=_UPDATE,
        ),
    ),
    Route(
        "DELETE",
        _ONE,
        delete_metadata_schema,
        managed(_RESOURCE, "delete_metadata_schema", "Delete a metadata schema", None),
    ),
    Route(
        "GET",
        "/v1/metadata-schemas",
        list_schemas,
        Operation(
            "list_metadata_schemas", "The project's metadata schemas", "MetadataSchemasByObject"
        ),
    ),
    Route(
        "GET",
        "/v1/metadata-schemas/{resource}",
        get_schema,
        Operation("get_metadata_schema", "An object's metadata schema", "MetadataSchema"),
    ),
)
