"""``/management/v1/projects``: the fake's projects (one a ``X-App-Id``) through the Management API.

A project the fake knows (configured keys, or one a request used) is listed with its
settings; creating one makes a new project with app keys of its own, which the fake then
accepts (``FakeVoucherifyApp._authorized``); deleting one forgets all it holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.http.projects_json import USAGE_NOTIFICATIONS, project_json
from loyalty_fake.ledger.settings import Settings, new_keys

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES", "management_errors"]

PATH_PARAMETERS = {"projectId": "A project's Management API ID (proj_)."}

_BOOLEANS = (
    "case_sensitive_codes",
    "client_redeem_enabled",
    "client_publish_enabled",
    "client_list_vouchers_enabled",
    "client_create_customer_enabled",
    "client_loyalty_events_enabled",
    "client_set_voucher_expiration_date_enabled",
)
_STRINGS = ("name", "description", "timezone", "currency", "dial_code", "cluster_id")
_CHOICES = {"api_version": ("v2018-08-01",), "webhook_version": ("v2024-01-01",)}
_NOTIFICATION: Schema = {
    "type": "object",
    "required": ["enabled", "value", "emails", "in_app"],
    "properties": {
        "enabled": {"type": "boolean"},
        "value": {"type": "integer", "minimum": 10, "maximum": 90},
        "in_app": {"type": "boolean"},
        "emails": {"type": "array", "items": {"type": "string"}},
    },
}
_CALLOUT: Schema = {
    "type": "object",
    "required": ["email", "in_app", "emails"],
    "properties": {
        "email": {"type": "boolean"},
        "in_app": {"type": "boolean"},
        "emails": {"type": "array", "items": {"type": "string"}},
    },
}
_STRING_LIST: Schema = {"type": "array", "items": {"type": "string"}}
_PROPERTIES: Schema = {
    **{name: {"type": "string"} for name in _STRINGS},
    "name": NON_EMPTY,
    **{name: {"type": "boolean"} for name in _BOOLEANS},
    **{name: {"type": "string", "enum": list(values)} for name, values in _CHOICES.items()},
    "client_trusted_domains": _STRING_LIST,
    "api_usage_notifications": {
        "type": "object",
        "properties": dict.fromkeys(USAGE_NOTIFICATIONS, _NOTIFICATION),
    },
    "webhooks_callout_notifications": {
        "type": "object",
        "properties": {"distributions": _CALLOUT, "webhooks": _CALLOUT},
    },
    "users": {"type": "array", "items": {"type": "object"}},
}
_CREATE_BODY: Schema = {
    "type": "object",
    "required": ["name", "case_sensitive_codes", "timezone", "currency"],
    "properties": _PROPERTIES,
}
_UPDATE_BODY: Schema = {"type": "object", "properties": _PROPERTIES}


def _strings(body: Body, key: str) -> list[str] | None:
    value = body.data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
        body.fail(key, "must be array of strings")
    return list(value)


def _notification(body: Body, key: str, fields: dict[str, str]) -> dict[str, Any] | None:
    """A nested settings object whose ``fields`` are all required (name: kind)."""
    found = body.obj(key)
    if found is None:
        return None
    parsed: dict[str, Any] = {}
    for name, kind in fields.items():
        found.require(name)
        if kind == "boolean":
            parsed[name] = found.boolean(name)
        elif kind == "percent":
            parsed[name] = found.integer(name, minimum=10, maximum=90)
        else:
            parsed[name] = _strings(found, name)
    return parsed


def _grouped(body: Body, key: str, names: tuple[str, ...], fields: dict[str, str]) -> Any:
    found = body.obj(key)
    if found is None:
        return None
    return {
        name: value for name in names if (value := _notification(found, name, fields)) is not None
    }


def _project_fields(call: Call, *, create: bool) -> dict[str, Any]:
    """The settings a create or update body sets, checked; 400 ``invalid_payload`` else."""
    body = Body(parse_json_body(call.request))
    if create:
        for name in _CREATE_BODY["required"]:
            body.require(name)
    fields: dict[str, Any] = {}
    for name in _STRINGS:
        fields[name] = body.string(name, non_empty=name == "name")
    for name in _BOOLEANS:
        fields[name] = body.boolean(name)
    for name, allowed in _CHOICES.items():
        fields[name] = body.choice(name, allowed)
    fields["client_trusted_domains"] = _strings(body, "client_trusted_domains")
    notify = {"enabled": "boolean", "value": "percent", "in_app": "boolean", "emails": "list"}
    fields["api_usage_notifications"] = _grouped(
        body, "api_usage_notifications", USAGE_NOTIFICATIONS, notify
    )
    callout = {"email": "boolean", "in_app": "boolean", "emails": "list"}
    fields["webhooks_callout_notifications"] = _grouped(
        body, "webhooks_callout_notifications", ("distributions", "webhooks"), callout
    )
    return {name: value for name, value in fields.items() if value is not None}


def management_errors(resource: str) -> str:
    """The errors every Management API operation on ``resource`` may answer."""
    return f" 401 unauthorized: no or wrong management keys. 404 not_found: no such {resource}."


def managed(
    resource: str, operation_id: str, summary: str, response: str | None, **more: Any
) -> Operation:
    """The declaration of a Management API operation on ``resource`` (management keys)."""
    return Operation(
        operation_id, summary, response, errors=management_errors(resource), management=True, **more
    )


def list_projects(call: Call) -> tuple[int, Any]:
    """``GET /management/v1/projects``: every project the fake knows."""
    data = [
        project_json(app_id, Settings(call.session.other_project(app_id)).fields())
        for app_id in call.projects
    ]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def create_project(call: Call) -> tuple[int, Any]:
    """``POST /management/v1/projects``: a new project, with app keys the fake accepts."""
    fields = _project_fields(call, create=True)
    keys = new_keys(call.session.ids)
    app_id = keys.pop("app_id")
    settings = Settings(call.session.other_project(app_id))
    settings.update({**fields, **keys})
    return 200, project_json(app_id, settings.fields(), keys=True)


def get_project(call: Call) -> tuple[int, Any]:
    """``GET /management/v1/projects/{projectId}``."""
    return 200, project_json(call.session.app_id, Settings(call.session).fields())


def update_project(call: Call) -> tuple[int, Any]:
    """``PUT /management/v1/projects/{projectId}``: the fields the body names change."""
    fields = _project_fields(call, create=False)
    settings = Settings(call.session)
    current = settings.fields()
    for key, value in fields.items():
        if isinstance(value, dict):  # a notification group: what it names changes
            fields[key] = {**current.get(key, {}), **value}
    if fields:
        settings.update(fields)
    return 200, project_json(call.session.app_id, settings.fields())


def delete_project(call: Call) -> tuple[int, Any]:
    """``DELETE /management/v1/projects/{projectId}``: 204; the project and all it holds go."""
    call.session.forget_project()
    return 204, None


_PROJECTS = "/management/v1/projects"
_PROJECT = "/management/v1/projects/{projectId}"

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        _PROJECTS,
        list_projects,
        Operation(
            "list_projects",
            "The fake's projects (one an X-App-Id)",
            "ManagementProjectsList",
            errors=management_errors("project"),
            management=True,
        ),
    ),
    Route(
        "POST",
        _PROJECTS,
        create_project,
        Operation(
            "create_project",
            "Create a project with app keys of its own",
            "ManagementProjectCreated",
            body=_CREATE_BODY,
            errors=management_errors("project"),
            management=True,
        ),
    ),
    Route(
        "GET",
        _PROJECT,
        get_project,
        Operation(
            "get_project",
            "A project",
            "ManagementProject",
            errors=management_errors("project"),
            management=True,
        ),
    ),
    Route(
        "PUT",
        _PROJECT,
        update_project,
        Operation(
            "update_project",
            "Update a project's settings",
            "ManagementProject",
            body=_UPDATE_BODY,
            errors=management_errors("project"),
            management=True,
        ),
    ),
    Route(
        "DELETE",
        _PROJECT,
        delete_project,
        Operation(
            "delete_project",
            "Delete a project and all it holds",
            None,
            errors=management_errors("project"),
            management=True,
        ),
    ),
)
