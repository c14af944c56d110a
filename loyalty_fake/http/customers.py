"""``/v1/customers``: customers created (an upsert), listed, read, updated and deleted.

And how every request body names a customer (``customer_ref``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.errors import bad_request
from loyalty_fake.http import paging
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, TIMESTAMP, Schema, enum
from loyalty_fake.http.customers_json import customer_json, deletion_json
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.params import Body, Query, parse_json_body
from loyalty_fake.ledger.customer_list import CUSTOMER_ORDERS, CustomerQuery
from loyalty_fake.ledger.customers import ADDRESS_FIELDS, CUSTOMER_STRINGS, CustomerRef
from loyalty_fake.ledger.metadata_schemas import check_metadata
from loyalty_fake.ledger.orders import NO_ORDERS
from loyalty_fake.ledger.voucher_parts import parts_by_customer

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.orders import OrderSummary
    from loyalty_fake.ledger.voucher_kinds import VoucherRedemption

__all__ = [
    "CUSTOMER_PROFILE",
    "CUSTOMER_REFERENCE",
    "PATH_PARAMETERS",
    "ROUTES",
    "customer_body",
    "customer_profile",
    "customer_ref",
]

PATH_PARAMETERS = {"customerId": "The customer's ID or source_id."}

# A customer's profile fields, as requests give them.
CUSTOMER_PROFILE: dict[str, Schema] = {
    **dict.fromkeys(CUSTOMER_STRINGS, STRING),
    "metadata": FREE_OBJECT,
    "address": {
        "type": "object",
        "properties": dict.fromkeys(ADDRESS_FIELDS, STRING),
    },
}

_PROFILE_FIELDS = frozenset(CUSTOMER_PROFILE)

# A customer in a request body: an ID or source_id, or an object naming either (with the
# profile to create or update).
CUSTOMER_REFERENCE: Schema = {
    "oneOf": [
        NON_EMPTY,
        {
            "type": "object",
            "properties": {"id": NON_EMPTY, "source_id": NON_EMPTY, **CUSTOMER_PROFILE},
            "anyOf": [{"required": ["id"]}, {"required": ["source_id"]}],
        },
    ]
}

# POST /v1/customers: an ID or source_id names the customer to update; neither, a new one.
_CREATE_CUSTOMER: Schema = {
    "type": "object",
    "properties": {"id": NON_EMPTY, "source_id": NON_EMPTY, **CUSTOMER_PROFILE},
}
_UPDATE_CUSTOMER: Schema = {"type": "object", "properties": CUSTOMER_PROFILE}

_CUSTOMERS_QUERY = [
    paging.LIMIT,
    paging.PageBounds(maximum=99).parameter(),
    *(query(name, STRING) for name in ("email", "city", "name", "segment_id")),
    *(
        query(f"{field}[{part}]", TIMESTAMP)
        for field in ("created_at", "updated_at")
        for part in ("before", "after")
    ),
    query(
        "order",
        enum(*orders("created_at", "updated_at", "source_id")),
        "Default -created_at.",
    ),
    query(
        "starting_after",
        TIMESTAMP,
        "Customers created (updated, in updated_at order) before it, or after it in an "
        "ascending order.",
    ),
]


def customer_profile(customer: Body) -> dict[str, Any]:
    """The profile fields a customer object gives (strings, metadata, address)."""
    profile: dict[str, Any] = {}
    if customer.data.keys().isdisjoint(_PROFILE_FIELDS):
        return profile  # a customer named by ID or source_id alone
    for field in CUSTOMER_STRINGS:
        value = customer.string(field)
        if value is not None:
            profile[field] = value
    metadata = customer.mapping("metadata")
    if metadata is not None:
        profile["metadata"] = metadata
    address = customer.obj("address")
    if address is not None:
        # Only the lines given: the spec's address has no null lines.
        profile["address"] = {
            field: value for field in ADDRESS_FIELDS if (value := address.string(field)) is not None
        }
    return profile


def customer_ref(body: Body, key: str = "customer") -> CustomerRef:
    """The body's ``customer`` (or ``key``): an ID or source_id, or an object naming either.

    Raises 400 ``invalid_payload`` otherwise.
    """
    body.require(key)
    raw = body.data[key]
    if isinstance(raw, str):
        if not raw.strip():
            body.fail(key, "must NOT have fewer than 1 characters")
        return CustomerRef(as_string=raw)
    customer = body.obj(key)
    assert customer is not None  # noqa: S101 - require() and obj() leave nothing else
    profile = customer_profile(customer)
    customer_id = customer.string("id", non_empty=True)
    source_id = customer.string("source_id", non_empty=True)
    if customer_id is None and source_id is None:
        # Voucherify: "Use customer.id, customer.source_id, or both to identify the
        # customer; at least one of them is required."
        raise bad_request(
            "invalid_payload",
            "Invalid payload",
            f"Property {body.path}.{key} must have required property 'id' or 'source_id'",
        )
    return CustomerRef(id=customer_id, source_id=source_id, profile=profile)


def _customer_json(
    call: Call,
    customer: Customer,
    orders: dict[str, OrderSummary] | None = None,
    parts: dict[str, list[VoucherRedemption]] | None = None,
) -> dict[str, Any]:
    if orders is None:
        orders = call.session.orders.summaries((customer.id,))
    if parts is None:
        parts = parts_by_customer(call.session.project, (customer.id,))
    return customer_json(
        customer,
        call.session.customers.cards_of(customer.id),
        call.session.redemptions.failures_of_customer(customer.id),
        orders.get(customer.id, NO_ORDERS),
        parts.get(customer.id, ()),
    )


# The customer object every answer shows (exports read it too).
customer_body = _customer_json


def get_customer(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers/{customerId}``: a customer by ID or source_id, with loyalty."""
    return 200, _customer_json(call, call.session.customers.get(call.params["customerId"]))


