"""A member's points: balance changes, transactions, points expiration and activity."""

from __future__ import annotations

from loyalty_fake.http import handlers
from loyalty_fake.http.common_json import DATE, STRING, TIMESTAMP, Schema, const, enum
from loyalty_fake.http.declare import LIMIT, PAGE, STARTING_AFTER, Operation, Route, query
from loyalty_fake.http.filters import filters_parameter
from loyalty_fake.http.members import MEMBER, MEMBER_BY_CODE
from loyalty_fake.http.params import MAX_INTEGER
from loyalty_fake.ledger import TRANSACTION_FILTERS

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_CHANGE_BALANCE: Schema = {
    "type": "object",
    "required": ["points"],
    "properties": {
        "points": {
            "type": "integer",
            "minimum": -MAX_INTEGER,
            "maximum": MAX_INTEGER,
            "not": const(0),
        },
        "expiration_type": enum("PROGRAM_RULES", "CUSTOM_DATE", "NON_EXPIRING"),
        "expiration_date": {"anyOf": [DATE, TIMESTAMP]},
        "reason": STRING,
        "source_id": STRING,
    },
}

_TRANSACTION_QUERY = [
    LIMIT,
    query("order", enum("id", "-id"), "Default -id."),
    STARTING_AFTER,
    filters_parameter(TRANSACTION_FILTERS),
]

_ACTIVITY_QUERY = [
    LIMIT,
    query("order", enum("created_at", "-created_at"), "Default -created_at."),
    STARTING_AFTER,
]

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        f"{MEMBER}/balance",
        handlers.change_balance,
        Operation(
            "change_balance_in_program", "Add or remove points", "Balance", body=_CHANGE_BALANCE
        ),
    ),
    Route(
        "POST",
        f"{MEMBER_BY_CODE}/balance",
        handlers.change_balance,
        Operation(
            "change_balance", "Add or remove points by code", "Balance", body=_CHANGE_BALANCE
        ),
    ),
    Route(
        "GET",
        f"{MEMBER}/transactions",
        handlers.list_transactions,
        Operation(
            "list_transactions_in_program",
            "A card's point movements, cursor-paged",
            "TransactionsList",
            query=_TRANSACTION_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER_BY_CODE}/transactions",
        handlers.list_transactions,
        Operation(
            "list_transactions",
            "A card's point movements by code, cursor-paged",
            "TransactionsList",
            query=_TRANSACTION_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER}/points-expiration",
        handlers.list_points_expiration,
        Operation(
            "list_points_expiration",
            "A card's active points buckets",
            "PointsBucketsList",
            query=[LIMIT, PAGE],
        ),
    ),
    Route(
        "GET",
        f"{MEMBER}/activity",
        handlers.list_activity,
        Operation(
            "list_member_activity_in_program",
            "A member's events, cursor-paged",
            "MemberActivityList",
            query=_ACTIVITY_QUERY,
        ),
    ),
    Route(
        "GET",
        f"{MEMBER_BY_CODE}/activity",
        handlers.list_activity,
        Operation(
            "list_member_activity",
            "A member's events by code, cursor-paged",
            "MemberActivityList",
            query=_ACTIVITY_QUERY,
        ),
    ),
)
