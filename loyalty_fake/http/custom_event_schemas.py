"""``/management/v1/projects/{projectId}/custom-event-schemas``: the project's custom events.

One schema per event name (a second is 409); an event of that name is checked against it,
and with ``strict_custom_events`` an event or earning rule no schema defines is refused
(``ledger/custom_events.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    STRING,
    TIMESTAMP,
    const,
    enum,
    format_timestamp,
    obj,
    ref,
)
from loyalty_fake.http.declare import NON_EMPTY, Route
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.http.projects import managed
from loyalty_fake.ledger.custom_events import event_schema_named
from loyalty_fake.ledger.settings import Settings

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.settings import Kind, Setting

__all__ = ["PATH_PARAMETERS", "ROUTES", "SCHEMAS"]

PATH_PARAMETERS = {"customEventSchemaId": "A custom event schema's ID (ms_)."}

_KIND: Kind = "custom_event_schemas"
_TYPES = ("string", "number", "date", "datetime", "boolean")
_PROPERTY: Schema = {
    "type": "object",
    "required": ["type", "optional"],
    "properties": {"type": {"enum": list(_TYPES)}, "optional": BOOLEAN, "deleted": BOOLEAN},
}
_EVENT_SCHEMA: Schema = {
    "type": "object",
    "required": ["properties"],
    "properties": {"properties": {"type": "object", "additionalProperties": _PROPERTY}},
}
_CREATE: Schema = {
    "type": "object",
    "required": ["name", "schema"],
    "properties": {"name": NON_EMPTY, "schema": _EVENT_SCHEMA},
}
_UPDATE: Schema = {"type": "object", "properties": {"schema": _EVENT_SCHEMA}}


def _properties(body: Body) -> dict[str, dict[str, Any]]:
    """``schema.properties``, each definition checked; ``invalid_payload`` otherwise."""
    schema = body.obj("schema")
    if schema is None:
        body.require("schema")
        return {}
    schema.require("properties")
    given = schema.obj("properties")
    assert given is not None  # noqa: S101 - required above
    found: dict[str, dict[str, Any]] = {}
    for name in given.data:
        item = given.obj(name)
        if item is None:
            given.fail(name, "must be object")
        item.require("type")
        item.require("optional")
        definition = {"type": item.choice("type", _TYPES), "optional": item.boolean("optional")}
        deleted = item.boolean("deleted")
        if deleted is not None:
            definition["deleted"] = deleted
        found[name] = definition
    return found


def custom_event_schema_json(found: Setting) -> dict[str, Any]:
    """A custom event schema as Voucherify answers it."""
    body: dict[str, Any] = {
        "id": found.id,
        "name": found.fields["name"],
        "schema": {"properties": found.fields["schema"]["properties"]},
        "created_at": format_timestamp(found.created_at),
    }
    if found.updated_at is not None:
        body["updated_at"] = format_timestamp(found.updated_at)
    body["object"] = "custom-event-schema"
    return body


def list_custom_event_schemas(call: Call) -> tuple[int, Any]:
    """``GET .../custom-event-schemas``: every schema of the project, oldest first."""
    data = [custom_event_schema_json(each) for each in Settings(call.session).records(_KIND)]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def create_custom_event_schema(call: Call) -> tuple[int, Any]:
    """``POST .../custom-event-schemas``: 409 when the event has one already."""
    body = Body(parse_json_body(call.request))
    body.require("name")
    name = body.string("name", non_empty=True)
    assert name is not None  # noqa: S101 - required above
    properties = _properties(body)
    taken = event_schema_named(call.session, name)
    if taken is not None:
        raise errors.duplicate_found("custom_event_schema", taken.id)
    fields = {"name": name, "schema": {"properties": properties}}
    return 200, custom_event_schema_json(Settings(call.session).create(_KIND, fields))


def get_custom_event_schema(call: Call) -> tuple[int, Any]:
    """``GET .../custom-event-schemas/{customEventSchemaId}``."""
    found = Settings(call.session).get(_KIND, call.params["customEventSchemaId"])
    return 200, custom_event_schema_json(found)


def update_custom_event_schema(call: Call) -> tuple[int, Any]:
    """``PUT .../custom-event-schemas/{customEventSchemaId}``: properties added or replaced."""
    settings = Settings(call.session)
    found = settings.get(_KIND, call.params["customEventSchemaId"])
    body = Body(parse_json_body(call.request))
    given = _properties(body) if body.data.get("schema") is not None else {}
    merged = {**found.fields["schema"]["properties"], **given}
    changed = settings.update_record(_KIND, found.id, {"schema": {"properties": merged}})
    return 200, custom_event_schema_json(changed)


def delete_custom_event_schema(call: Call) -> tuple[int, Any]:
    """``DELETE .../custom-event-schemas/{customEventSchemaId}``: 204."""
    Settings(call.session).delete(_KIND, call.params["customEventSchemaId"])
    return 204, None


_DEFINITION = obj({"type": enum(*_TYPES), "optional": BOOLEAN}, {"deleted": BOOLEAN})
SCHEMAS: dict[str, Schema] = {
    "CustomEventSchema": obj(
        {
            "id": STRING,
            "name": STRING,
            "schema": obj({"properties": {"type": "object", "additionalProperties": _DEFINITION}}),
            "created_at": TIMESTAMP,
            "object": const("custom-event-schema"),
        },
        {"updated_at": TIMESTAMP},
    ),
    "CustomEventSchemasList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("CustomEventSchema")},
            "total": COUNT,
        }
    ),
}

_MANY = "/management/v1/projects/{projectId}/custom-event-schemas"
_ONE = _MANY + "/{customEventSchemaId}"
_RESOURCE = "project or custom event schema"


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        _MANY,
        list_custom_event_schemas,
        managed(
            _RESOURCE,
            "list_custom_event_schemas",
            "The project's custom event schemas",
            "CustomEventSchemasList",
        ),
    ),
    Route(
        "POST",
        _MANY,
        create_custom_event_schema,
        managed(
            _RESOURCE,
            "create_custom_event_schema",
            "Define a custom event (409 when its name has a schema)",
            "CustomEventSchema",
            body=_CREATE,
        ),
    ),
    Route(
        "GET",
        _ONE,
        get_custom_event_schema,
        managed(_RESOURCE, "get_custom_event_schema", "A custom event schema", "CustomEventSchema"),
    ),
    Route(
        "PUT",
        _ONE,
        update_custom_event_schema,
        managed(
            _RESOURCE,
            "update_custom_event_schema",
            "Add or replace a custom event schema's properties",
            "CustomEventSchema",
            body=_UPDATE,
        ),
    ),
    Route(
        "DELETE",
        _ONE,
        delete_custom_event_schema,
        managed(_RESOURCE, "delete_custom_event_schema", "Delete a custom event schema", None),
    ),
)
