"""A project's settings, as the Management API keeps them: its own fields and its records.

The project's fields (name, currency, keys of a project the Management API created, ...)
are what was set, the rest their defaults (the HTTP layer shows both). Its stacking rules,
metadata schemas and custom event schemas are ``Setting`` records, each a body the HTTP
layer checked, by ID. Every change is undone with the unit that made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.stacked_checkout import STACKING_RULES

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ids import IdGenerator
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.session import Session

__all__ = ["KINDS", "Kind", "Setting", "Settings", "new_keys", "stacking_rules"]

Kind = Literal["stacking_rules", "metadata_schemas", "custom_event_schemas"]
# Each kind: its ID prefix and length (Voucherify's stk_0e9b71a0be48e967f3, ms_...),
# and the resource type its 404 names.
KINDS: dict[Kind, tuple[str, int, str]] = {
    "stacking_rules": ("stk_", 18, "stacking_rules"),
    "metadata_schemas": ("ms_", 24, "metadata_schema"),
    "custom_event_schemas": ("ms_", 24, "custom_event_schema"),
}
_HEX = "0123456789abcdef"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@attrs.frozen
class Setting:
    """One record of a project's settings: stacking rules, a metadata or custom event schema.

    ``fields`` is its body as the Management API took it (checked by the HTTP layer).
    """

    id: str
    fields: Mapping[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime | None = None


def new_keys(ids: IdGenerator) -> dict[str, str]:
    """Fresh server-side and client-side keys for a project the Management API creates."""

    def uuid() -> str:
        raw = ids.chars(_HEX, 32)
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

    return {
        "app_id": uuid(),
        "app_token": uuid(),
        "client_app_id": uuid(),
        "client_token": uuid(),
    }


class Settings(Area):
    """A project's settings (see the module)."""

    __slots__ = ()

    def fields(self) -> dict[str, Any]:
        """The project's fields the Management API set (a copy; none for a new project)."""
        found = self._session.existing_project
        return dict(found.settings) if found is not None else {}

    def update(self, fields: Mapping[str, Any]) -> None:
        """Set the project's fields (those not named keep their value)."""
        project = self._project
        undo = self._session.undo
        if undo is not None:
            undo.keep(project.settings)
        project.settings.update(fields)

    def records(self, kind: Kind) -> list[Setting]:
        """Every record of ``kind``, oldest first (none for a project never used)."""
        found = self._session.existing_project
        return list(_store(found, kind).values()) if found is not None else []

    def get(self, kind: Kind, record_id: str) -> Setting:
        """The record of ``kind`` with ID ``record_id``; 404 ``not_found`` otherwise."""
        found = self._session.existing_project
        record = _store(found, kind).get(record_id) if found is not None else None
        if record is None:
            raise errors.not_found(KINDS[kind][2], record_id)
        return record

    def create(self, kind: Kind, fields: Mapping[str, Any]) -> Setting:
        """A new record of ``kind`` with ``fields``."""
        project = self._project
        session = self._session
        prefix, length, _ = KINDS[kind]
        alphabet = _HEX if kind == "stacking_rules" else _ALNUM
        made = Setting(
            id=prefix + session.ids.chars(alphabet, length),
            fields=dict(fields),
            created_at=session.clock.now(),
        )
        undo = session.undo
        if undo is not None:
            note_project(undo, project)
        _store(project, kind)[made.id] = made
        return made

    def update_record(self, kind: Kind, record_id: str, fields: Mapping[str, Any]) -> Setting:
        """The record with ``fields`` set over its own; 404 ``not_found`` for none."""
        found = self.get(kind, record_id)
        store = _store(self._project, kind)
        undo = self._session.undo
        if undo is not None:
            undo.keep(store)
        changed = attrs.evolve(
            found, fields={**found.fields, **fields}, updated_at=self._session.clock.now()
        )
        store[record_id] = changed
        return changed

    def delete(self, kind: Kind, record_id: str) -> None:
        """Delete a record; 404 ``not_found`` for none."""
        self.get(kind, record_id)
        store = _store(self._project, kind)
        undo = self._session.undo
        if undo is not None:
            undo.keep(store)
        del store[record_id]


def _store(project: Project, kind: Kind) -> dict[str, Setting]:
    stores: dict[Kind, dict[str, Setting]] = {
        "stacking_rules": project.stacking_rules,
        "metadata_schemas": project.metadata_schemas,
        "custom_event_schemas": project.custom_event_schemas,
    }
    return stores[kind]


def stacking_rules(session: Session) -> dict[str, Any]:
    """The project's stacking rules in effect: its own (Management API) over the defaults.

    The defaults are Voucherify's (``STACKING_RULES``); a project has one set of its own
    at most (the Management API refuses a second).
    """
    rules = dict(STACKING_RULES)
    found = session.existing_project
    if found is not None and found.stacking_rules:
        rules.update(next(iter(found.stacking_rules.values())).fields)
    return rules
