"""``/v1/segments``: customer segments created, read and deleted; a customer's segments.

A static segment lists its customers; an ``auto-update`` one takes a filter over customer
fields and metadata, in the filter grammar the lists' ``filters`` use
(``loyalty_fake.http.filters.parse_filter_object``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import FREE_OBJECT, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.filters import parse_filter_object
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.http.segments_json import segment_json, simple_segment_json
from loyalty_fake.ledger.segments import MAX_STATIC_CUSTOMERS, SEGMENT_FIELDS

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {"segmentId": "A customer segment's ID (seg_)."}

_CREATE_SEGMENT: Schema = {
    "type": "object",
    "required": ["name", "type"],
    "properties": {
        "name": NON_EMPTY,
        "type": enum("static", "auto-update"),
        # static: the customers' IDs (or source_ids), each of an existing customer.
        "customers": {"type": "array", "items": NON_EMPTY, "maxItems": MAX_STATIC_CUSTOMERS},
        # auto-update: {junction, <field>: {conditions: {<condition>: value}}}.
        "filter": FREE_OBJECT,
    },
}


def _customers(body: Body) -> list[str]:
    body.require("customers")
    raw = body.data["customers"]
    if not isinstance(raw, list) or not all(isinstance(ref, str) and ref.strip() for ref in raw):
        body.fail("customers", "must be array of non-empty strings")
    return list(raw)


def create_segment(call: Call) -> tuple[int, Any]:
    """``POST /v1/segments``: a static segment of the customers given, or an auto-update one."""
    body = Body(parse_json_body(call.request))
    body.require("name")
    name = body.string("name", non_empty=True)
    body.require("type")
    kind = body.choice("type", ("static", "auto-update"))
    assert name is not None  # noqa: S101 - require() and string() leave nothing else
    segments = call.session.segments
    if kind == "static":
        made = segments.create(name, "static", customers=_customers(body))
    else:
        body.require("filter")
        given = body.mapping("filter")
        assert given is not None  # noqa: S101 - require() and mapping() leave nothing else
        conditions = parse_filter_object(given, SEGMENT_FIELDS, metadata=True)
        made = segments.create(name, "auto-update", conditions=conditions, filter_json=dict(given))
    return 200, segment_json(made)


def get_segment(call: Call) -> tuple[int, Any]:
    """``GET /v1/segments/{segmentId}``."""
    return 200, segment_json(call.session.segments.get(call.params["segmentId"]))


def delete_segment(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/segments/{segmentId}``: 204."""
    call.session.segments.delete(call.params["segmentId"])
    return 204, None


def list_customer_segments(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers/{customerId}/segments``: the segments the customer is in."""
    found = call.session.segments.of_customer(call.params["customerId"])
    data = [simple_segment_json(segment.id, segment.name) for segment in found]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


_SEGMENT = "/v1/segments/{segmentId}"

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/segments",
        create_segment,
        Operation(
            "create_segment",
            "Create a static or auto-update customer segment; its customers enter it now",
            "Segment",
            body=_CREATE_SEGMENT,
            errors=" 404 a static segment's unknown customer.",
        ),
    ),
    Route("GET", _SEGMENT, get_segment, Operation("get_segment", "A customer segment", "Segment")),
    Route(
        "DELETE",
        _SEGMENT,
        delete_segment,
        Operation("delete_segment", "Delete a customer segment", None),
    ),
    Route(
        "GET",
        "/v1/customers/{customerId}/segments",
        list_customer_segments,
        Operation(
            "list_customer_segments",
            "The segments a customer is in (for an unknown one, those they would be in)",
            "CustomerSegmentsList",
        ),
    ),
)
