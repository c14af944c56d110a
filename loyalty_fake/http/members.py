"""``/v1/loyalties/{campaignId}/members``: add, list and get members (published cards)."""

from __future__ import annotations

from loyalty_fake.http import handlers
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, TIMESTAMP, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE
from loyalty_fake.http.declare import LIMIT, NON_EMPTY, PAGE, Operation, Route, orders, query

__all__ = ["MEMBER", "MEMBER_BY_CODE", "PATH_PARAMETERS", "ROUTES"]

# A member's paths: in its program, and by code alone (points, rewards and redemptions too).
MEMBER = "/v1/loyalties/{campaignId}/members/{memberId}"
MEMBER_BY_CODE = "/v1/loyalties/members/{memberId}"

PATH_PARAMETERS = {"memberId": "The loyalty card's code."}

_ADD_MEMBER: Schema = {
    "type": "object",
    "required": ["customer"],
    "properties": {
        "customer": CUSTOMER_REFERENCE,
        "voucher": NON_EMPTY,
        "source_id": NON_EMPTY,
        "channel": STRING,
        "metadata": FREE_OBJECT,
    },
}

_MEMBER_QUERY = [
    LIMIT,
    PAGE,
    query("customer", STRING),
    query("code", STRING),
    {
        "name": "ids",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": STRING},
        "description": "Only the members with these v_ IDs: ids=a&ids=b (or ids[]=, ids[0]=).",
    },
    *(
        query(f"{field}[{part}]", TIMESTAMP)
        for field in ("created_at", "updated_at")
        for part in ("before", "after")
    ),
    query("order", enum(*orders("created_at", "updated_at", "code")), "Default -created_at."),
]

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/loyalties/{campaignId}/members",
        handlers.add_member,
        Operation(
            "add_member",
            "Add a member: publish a card to a customer",
            "LoyaltyMember",
            body=_ADD_MEMBER,
        ),
    ),
    Route(
        "GET",
        "/v1/loyalties/{campaignId}/members",
        handlers.list_members,
        Operation(
            "list_members", "List members (published cards)", "MembersList", query=_MEMBER_QUERY
        ),
    ),
    Route(
        "GET",
        MEMBER,
        handlers.get_member,
        Operation("get_member_in_program", "Get a member", "LoyaltyMember"),
    ),
    Route(
        "GET",
        MEMBER_BY_CODE,
        handlers.get_member,
        Operation("get_member", "Get a member by code", "LoyaltyMember"),
    ),
)
