"""``/v1/customers/{customerId}``, and how every request body names a customer."""

from __future__ import annotations

from loyalty_fake.http import handlers
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.ledger.customers import ADDRESS_FIELDS, CUSTOMER_STRINGS

__all__ = ["CUSTOMER_REFERENCE", "PATH_PARAMETERS", "ROUTES"]

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

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/customers/{customerId}",
        handlers.get_customer,
        Operation("get_customer", "A customer with loyalty points per program", "Customer"),
    ),
)
