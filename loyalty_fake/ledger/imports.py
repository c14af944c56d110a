"""Bulk work on customers and orders: imports and bulk updates, each one async action.

Voucherify queues these and reports through an async action (``async_actions.py``); the
fake does the work at once and records the action ``DONE``. One item that fails (an ``id``
that names nothing) is reported in the action's result; the others are done.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Any

from loyalty_fake.clock import format_timestamp
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.customers import CustomerRef

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from loyalty_fake.ledger.async_actions import AsyncAction, AsyncActionType
    from loyalty_fake.ledger.orders import OrderInput
    from loyalty_fake.ledger.session import Session

__all__ = [
    "REPORTS_KEPT",
    "import_customers",
    "import_orders",
    "import_rows",
    "update_customers",
    "update_customers_metadata",
    "upsert_each",
]

# How long a bulk update's report would stay available (the fake writes none).
REPORTS_KEPT = dt.timedelta(days=7)


def _reason(error: VoucherifyError) -> str:
    return error.details or error.message


def _refused(do: Callable[[], object]) -> VoucherifyError | None:
    """Do one item's work; the error that refused it, if any (the item then changed nothing)."""
    try:
        do()
    except VoucherifyError as error:
        return error
    return None


def import_customers(session: Session, rows: Sequence[CustomerRef]) -> AsyncAction:
    """Create or update the customers of a CSV's rows (``CUSTOMERS.IMPORT_CSV``)."""
    work = [(ref.source_id or "", partial(session.customers.upsert, ref)) for ref in rows]
    return import_rows(session, work, "CUSTOMERS.IMPORT_CSV", "customer(s)")


def import_rows(
    session: Session,
    rows: Sequence[tuple[str, Callable[[], object]]],
    kind: AsyncActionType,
    noun: str,
    *,
    named_by: str = "source_id",
) -> AsyncAction:
    """Run each CSV row's ``(source_id, work)``; a refused row is listed by its number.

    The result is the CSV imports' ``{message, failed, done_count, failed_count}``; the rows
    count from 1, the header line aside. A failure names its row's ``source_id``, or, with
    ``named_by="code"``, its voucher code (the vouchers imports' ``failed``).
    """
    failed: list[dict[str, Any]] = []
    for row, (name, work) in enumerate(rows, start=1):
        error = _refused(work)
        if error is not None:
            failed.append({named_by: name, "row": row, "reason": _reason(error)})
    done = len(rows) - len(failed)
    return session.async_actions.record(
        kind,
        {
            "message": f"{done} {noun} imported successfully, {len(failed)} failed.",
            "failed": failed,
            "done_count": done,
            "failed_count": len(failed),
        },
    )


def _bulk_result(session: Session, done: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    until = session.clock.now() + REPORTS_KEPT
    return {
        "done_count": done,
        "failed_count": len(errors),
        "reports": [],
        "reports_available_till": format_timestamp(until),
        "errors": errors,
    }


def update_customers(session: Session, refs: Sequence[CustomerRef]) -> AsyncAction:
    """Update each customer by ``source_id``, creating those not found.

    The action is a ``CUSTOMERS.BULK_UPDATE``.
    """
    upserts = [(ref.source_id or "", partial(session.customers.upsert, ref)) for ref in refs]
    return upsert_each(session, upserts, "CUSTOMERS.BULK_UPDATE")


def upsert_each(
    session: Session, upserts: Sequence[tuple[str, Callable[[], object]]], kind: AsyncActionType
) -> AsyncAction:
    """Run each ``(source_id, upsert)``; one refused is listed in the action's ``errors``.

    The others are still done: the bulk updates' ``done_count`` counts them.
    """
    errors: list[dict[str, Any]] = []
    for source_id, upsert in upserts:
        error = _refused(upsert)
        if error is not None:
            errors.append(
                {
                    "message": error.message,
                    "details": _reason(error),
                    "key": error.key,
                    "source_id": source_id,
                }
            )
    result = _bulk_result(session, len(upserts) - len(errors), errors)
    return session.async_actions.record(kind, result)


def update_customers_metadata(
    session: Session, source_ids: Sequence[str], metadata: Mapping[str, Any]
) -> AsyncAction:
    """Merge ``metadata`` into each customer's (``CUSTOMERS.METADATA_UPDATE``).

    A ``source_id`` no customer has is upserted: a new customer with that metadata.
    """
    customers = session.customers
    for source_id in dict.fromkeys(source_ids):
        found = session.project.customer_by_source_id(source_id)
        merged = {**(found.metadata or {}), **metadata} if found is not None else dict(metadata)
        customers.upsert(CustomerRef(source_id=source_id, profile={"metadata": merged}))
    result = _bulk_result(session, len(dict.fromkeys(source_ids)), [])
    return session.async_actions.record("CUSTOMERS.METADATA_UPDATE", result)


def import_orders(session: Session, orders: Sequence[OrderInput]) -> AsyncAction:
    """Create or update historical orders (``ORDERS.IMPORT``); see ``Orders.import_order``."""
    failed: list[dict[str, Any]] = []
    for given in orders:
        error = _refused(partial(session.orders.import_order, given))
        if error is not None:
            failed.append({"source_id": given.source_id, "reason": _reason(error)})
    done = len(orders) - len(failed)
    return session.async_actions.record(
        "ORDERS.IMPORT",
        {
            "message": f"{done} order(s) imported successfully, {len(failed)} failed.",
            "failed": failed,
            "done_count": done,
            "failed_count": len(failed),
        },
    )
