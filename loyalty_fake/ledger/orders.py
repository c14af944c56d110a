"""Orders: synced through ``/v1/orders`` (an upsert), or carried by a pay-with-points redemption.

An order that becomes ``PAID`` for the first time makes a ``customer.order.paid`` activity,
to which the earning rules react (``session.py``'s ``REACTIONS``): once in the order's life,
however often it is paid or sent again. Amounts are integers in the currency's smallest
unit (cents).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import customer_event_id
from loyalty_fake.ledger.activities import Activity
from loyalty_fake.ledger.catalogue import resolve_items
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.project import Area, note_project

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from loyalty_fake.ledger.customers import CustomerRef
    from loyalty_fake.ledger.project import Project

__all__ = [
    "NO_ORDERS",
    "ORDER_CANCELED",
    "ORDER_ORDERS",
    "ORDER_PAID",
    "ORDER_STATUSES",
    "Order",
    "OrderInput",
    "OrderItem",
    "OrderRequest",
    "OrderStatus",
    "OrderSummary",
    "Orders",
]

# A paid order cancelled: Voucherify's customer.order.canceled.
ORDER_CANCELED = "customer.order.canceled"
OrderStatus = Literal["CREATED", "PAID", "CANCELED", "FULFILLED"]
ORDER_STATUSES: tuple[OrderStatus, ...] = ("CREATED", "PAID", "CANCELED", "FULFILLED")
# The listing orders of GET /v1/orders (ParameterOrderListOrders).
ORDER_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at")
# The activity an order's first payment makes; earning rules of ``order.paid`` react to it.
ORDER_PAID = "customer.order.paid"


@attrs.frozen
class OrderItem:
    """One line of an order, with its ``amount`` worked out from price and quantity.

    A synced order's lines carry the catalogue's ``product`` and ``sku`` (``catalogue.py``);
    a redemption's keep them as given. ``discount_amount`` is the line's own discount.
    """

    product_id: str | None = None
    sku_id: str | None = None
    source_id: str | None = None
    related_object: str | None = None
    quantity: int | None = None
    price: int | None = None
    amount: int | None = None
    discount_amount: int | None = None
    product: dict[str, Any] | None = None
    sku: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None

    @property
    def subtotal_amount(self) -> int | None:
        """The line's amount after its own discount."""
        if self.amount is None:
            return None
        return self.amount - (self.discount_amount or 0)


def items_amount(items: Iterable[OrderItem]) -> int | None:
    """The sum of the items' amounts; ``None`` when no item says."""
    amounts = [item.amount for item in items if item.amount is not None]
    return sum(amounts) if amounts else None


@attrs.frozen
class OrderRequest:
    """The order a redemption request names, already validated."""

    source_id: str | None = None
    status: str | None = None
    amount: int | None = None
    items: tuple[OrderItem, ...] = ()
    metadata: dict[str, Any] | None = None

    @property
    def total(self) -> int | None:
        """``amount``, or else the sum of the items' amounts; ``None`` when nothing says."""
        if self.amount is not None:
            return self.amount
        return items_amount(self.items)

    def paid(self, order_id: str, discount: int, now: dt.datetime) -> Order:
        """The order the fake records for this request, ``discount`` (cents) paid in points."""
        return Order(
            id=order_id,
            created_at=now,
            source_id=self.source_id,
            status=self.status or "PAID",
            amount=self.total,
            discount_amount=discount,
            items=self.items,
            metadata=dict(self.metadata) if self.metadata else None,
        )


@attrs.frozen
class OrderInput:
    """What ``POST /v1/orders`` or ``PUT /v1/orders/{id}`` gives, already validated.

    ``None`` is "not given": an update keeps what the order has. ``items`` given without
    ``amount`` make the amount their sum.
    """

    id: str | None = None
    source_id: str | None = None
    status: OrderStatus | None = None
    amount: int | None = None
    discount_amount: int | None = None
    items: tuple[OrderItem, ...] | None = None
    metadata: dict[str, Any] | None = None
    customer: CustomerRef | None = None
    referrer: CustomerRef | None = None
    created_at: dt.datetime | None = None


