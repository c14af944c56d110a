"""Async actions as Voucherify's JSON (``AsyncActionGetResponseBody``, the list), with schemas."""

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
    obj,
    ref,
)
from loyalty_fake.ledger.async_actions import ASYNC_ACTION_TYPES

if TYPE_CHECKING:
    from loyalty_fake.ledger.async_actions import AsyncAction

__all__ = ["SCHEMAS", "async_action_json"]


def async_action_json(action: AsyncAction, *, with_result: bool = True) -> dict[str, Any]:
    """One async action; the list leaves out ``result``, as Voucherify's does."""
    found: dict[str, Any] = {
        "id": action.id,
        "type": action.type,
        "status": "DONE",
        "operation_status": action.operation_status,
    }
    if with_result:
        found["result"] = action.result
    found.update(
        created_at=format_timestamp(action.created_at),
        updated_at=format_timestamp(action.updated_at),
        request_id=action.request_id,
        progress=100,
        processing_time=0,
        object="async_action",
    )
    return found


_BASE: dict[str, Schema] = {
    "id": STRING,
    "type": enum(*ASYNC_ACTION_TYPES),
    "status": const("DONE"),
    "operation_status": enum("SUCCESS", "FAILED", "UNKNOWN"),
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "request_id": STRING,
    "progress": const(100),
    "processing_time": COUNT,
    "object": const("async_action"),
}

SCHEMAS: dict[str, Schema] = {
    "AsyncActionListed": obj(_BASE),
    "AsyncActionDone": obj({**_BASE, "result": FREE_OBJECT}),
    "AsyncActionsList": obj(
        {
            "object": const("list"),
            "data_ref": const("async_actions"),
            "async_actions": {"type": "array", "items": ref("AsyncActionListed")},
        }
    ),
}
