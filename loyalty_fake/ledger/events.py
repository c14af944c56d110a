"""Custom events (``POST /v1/events``): what a customer did, for the earning rules of that event.

Tracking one creates the customer when missing (or updates the profile given) and makes a
``customer.custom_event`` activity, to which the earning rules react (``earning.py``).
``loyalty.code`` attributes the event to that card, and so to its program only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import customer_event_id
from loyalty_fake.ledger.activities import Activity
from loyalty_fake.ledger.custom_events import check_event
from loyalty_fake.ledger.earning import CUSTOM_EVENT
from loyalty_fake.ledger.event_names import is_built_in_event
from loyalty_fake.ledger.project import Area, note_growth
from loyalty_fake.ledger.segments import CustomerEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.customers import Customer, CustomerRef

__all__ = ["Events", "TrackedEvent"]


@attrs.frozen
class TrackedEvent:
    """A custom event as tracked: its name, customer, metadata and ``evcus_`` ID."""

    id: str
    name: str
    customer: Customer
    metadata: dict[str, Any] | None = None


class Events(Area):
    """A project's custom events."""

    __slots__ = ()

    def track(
        self,
        name: str,
        customer: CustomerRef,
        *,
        code: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> TrackedEvent:
        """Track the custom event ``name`` of a customer (created when missing).

        ``code``: the loyalty card the event is attributed to; 404 for an unknown card.
        The earning rules of ``name`` react before the request ends. One of Voucherify's
        own event names (``order.paid``, ``customer.segment.entered``, ...) is 400
        ``invalid_payload``: it would pass for that event.
        """
        if is_built_in_event(name):
            raise errors.invalid_payload(
                f"Property .event {name} is the name of a Voucherify event; "
                "a custom event needs a name of its own"
            )
        check_event(self._session, name, metadata)
        project = self._project
        if code is not None and project.cards.get(code) is None:
            raise errors.not_found("voucher", code)
        customers = self._session.customers
        plan = customers.plan(project, customer)
        who = customers.commit(project, plan, self._session.clock.now())
        undo = self._session.undo
        if undo is not None:
            note_growth(undo, project, project.customer_events)
        event_id = customer_event_id(f"{who.id}/{name}", project.take_seq())
        data: dict[str, Any] = {
            "name": name,
            "customer_id": who.id,
            "event_id": event_id,
            "metadata": dict(metadata) if metadata else None,
            "code": code,
        }
        # Kept for the customer's activity (GET /v1/customers/{id}/activity).
        project.customer_events.append(
            CustomerEvent(
                id=event_id,
                type=CUSTOM_EVENT,
                customer_id=who.id,
                created_at=self._session.clock.now(),
                seq=project.next_seq,
                data={"name": name, "metadata": data["metadata"], "code": code},
            )
        )
        self._session.happened(Activity(CUSTOM_EVENT, data))
        return TrackedEvent(event_id, name, who, data["metadata"])
