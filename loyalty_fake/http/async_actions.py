"""``/v1/async-actions``: what became of bulk work (imports, bulk updates), by ID or listed.

The fake finishes such work within the request that asks for it: every action is ``DONE``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.async_actions_json import async_action_json
from loyalty_fake.http.common_json import TIMESTAMP
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.paging import LIMIT
from loyalty_fake.http.params import Query

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {"asyncActionId": "The async action's aa_ ID."}

_LIST_QUERY = [
    LIMIT,
    query("end_date", TIMESTAMP, "Only actions scheduled before it."),
]


def get_async_action(call: Call) -> tuple[int, Any]:
    """``GET /v1/async-actions/{asyncActionId}``: one action, with its result."""
    return 200, async_action_json(call.session.async_actions.get(call.params["asyncActionId"]))


def list_async_actions(call: Call) -> tuple[int, Any]:
    """``GET /v1/async-actions``: the newest actions first, without their results."""
    query = Query(call.request.query)
    limit = query.integer("limit", minimum=1, maximum=100, default=10)
    found = call.session.async_actions.newest(limit=limit, end_date=query.moment("end_date"))
    return 200, {
        "object": "list",
        "data_ref": "async_actions",
        "async_actions": [async_action_json(action, with_result=False) for action in found],
    }


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/async-actions",
        list_async_actions,
        Operation(
            "list_async_actions", "The newest async actions", "AsyncActionsList", _LIST_QUERY
        ),
    ),
    Route(
        "GET",
        "/v1/async-actions/{asyncActionId}",
        get_async_action,
        Operation("get_async_action", "Get an async action, with its result", "AsyncActionDone"),
    ),
)
