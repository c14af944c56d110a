"""Listing customers (``GET /v1/customers``): the spec's filters, orders and date cursor.

The filters the spec documents (``email``, ``city``, ``name``, ``created_at[...]``,
``updated_at[...]``) are conditions of the one filter grammar (``loyalty_fake.filters``),
evaluated by its ``Filter``; a customer never updated counts its creation as its last
update, as members do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake.filters import Condition, Filter, Kind
from loyalty_fake.ledger.pages import Page

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Container, Iterable

    from loyalty_fake.ledger.customers import Customer

__all__ = ["CUSTOMER_ORDERS", "CustomerOrder", "CustomerQuery", "list_customers"]

CustomerOrder = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "source_id", "-source_id"
]
CUSTOMER_ORDERS: tuple[CustomerOrder, ...] = (
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "source_id",
    "-source_id",
)


@attrs.frozen
class CustomerQuery:
    """Filters, order and page of a customers listing, already validated.

    ``starting_after`` is the spec's date cursor: customers created (or, ordered by
    ``updated_at``, updated) after it in an ascending order, before it in a descending one.
    ``segment_id``: only the customers in that segment now (none for an unknown one).
    """

    limit: int = 10
    page: int = 1
    email: str | None = None
    city: str | None = None
    name: str | None = None
    segment_id: str | None = None
    created_before: dt.datetime | None = None
    created_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    order: CustomerOrder = "-created_at"
    starting_after: dt.datetime | None = None

    def filter(self) -> Filter:
        """The query's filters as conditions of the filter grammar, all of them to hold."""
        conditions: list[Condition] = []
        for field in ("email", "city", "name"):
            value = getattr(self, field)
            if value is not None:
                conditions.append(Condition(field, "$is", value, Kind.STRING))
        for field, operator, moment in (
            ("created_at", "$before", self.created_before),
            ("created_at", "$after", self.created_after),
            ("updated_at", "$before", self.updated_before),
            ("updated_at", "$after", self.updated_after),
        ):
            if moment is not None:
                conditions.append(Condition(field, operator, moment, Kind.DATE_TIME))
        if self.starting_after is not None:
            field = "updated_at" if self.order.lstrip("-") == "updated_at" else "created_at"
            operator = "$before" if self.order.startswith("-") else "$after"
            conditions.append(Condition(field, operator, self.starting_after, Kind.DATE_TIME))
        return Filter(tuple(conditions))


def _record(customer: Customer) -> dict[str, Any]:
    address = customer.address or {}
    return {
        "email": customer.email,
        "city": address.get("city"),
        "name": customer.name,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at or customer.created_at,
    }


def _sort_key(order: CustomerOrder) -> Any:
    field = order.lstrip("-")
    if field == "source_id":
        return lambda item: (item[1].source_id or "", item[0])
    if field == "updated_at":
        return lambda item: (item[1].updated_at or item[1].created_at, item[0])
    return lambda item: (item[1].created_at, item[0])


def list_customers(
    customers: Iterable[Customer],
    query: CustomerQuery,
    now: dt.datetime,
    segment: Container[str] | None = None,
) -> tuple[list[Customer], int, bool]:
    """One page of ``customers`` (creation order, deleted ones left out) as ``query`` asks.

    ``segment``: the IDs of the customers in ``query.segment_id`` (``None``: no such
    segment). Returns the page, how many customers pass the filters, and whether more
    follow. Ties in the order are broken by creation order, in the order's direction.
    """
    if query.segment_id is not None and segment is None:
        return [], 0, False
    matches = query.filter()
    found = [
        (position, customer)
        for position, customer in enumerate(customers)
        if customer.deleted_at is None
        and (segment is None or customer.id in segment)
        and matches.matches(_record(customer), now)
    ]
    found.sort(key=_sort_key(query.order), reverse=query.order.startswith("-"))
    page = Page(query.limit, query.page)
    return [customer for _, customer in page.of(found)], len(found), len(found) > page.stop
