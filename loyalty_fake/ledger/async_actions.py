"""Async actions (``aa_``): what a bulk request (an import, a bulk update) answers with.

Voucherify queues such work and reports on it through ``GET /v1/async-actions/{id}``; the
fake does the work within the request and records the action already ``DONE``, dated by
the fake's clock, so a test reads its result at once and the same seed gives the same IDs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.project import Area, note_project

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["ASYNC_ACTION_TYPES", "AsyncAction", "AsyncActionType", "AsyncActions"]

AsyncActionType = Literal[
    "CUSTOMERS.IMPORT_CSV",
    "CUSTOMERS.BULK_UPDATE",
    "CUSTOMERS.METADATA_UPDATE",
    "ORDERS.IMPORT",
    "PRODUCTS.BULK_UPDATE",
    "PRODUCTS.METADATA_UPDATE",
    "PRODUCTS.IMPORT_CSV",
    "SKUS.IMPORT_CSV",
    "VOUCHERS.IMPORT",
    "CAMPAIGN.VOUCHERS_IMPORT",
    "VOUCHERS.BULK_UPDATE",
    "VOUCHERS.METADATA_UPDATE",
    "VOUCHERS.IMPORT_CSV",
    "CAMPAIGN.VOUCHERS_IMPORT_CSV",
    "CAMPAIGN.VOUCHERS_GENERATE",
    "CAMPAIGN.VOUCHERS_DELETE",
]
ASYNC_ACTION_TYPES: tuple[AsyncActionType, ...] = (
    "CUSTOMERS.IMPORT_CSV",
    "CUSTOMERS.BULK_UPDATE",
    "CUSTOMERS.METADATA_UPDATE",
    "ORDERS.IMPORT",
    "PRODUCTS.BULK_UPDATE",
    "PRODUCTS.METADATA_UPDATE",
    "PRODUCTS.IMPORT_CSV",
    "SKUS.IMPORT_CSV",
    "VOUCHERS.IMPORT",
    "CAMPAIGN.VOUCHERS_IMPORT",
    "VOUCHERS.BULK_UPDATE",
    "VOUCHERS.METADATA_UPDATE",
    "VOUCHERS.IMPORT_CSV",
    "CAMPAIGN.VOUCHERS_IMPORT_CSV",
    "CAMPAIGN.VOUCHERS_GENERATE",
    "CAMPAIGN.VOUCHERS_DELETE",
)
OperationStatus = Literal["SUCCESS", "FAILED", "UNKNOWN"]


@attrs.frozen
class AsyncAction:
    """One finished async action: its ``type``, ``result`` and when it ran.

    The fake finishes the work within the request: ``status`` is ``DONE``, ``progress``
    100 and ``processing_time`` 0, ``updated_at`` the same instant as ``created_at``.
    """

    id: str
    type: str
    created_at: dt.datetime
    request_id: str
    result: dict[str, Any]
    operation_status: str = "SUCCESS"
    seq: int = 0

    @property
    def updated_at(self) -> dt.datetime:
        """When the action finished: at once, in the fake."""
        return self.created_at


class AsyncActions(Area):
    """A project's async actions."""

    __slots__ = ()

    def record(
        self,
        type: str,  # noqa: A002 - Voucherify's own field name
        result: dict[str, Any],
        operation_status: OperationStatus | None = None,
    ) -> AsyncAction:
        """Record a finished action of ``type`` with ``result``; returns it.

        ``operation_status`` defaults to ``SUCCESS`` unless the result counts failures
        and nothing done (``FAILED``).
        """
        project = self._project
        session = self._session
        if operation_status is None:
            failed = result.get("failed_count") or 0
            operation_status = "FAILED" if failed and not result.get("done_count") else "SUCCESS"
        if session.undo is not None:
            note_project(session.undo, project)
        action = AsyncAction(
            id=session.ids.async_action_id(),
            type=type,
            created_at=session.clock.now(),
            request_id="v-" + session.ids.async_action_id()[3:],
            result=result,
            operation_status=operation_status,
            seq=project.take_seq(),
        )
        project.async_actions[action.id] = action
        return action

    def get(self, action_id: str) -> AsyncAction:
        """The action ``action_id``; 404 ``not_found`` (async_action) otherwise."""
        found = self._project.async_actions.get(action_id)
        if found is None:
            raise errors.not_found("async_action", action_id)
        return found

    def newest(self, *, limit: int, end_date: dt.datetime | None = None) -> list[AsyncAction]:
        """Up to ``limit`` actions, newest first; only those created before ``end_date``."""
        found = [
            action
            for action in reversed(self._project.async_actions.values())
            if end_date is None or action.created_at < end_date
        ]
        return found[:limit]
