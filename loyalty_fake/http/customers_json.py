"""Customers as Voucherify's JSON, in full and as others embed them, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    FREE_OBJECT,
    INTEGER,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.ledger.customers import CUSTOMER_STRINGS
from loyalty_fake.ledger.orders import NO_ORDERS
from loyalty_fake.ledger.voucher_parts import parts_by_customer

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import Customer, PermanentDeletion
    from loyalty_fake.ledger.orders import OrderSummary
    from loyalty_fake.ledger.redemptions import FailedRedemption
    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.voucher_kinds import VoucherRedemption

__all__ = [
    "REDEMPTION_TOTALS",
    "SCHEMAS",
    "customer_json",
    "customers_json",
    "deletion_json",
    "simple_customer_json",
]

# A customer's redemption counts (summary.redemptions), as the object and its export name them.
REDEMPTION_TOTALS = (
    "total_redeemed",
    "total_failed",
    "total_succeeded",
    "total_rolled_back",
    "total_rollback_failed",
    "total_rollback_succeeded",
)


def _orders_json(orders: OrderSummary) -> dict[str, Any]:
    body: dict[str, Any] = {
        "total_amount": orders.total_amount,
        "total_count": orders.total_count,
        "average_amount": orders.average_amount,
        "last_order_amount": orders.last_order_amount,
    }
    if orders.last_order_date is not None:
        body["last_order_date"] = format_timestamp(orders.last_order_date)
    return body


def customer_json(
    customer: Customer,
    held: list[tuple[Campaign, LoyaltyCard]],
    failures: Sequence[FailedRedemption],
    orders: OrderSummary = NO_ORDERS,
    parts: Sequence[VoucherRedemption] = (),
) -> dict[str, Any]:
    """The customer object of ``GET /v1/customers/{id}``, loyalty summary included.

    ``held`` is every (program, card) the customer holds, ``failures`` their failed
    redemptions and rollbacks. ``loyalty.points`` and each program's ``points`` are
    balances ("remaining point balance in campaign"). ``total_redeemed`` counts every
    redemption, succeeded or failed, and ``total_rolled_back`` every rollback: the cards'
    and ``parts``, the customer's discount vouchers' and gift cards' parts of stacked
    redemptions.
    """
    body: dict[str, Any] = {"id": customer.id}
    if customer.source_id is not None:  # a customer created without one: the spec has no null
        body["source_id"] = customer.source_id
    for key in CUSTOMER_STRINGS:
        value = getattr(customer, key)
        if value is not None:
            body[key] = value
    balance = sum(card.balance for _, card in held)
    redeemed = sum(card.redeemed_points for _, card in held)
    redemptions = [made for _, card in held for made in card.redemptions()]
    rolled_back = sum(made.rollback is not None for made in redemptions)
    rolled_back += sum(part.rollback is not None for part in parts)
    succeeded = len(redemptions) + len(parts)
    failed_rollbacks = sum(failed.is_rollback for failed in failures)
    failed = len(failures) - failed_rollbacks
    body.update(
        {
            "address": customer.address,
            "summary": {
                "redemptions": {
                    "total_redeemed": succeeded + failed,
                    "total_failed": failed,
                    "total_succeeded": succeeded,
                    "total_rolled_back": rolled_back + failed_rollbacks,
                    "total_rollback_failed": failed_rollbacks,
                    "total_rollback_succeeded": rolled_back,
                    "gift": {"redeemed_amount": 0, "amount_to_go": 0},
                    "loyalty_card": {"redeemed_points": redeemed, "points_to_go": balance},
                },
                "orders": _orders_json(orders),
            },
            "loyalty": {
                "points": balance,
                "referred_customers": 0,
                "campaigns": {
                    campaign.name: {"points": card.balance, "referred_customers": 0}
                    for campaign, card in held
                },
            },
            "referrals": {"total": 0, "campaigns": []},
            "metadata": dict(customer.metadata or {}),
            "system_metadata": {},
            "created_at": format_timestamp(customer.created_at),
        }
    )
    if customer.updated_at is not None:
        body["updated_at"] = format_timestamp(customer.updated_at)
    body["object"] = "customer"
    return body


def customers_json(session: Session, customers: Iterable[Customer]) -> list[dict[str, Any]]:
    """Every one of ``customers`` as ``customer_json`` writes it (the Python API, the dump)."""
    customers = list(customers)
    parts = parts_by_customer(session.project, (customer.id for customer in customers))
    return [
        customer_json(
            customer,
            session.customers.cards_of(customer.id),
            session.redemptions.failures_of_customer(customer.id),
            parts=parts.get(customer.id, ()),
        )
        for customer in customers
    ]


def simple_customer_json(customer: Customer) -> dict[str, Any]:
    """A customer as redemptions and events embed it (Voucherify's ``SimpleCustomer``)."""
    body: dict[str, Any] = {"id": customer.id}
    if customer.source_id is not None:  # a customer created without one: the spec has no null
        body["source_id"] = customer.source_id
    if customer.name is not None:
        body["name"] = customer.name
    if customer.email is not None:
        body["email"] = customer.email
    body["metadata"] = dict(customer.metadata or {})
    body["object"] = "customer"
    return body


def deletion_json(deletion: PermanentDeletion) -> dict[str, Any]:
    """A customer's permanent deletion, done at once (``object`` spelt as Voucherify does)."""
    return {
        "id": deletion.id,
        "created_at": format_timestamp(deletion.created_at),
        "related_object_id": deletion.customer_id,
        "related_object": "customer",
        "status": "DONE",
        "data_json": {
            "events": 0,
            "customer_events": 0,
            "daily_events": 0,
            "segments": 0,
            "orders": deletion.orders,
            "order_events": 0,
            "customer": 1,
        },
        "object": "pernament_deletion",
    }


SCHEMAS: dict[str, Schema] = {
    "Customer": obj(
        {
            "id": STRING,
            "address": nullable(FREE_OBJECT),
            "summary": obj(
                {
                    "redemptions": obj(
                        {
                            **dict.fromkeys(REDEMPTION_TOTALS, COUNT),
                            "gift": obj({"redeemed_amount": COUNT, "amount_to_go": COUNT}),
                            "loyalty_card": obj({"redeemed_points": COUNT, "points_to_go": COUNT}),
                        }
                    ),
                    "orders": obj(
                        dict.fromkeys(
                            ("total_amount", "total_count", "average_amount", "last_order_amount"),
                            INTEGER,
                        ),
                        {"last_order_date": TIMESTAMP},
                    ),
                }
            ),
            "loyalty": obj(
                {
                    "points": COUNT,
                    "referred_customers": COUNT,
                    "campaigns": {
                        "type": "object",
                        "additionalProperties": obj({"points": COUNT, "referred_customers": COUNT}),
                    },
                }
            ),
            "referrals": obj({"total": COUNT, "campaigns": {"type": "array"}}),
            "metadata": FREE_OBJECT,
            "system_metadata": FREE_OBJECT,
            "created_at": TIMESTAMP,
            "object": const("customer"),
        },
        {
            "source_id": STRING,
            **dict.fromkeys(CUSTOMER_STRINGS, STRING),
            "updated_at": TIMESTAMP,
        },
    ),
    "SimpleCustomer": obj(
        {
            "id": STRING,
            "metadata": FREE_OBJECT,
            "object": const("customer"),
        },
        {"source_id": STRING, "name": STRING, "email": STRING},
    ),
    "CustomersList": obj(
        {
            "object": const("list"),
            "data_ref": const("customers"),
            "customers": {"type": "array", "items": ref("Customer"), "maxItems": 100},
            "total": COUNT,
            "has_more": BOOLEAN,
        }
    ),
    "CustomerPermanentDeletion": obj(
        {
            "id": STRING,
            "created_at": TIMESTAMP,
            "related_object_id": STRING,
            "related_object": const("customer"),
            "status": const("DONE"),
            "data_json": obj(
                dict.fromkeys(
                    (
                        "events",
                        "customer_events",
                        "daily_events",
                        "segments",
                        "orders",
                        "order_events",
                        "customer",
                    ),
                    COUNT,
                )
            ),
            # Voucherify's spelling, in its spec and answers.
            "object": const("pernament_deletion"),
        }
    ),
}