@attrs.define
class Order:
    """An order (``ord_``); amounts in cents.

    A redemption's order has ``discount_amount`` the value of the points it spent.
    ``paid_at`` is when it first became ``PAID``: it earns then, and never again.
    """

    id: str
    created_at: dt.datetime
    source_id: str | None = None
    status: str = "PAID"
    amount: int | None = None
    discount_amount: int = 0
    items: tuple[OrderItem, ...] = ()
    metadata: dict[str, Any] | None = None
    updated_at: dt.datetime | None = None
    customer_id: str | None = None
    referrer_id: str | None = None
    paid_at: dt.datetime | None = None
    seq: int = 0

    @property
    def items_discount_amount(self) -> int:
        """The sum of the items' own discounts."""
        return sum(item.discount_amount or 0 for item in self.items)

    @property
    def total_discount_amount(self) -> int:
        """The order's discount and its items' together."""
        return self.discount_amount + self.items_discount_amount

    @property
    def total_amount(self) -> int | None:
        """What is paid: the amount less every discount; ``None`` without an amount."""
        return None if self.amount is None else self.amount - self.total_discount_amount


@attrs.frozen
class OrderSummary:
    """A customer's spending (``summary.orders``): their orders paid and not cancelled.

    ``total_amount`` sums what they paid (``total_amount``, after discounts); the last
    order is the one paid last.
    """

    total_amount: int = 0
    total_count: int = 0
    last_order_amount: int = 0
    last_order_date: dt.datetime | None = None

    @property
    def average_amount(self) -> int:
        """``total_amount`` ÷ ``total_count``, rounded down; 0 without orders."""
        return self.total_amount // self.total_count if self.total_count else 0

    def add(self, order: Order) -> OrderSummary:
        """The summary with ``order`` counted too."""
        assert order.paid_at is not None  # noqa: S101 - only paid orders count
        amount = order.total_amount or 0
        last = self.last_order_date is None or order.paid_at >= self.last_order_date
        return OrderSummary(
            total_amount=self.total_amount + amount,
            total_count=self.total_count + 1,
            last_order_amount=amount if last else self.last_order_amount,
            last_order_date=order.paid_at if last else self.last_order_date,
        )


NO_ORDERS = OrderSummary()


def _sort_key(order: str) -> Any:
    if order.lstrip("-") == "updated_at":
        return lambda found: (found.updated_at or found.created_at, found.seq)
    return lambda found: (found.created_at, found.seq)


