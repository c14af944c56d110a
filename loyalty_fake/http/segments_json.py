"""Customer segments as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    COUNT,
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)

if TYPE_CHECKING:
    from loyalty_fake.ledger.segments import Segment

__all__ = ["SCHEMAS", "segment_json", "simple_segment_json"]


def segment_json(segment: Segment) -> dict[str, Any]:
    """A segment, as ``POST /v1/segments`` and ``GET /v1/segments/{id}`` answer it."""
    return {
        "id": segment.id,
        "name": segment.name,
        "created_at": format_timestamp(segment.created_at),
        "type": segment.type,
        "filter": segment.filter,
        # The fake works out who is in a segment at once: the initial sync is done.
        "initial_sync_status": "DONE",
        "object": "segment",
    }


def simple_segment_json(segment_id: str, name: str) -> dict[str, Any]:
    """A segment as a customer's segments and events name it (``SimpleSegment``)."""
    return {"id": segment_id, "name": name, "object": "segment"}


SCHEMAS: dict[str, Schema] = {
    "Segment": obj(
        {
            "id": STRING,
            "name": STRING,
            "created_at": TIMESTAMP,
            "type": enum("auto-update", "static"),
            "filter": nullable(FREE_OBJECT),
            "initial_sync_status": const("DONE"),
            "object": const("segment"),
        }
    ),
    "SimpleSegment": obj({"id": STRING, "name": STRING, "object": const("segment")}),
    "CustomerSegmentsList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("SimpleSegment")},
            "total": COUNT,
        }
    ),
}
