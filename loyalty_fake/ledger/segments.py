"""Customer segments: static (a list of customers) and auto-update (a filter over customers).

An ``auto-update`` segment's filter is a ``Filter`` of the one filter grammar
(``loyalty_fake.filters``) over a customer's fields, address lines and metadata. Who is in
it is worked out when the segment is created and whenever a customer is created or
changed (the ``customer.created``/``customer.updated`` activities ``Customers.commit``
reports; ``session.py``'s ``REACTIONS``): time passing alone moves no one
(docs/choices.md). A customer who comes in makes a ``customer.segment.entered`` activity,
to which the earning rules of that segment react; by default only the first time
(``segment_reentry_earns``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.filters import FilterField, Kind
from loyalty_fake.ids import customer_event_id
from loyalty_fake.ledger.activities import Activity
from loyalty_fake.ledger.customers import ADDRESS_FIELDS
from loyalty_fake.ledger.project import Area, note_growth, note_project

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.filters import Filter
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.session import Session

__all__ = [
    "CUSTOMER_CHANGED",
    "MAX_STATIC_CUSTOMERS",
    "SEGMENT_ENTERED",
    "SEGMENT_FIELDS",
    "SEGMENT_LEFT",
    "CustomerEvent",
    "Segment",
    "SegmentType",
    "Segments",
    "customer_record",
    "react_to_customer",
]

SegmentType = Literal["static", "auto-update"]
SEGMENT_ENTERED = "customer.segment.entered"
SEGMENT_LEFT = "customer.segment.left"
# What Customers.commit reports when a customer is created or changed.
CUSTOMER_CHANGED = "customer.updated"
# "There is a cap on the number of customers that you can assign to a static segment:
# 20,000" (POST /v1/segments).
MAX_STATIC_CUSTOMERS = 20_000

# The customer fields an auto-update segment's filter takes (metadata.<key> besides).
SEGMENT_FIELDS: dict[str, FilterField] = {
    **{
        name: FilterField(Kind.STRING)
        for name in (
            "id",
            "source_id",
            "name",
            "email",
            "phone",
            "description",
            "birthdate",
            "birthday",
            *(f"address.{line}" for line in ADDRESS_FIELDS),
        )
    },
    "created_at": FilterField(Kind.DATE_TIME),
    "updated_at": FilterField(Kind.DATE_TIME),
}


@attrs.frozen
class CustomerEvent:
    """One event of a customer's activity the fake keeps (a custom event, a segment entered).

    ``data``: what the event names (the custom event's name and metadata; the segment's
    ID and name).
    """

    id: str
    type: str
    customer_id: str
    created_at: dt.datetime
    seq: int
    data: dict[str, Any]


@attrs.define
class Segment:
    """A customer segment (``seg_``): its customers now, and every one that ever entered."""

    id: str
    name: str
    created_at: dt.datetime
    seq: int
    type: SegmentType
    # The filter as the request gave it (shown back), and as conditions.
    filter: dict[str, Any] | None
    conditions: Filter | None
    members: dict[str, None] = attrs.field(factory=dict)
    entered: dict[str, None] = attrs.field(factory=dict)


def customer_record(customer: Customer | None, source_id: str | None = None) -> dict[str, Any]:
    """A customer as the filter grammar reads it: fields, ``address.<line>``, ``metadata.<key>``.

    ``customer`` None: someone not yet a customer, known by ``source_id`` only.
    """
    if customer is None:
        return {"source_id": source_id}
    record: dict[str, Any] = {
        "id": customer.id,
        "source_id": customer.source_id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "description": customer.description,
        "birthdate": customer.birthdate,
        "birthday": customer.birthday,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at or customer.created_at,
    }
    for line, value in (customer.address or {}).items():
        record[f"address.{line}"] = value
    for key, value in (customer.metadata or {}).items():
        record[f"metadata.{key}"] = value
    return record


class Segments(Area):
    """A project's customer segments."""

    __slots__ = ()

    def create(
        self,
        name: str,
        kind: SegmentType,
        *,
        customers: list[str] | None = None,
        conditions: Filter | None = None,
        filter_json: dict[str, Any] | None = None,
    ) -> Segment:
        """Create a segment; its customers enter now.

        ``customers`` (static): IDs or source_ids, each of an existing customer (404
        otherwise), at most ``MAX_STATIC_CUSTOMERS`` (400). ``conditions`` (auto-update):
        the filter every customer is checked against.
        """
        project = self._project
        found: dict[str, None] = {}
        if kind == "static":
            if len(customers or ()) > MAX_STATIC_CUSTOMERS:
                raise errors.invalid_payload(
                    f"Property .customers must NOT have more than {MAX_STATIC_CUSTOMERS} items"
                )
            for ref in customers or ():
                found[self._session.customers.get(ref).id] = None
        now = self._session.clock.now()
        undo = self._session.undo
        if undo is not None:
            note_project(undo, project)
        segment = Segment(
            id=self._session.ids.segment_id(),
            name=name,
            created_at=now,
            seq=project.take_seq(),
            type=kind,
            filter=filter_json if kind == "auto-update" else None,
            conditions=conditions if kind == "auto-update" else None,
        )
        if undo is not None:
            undo.first(segment)  # new: nothing of it to put back
        project.segments[segment.id] = segment
        if kind == "static":
            for customer_id in found:
                self._enter(segment, customer_id, now)
        else:
            for customer in self._session.customers.all():
                if segment.conditions is None or segment.conditions.matches(
                    customer_record(customer), now
                ):
                    self._enter(segment, customer.id, now)
        return segment

    def get(self, segment_id: str) -> Segment:
        """The segment ``segment_id``; 404 ``not_found`` (segment) otherwise."""
        found = self._project.segments.get(segment_id)
        if found is None:
            raise errors.not_found("segment", segment_id)
        return found

    def delete(self, segment_id: str) -> None:
        """Delete the segment ``segment_id``; 404 if none. Points its rules gave stay."""
        segment = self.get(segment_id)
        segments = self._project.segments
        if self._session.undo is not None:
            self._session.undo.keep(segments)
        del segments[segment.id]

    def of_customer(self, ref: str) -> list[Segment]:
        """The segments customer ``ref`` (ID or source_id) is in, oldest first.

        Someone not a customer yet gets the auto-update segments they would be in
        (the spec: "segments that the customer would potentially qualify for").
        """
        customer = self._session.customers.find(self._project, ref)
        segments = self._project.segments.values()
        if customer is not None:
            return [s for s in segments if customer.id in s.members]
        record = customer_record(None, ref)
        now = self._session.clock.now()
        return [
            s for s in segments if s.conditions is not None and s.conditions.matches(record, now)
        ]

    def members_of(self, segment_id: str) -> dict[str, None] | None:
        """The IDs of the customers in segment ``segment_id`` now; ``None`` for no such segment."""
        found = self._project.segments.get(segment_id)
        return found.members if found is not None else None

    def events_of(self, customer_id: str) -> list[CustomerEvent]:
        """The customer events kept of ``customer_id`` (custom events, segments entered)."""
        return [e for e in self._project.customer_events if e.customer_id == customer_id]

    def refresh(self, customer: Customer) -> None:
        """Check ``customer`` against every auto-update segment: some enter, some leave."""
        now = self._session.clock.now()
        record: dict[str, Any] | None = None
        for segment in self._project.segments.values():
            if segment.conditions is None:
                continue
            if record is None:
                record = customer_record(customer)
            inside = customer.id in segment.members
            if segment.conditions.matches(record, now) != inside:
                if inside:
                    self._note(segment)
                    del segment.members[customer.id]
                    self._event(segment, customer.id, SEGMENT_LEFT, now)
                else:
                    self._enter(segment, customer.id, now)

    def _note(self, segment: Segment) -> None:
        undo = self._session.undo
        if undo is not None:
            undo.keep(segment.members)
            undo.keep(segment.entered)

    def _enter(self, segment: Segment, customer_id: str, now: dt.datetime) -> None:
        """``customer_id`` comes into ``segment``: an entry in their activity.

        The earning rules react to the first entry only, unless re-entries earn.
        """
        self._note(segment)
        segment.members[customer_id] = None
        first = customer_id not in segment.entered
        segment.entered[customer_id] = None
        event = self._event(segment, customer_id, SEGMENT_ENTERED, now)
        if not first and not self._session.earning_choices.segment_reentry_earns:
            return
        self._session.happened(
            Activity(
                SEGMENT_ENTERED,
                {"customer_id": customer_id, "segment_id": segment.id, "event_id": event.id},
            )
        )

    def _event(
        self, segment: Segment, customer_id: str, kind: str, now: dt.datetime
    ) -> CustomerEvent:
        """Record that ``customer_id`` entered or left ``segment``, in their activity."""
        project = self._project
        undo = self._session.undo
        if undo is not None:
            note_growth(undo, project, project.customer_events)
        event = CustomerEvent(
            id=customer_event_id(f"{customer_id}/{segment.id}", project.take_seq()),
            type=kind,
            customer_id=customer_id,
            created_at=now,
            seq=project.next_seq,
            data={"segment_id": segment.id, "segment_name": segment.name},
        )
        project.customer_events.append(event)
        return event


def react_to_customer(session: Session, activity: Activity) -> None:
    """A customer created or changed: the auto-update segments they now fit, or no longer do."""
    customer = session.project.live_customer(activity.data["customer_id"])
    if customer is not None:
        session.segments.refresh(customer)