class Orders(Area):
    """A project's orders (those synced through ``/v1/orders``)."""

    __slots__ = ()

    def get(self, ref: str) -> Order:
        """The order with ID or ``source_id`` ``ref``; 404 ``not_found`` (order) otherwise."""
        found = self.find(self._project, ref)
        if found is None:
            raise errors.not_found("order", ref)
        return found

    @staticmethod
    def find(project: Project, ref: str) -> Order | None:
        """The order with ID or ``source_id`` ``ref``, if any."""
        found = project.orders.get(ref)
        if found is None:
            order_id = project.order_ids_by_source_id.get(ref)
            found = project.orders.get(order_id) if order_id is not None else None
        return found

    def upsert(self, given: OrderInput) -> Order:
        """Create the order ``given`` names, or update it if its ID or ``source_id`` exists.

        An ``id`` must name an existing order (404 otherwise). A new order is ``CREATED``
        unless ``status`` says. Its customer (and referrer) are created or updated as
        every request that names a customer does.
        """
        return self._apply(self._project, self._existing(given), given)

    def _existing(self, given: OrderInput) -> Order | None:
        """The order ``given`` names by ``id`` (404 if none) or ``source_id``, if any."""
        project = self._project
        if given.id is not None:
            existing = project.orders.get(given.id)
            if existing is None:
                raise errors.not_found("order", given.id)
            return existing
        if given.source_id is not None:
            existing = self.find(project, given.source_id)
            if existing is not None and existing.source_id == given.source_id:
                return existing
        return None  # new, or an order whose ID is this source_id: another order

    def import_order(self, given: OrderInput) -> Order:
        """Create or update an order as ``POST /v1/orders/import`` does, for history.

        As ``upsert``, with ``created_at`` kept when given; a ``PAID`` order is paid but
        earns nothing unless ``imported_orders_earn`` is on, since Voucherify's import
        "does not store events" and "Earning rules based on Order Paid won't be triggered".
        """
        earn = self._session.earning_choices.imported_orders_earn
        return self._apply(self._project, self._existing(given), given, earn=earn)

    def update(self, ref: str, given: OrderInput) -> Order:
        """Change the given fields of the order ``ref`` (ID or ``source_id``); 404 if none."""
        existing = self.get(ref)
        return self._apply(self._project, existing, attrs.evolve(given, id=existing.id))

    def _apply(
        self, project: Project, existing: Order | None, given: OrderInput, *, earn: bool = True
    ) -> Order:
        session = self._session
        if given.items is not None:
            # What an overriding line stores in the catalogue is put back with the rest
            # when a later step refuses the request.
            given = attrs.evolve(given, items=resolve_items(session, given.items))
        # Resolve the customers first: a 404 there must change nothing.
        customers = session.customers
        customer_plan = customers.plan(project, given.customer) if given.customer else None
        referrer_plan = customers.plan(project, given.referrer) if given.referrer else None
        now = session.clock.now()
        undo = session.undo
        if undo is not None:
            note_project(undo, project)
            if existing is not None:
                undo.touch(existing)
        customer = customers.commit(project, customer_plan, now) if customer_plan else None
        referrer = customers.commit(project, referrer_plan, now) if referrer_plan else None
        order = existing
        if order is None:
            order = self._new(project, given.source_id, given.created_at or now)
        else:
            order.updated_at = now
        was_cancelled = order.status == "CANCELED"
        _change(order, given)
        if customer is not None:
            order.customer_id = customer.id
        if referrer is not None:
            order.referrer_id = referrer.id
        if order.status == "PAID" and order.paid_at is None:
            if earn:
                self.paid(order, now)
            else:
                order.paid_at = given.created_at or now
        if order.status == "CANCELED" and not was_cancelled and order.paid_at is not None:
            # A paid order cancelled: what it earned may react (pending.py, by choice).
            self._session.happened(Activity(ORDER_CANCELED, {"order_id": order.id}))
        return order

    def _new(self, project: Project, source_id: str | None, created: dt.datetime) -> Order:
        """A new ``CREATED`` order, stored (and noted for undo)."""
        session = self._session
        order = Order(
            id=session.ids.order_id(),
            created_at=created,
            source_id=source_id,
            status="CREATED",
            discount_amount=0,
            seq=project.take_seq(),
        )
        if session.undo is not None:
            session.undo.first(order)
        project.orders[order.id] = order
        if source_id is not None:
            project.order_ids_by_source_id[source_id] = order.id
        return order

    def paid(self, order: Order, now: dt.datetime) -> None:
        """Note that ``order`` is paid for the first time: the earning rules react to it."""
        order.paid_at = now
        event_id = customer_event_id(order.id, self._project.take_seq())
        self._session.happened(Activity(ORDER_PAID, {"order_id": order.id, "event_id": event_id}))

    def page(self, *, limit: int, page: int, order: str) -> tuple[list[Order], int]:
        """One page of the project's orders in ``order`` (ties in creation order); the total."""
        found = sorted(
            self._project.orders.values(), key=_sort_key(order), reverse=order.startswith("-")
        )
        return Page(limit, page).of(found), len(found)

    def summaries(self, customer_ids: Iterable[str]) -> dict[str, OrderSummary]:
        """What each of these customers spent: their orders paid and not cancelled since."""
        wanted = set(customer_ids)
        found: dict[str, OrderSummary] = {}
        for order in self._project.orders.values():
            customer_id = order.customer_id
            if customer_id in wanted and order.paid_at is not None and order.status != "CANCELED":
                found[customer_id] = found.get(customer_id, NO_ORDERS).add(order)
        return found

    def forget_customer(self, customer_id: str) -> int:
        """Delete every order of a customer deleted for good; how many there were."""
        project = self._project
        gone = [order for order in project.orders.values() if order.customer_id == customer_id]
        if gone and self._session.undo is not None:
            self._session.undo.keep(project.orders)
            self._session.undo.keep(project.order_ids_by_source_id)
        for order in gone:
            del project.orders[order.id]
            if order.source_id is not None:
                project.order_ids_by_source_id.pop(order.source_id, None)
        return len(gone)


def _change(order: Order, given: OrderInput) -> None:
    """Set on ``order`` what ``given`` gives; items without an amount make the amount."""
    if given.status is not None:
        order.status = given.status
    if given.items is not None:
        order.items = given.items
        if given.amount is None:
            order.amount = items_amount(given.items)
    if given.amount is not None:
        order.amount = given.amount
    if given.discount_amount is not None:
        order.discount_amount = given.discount_amount
    if given.metadata is not None:
        order.metadata = dict(given.metadata) or None
