"""``/v1/customers/{customerId}``, and how every request body names a customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.errors import bad_request
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema
from loyalty_fake.http.customers_json import customer_json
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.ledger.customers import ADDRESS_FIELDS, CUSTOMER_STRINGS, CustomerRef

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.http.params import Body

__all__ = ["CUSTOMER_REFERENCE", "PATH_PARAMETERS", "ROUTES", "customer_ref"]

PATH_PARAMETERS = {"customerId": "The customer's ID or source_id."}

# A customer in a request body: an ID or source_id, or an object naming either (with the
# profile to create or update).
CUSTOMER_REFERENCE: Schema = {
    "oneOf": [
        NON_EMPTY,
        {
            "type": "object",
            "properties": {
                "id": NON_EMPTY,
                "source_id": NON_EMPTY,
                **dict.fromkeys(CUSTOMER_STRINGS, STRING),
                "metadata": FREE_OBJECT,
                "address": {
                    "type": "object",
                    "properties": dict.fromkeys(ADDRESS_FIELDS, STRING),
                },
            },
            "anyOf": [{"required": ["id"]}, {"required": ["source_id"]}],
        },
    ]
}


def customer_ref(body: Body) -> CustomerRef:
    """The body's ``customer``: an ID or source_id, or an object naming either; 400 otherwise."""
    body.require("customer")
    raw = body.data["customer"]
    if isinstance(raw, str):
        if not raw.strip():
            body.fail("customer", "must NOT have fewer than 1 characters")
        return CustomerRef(as_string=raw)
    customer = body.obj("customer")
    assert customer is not None  # noqa: S101 - require() and obj() leave nothing else
    profile: dict[str, Any] = {}
    for field in CUSTOMER_STRINGS:
        value = customer.string(field)
        if value is not None:
            profile[field] = value
    metadata = customer.mapping("metadata")
    if metadata is not None:
        profile["metadata"] = metadata
    address = customer.obj("address")
    if address is not None:
        profile["address"] = {field: address.string(field) for field in ADDRESS_FIELDS}
    customer_id = customer.string("id", non_empty=True)
    source_id = customer.string("source_id", non_empty=True)
    if customer_id is None and source_id is None:
        # Voucherify: "Use customer.id, customer.source_id, or both to identify the
        # customer; at least one of them is required."
        raise bad_request(
            "invalid_payload",
            "Invalid payload",
            "Property .customer must have required property 'id' or 'source_id'",
        )
    return CustomerRef(id=customer_id, source_id=source_id, profile=profile)


def get_customer(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers/{customerId}``: a customer by ID or source_id, with loyalty."""
    customer = call.session.customers.get(call.params["customerId"])
    return 200, customer_json(
        customer,
        call.session.customers.cards_of(customer.id),
        call.session.redemptions.failures_of_customer(customer.id),
    )


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/customers/{customerId}",
        get_customer,
        Operation("get_customer", "A customer with loyalty points per program", "Customer"),
    ),
)
