"""Webhook configurations (the Management API's project webhooks) and the signing token.

A project's webhooks are records like any other: durable, reset and snapshot with the
project. What they are sent (the events) is the HTTP layer's: ``loyalty_fake.webhooks``
turns each committed unit's ``Activity`` reports into Voucherify's webhook events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import derived_id
from loyalty_fake.ledger.project import Area

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from loyalty_fake.ledger.session import Session

__all__ = ["Webhook", "Webhooks", "active_webhooks", "next_event_number"]


@attrs.define
class Webhook:
    """One webhook configuration: where to send which events, and whether to send them."""

    id: str
    target_url: str
    events: Sequence[str]
    active: bool
    created_at: dt.datetime


class Webhooks(Area):
    """A project's webhook configurations, and the token they are signed with."""

    __slots__ = ()

    def list(self) -> list[Webhook]:
        """Every webhook configuration, oldest first."""
        return list(self._project.webhooks.values())

    def get(self, webhook_id: str) -> Webhook:
        """The webhook ``webhook_id``; 404 ``not_found`` otherwise."""
        found = self._project.webhooks.get(webhook_id)
        if found is None:
            raise errors.not_found("webhook", webhook_id)
        return found

    def create(self, target_url: str, events: Sequence[str], *, active: bool = True) -> Webhook:
        """A new webhook configuration."""
        session = self._session
        project = self._project
        # Derived from the project's salt and a count, not drawn: configuring a webhook
        # must not move the IDs of everything created after it.
        number = len(project.webhooks) + project.webhooks_deleted + 1
        made = Webhook(
            id=derived_id("wh_", f"{project.salt}/webhook/{number}", 24),
            target_url=target_url,
            events=list(events),
            active=active,
            created_at=session.clock.now(),
        )
        undo = session.undo
        if undo is not None:
            undo.keep(project.webhooks)
        project.webhooks[made.id] = made
        return made

    def update(
        self, webhook_id: str, target_url: str, events: Sequence[str], *, active: bool
    ) -> Webhook:
        """Replace a webhook's URL, events (all of them, as Voucherify does) and state."""
        found = self.get(webhook_id)
        undo = self._session.undo
        if undo is not None:
            undo.touch(found)
        found.target_url = target_url
        found.events = list(events)
        found.active = active
        return found

    def delete(self, webhook_id: str) -> None:
        """Delete a webhook configuration: nothing is sent to it from now on."""
        project = self._project
        self.get(webhook_id)
        undo = self._session.undo
        if undo is not None:
            undo.keep(project.webhooks)
            undo.touch(project)
        del project.webhooks[webhook_id]
        project.webhooks_deleted += 1

    def token(self) -> str:
        """The project's ``webhook_token``, the secret its webhooks are signed with."""
        project = self._project
        return project.webhook_token or derived_id("", f"{project.salt}/webhook_token", 32)

    def set_token(self, token: str) -> None:
        """Sign the project's webhooks with ``token`` from now on (its project settings)."""
        project = self._project
        undo = self._session.undo
        if undo is not None:
            undo.touch(project)
        project.webhook_token = token


def next_event_number(area: Area) -> int:
    """Count one more webhook event for the area's project (undone with its unit)."""
    project = area._project  # noqa: SLF001 - the area's own project
    undo = area._session.undo  # noqa: SLF001 - as above
    if undo is not None:
        undo.touch(project)
    project.webhook_events += 1
    return project.webhook_events


def active_webhooks(session: Session) -> list[Webhook]:
    """The active webhook configurations of ``session``'s project (none if it has none yet)."""
    project = session.existing_project
    if project is None:
        return []
    return [webhook for webhook in project.webhooks.values() if webhook.active]
