"""Custom events checked against the project's custom event schemas (Management API).

A custom event schema (``settings.py``'s ``Setting``, ``fields``: ``name`` and ``schema``'s
``properties``) defines an event's metadata. An event of a defined name is checked against
it (Voucherify's ``400 metadata_validation_failed``). An event of no defined name is taken,
as Voucherify creates the event on its first use, unless the fake is strict
(``strict_custom_events``): then it is refused, and so is an earning rule naming a schema
the project lacks (docs/choices.md, "Custom event schemas").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.ledger.metadata_schemas import check_against

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.settings import Setting

__all__ = ["check_event", "check_rule_schema", "event_schema_named"]


def event_schema_named(session: Session, name: str) -> Setting | None:
    """The project's custom event schema for the event ``name``, if it has one."""
    found = session.existing_project
    if found is None:
        return None
    for schema in found.custom_event_schemas.values():
        if schema.fields["name"] == name:
            return schema
    return None


def check_event(session: Session, name: str, metadata: Mapping[str, Any] | None) -> None:
    """Raise 400 when the event's metadata breaks its schema, or (strict) it has none."""
    schema = event_schema_named(session, name)
    if schema is None:
        if session.strict_custom_events:
            raise errors.invalid_payload(
                f"Property .event {name} names no custom event schema of the project "
                "(define it with the Management API first)"
            )
        return
    definitions = {
        key: {"array": False, **definition}
        for key, definition in schema.fields["schema"]["properties"].items()
    }
    check_against(definitions, metadata or {}, defined_only=False, what=f"the {name} event schema")


def check_rule_schema(session: Session, event: str, schema_id: str | None) -> None:
    """Strict only: a custom event rule's ``schema_id`` names the project's schema of ``event``.

    Raises 404 ``not_found`` for an ID no schema has, 400 ``invalid_payload`` for the schema
    of another event.
    """
    if not session.strict_custom_events or schema_id is None:
        return
    found = session.existing_project
    schema = found.custom_event_schemas.get(schema_id) if found is not None else None
    if schema is None:
        raise errors.not_found("custom_event_schema", schema_id)
    if schema.fields["name"] != event:
        raise errors.invalid_payload(
            f"Property .custom_event.schema_id {schema_id} is the schema of the event "
            f"{schema.fields['name']}, not {event}"
        )
