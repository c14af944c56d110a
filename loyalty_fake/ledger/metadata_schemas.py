"""Metadata checked against the project's metadata schema for its object (``campaign``, ...).

A project's metadata schemas are ``Setting`` records (``settings.py``) whose ``fields`` are
the Management API's body: ``related_object``, ``properties`` (each a definition: ``type``,
``optional``, ``array``, and ``eq``, ``ne``, ``lt``, ... constraints) and
``allow_defined_only``. Metadata that breaks one is Voucherify's ``400
metadata_validation_failed``, whose ``details`` name the property and what it must be.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from typing import TYPE_CHECKING, Any

from loyalty_fake import errors

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.errors import VoucherifyError
    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.settings import Setting

__all__ = ["check_against", "check_metadata", "checked", "schema_for"]

_IMAGE = re.compile(r"^https?://\S+\.(jpe?g|png)(\?\S*)?$", re.IGNORECASE)
_NAMES = {
    "string": "a string",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "an ISO 8601 date-time",
    "geopoint": "a geopoint",
    "image_url": "a URL pointing to JPG/JPEG or PNG resource",
}


def schema_for(session: Session, related_object: str) -> Setting | None:
    """The project's metadata schema for ``related_object``, if it has one."""
    found = session.existing_project
    if found is None:
        return None
    for schema in found.metadata_schemas.values():
        if schema.fields["related_object"] == related_object:
            return schema
    return None


def check_metadata(session: Session, related_object: str, metadata: Mapping[str, Any]) -> None:
    """Raise 400 ``metadata_validation_failed`` when ``metadata`` breaks the object's schema.

    Without a schema for ``related_object``, any metadata passes.
    """
    schema = schema_for(session, related_object)
    if schema is None:
        return
    check_against(
        schema.fields["properties"],
        metadata,
        defined_only=bool(schema.fields.get("allow_defined_only")),
        what=f"the {related_object} metadata schema",
    )


def check_against(
    definitions: Mapping[str, Mapping[str, Any]],
    metadata: Mapping[str, Any],
    *,
    defined_only: bool,
    what: str,
) -> None:
    """Raise 400 ``metadata_validation_failed`` when ``metadata`` breaks the ``definitions``.

    ``defined_only``: a key with no definition fails too (``what`` names the schema).
    """
    for name, definition in definitions.items():
        if definition.get("deleted"):
            continue
        value = metadata.get(name)
        if value is None:
            if not definition.get("optional", True):
                raise _failed(f"{name}: is required")
            continue
        problem = _problem(definition, value)
        if problem is not None:
            raise _failed(f"{name}: {problem} (actual value is {_show(value)})")
    if defined_only:
        for name in metadata:
            if name not in definitions or definitions[name].get("deleted"):
                raise _failed(f"{name}: is not defined in {what}")


def checked(
    session: Session, related_object: str, metadata: dict[str, Any] | None
) -> dict[str, Any] | None:
    """``metadata`` once ``check_metadata`` passes it (none given: checked as ``{}``)."""
    check_metadata(session, related_object, metadata or {})
    return metadata


def _failed(details: str) -> VoucherifyError:
    return errors.bad_request("metadata_validation_failed", "Metadata validation failed", details)


def _show(value: Any) -> str:
    return f"'{value}'" if not isinstance(value, list | dict) else repr(value)


def _problem(definition: Mapping[str, Any], value: Any) -> str | None:
    """What ``value`` must be and is not, or ``None``."""
    if definition.get("array"):
        if not isinstance(value, list):
            return "must be an array"
        for item in value:
            problem = _one(definition, item)
            if problem is not None:
                return f"must be an array, and every element: {problem}"
        return None
    return _one(definition, value)


def _one(definition: Mapping[str, Any], value: Any) -> str | None:
    kind = definition["type"]
    if not _is(kind, value):
        return f"must be {_NAMES.get(kind, kind)}"
    allowed = definition.get("eq")
    if allowed and value not in allowed:
        return f"must be equal to one of {','.join(map(str, allowed))}"
    refused = definition.get("ne")
    if refused and value in refused:
        return f"must not be equal to any of {','.join(map(str, refused))}"
    if isinstance(value, str):
        return _length(definition, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _bounds(definition, value)
    return None


def _is(kind: str, value: Any) -> bool:  # noqa: PLR0911 - one answer per type
    if kind in {"string", "date", "datetime", "image_url"} and not isinstance(value, str):
        return False
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in {"object", "geopoint"}:
        return isinstance(value, dict)
    if kind == "date":
        return _parses(dt.date.fromisoformat, value)
    if kind == "datetime":
        return _parses(lambda text: dt.datetime.fromisoformat(text.replace("Z", "+00:00")), value)
    if kind == "image_url":
        return bool(_IMAGE.match(value))
    return True


def _parses(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _length(definition: Mapping[str, Any], value: str) -> str | None:
    exact = definition.get("exact_length")
    if exact is not None and len(value) != exact:
        return f"must be exactly {exact} characters long"
    low = definition.get("min_length")
    if low is not None and len(value) < low:
        return f"must be at least {low} characters long"
    high = definition.get("max_length")
    if high is not None and len(value) > high:
        return f"must be at most {high} characters long"
    return None


def _bounds(definition: Mapping[str, Any], value: float) -> str | None:
    checks = (
        ("lt", operator.lt, "less than"),
        ("lte", operator.le, "less than or equal to"),
        ("gt", operator.gt, "greater than"),
        ("gte", operator.ge, "greater than or equal to"),
    )
    for key, holds, words in checks:
        bound = definition.get(key)
        if bound is not None and not holds(value, bound):
            return f"must be {words} {bound}"
    return None
