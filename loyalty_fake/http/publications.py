"""``/v1/publications``: publish a card, and list publications."""

from __future__ import annotations

from loyalty_fake.http import handlers
from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE
from loyalty_fake.http.declare import LIMIT, NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.filters import filters_parameter
from loyalty_fake.ledger import PUBLICATION_FILTERS

__all__ = ["PATH_PARAMETERS", "PUBLICATION_QUERY", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_CREATE_PUBLICATION: Schema = {
    "type": "object",
    "required": ["customer"],
    # A card by code, or one from a program: "Either Campaign or Voucher is required".
    "anyOf": [{"required": ["voucher"]}, {"required": ["campaign"]}],
    "properties": {
        "customer": CUSTOMER_REFERENCE,
        "voucher": NON_EMPTY,
        "campaign": {
            "oneOf": [
                NON_EMPTY,
                {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": NON_EMPTY,
                        "count": {"type": "integer", "minimum": 1, "maximum": 50},
                    },
                },
            ]
        },
        "source_id": NON_EMPTY,
        "channel": STRING,
        "metadata": FREE_OBJECT,
    },
}

# What listing publications takes, here and for one card (loyalty_fake.http.vouchers).
PUBLICATION_QUERY = [
    LIMIT,
    query(
        "page",
        {"type": "integer", "minimum": 1, "maximum": 1000},
        "Default 1; above 1000 is 400 page_over_limit.",
    ),
    query(
        "order",
        enum(*orders("id", "voucher_code", "tracking_id", "customer_id", "created_at", "channel")),
        "Default -created_at.",
    ),
    query("result", enum("SUCCESS", "FAILURE")),
    query("campaign", STRING),
    query("customer", STRING),
    query("voucher", STRING),
    query("source_id", STRING),
    query(
        "voucher_type",
        enum("discount", "loyalty"),
        "loyalty: every card of the fake; discount: none.",
    ),
    query(
        "is_referral_code",
        enum("true", "false"),
        "true: only referral codes (the fake has none); false filters nothing.",
    ),
    filters_parameter(PUBLICATION_FILTERS, metadata=True),
]

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/publications",
        handlers.create_publication,
        Operation(
            "create_publication",
            "Publish a card by code or from a program",
            "Publication",
            query=[query("join_once", BOOLEAN, "Loyalty programs always join once.")],
            body=_CREATE_PUBLICATION,
        ),
    ),
    Route(
        "GET",
        "/v1/publications",
        handlers.list_publications,
        Operation(
            "list_publications",
            "Publications, newest first, with filters",
            "PublicationsList",
            query=PUBLICATION_QUERY,
        ),
    ),
)