def create_customer(call: Call) -> tuple[int, Any]:
    """``POST /v1/customers``: create a customer, or update the one its ID or source_id names."""
    body = Body(parse_json_body(call.request))
    ref = CustomerRef(
        id=body.string("id", non_empty=True),
        source_id=body.string("source_id", non_empty=True),
        profile=customer_profile(body),
    )
    if "metadata" in ref.profile:
        check_metadata(call.session, "customer", ref.profile["metadata"])
    return 200, _customer_json(call, call.session.customers.upsert(ref))


def update_customer(call: Call) -> tuple[int, Any]:
    """``PUT /v1/customers/{customerId}``: change the profile fields given; the rest stay."""
    profile = customer_profile(Body(parse_json_body(call.request)))
    customer = call.session.customers.update(call.params["customerId"], profile)
    return 200, _customer_json(call, customer)


def delete_customer(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/customers/{customerId}``: 204; the cards it holds keep their holder."""
    call.session.customers.delete(call.params["customerId"])
    return 204, None


def forget_customer(call: Call) -> tuple[int, Any]:
    """``POST /v1/customers/{customerId}/permanent-deletion``: delete, profile and orders too."""
    return 200, deletion_json(call.session.customers.forget(call.params["customerId"]))


def list_customers(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers``: the project's customers, newest first unless ``order`` says."""
    query = Query(call.request.query)
    page = paging.page(query, paging.PageBounds(maximum=99))
    customers, total, more = call.session.customers.page(
        CustomerQuery(
            limit=page.limit,
            page=page.number,
            email=query.string("email"),
            city=query.string("city"),
            name=query.string("name"),
            segment_id=query.string("segment_id"),
            created_before=query.timestamp("created_at", "before"),
            created_after=query.timestamp("created_at", "after"),
            updated_before=query.timestamp("updated_at", "before"),
            updated_after=query.timestamp("updated_at", "after"),
            order=query.choice("order", CUSTOMER_ORDERS, "-created_at"),
            starting_after=query.moment("starting_after"),
        )
    )
    spent = call.session.orders.summaries(customer.id for customer in customers)
    parts = parts_by_customer(call.session.project, (customer.id for customer in customers))
    return 200, {
        "object": "list",
        "data_ref": "customers",
        "customers": [_customer_json(call, customer, spent, parts) for customer in customers],
        "total": total,
        "has_more": more,
    }


_CUSTOMER = "/v1/customers/{customerId}"

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/customers",
        create_customer,
        Operation(
            "create_customer",
            "Create a customer, or update the one its id or source_id names (upsert)",
            "Customer",
            body=_CREATE_CUSTOMER,
        ),
    ),
    Route(
        "GET",
        "/v1/customers",
        list_customers,
        Operation(
            "list_customers",
            "The project's customers, newest first",
            "CustomersList",
            query=_CUSTOMERS_QUERY,
        ),
    ),
    Route(
        "GET",
        _CUSTOMER,
        get_customer,
        Operation("get_customer", "A customer with loyalty points per program", "Customer"),
    ),
    Route(
        "PUT",
        _CUSTOMER,
        update_customer,
        Operation(
            "update_customer",
            "Change a customer's profile fields",
            "Customer",
            body=_UPDATE_CUSTOMER,
        ),
    ),
    Route(
        "DELETE",
        _CUSTOMER,
        delete_customer,
        Operation("delete_customer", "Delete a customer", None),
    ),
    Route(
        "POST",
        f"{_CUSTOMER}/permanent-deletion",
        forget_customer,
        Operation(
            "delete_customer_permanently",
            "Delete a customer, their profile and their orders",
            "CustomerPermanentDeletion",
        ),
    ),
)
